"""Readers keep going past a broken row: one result per input row, the bad one flagged."""

from __future__ import annotations

from pathlib import Path

import claimcheck
from tests.conftest import AS_OF

HEADER = "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service\n"


def _problems(line: claimcheck.LineResult) -> list[str]:
    return [f.message for f in line.findings if f.check is claimcheck.Check.INPUT]


def test_an_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + 'C1,1,"0711T,I73.9,2026-03-10\nC1,2,0711T,I73.9,2026-03-10\nC2,1,0711T,I73.9,2026-03-10\n')
    report = claimcheck.validate_file(path, as_of=AS_OF)
    assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [("C1", 1), ("C1", 2), ("C2", 1)]
    for number, line in enumerate(report.lines, start=2):
        assert any(f"unclosed quote that runs over lines 2-4 (claims.csv line {number})" in m for m in _problems(line))


def test_an_unclosed_quote_in_the_last_column_does_not_swallow_the_end_of_the_file(tmp_path: Path) -> None:
    # The row it opens has the header's width, so only the quote still open at the end tells.
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + 'C1,1,0711T,I73.9,"2026-03-10\nC1,2,0711T,I73.9,2026-03-10\nC2,1,0711T,I73.9,2026-03-10\n')
    report = claimcheck.validate_file(path, as_of=AS_OF)
    assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [("C1", 1), ("C1", 2), ("C2", 1)]
    for number, line in enumerate(report.lines, start=2):
        assert any(f"unclosed quote that runs over lines 2-4 (claims.csv line {number})" in m for m in _problems(line))


def test_a_quoted_multi_line_field_of_the_right_width_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + 'C1,1,0711T,"I73.9\nI96",2026-03-10\nC1,2,0711T,I73.9,2026-03-10\n')
    report = claimcheck.validate_file(path, as_of=AS_OF)
    assert [ln.line_number for ln in report.lines] == [1, 2]
    assert not _problems(report.lines[0])


def test_a_row_that_is_not_utf8_is_flagged_and_the_rest_runs(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(
        HEADER.encode()
        + b"C1,1,0711T,I73.9,2026-03-10\nC1,2,0711T,I73.9,2026-03-10,caf\xe9\nC2,1,0711T,I73.9,2026-03-10\n"
    )
    report = claimcheck.validate_file(path, as_of=AS_OF)
    assert len(report.lines) == 3
    assert not _problems(report.lines[0]) and not _problems(report.lines[2])
    assert any("not UTF-8" in m and "claims.csv line 3" in m for m in _problems(report.lines[1]))


def test_cr_only_line_endings_are_read(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(
        HEADER.replace("\n", "\r").encode() + b"C1,1,0711T,I73.9,2026-03-10\rC1,2,0711T,I73.9,2026-03-10\r"
    )
    report = claimcheck.validate_file(path, as_of=AS_OF)
    assert [ln.line_number for ln in report.lines] == [1, 2]
    assert all(not _problems(ln) for ln in report.lines)
