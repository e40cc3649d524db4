"""Claim fields repeated on each row of a file of one row per claim line.

A claim takes its patient and payer from its first row. A later row of the claim that gives
another one is reported, naming the field and the first row, never either value (patient data).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from claimcheck.io.readers.layouts import CLAIM_FIELDS
from claimcheck.models.claim import ClaimHeader
from claimcheck.models.invisible import without_invisible
from claimcheck.models.parse import InputProblem

__all__ = ["REPEATED_FIELDS", "differing_fields"]

REPEATED_FIELDS = tuple(field for field in CLAIM_FIELDS if field != "claim_id")  # claim_id groups the rows
_ADAPTERS = {
    name: TypeAdapter(Annotated[ClaimHeader.model_fields[name].annotation, *ClaimHeader.model_fields[name].metadata])
    for name in REPEATED_FIELDS
}


def _read(field: str, value: Any) -> Any:
    # Compared as read: "f" is "F", and 19600101 the day 1960-01-01 is, as the first row's would be.
    try:
        read = _ADAPTERS[field].validate_python(value)
    except ValidationError:
        return ("unreadable", value)
    # No rule reads the payer: ACME and Acme  Health (or Ac<ZWSP>me Health) name the payer Acme Health names.
    if field == "payer" and isinstance(read, str):
        return " ".join(without_invisible(read).split()).casefold()
    return read


def differing_fields(first: Mapping[str, Any], row: Mapping[str, Any], first_origin: str | None) -> list[InputProblem]:
    """A problem for each claim field that ``row`` (a later row of the claim) gives otherwise than
    ``first``, the claim's first row (``first_origin`` names it); an empty cell gives nothing."""
    where = f" ({first_origin})" if first_origin else ""
    return [
        InputProblem(field, f"differs from the claim's first row{where}, whose value the claim is checked with")
        for field in REPEATED_FIELDS
        if field in row and _read(field, row[field]) != _read(field, first.get(field))
    ]
