"""``-v`` lists passing findings in the text report; the other reports hold every finding
already. Given with one of them it changed nothing and said nothing, so a user looking for the
passes it promised did not learn they were there: a note on stderr says so (not under --quiet).
So do --x12-strict and --columns when no FILE is an 837 or a delimited file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from tests.conftest import ROOT

DEMO = str(ROOT / "fixtures" / "demo" / "claims.csv")


@pytest.mark.parametrize("report_format", ["json", "jsonl", "csv", "html"])
def test_verbose_with_another_format_says_it_holds_the_passes_already(report_format: str, tmp_path: Path) -> None:
    output = tmp_path / f"report.{report_format}"
    args = ["check", DEMO, "-v", "--format", report_format, "-o", str(output), "--as-of", "2026-11-22"]
    quiet = CliRunner().invoke(main, [*args, "--fail-on", "never", "--quiet"])
    result = CliRunner().invoke(main, [*args, "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert f"-v lists passing findings in the text report; the {report_format} report" in result.stderr
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert output.exists()


def test_verbose_with_text_says_nothing_of_it() -> None:
    result = CliRunner().invoke(main, ["check", DEMO, "-v", "--as-of", "2026-11-22", "--fail-on", "never"])
    assert result.exit_code == 0
    assert "-v lists" not in result.stderr


def test_x12_strict_with_no_x12_file_says_the_files_were_not_validated() -> None:
    result = CliRunner().invoke(main, ["check", DEMO, "--x12-strict", "--as-of", "2026-11-22", "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    assert f"--x12-strict validates X12 837 files, and {DEMO} (csv) is no such file" in result.stderr


def test_x12_strict_with_an_x12_file_among_them_says_nothing_of_it() -> None:
    x12 = str(ROOT / "fixtures" / "x12" / "professional.837")
    args = ["check", DEMO, x12, "--x12-strict", "--as-of", "2026-11-22", "--fail-on", "never"]
    result = CliRunner().invoke(main, args)
    assert "--x12-strict validates" not in result.stderr


def test_columns_with_no_delimited_file_says_it_maps_none(tmp_path: Path) -> None:
    x12 = str(ROOT / "fixtures" / "x12" / "professional.837")
    args = ["check", x12, "--columns", "cms_carrier", "--as-of", "2026-11-22", "--fail-on", "never", "-o"]
    result = CliRunner().invoke(main, [*args, str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert f"--columns maps delimited files, and {x12} (x12) is no such file" in result.stderr
    quiet = CliRunner().invoke(main, [*args, str(tmp_path / "q.json"), "--quiet"])
    assert "--columns" not in quiet.stderr
