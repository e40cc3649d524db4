"""Readers keep going past a broken row: one result per input row, the bad one flagged."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import claimcheck
from claimcheck.io.readers.csv_reader import _split_line
from tests.conftest import AS_OF

HEADER = "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service\n"


def _problems(line: claimcheck.LineResult) -> list[str]:
    return [f.message for f in line.findings if f.check is claimcheck.Check.INPUT]


@pytest.mark.parametrize(
    "first_row",
    [
        'C1,1,"0711T,I73.9,2026-03-10\n',
        # In the last column the row it opens has the header's width: only the quote still open
        # at the end tells.
        'C1,1,0711T,I73.9,"2026-03-10\n',
    ],
    ids=["middle column", "last column"],
)
def test_an_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path: Path, first_row: str) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(HEADER + first_row + "C1,2,0711T,I73.9,2026-03-10\nC2,1,0711T,I73.9,2026-03-10\n")
    report = claimcheck.validate_file(path, as_of=AS_OF)
    assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [("C1", 1), ("C1", 2), ("C2", 1)]
    for number, line in enumerate(report.lines, start=2):
        assert any(f"unclosed quote that runs over lines 2-4 (claims.csv line {number})" in m for m in _problems(line))


@pytest.mark.parametrize("column", [2, 3])
def test_two_stray_quotes_in_one_column_do_not_make_one_row_of_the_lines_between(tmp_path: Path, column: int) -> None:
    # The second stray quote closes the first, and the row they make has the header's width: it
    # was read as one line, its modifiers and diagnoses all the cells of the rows between.
    def row(claim: str, line: int, stray: bool = False) -> str:
        cells = [claim, str(line), "0711T", "I73.9", "2026-03-10"]
        if stray:
            cells[column] = '"' + cells[column]
        return ",".join(cells) + "\n"

    path = tmp_path / "claims.csv"
    path.write_text(HEADER + row("C1", 1, True) + row("C1", 2) + row("C2", 1) + row("C2", 2, True) + row("C3", 1))
    for columns in (None, "claimcheck"):  # the batch road hands the rest of the file to the per-line one
        report = claimcheck.validate_file(path, as_of=AS_OF, columns=columns)
        assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [
            ("C1", 1),
            ("C1", 2),
            ("C2", 1),
            ("C2", 2),
            ("C3", 1),
        ]
        for number, line in enumerate(report.lines[:4], start=2):
            assert any(
                f"unclosed quote that runs over lines 2-5 (claims.csv line {number})" in m for m in _problems(line)
            )
        assert not _problems(report.lines[4])


def test_a_quoted_multi_line_field_in_the_first_or_last_column_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,note\n"
        '"C\n1",1,0711T,I73.9,2026-03-10,x\nC2,1,0711T,I73.9,2026-03-10,"a\nb,c\nd"\nC3,1,0711T,I73.9,2026-03-10,x\n'
    )
    report = claimcheck.validate_file(path, as_of=AS_OF)
    assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [("C\n1", 1), ("C2", 1), ("C3", 1)]
    assert not any(_problems(line) for line in report.lines)


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


def test_bytes_that_are_not_utf8_are_named_by_column_and_only_in_columns_read(tmp_path: Path) -> None:
    # A Latin-1 name in a column no layout reads failed its line ("row is not UTF-8 text") though
    # every value checked was read as written; the message did not say which cell to look at.
    path = tmp_path / "claims.csv"
    path.write_bytes(
        b"claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,payer,provider_name\n"
        b"C1,1,0711T,I73.9,2026-03-10,Acme,Jos\xe9\n"
        b"C1,2,0711T,I73\xa09,2026-03-10,Sant\xe9,Jos\xe9\n"
    )
    for columns in (None, "claimcheck"):
        first, second = claimcheck.validate_file(path, as_of=AS_OF, columns=columns).lines
        assert not _problems(first)
        assert (
            "row is not UTF-8 text in diagnosis_codes, payer (the bytes that could not be read were replaced) "
            "(claims.csv line 3)"
        ) in _problems(second)


def test_cr_only_line_endings_are_read(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_bytes(
        HEADER.replace("\n", "\r").encode() + b"C1,1,0711T,I73.9,2026-03-10\rC1,2,0711T,I73.9,2026-03-10\r"
    )
    report = claimcheck.validate_file(path, as_of=AS_OF)
    assert [ln.line_number for ln in report.lines] == [1, 2]
    assert all(not _problems(ln) for ln in report.lines)


def test_a_field_longer_than_csvs_limit_on_one_line_is_read_by_both_roads(tmp_path: Path) -> None:
    # csv's field size limit (128 KiB) used to make the per-line reader call this row an unclosed quote.
    path = tmp_path / "claims.csv"
    notes = "n" * (csv.field_size_limit() + 10)
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,notes\n"
        f'C1,1,0711T,I73.9,2026-03-10,"{notes}"\nC1,2,0711T,I73.9,2026-03-11,{notes}\nC2,1,0711T,I73.9,2026-03-10,x\n'
    )
    careful = claimcheck.validate_file(path, as_of=AS_OF, columns="claimcheck")
    assert [(ln.claim_id, ln.line_number) for ln in careful.lines] == [("C1", 1), ("C1", 2), ("C2", 1)]
    assert not any(_problems(line) for line in careful.lines)
    assert careful.to_dict() == claimcheck.validate_file(path, as_of=AS_OF).to_dict()


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet='ab,;" ', max_size=12), delimiter=st.sampled_from([",", ";"]))
def test_split_line_splits_as_csv_does(text: str, delimiter: str) -> None:
    rows = list(csv.reader([text + "\n", "next\n"], delimiter=delimiter))
    assert _split_line(text, delimiter) == (rows[0] if len(rows) == 2 else None)  # one row: a quote left open
