"""Claim models and the values other systems hold: numbers of any kind, pandas and numpy cells and
arrays, float columns, nested lists, a JSON round trip; and statuses compared by severity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import claimcheck
from claimcheck.models.claim import Claim, ClaimLine, split_diagnoses, split_modifiers
from claimcheck.models.parse import parse_claim
from tests.model_inputs import GOOD_LINE, all_messages, claim, line, only_line


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
