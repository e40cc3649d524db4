"""Reading CSV claim files: the input contract: header names, numbered modifier and DX columns, BOMs,
delimiters and Excel's sep line, line endings, blank lines, rows forming claims, wrong field counts."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from claimcheck.io.readers import read_claims
from tests.reader_inputs import (
    GOOD_ROW,
    HEADER,
    check,
    csv_file,
    input_findings,
    lines_of,
    row,
    rules_fixture,  # noqa: F401 (the rules fixture)
    write,
)

# --- CSV -----------------------------------------------------------------------------------------


def test_good_csv_reads_one_normalised_line(tmp_path: Path, rules: claimcheck.RuleSet) -> None:
    path = csv_file(tmp_path, "C1,1,0711t,26,i70213,2085R0202X,1234567893,1,2026-03-10,2")
    (parsed,) = list(read_claims(path))
    assert parsed.claim_id == "C1"
    model = parsed.lines[0].line
    assert model is not None
    assert (model.procedure_code, model.diagnosis_codes, model.place_of_service) == ("0711T", ("I70.213",), "02")
    assert len(check(path, rules).lines) == 1


def test_header_names_are_case_insensitive_and_extra_columns_ignored(tmp_path: Path) -> None:
    header = "Claim_ID, LINE_NUMBER ,Procedure_Code,Favourite_Colour,Date_Of_Service,MODIFIERS"
    path = csv_file(tmp_path, "C1,1,0711T,blue,2026-03-10,26", header=header)
    (line,) = lines_of(path)
    assert line.problems == ()
    assert line.line is not None
    assert line.line.modifiers == ("26",)


@pytest.mark.parametrize("with_list_column", [True, False])
def test_numbered_modifier_and_dx_columns_are_merged(tmp_path: Path, with_list_column: bool) -> None:
    header = "claim_id,line_number,procedure_code,date_of_service,modifier_2,modifier_1,dx_10,dx_1,dx_2"
    data = "C1,1,0711T,2026-03-10,tc,26,I96,i70213,"
    if with_list_column:
        header += ",modifiers,diagnosis_codes"
        data += ",59,I10"
    (line,) = lines_of(csv_file(tmp_path, data, header=header))
    assert line.line is not None
    prefix_mod, prefix_dx = (("59",), ("I10",)) if with_list_column else ((), ())
    assert line.line.modifiers == (*prefix_mod, "26", "TC")
    assert line.line.diagnosis_codes == (*prefix_dx, "I70.213", "I96")


def test_utf8_bom_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", ("\ufeff" + HEADER + "\n" + GOOD_ROW + "\n").encode("utf-8"))
    (line,) = lines_of(path)
    assert line.problems == ()
    assert line.line is not None


@pytest.mark.parametrize("start", ["\ufeff\ufeff", '\ufeff"\ufeff'], ids=["doubled", "in_quotes"])
def test_a_bom_written_twice_is_ignored_too(tmp_path: Path, start: str) -> None:
    # A tool that adds a BOM to text that has one already leaves two: the second stayed in the
    # first name, and the file was refused for "missing required column(s): claim_id", which
    # its header shows.
    header = start + HEADER.replace(",", '",', 1) if '"' in start else start + HEADER
    path = write(tmp_path, "bom.csv", (header + "\n" + GOOD_ROW + "\n").encode("utf-8"))
    (line,) = lines_of(path)
    assert line.problems == ()
    assert line.line is not None


@pytest.mark.parametrize("delimiter", ["|", "\t"])
def test_delimiter_is_detected_from_the_header(tmp_path: Path, delimiter: str) -> None:
    text = "\n".join(s.replace(",", delimiter) for s in (HEADER, GOOD_ROW, row(number=2, modifiers="26 59")))
    (parsed,) = list(read_claims(write(tmp_path, "claims.txt", text + "\n"), "csv"))
    assert [ln.line.modifiers for ln in parsed.lines if ln.line] == [("26",), ("26", "59")]
    assert all(ln.problems == () for ln in parsed.lines)


def test_consecutive_rows_form_claims_and_a_reappearing_id_starts_a_new_one(tmp_path: Path) -> None:
    path = csv_file(tmp_path, row("C1", 1), row("C1", 2), row("C2", 1), row("C1", 3))
    claims = list(read_claims(path))
    assert [(c.claim_id, [ln.line_number for ln in c.lines]) for c in claims] == [
        ("C1", [1, 2]),
        ("C2", [1]),
        ("C1", [3]),
    ]


@pytest.mark.parametrize("bad", ["C1,2,0711T,26", GOOD_ROW.replace("C1,1", "C1,2") + ",extra,fields"])
def test_row_with_wrong_field_count_gets_an_input_finding(tmp_path: Path, rules: claimcheck.RuleSet, bad: str) -> None:
    path = csv_file(tmp_path, GOOD_ROW, bad, row("C1", 3))
    report = check(path, rules)
    assert [ln.line_number for ln in report.lines] == [1, 2, 3]
    subjects = [(f.check.value, f.subject) for f in input_findings(report.lines[1])]
    assert ("input", "row") in subjects
    assert "claims.csv line 3" in next(f.message for f in input_findings(report.lines[1]) if f.subject == "row")
    assert report.lines[0].status.value == "pass"
    assert report.lines[2].status.value == "pass"


def test_blank_lines_are_skipped(tmp_path: Path, rules: claimcheck.RuleSet) -> None:
    path = write(tmp_path, "claims.csv", f"{HEADER}\n\n{GOOD_ROW}\n,,,\n   \n{row('C1', 2)}\n\n")
    report = check(path, rules)
    assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [("C1", 1), ("C1", 2)]


@pytest.mark.parametrize(("hint", "delimiter"), [("sep=,", ","), ("\ufeffsep=;", ";"), ('"sep=|"', "|")])
def test_an_excel_sep_line_above_the_header_names_the_delimiter(
    tmp_path: Path, rules: claimcheck.RuleSet, hint: str, delimiter: str
) -> None:
    # Exports meant for Excel write "sep=;" above the header; it was read as the header, and the
    # file refused for missing every required column, at a line that holds none of them.
    rows = [HEADER, GOOD_ROW, row("C1", 2), row("C1", 3, units="x")]
    path = write(tmp_path, "claims.csv", "\n".join([hint, *(r.replace(",", delimiter) for r in rows)]) + "\n")
    report = check(path, rules)
    assert [(ln.line_number, ln.status.value) for ln in report.lines] == [(1, "pass"), (2, "pass"), (3, "fail")]
    assert [f.message for f in input_findings(report.lines[2])] == ["units must be a number (claims.csv line 5)"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_line_endings(tmp_path: Path, rules: claimcheck.RuleSet, newline: str) -> None:
    text = newline.join([HEADER, GOOD_ROW, row("C1", 2), row("C2", 1)]) + newline
    report = check(write(tmp_path, "claims.csv", text.encode("utf-8")), rules)
    assert [(ln.claim_id, ln.line_number, ln.status.value) for ln in report.lines] == [
        ("C1", 1, "pass"),
        ("C1", 2, "pass"),
        ("C2", 1, "pass"),
    ]
