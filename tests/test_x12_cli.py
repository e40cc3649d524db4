"""X12 through the command line: detection by content, --input-format x12, --x12-strict."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from tests.conftest import ROOT

PROFESSIONAL = ROOT / "fixtures" / "x12" / "professional.837"


def _report(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["check", *args, "--format", "json", "--as-of", "2026-11-22"])
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_an_837_without_its_extension_is_detected_by_content(tmp_path: Path) -> None:
    copy = tmp_path / "claims.dat"
    shutil.copy(PROFESSIONAL, copy)
    detected = _report(str(copy))
    forced = _report(str(copy), "--input-format", "x12")
    assert detected == forced
    lines = detected["lines"]
    assert isinstance(lines, list) and lines
    assert all("location" in line and line["location"]["segment"] for line in lines)


def test_x12_strict_adds_no_finding_to_a_clean_file() -> None:
    pytest.importorskip("pyx12")
    plain, strict = _report(str(PROFESSIONAL)), _report(str(PROFESSIONAL), "--x12-strict")
    assert plain == strict


def test_x12_strict_reports_tr3_errors_as_input_findings() -> None:
    pytest.importorskip("pyx12")
    report = _report(str(ROOT / "fixtures" / "x12" / "bad_se_count.837"), "--x12-strict")
    subjects = {f["subject"] for line in report["lines"] for f in line["findings"] if f["check"] == "input"}
    assert "tr3" in subjects and "envelope" in subjects
