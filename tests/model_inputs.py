"""Claim models in tests: a good claim line, building lines and claims from it, their problems' messages."""

from __future__ import annotations

from typing import Any

from claimcheck.models.claim import ClaimLine
from claimcheck.models.parse import ParsedClaim

__all__ = ["GOOD_LINE", "all_messages", "claim", "line", "only_line"]


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
