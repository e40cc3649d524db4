"""``-v`` lists passing findings in the text report; the other reports hold every finding
already. Given with one of them it changed nothing and said nothing, so a user looking for the
passes it promised did not learn they were there: a note on stderr says so (not under --quiet)."""

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
