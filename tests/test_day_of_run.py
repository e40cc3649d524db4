"""``as_of`` at every library entry point: a date, a datetime or ISO text, and a clear error otherwise."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.engine.day import day_of_run

LINE = {"line_number": 1, "procedure_code": "99213", "diagnosis_codes": ["I10"], "date_of_service": "2026-03-10"}
CLAIM = {"claim_id": "C1", "lines": [LINE]}


@pytest.mark.parametrize(
    "as_of", [date(2026, 3, 9), datetime(2026, 3, 9, 23, 59), "2026-03-09", " 2026-03-09 "], ids=repr
)
def test_a_day_before_the_service_makes_it_a_future_date(as_of: Any) -> None:
    (finding,) = [
        f for f in claimcheck.validate(CLAIM, as_of=as_of).lines[0].findings if f.rule_id == "date.not_future"
    ]
    assert finding.status.value == "fail"


@pytest.mark.parametrize(
    "text", ["2026-3-9", "20260309", "2026-W10-1", "2026-02-30", "tomorrow", "\u0662\u0660\u0662\u0666-03-09"]
)
def test_text_that_is_not_a_calendar_day_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        claimcheck.validate(CLAIM, as_of=text)


@pytest.mark.parametrize("value", [20260309, 1.5, [2026, 3, 9]])
def test_other_types_are_a_type_error(value: Any) -> None:
    with pytest.raises(TypeError, match="as_of must be a date"):
        day_of_run(value)


def test_files_take_text_too(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text("claim_id,line_number,procedure_code,diagnosis_codes,date_of_service\nC1,1,99213,I10,2026-03-10\n")
    (line,) = claimcheck.validate_file(path, as_of="2026-03-09").lines
    assert line.status.value == "fail"
