"""Claim files in tests: a good CSV row and line, writing a file, reading its lines, checking it and its
input findings."""

from __future__ import annotations

import datetime
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.io.files import validate_file
from claimcheck.io.readers import read_claims

__all__ = [
    "AS_OF",
    "GOOD_LINE",
    "GOOD_ROW",
    "HEADER",
    "_day",
    "check",
    "claim",
    "csv_file",
    "input_findings",
    "lines_of",
    "row",
    "rules_fixture",
    "write",
]


AS_OF = date(2026, 11, 22)
HEADER = (
    "claim_id,line_number,procedure_code,modifiers,diagnosis_codes,rendering_taxonomy,rendering_npi,units,"
    "date_of_service,place_of_service"
)
GOOD_ROW = "C1,1,0711T,26,I70.213,2085R0202X,1234567893,1,2026-03-10,22"
GOOD_LINE: dict[str, Any] = {
    "line_number": 1,
    "procedure_code": "0711T",
    "modifiers": ["26"],
    "diagnosis_codes": ["I70.213"],
    "rendering_taxonomy": "2085R0202X",
    "rendering_npi": "1234567893",
    "units": 1,
    "date_of_service": "2026-03-10",
    "place_of_service": "22",
}


@pytest.fixture(name="rules", scope="module")
def rules_fixture() -> claimcheck.RuleSet:
    return claimcheck.load_rules()


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def csv_file(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "claims.csv") -> Path:
    return write(tmp_path, name, "\n".join([header, *rows]) + "\n")


def lines_of(path: Path) -> list[Any]:
    return [ln for claim in read_claims(path) for ln in claim.lines]


def check(path: Path, rules: claimcheck.RuleSet) -> claimcheck.Report:
    return validate_file(path, rules=rules, as_of=AS_OF)


def input_findings(result: Any) -> list[Any]:
    return [f for f in result.findings if f.check.value == "input"]


def _day(number: int) -> str:
    """A date of service per line number, so lines of one claim are not duplicates of each other."""
    return (datetime.date(2025, 1, 1) + datetime.timedelta(days=number)).isoformat()


def row(claim_id: str = "C1", number: int = 1, **changes: str) -> str:
    fields = dict(zip(HEADER.split(","), GOOD_ROW.split(","), strict=True))
    fields.update({"claim_id": claim_id, "line_number": str(number), "date_of_service": _day(number), **changes})
    return ",".join(fields.values())


def claim(claim_id: str, *numbers: int) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "lines": [{**GOOD_LINE, "line_number": n, "date_of_service": _day(n)} for n in numbers],
    }
