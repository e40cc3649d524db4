"""Normalisation in ClaimLine / Claim and the lenient reading of parse_claim."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

import claimcheck
from claimcheck.models.claim import Claim, ClaimLine, normalise_diagnosis, split_diagnoses, split_modifiers
from claimcheck.models.parse import ParsedClaim, parse_claim, parse_line

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


def line(**changes: Any) -> ClaimLine:
    return ClaimLine.model_validate({**GOOD_LINE, **changes})


def claim(*lines: dict[str, Any], **header: Any) -> dict[str, Any]:
    return {"claim_id": "C1", **header, "lines": list(lines)}


def only_line(parsed: ParsedClaim):
    assert len(parsed.lines) == 1
    return parsed.lines[0]


def all_messages(parsed: ParsedClaim) -> list[str]:
    problems = [*parsed.problems, *(p for ln in parsed.lines for p in ln.problems)]
    return [f"{p.field} {p.message}" for p in problems]


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


# --- parse_claim: lenient reading ----------------------------------------------------------------


def test_good_claim_has_no_problems() -> None:
    parsed = parse_claim(claim(GOOD_LINE, patient_birth_date="1958-01-01"))
    assert parsed.claim_id == "C1"
    assert parsed.problems == ()
    assert only_line(parsed).line == line()
    assert only_line(parsed).problems == ()


def test_bad_date_format_is_an_input_problem_naming_the_field() -> None:
    parsed_line = only_line(parse_claim(claim({**GOOD_LINE, "date_of_service": "03/10/2026"})))
    assert parsed_line.line is None
    assert [p.field for p in parsed_line.problems] == ["date_of_service"]
    assert "YYYY-MM-DD" in parsed_line.problems[0].message


def test_bad_optional_field_keeps_the_line() -> None:
    parsed_line = only_line(parse_claim(claim({**GOOD_LINE, "units": "abc"})))
    assert parsed_line.line is not None
    assert parsed_line.line.units == 1.0
    assert parsed_line.line.modifiers == ("26",)
    assert [p.field for p in parsed_line.problems] == ["units"]


@pytest.mark.parametrize(
    ("changes", "bad_field", "number", "procedure"),
    [
        ({"date_of_service": "03/10/2026"}, "date_of_service", 1, "0711T"),
        ({"date_of_service": None}, "date_of_service", 1, "0711T"),
        ({"line_number": "one"}, "line_number", None, "0711T"),
        ({"line_number": 0}, "line_number", 0, "0711T"),
        ({"procedure_code": ""}, "procedure_code", 1, None),
        ({"procedure_code": None}, "procedure_code", 1, None),
        ({"procedure_code": ["0711T"]}, "procedure_code", 1, None),
    ],
)
def test_bad_required_field_salvages_what_it_can(
    changes: dict[str, Any], bad_field: str, number: int | None, procedure: str | None
) -> None:
    parsed = parse_claim(claim({**GOOD_LINE, **changes, "procedure_code": changes.get("procedure_code", " 0711t ")}))
    parsed_line = only_line(parsed)
    assert parsed.claim_id == "C1"
    assert parsed_line.line is None
    assert parsed_line.line_number == number
    assert parsed_line.procedure_code == procedure
    assert bad_field in [p.field for p in parsed_line.problems]


def test_missing_required_fields_are_each_reported() -> None:
    parsed_line = only_line(parse_claim(claim({"modifiers": "26"})))
    assert parsed_line.line is None
    assert {p.field for p in parsed_line.problems} == {"line_number", "procedure_code", "date_of_service"}
    assert all(p.message == "is required" for p in parsed_line.problems)


@pytest.mark.parametrize("field", ["line_number", "procedure_code", "date_of_service"])
@pytest.mark.parametrize("raw", [None, "", " ", float("nan")])
def test_an_empty_required_field_is_required_as_on_the_batch_road(field: str, raw: Any) -> None:
    # JSON's null (or a DataFrame's NaN) said "must be a whole number", "must be text" or "must be
    # a date written YYYY-MM-DD", where validate_batch and Spark, given the same null, and the CSV
    # reader, given an empty cell, say "is required".
    parsed_line = only_line(parse_claim(claim({**GOOD_LINE, field: raw})))
    assert [(p.field, p.message) for p in parsed_line.problems] == [(field, "is required")]


@pytest.mark.parametrize("raw", [None, float("nan")])
def test_an_empty_claim_id_is_required_as_on_the_batch_road(raw: Any) -> None:
    parsed = parse_claim(claim(GOOD_LINE, claim_id=raw))
    assert [(p.field, p.message) for p in parsed.problems] == [("claim_id", "is required")]


def test_bad_header_field_keeps_the_claim() -> None:
    parsed = parse_claim(claim(GOOD_LINE, patient_sex="X", patient_birth_date="1958-13-45"))
    assert parsed.claim_id == "C1"
    assert {p.field for p in parsed.problems} == {"patient_sex", "patient_birth_date"}
    assert only_line(parsed).line is not None


def test_missing_claim_id_is_a_problem() -> None:
    parsed = parse_claim({"lines": [GOOD_LINE]})
    assert parsed.claim_id is None
    assert "claim_id" in [p.field for p in parsed.problems]
    assert only_line(parsed).line is not None


@pytest.mark.parametrize("claim_id", [None, "", "   ", ["C1"], {"id": "C1"}, True])
def test_unreadable_claim_id_is_not_salvaged_as_text(claim_id: Any) -> None:
    parsed = parse_claim({"claim_id": claim_id, "lines": [GOOD_LINE]})
    assert parsed.claim_id is None
    assert "claim_id" in [p.field for p in parsed.problems]


@pytest.mark.parametrize(
    "bad",
    [
        {"patient_birth_date": "1958-13-45"},
        {"patient_sex": "1958-13-45"},
        {"claim_id": ["1958-13-45"]},
        {"lines": [{**GOOD_LINE, "date_of_service": "1958-13-45"}]},
        {"lines": [{**GOOD_LINE, "units": "1958-13-45"}]},
        {"lines": [{**GOOD_LINE, "line_number": "1958-13-45"}]},
        {"lines": [{**GOOD_LINE, "modifiers": {"x": "1958-13-45"}}]},
    ],
)
def test_messages_never_quote_the_bad_value(bad: dict[str, Any]) -> None:
    parsed = parse_claim({**claim(GOOD_LINE), **bad})
    messages = all_messages(parsed)
    assert messages
    for message in messages:
        assert "1958-13-45" not in message
        assert "1958" not in message


@pytest.mark.parametrize("data", [None, [], [GOOD_LINE], "C1", 42, 3.5, True])
def test_non_dict_claim_gives_one_line_with_a_problem(data: Any) -> None:
    parsed = parse_claim(data)
    parsed_line = only_line(parsed)
    assert parsed_line.line is None
    assert [p.field for p in parsed_line.problems] == ["claim"]


@pytest.mark.parametrize(
    "data",
    [claim(), {"claim_id": "C1"}, {"claim_id": "C1", "lines": "nope"}, {"claim_id": "C1", "lines": {}}],
)
def test_claim_without_lines_gives_one_line_and_a_problem(data: dict[str, Any]) -> None:
    parsed = parse_claim(data)
    assert parsed.claim_id == "C1"
    assert len(parsed.lines) == 1
    assert parsed.lines[0].line is None
    assert "lines" in [p.field for p in parsed.problems]


@pytest.mark.parametrize("raw", [None, "line", 7, ["a"]])
def test_non_dict_line_is_kept_with_a_problem(raw: Any) -> None:
    parsed = parse_claim(claim(GOOD_LINE, raw, {**GOOD_LINE, "line_number": 3}))
    assert len(parsed.lines) == 3
    assert parsed.lines[1].line is None
    assert [p.field for p in parsed.lines[1].problems] == ["line"]
    assert [ln.line_number for ln in parsed.lines] == [1, None, 3]


def test_lines_keep_input_order_and_origins() -> None:
    numbers = [5, 2, 9, 1]
    data = claim(*({**GOOD_LINE, "line_number": n} for n in numbers))
    parsed = parse_claim(data, [f"f.csv line {i}" for i in range(2, 6)])
    assert [ln.line_number for ln in parsed.lines] == numbers
    assert [ln.origin for ln in parsed.lines] == ["f.csv line 2", "f.csv line 3", "f.csv line 4", "f.csv line 5"]


def test_parse_line_accepts_a_claim_line() -> None:
    model = line(line_number=4)
    parsed = parse_line(model)
    assert parsed.line is model
    assert (parsed.line_number, parsed.procedure_code, parsed.problems) == (4, "0711T", ())


def test_parse_claim_accepts_a_claim_model() -> None:
    model = Claim.model_validate(claim(GOOD_LINE))
    parsed = parse_claim(model)
    assert parsed.claim_id == "C1"
    assert parsed.header is model
    assert only_line(parsed).line == model.lines[0]


@pytest.mark.parametrize("data", [None, [], "C1", claim(), {"claim_id": "C1", "lines": []}])
def test_validate_reports_unreadable_claims_as_one_failing_input_line(data: Any, ruleset) -> None:
    report = claimcheck.validate(data, rules=ruleset, as_of=date(2026, 11, 22))
    assert len(report.lines) == 1
    result = report.lines[0]
    assert result.status.value == "fail"
    assert [f.check.value for f in result.findings] == ["input"]


@pytest.mark.parametrize("raw", [2**63, "9223372036854775808", "9" * 5000])
def test_a_line_number_that_no_64_bit_integer_holds_is_refused(raw: Any) -> None:
    with pytest.raises(ValidationError, match="must be at most 9223372036854775807"):
        line(line_number=raw)
    assert line(line_number=2**63 - 1).line_number == 2**63 - 1
    assert line(line_number="0" * 30 + "7").line_number == 7


def test_a_line_number_written_as_a_float_is_read_when_whole() -> None:
    assert line(line_number=2.0).line_number == 2
    for raw in (1.5, float("nan"), float("inf")):
        with pytest.raises(ValidationError, match="must be a whole number"):
            line(line_number=raw)


def test_statuses_compare_by_severity_not_as_text() -> None:
    from claimcheck import Status

    assert Status.PASS < Status.WARN < Status.FAIL
    assert max([Status.WARN, Status.FAIL, Status.PASS]) is Status.FAIL
    assert sorted([Status.FAIL, Status.PASS, Status.WARN]) == [Status.PASS, Status.WARN, Status.FAIL]
    assert Status.FAIL >= Status.FAIL and not Status.FAIL <= Status.WARN


def test_statuses_compare_by_severity_with_the_text_of_a_status_too() -> None:
    from claimcheck import Status

    # Status is a str: `line.status >= "warn"` compared the letters, and "fail" < "warn" as text.
    assert Status.FAIL >= "warn" and Status.FAIL > "warn" and Status.WARN < "fail" and "fail" > Status.WARN
    assert not Status.PASS >= "warn" and Status.WARN <= "warn"
    assert max([Status.WARN, "fail"]) == "fail"
    with pytest.raises(ValueError, match="'maybe' is not a valid Status"):
        Status.FAIL > "maybe"  # noqa: B015
    with pytest.raises(TypeError):
        Status.FAIL > 1  # noqa: B015


def test_numbers_of_any_kind_a_billing_system_holds_are_read() -> None:
    # A database driver hands NUMERIC columns over as Decimal, a DataFrame's rows numpy scalars:
    # each was refused as "must be text", failing every line that carried one.
    from datetime import datetime
    from fractions import Fraction

    np = pytest.importorskip("numpy")
    read = line(
        line_number=np.int64(3),
        procedure_code=np.int64(99213),
        units=Decimal("2.5"),
        place_of_service=np.int32(22),
        date_of_service=datetime(2026, 3, 10, 14, 30),
    )
    assert (read.line_number, read.procedure_code, read.units, read.place_of_service) == (3, "99213", 2.5, "22")
    assert read.date_of_service == date(2026, 3, 10)
    assert line(line_number=Decimal("4"), units=np.int64(2)).units == 2.0
    assert line(units=Fraction(1, 2)).units == 0.5 and line(units=np.float32(3)).units == 3.0
    header = Claim.model_validate(claim(GOOD_LINE, patient_birth_date=datetime(1958, 1, 1, 8)))
    assert header.patient_birth_date == date(1958, 1, 1)


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        ("units", Decimal("NaN"), "must be a number"),
        ("units", Decimal("sNaN"), "must be a number"),
        ("units", Decimal("1e400"), "must be a number"),
        ("units", [1], "must be a number"),
        ("line_number", Decimal("1.5"), "must be a whole number"),
        ("line_number", Decimal("NaN"), "must be a whole number"),
        ("line_number", Decimal("Infinity"), "must be a whole number"),
        ("line_number", [1], "must be a whole number"),
        ("date_of_service", 20260310, "must be a date written YYYY-MM-DD"),
        ("date_of_service", ["2026-03-10"], "must be a date written YYYY-MM-DD"),
    ],
    ids=str,
)
def test_numbers_that_are_none_say_so(field: str, raw: Any, message: str) -> None:
    parsed = parse_claim(claim({**GOOD_LINE, field: raw}))
    assert all_messages(parsed) == [f"{field} {message}"]


def test_an_empty_dataframe_cell_is_a_missing_optional_field() -> None:
    # pandas holds an empty cell as NaN (pd.NA, NaT in typed columns): each failed its line
    # ("modifiers must be text or a list of codes") where the same empty CSV cell is no value.
    pd = pytest.importorskip("pandas")
    for empty in (float("nan"), pd.NA, pd.NaT):
        fields = ("modifiers", "diagnosis_codes", "rendering_taxonomy", "rendering_npi", "place_of_service")
        parsed = parse_claim(
            claim(
                {**GOOD_LINE, **dict.fromkeys(fields, empty)},
                patient_sex=empty,
                patient_birth_date=empty,
                payer=empty,
            )
        )
        assert all_messages(parsed) == []
        read = only_line(parsed).line
        assert read is not None and (read.modifiers, read.diagnosis_codes, read.rendering_npi) == ((), (), None)
        assert parsed.header is not None and parsed.header.patient_birth_date is None


def test_codes_in_a_float_column_are_read_as_validate_batch_reads_them() -> None:
    # A DataFrame column of NPIs or places of service with one empty cell is float64: each code
    # (1234567893.0) was "rendering_npi must be text" through validate(), failing every line,
    # where validate_batch reads the same column as 1234567893 and passes it.
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    frame = pd.DataFrame(
        {
            "claim_id": ["C1", "C1"],
            "line_number": [1, 2],
            "procedure_code": ["0711T", "0711T"],
            "modifiers": [26.0, float("nan")],
            "diagnosis_codes": ["I70.213", "I70.213"],
            "rendering_npi": [1234567893.0, float("nan")],
            "place_of_service": [22.0, float("nan")],
            "units": [1, 2],
            # Two days: on one day the global line 2 beside the 26 of line 1 would warn (pair.split_components).
            "date_of_service": ["2026-03-10", "2026-03-11"],
        }
    )
    records = frame.to_dict("records")
    read = only_line(parse_claim(claim(records[0]))).line
    assert read is not None
    assert (read.rendering_npi, read.place_of_service, read.modifiers) == ("1234567893", "22", ("26",))
    report = claimcheck.validate({"claim_id": "C1", "lines": records}, as_of=date(2026, 11, 22))
    batch = claimcheck.validate_batch(pa.Table.from_pandas(frame), rows="line", as_of=date(2026, 11, 22))
    assert [line.status.value for line in report.lines] == batch.column("status").to_pylist() == ["pass", "pass"]
    for fraction in (1234567893.5, Decimal("22.5"), float("inf")):
        parsed = parse_claim(claim({**GOOD_LINE, "rendering_npi": fraction}))
        assert all_messages(parsed) == ["rendering_npi must be text"]


def test_codes_in_a_numpy_array_are_read_as_a_list() -> None:
    # A Parquet list column read with pandas holds numpy arrays: each line's codes were
    # 'must be text or a list of codes', failing every line of the file.
    import numpy as np

    assert line(diagnosis_codes=np.array(["i70213", "E11.9 I10"])).diagnosis_codes == ("I70.213", "E11.9", "I10")
    assert line(modifiers=np.array(["26", "lt"], dtype=object)).modifiers == ("26", "LT")
    assert line(diagnosis_codes=np.array([], dtype=object)).diagnosis_codes == ()
    report = claimcheck.validate(
        {
            "claim_id": "C1",
            "lines": [
                {
                    "line_number": 1,
                    "procedure_code": "99213",
                    "diagnosis_codes": np.array(["I10"]),
                    "date_of_service": "2026-03-10",
                }
            ],
        },
        as_of="2026-11-22",
    )
    assert [f.subject for f in report.lines[0].findings if f.rule_id == "diagnosis.code_set"] == ["I10"]


def test_a_line_dumped_to_json_reads_back_as_the_same_line() -> None:
    # JSON has no tuples: "I70 2" and "2 6", one code each as an 837 sent them, were dumped as
    # list items, and a list's items are split, so the line read back held I70 and 2, 2 and 6.
    once = line(modifiers=("2 6", "LT"), diagnosis_codes=("I70 2", "I10:E119", "E11.9"))
    assert ClaimLine.model_validate_json(once.model_dump_json()) == once
    assert ClaimLine.model_validate(once.model_dump(mode="json")) == once
    claim = Claim.model_validate({"claim_id": "C1", "lines": [once, GOOD_LINE]})
    assert Claim.model_validate_json(claim.model_dump_json()) == claim
    # An ordinary line keeps the plain list of codes in its JSON.
    assert line().model_dump(mode="json")["diagnosis_codes"] == ["I70.213"]
    assert once.model_dump(mode="json")["diagnosis_codes"] == [["I70 2"], "I10:E119", "E11.9"]
    assert once.model_dump(mode="json")["modifiers"] == [["2 6"], "LT"]


def test_a_list_item_that_is_a_list_holds_codes_taken_whole() -> None:
    # The JSON form of a code that holds a separator; a plain list item is still split.
    assert split_diagnoses(["i702 e119", ["i70 2"]]) == ("I70.2", "E11.9", "I70 2")
    assert split_modifiers([["2 6", "lt"], "59,xs"]) == ("2 6", "LT", "59", "XS")
