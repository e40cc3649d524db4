"""A mistyped option value on the command line: refused with exit status 2, one message that
names the option and the value, and a "did you mean" when a close allowed value exists."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from claimcheck.cli import main
from tests.conftest import ROOT

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
AS_OF = ["--as-of", "2026-11-22"]


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_refused(result: Result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("option", "typed", "meant"),
    [
        ("--format", "jsn", "json"),
        ("--format", "cvs", "csv"),
        ("--fail-on", "warning", "warn"),
        ("--engine", "compile", "compiled"),
        ("--input-format", "fihr", "fhir"),
    ],
)
def test_a_mistyped_choice_suggests_the_value_meant(option: str, typed: str, meant: str) -> None:
    result = invoke("check", DEMO, option, typed, *AS_OF)
    assert_refused(result, option, repr(typed), f"did you mean {meant!r}?")


def test_a_mistyped_rows_value_suggests_the_value_meant() -> None:
    result = invoke("check", DEMO, "--format", "csv", "--rows", "lines", *AS_OF)
    assert_refused(result, "--rows", "did you mean 'line'?")


def test_a_choice_far_from_every_allowed_value_lists_them_without_a_guess() -> None:
    result = invoke("check", DEMO, "--format", "xlsx", *AS_OF)
    assert_refused(result, "--format", "'text', 'json'")
    assert "did you mean" not in result.stderr


@pytest.mark.parametrize(("typed", "starts"), [("JSON", b"{"), ("Csv", b"claim_id,")])
def test_a_choice_is_taken_in_any_case(tmp_path: Path, typed: str, starts: bytes) -> None:
    report = tmp_path / "report.out"
    result = invoke("check", DEMO, "--format", typed, "--fail-on", "NEVER", "-o", report, *AS_OF)
    assert result.exit_code == 0, result.output
    assert report.read_bytes().startswith(starts)
