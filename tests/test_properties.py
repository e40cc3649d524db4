"""Property tests: no input line is ever lost, nothing raises, normalisation is idempotent."""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import claimcheck
from claimcheck.io.files import validate_file
from claimcheck.models.claim import ClaimLine, normalise_diagnosis, split_diagnoses, split_modifiers
from claimcheck.models.invisible import describe_invisible

RULES = claimcheck.load_rules()
AS_OF = datetime.date(2026, 11, 22)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
STATUSES = {"pass", "warn", "fail"}

LINE_COLUMNS = (
    "line_number",
    "procedure_code",
    "modifiers",
    "diagnosis_codes",
    "rendering_taxonomy",
    "rendering_npi",
    "units",
    "date_of_service",
    "place_of_service",
)
CSV_COLUMNS = ("claim_id", *LINE_COLUMNS)
GOOD_LINE: dict[str, Any] = {
    "line_number": 1,
    "procedure_code": "0711T",
    "modifiers": "26",
    "diagnosis_codes": "I70.213",
    "rendering_taxonomy": "2085R0202X",
    "rendering_npi": "1234567893",
    "units": 1,
    "date_of_service": "2026-03-10",
    "place_of_service": "22",
}

# Cell values as a reader or a caller could hand them over: text of any kind, None, whole numbers.
# Integers are bounded to what a claim could plausibly carry; see test_huge_integer_units_never_raises.
cells = st.one_of(st.none(), st.text(max_size=20), st.integers(min_value=-(10**12), max_value=10**12))
code_like = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefgz .,;:-\t", max_size=24)
separated_text = st.one_of(st.text(max_size=30), code_like)
rows = st.fixed_dictionaries({column: cells for column in CSV_COLUMNS})
# Lists whose codes hold no invisible character, which the model refuses (test_invisible_characters).
visible_codes = separated_text.filter(
    lambda text: not any(describe_invisible(code) for code in (*split_modifiers(text), *split_diagnoses(text)))
)


def run(*claims: Any) -> claimcheck.Report:
    return claimcheck.validate_many(claims, rules=RULES, as_of=AS_OF)


def as_claim(row: dict[str, Any]) -> dict[str, Any]:
    return {"claim_id": row["claim_id"], "lines": [{k: row[k] for k in LINE_COLUMNS}]}


def assert_well_formed(report: claimcheck.Report) -> None:
    for line in report.lines:
        assert line.status.value in STATUSES
        assert all(f.status.value in STATUSES for f in line.findings)
        report.to_dict()  # serialisable without raising


# --- (a) any row yields exactly one line result ----------------------------------------------------


@SETTINGS
@given(rows)
def test_any_row_yields_exactly_one_line_result(row: dict[str, Any]) -> None:
    report = run(as_claim(row))
    assert len(report.lines) == 1
    assert_well_formed(report)


@SETTINGS
@given(st.fixed_dictionaries({column: st.one_of(st.none(), st.text(max_size=20)) for column in CSV_COLUMNS}))
def test_any_row_keeps_the_readable_line_number(row: dict[str, Any]) -> None:
    (result,) = run(as_claim(row)).lines
    number = row["line_number"]
    if isinstance(number, str) and number.strip().isascii() and number.strip().isdigit():
        assert result.line_number == int(number.strip())


def test_huge_integer_units_never_raises() -> None:
    # 10**400 does not fit a float: the line must still come back, with an input finding on units.
    report = run({"claim_id": "C1", "lines": [{**GOOD_LINE, "units": 10**400}]})
    (result,) = report.lines
    assert result.status.value == "fail"
    assert "units" in [f.subject for f in result.findings if f.check.value == "input"]


# --- (b) normalisation is idempotent ----------------------------------------------------------------


@SETTINGS
@given(separated_text)
def test_split_modifiers_is_idempotent(text: str) -> None:
    once = split_modifiers(text)
    assert split_modifiers(once) == once
    assert split_modifiers(" ".join(once)) == once


@SETTINGS
@given(separated_text)
def test_split_diagnoses_is_idempotent(text: str) -> None:
    once = split_diagnoses(text)
    assert split_diagnoses(once) == once
    assert split_diagnoses(",".join(once)) == once


@SETTINGS
@given(separated_text)
def test_normalise_diagnosis_is_idempotent(text: str) -> None:
    once = normalise_diagnosis(text)
    assert normalise_diagnosis(once) == once


@SETTINGS
@given(
    number=st.integers(min_value=1, max_value=10**6),
    procedure=st.text(alphabet="0123456789ABCDEFGTt", min_size=1, max_size=7),
    modifiers=visible_codes,
    diagnoses=visible_codes,
    taxonomy=st.one_of(st.none(), code_like),
    units=st.one_of(st.none(), st.floats(min_value=0, max_value=1e6), st.integers(0, 10**6)),
    day=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)),
    pos=st.one_of(st.none(), st.text(alphabet="0123456789", max_size=3)),
)
def test_claim_line_round_trips_through_model_dump(
    number: int,
    procedure: str,
    modifiers: str,
    diagnoses: str,
    taxonomy: str | None,
    units: float | None,
    day: datetime.date,
    pos: str | None,
) -> None:
    line = ClaimLine.model_validate(
        {
            "line_number": number,
            "procedure_code": procedure,
            "modifiers": modifiers,
            "diagnosis_codes": diagnoses,
            "rendering_taxonomy": taxonomy,
            "units": units,
            "date_of_service": day.isoformat(),
            "place_of_service": pos,
        }
    )
    assert ClaimLine.model_validate(line.model_dump()) == line
    assert ClaimLine.model_validate(line.model_dump(mode="json")) == line


@SETTINGS
@given(modifiers=st.lists(code_like, max_size=5), diagnoses=st.lists(code_like, max_size=8))
def test_codes_taken_whole_round_trip_through_json(modifiers: list[str], diagnoses: list[str]) -> None:
    # A tuple's items are one code each, separators and all (as the X12 reader hands them on);
    # JSON has no tuples, so the dump must write them in a form that reads back whole.
    line = ClaimLine.model_validate(
        {
            "line_number": 1,
            "procedure_code": "0711T",
            "modifiers": tuple(modifiers),
            "diagnosis_codes": tuple(diagnoses),
            "date_of_service": "2026-03-10",
        }
    )
    assert ClaimLine.model_validate_json(line.model_dump_json()) == line
    assert ClaimLine.model_validate(line.model_dump(mode="json")) == line


# --- (c) the report never loses a line ---------------------------------------------------------------

line_dicts = st.fixed_dictionaries({column: cells for column in LINE_COLUMNS})


@SETTINGS
@given(st.lists(line_dicts, min_size=1, max_size=8))
def test_claim_with_n_lines_gives_n_results_in_order(lines: list[dict[str, Any]]) -> None:
    report = run({"claim_id": "C1", "lines": lines})
    assert len(report.lines) == len(lines)
    for given_line, result in zip(lines, report.lines, strict=True):
        number = given_line["line_number"]
        if isinstance(number, int) and number > 0:
            assert result.line_number == number
        assert result.claim_id == "C1"


@SETTINGS
@given(st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=12))
def test_line_numbers_come_back_as_given(numbers: list[int]) -> None:
    report = run({"claim_id": "C1", "lines": [{**GOOD_LINE, "line_number": n} for n in numbers]})
    assert [r.line_number for r in report.lines] == numbers
    assert report.summary()["lines"] == len(numbers)


# Cells a CSV file can carry (quoted, so delimiters, quotes and line breaks inside are fine).
csv_cells = st.one_of(
    st.just(""),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=15),
    code_like,
)


def _non_blank(row: list[str]) -> bool:
    return any(cell.strip() for cell in row)


@SETTINGS
@given(st.lists(st.lists(csv_cells, min_size=len(CSV_COLUMNS), max_size=len(CSV_COLUMNS)), min_size=1, max_size=10))
def test_csv_with_n_rows_gives_n_results(data: list[list[str]]) -> None:
    assume(all(_non_blank(r) for r in data))  # wholly blank rows are skipped by contract
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "claims.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        report = validate_file(path, rules=RULES, as_of=AS_OF)
    assert len(report.lines) == len(data)
    assert_well_formed(report)


# --- (d) random modifiers and diagnoses on an otherwise valid line --------------------------------------


@SETTINGS
@given(modifiers=separated_text, diagnoses=separated_text)
def test_random_modifiers_and_diagnoses_never_raise(modifiers: str, diagnoses: str) -> None:
    report = run({"claim_id": "C1", "lines": [{**GOOD_LINE, "modifiers": modifiers, "diagnosis_codes": diagnoses}]})
    (result,) = report.lines
    assert result.status.value in STATUSES
    assert (result.claim_id, result.line_number, result.procedure_code) == ("C1", 1, "0711T")
    assert_well_formed(report)


@SETTINGS
@given(st.lists(st.one_of(st.none(), st.integers(-99, 999), st.text(max_size=6)), max_size=6))
def test_random_modifier_lists_never_raise(modifiers: list[Any]) -> None:
    (result,) = run({"claim_id": "C1", "lines": [{**GOOD_LINE, "modifiers": modifiers}]}).lines
    assert result.status.value in STATUSES
