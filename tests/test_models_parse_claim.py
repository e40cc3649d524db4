"""parse_claim, the lenient reading: bad or missing fields become input problems naming the field, what can
be salvaged is, lines keep their order and origin, and messages never quote the bad value."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

import claimcheck
from claimcheck.models.claim import Claim
from claimcheck.models.parse import parse_claim, parse_line
from tests.model_inputs import GOOD_LINE, all_messages, claim, line, only_line

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
