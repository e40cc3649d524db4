"""The ClaimLine and Claim models: codes trimmed and upper-cased, modifiers and diagnoses split, units,
charges, numbers and dates, required fields, and messages that name fields, not values."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from claimcheck.models.claim import Claim, ClaimLine, normalise_diagnosis, split_diagnoses, split_modifiers
from claimcheck.models.parse import parse_claim
from tests.model_inputs import GOOD_LINE, claim, line

# --- ClaimLine normalisation -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("procedure_code", " 0711t ", "0711T"),
        ("procedure_code", "g0121", "G0121"),
        ("rendering_taxonomy", " 2085r0202x ", "2085R0202X"),
        ("rendering_npi", " 1234567893 ", "1234567893"),
        ("place_of_service", "2", "02"),
        ("place_of_service", 2, "02"),
        ("place_of_service", " 22 ", "22"),
        ("place_of_service", "", None),
        ("rendering_taxonomy", "", None),
    ],
)
def test_codes_are_trimmed_and_upper_cased(field: str, raw: Any, expected: Any) -> None:
    assert getattr(line(**{field: raw}), field) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("i70213", "I70.213"),
        ("I70.213", "I70.213"),
        (" i70.213 ", "I70.213"),
        ("I10", "I10"),
        ("i10", "I10"),
        ("E119", "E11.9"),
        ("E11.9", "E11.9"),
        ("Z1311", "Z13.11"),
        ("not-a-code", "NOT-A-CODE"),
        ("I10.", "I10"),
        # A misplaced dot was dropped, so I7.0213 passed as I70.213, which the code set's own
        # lookup refuses and a payer rejects: kept as written, it fails diagnosis.code_set.
        ("i7.0213", "I7.0213"),
        ("I70.21.3", "I70.21.3"),
        (".I70213", ".I70213"),
        ("I70213.", "I70213."),
    ],
)
def test_normalise_diagnosis(raw: str, expected: str) -> None:
    assert normalise_diagnosis(raw) == expected
    assert line(diagnosis_codes=raw).diagnosis_codes == (expected,)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("26, tc;59:LT", ("26", "TC", "59", "LT")),
        ("26 TC", ("26", "TC")),
        ("  gn\t78 ", ("GN", "78")),
        (["26", "tc"], ("26", "TC")),
        (["26 tc", None, "59"], ("26", "TC", "59")),
        (("lt",), ("LT",)),
        (26, ("26",)),
        ([26, 59], ("26", "59")),
        ("", ()),
        (None, ()),
    ],
)
def test_modifiers_are_split(raw: Any, expected: tuple[str, ...]) -> None:
    assert split_modifiers(raw) == expected
    assert line(modifiers=raw).modifiers == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("i70213 I10,e119;R02", ("I70.213", "I10", "E11.9", "R02")),
        ("I70.213, I10", ("I70.213", "I10")),
        (["i70213", "e11.9"], ("I70.213", "E11.9")),
        ("", ()),
        # One code written twice is one diagnosis: two of each finding on it before.
        ("I702 I70.2 i10 I10", ("I70.2", "I10")),
        (["I70.2", "I70.2"], ("I70.2",)),
    ],
)
def test_diagnoses_are_split(raw: Any, expected: tuple[str, ...]) -> None:
    assert split_diagnoses(raw) == expected
    assert line(diagnosis_codes=raw).diagnosis_codes == expected


def test_a_tuple_of_diagnoses_is_one_code_per_item() -> None:
    # A tuple is what ClaimLine holds and what the X12 reader hands on (an HI code is one code
    # whatever it holds); splitting its items again made "I70 2" the two codes I70 and 2.
    assert split_diagnoses(("i70 2", "e119", "E11.9", "", None)) == ("I70 2", "E11.9")
    once = line(diagnosis_codes=("I70 2",))
    assert once.diagnosis_codes == ("I70 2",)
    assert ClaimLine.model_validate(once.model_dump()).diagnosis_codes == ("I70 2",)
    # Text is still split, as the CSV contract writes a line's diagnoses in one cell.
    assert line(diagnosis_codes="I70 2").diagnosis_codes == ("I70", "2")


def test_a_tuple_of_modifiers_is_one_modifier_per_item() -> None:
    # As for diagnoses: an 837 SV101-3 holding "2 6" is one modifier as sent, not 2 and 6.
    assert split_modifiers(("2 6", "lt", "", None)) == ("2 6", "LT")
    once = line(modifiers=("2 6",))
    assert ClaimLine.model_validate(once.model_dump()).modifiers == ("2 6",)


def test_colon_does_not_split_diagnoses() -> None:
    assert split_diagnoses("I10:E119") == ("I10:E119",)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, 1.0), ("", 1.0), ("1.5", 1.5), (2, 2.0), (" 3 ", 3.0), ("+2", 2.0), (".5", 0.5), ("1e2", 100.0)],
)
def test_units(raw: Any, expected: float) -> None:
    data = {k: v for k, v in GOOD_LINE.items() if k != "units"}
    if raw is not None:
        data["units"] = raw
    assert ClaimLine.model_validate(data).units == expected


@pytest.mark.parametrize("raw", ["nan", "inf", "-Infinity", "1_0", "\u0663", "\uff13", "3 units", "0x1"])
def test_units_text_that_float_reads_but_is_no_count_is_refused(raw: str) -> None:
    with pytest.raises(ValidationError, match="must be a number"):
        line(units=raw)


@pytest.mark.parametrize("raw", ["1e309", "-1e309", float("inf"), float("-inf"), float("nan")])
def test_units_that_are_no_finite_number_are_refused(raw: Any) -> None:
    with pytest.raises(ValidationError, match="must be a number"):
        line(units=raw)


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("line_number", "\u0661"),  # Arabic-Indic one: isdigit() and int() take it
        ("line_number", "\u00b2"),  # superscript two: isdigit() takes it, int() does not
        ("date_of_service", "\u0662\u0660\u0662\u0666-03-10"),
    ],
)
def test_numbers_and_dates_are_read_in_ascii_digits_only(field: str, raw: str) -> None:
    with pytest.raises(ValidationError):
        line(**{field: raw})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, None), ("", None), (" 12.50 ", 12.5), (0, 0.0), ("-5", -5.0), ("$1,250.00", 1250.0), (85, 85.0)],
)
def test_charge_is_an_optional_amount(raw: Any, expected: float | None) -> None:
    assert line(charge=raw).charge == expected


@pytest.mark.parametrize("raw", ["abc", "12 EUR", "nan", float("nan"), float("inf"), True, [1]])
def test_a_charge_that_is_no_amount_is_none_and_fails_nothing(raw: Any) -> None:
    parsed = parse_claim({"claim_id": "C1", "lines": [{**GOOD_LINE, "charge": raw}]})
    (only,) = parsed.lines
    assert only.line is not None and only.line.charge is None and only.problems == ()


def test_line_number_and_date_from_text() -> None:
    assert line(line_number=" 7 ").line_number == 7
    assert line(date_of_service=" 2026-03-10 ").date_of_service == date(2026, 3, 10)


@pytest.mark.parametrize("raw", ["03/10/2026", "2026-3-10", "20260310", "2026-02-30", "", "yesterday"])
def test_date_of_service_must_be_iso(raw: str) -> None:
    with pytest.raises(ValidationError):
        line(date_of_service=raw)


@pytest.mark.parametrize(("field", "raw"), [("line_number", 0), ("line_number", "-1"), ("procedure_code", "  ")])
def test_required_fields_reject_bad_values(field: str, raw: Any) -> None:
    with pytest.raises(ValidationError):
        line(**{field: raw})


def test_claim_model_normalises_header_and_lines() -> None:
    model = Claim.model_validate(
        claim(GOOD_LINE, {**GOOD_LINE, "line_number": 2, "modifiers": "tc"}, patient_sex="f", payer=" Acme ")
    )
    assert model.patient_sex == "F"
    assert model.payer == "Acme"
    assert [ln.modifiers for ln in model.lines] == [("26",), ("TC",)]


def test_claim_model_needs_lines() -> None:
    with pytest.raises(ValidationError):
        Claim.model_validate(claim())


def test_a_claim_model_that_does_not_validate_names_fields_not_their_values() -> None:
    # Built from a database row, a Claim with a bad birth date raised an error whose text, which
    # an integrator logs, quoted the value: patient data.
    with pytest.raises(ValidationError) as raised:
        Claim.model_validate(claim({**GOOD_LINE, "units": "Jane Roe"}, patient_birth_date="1954-02-30"))
    text = str(raised.value)
    assert "patient_birth_date" in text and "lines.0.units" in text and "must be a number" in text
    assert "1954" not in text and "Jane Roe" not in text
    with pytest.raises(ValidationError) as raised:
        line(date_of_service="Jane Roe 1954-03-02")
    assert "date_of_service" in str(raised.value) and "Jane" not in str(raised.value)
