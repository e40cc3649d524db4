"""A file read in a JSON format it is not written in (--input-format json or jsonl, or a .jsonl
name on another kind of file): one message saying what the file looks like and which format
reads it, exit status 2, rather than a report of one "not valid JSON" failure per line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from claimcheck.cli import main
from tests.conftest import ROOT

AS_OF = ["--as-of", "2026-11-22"]
DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
X12 = ROOT / "fixtures" / "x12" / "professional.837"
JSON_CLAIMS = ROOT / "fixtures" / "json" / "claims.json"
JSONL_CLAIMS = ROOT / "fixtures" / "json" / "claims.jsonl"


def check(path: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["check", str(path), "--format", "csv", *args, *AS_OF])


def assert_refused(result: Result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert result.stderr.count("claimcheck: error: ") == 1, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("source", "needles"),
    [
        (JSON_CLAIMS, ("one JSON document", "--input-format json")),
        (DEMO, ("--input-format csv",)),
        (X12, ("X12", "--input-format x12")),
    ],
)
def test_a_file_that_is_not_json_lines_read_as_jsonl_is_one_message(source: Path, needles: tuple[str, ...]) -> None:
    result = check(source, "--input-format", "jsonl")
    assert_refused(result, f"{source}:1: is not JSON Lines", *needles)


def test_a_pretty_printed_claims_file_named_jsonl_is_one_message(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps(json.loads(JSON_CLAIMS.read_text())[0], indent=2), encoding="utf-8")
    assert_refused(check(path), "is not JSON Lines", "one JSON document", "--input-format json")


def test_a_json_lines_file_with_a_broken_first_line_is_still_read_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text('{"claim_id": "J0", "lines": [\n' + JSONL_CLAIMS.read_text(), encoding="utf-8")
    result = check(path, "--quiet")
    assert result.exit_code == 1, result.output
    rows = result.stdout.splitlines()
    assert sum("is not valid JSON" in row for row in rows) == 1
    assert any(row.startswith("J1,1,") for row in rows)


def test_json_lines_read_as_one_json_document_are_told_to_read_it_as_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "claims.json"
    path.write_bytes(JSONL_CLAIMS.read_bytes())
    assert_refused(check(path, "--input-format", "json"), "Extra data", "--input-format jsonl")
