"""Claims given as an Excel workbook or a Parquet file, which claimcheck does not read: one message
saying what the file is and how to give its claims, not "header row is not UTF-8 text"."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from tests.conftest import ROOT

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"


def _workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as book:  # an .xlsx is a zip archive of XML parts
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return path


def _parquet_report(path: Path) -> Path:
    result = CliRunner().invoke(main, ["check", str(DEMO), "-o", str(path), "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    return path


def _old_workbook(path: Path) -> Path:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))  # OLE2, as Excel 97-2003 writes
    return path


@pytest.mark.parametrize(
    ("make", "name", "needles"),
    [
        (_workbook, "claims.xlsx", ("zip archive", "Excel", "CSV")),
        (_old_workbook, "claims.xls", ("Excel 97-2003", "CSV")),
        (_parquet_report, "claims.parquet", ("Parquet", "validate_batch")),
    ],
)
@pytest.mark.parametrize("input_format", [None, "csv"])
def test_a_file_claimcheck_does_not_read_is_named_for_what_it_is(
    tmp_path: Path, make: object, name: str, needles: tuple[str, ...], input_format: str | None
) -> None:
    path = make(tmp_path / name)  # type: ignore[operator]
    forced = ["--input-format", input_format] if input_format else []
    result = CliRunner().invoke(main, ["check", str(path), *forced, "--as-of", "2026-11-22"])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("claimcheck: error: ") == 1 and "Traceback" not in result.stderr
    assert "not UTF-8" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
