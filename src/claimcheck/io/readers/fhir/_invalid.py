"""A Claim resource that fhir.resources rejects (an STU3 claim, a misspelt element) still yields
one failing line per item seen in its raw JSON, so no input line goes missing from the report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from claimcheck.io.readers.fhir._resources import ClaimResource
from claimcheck.io.readers.fhir._types import type_problem
from claimcheck.models.parse import InputProblem, ParsedClaim, ParsedLine

__all__ = ["invalid_claim"]

_WHAT = {"missing": "is required", "extra_forbidden": "is not an element of FHIR R4"}


def _path(loc: Sequence[str | int]) -> str:
    """``('item', 0, 'productOrService')`` → ``item[0].productOrService``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "the resource"


def _describe(error: Exception, raw: Mapping[str, Any]) -> str:
    """The first validation error's path and kind; never the value, which may be patient data."""
    if isinstance(error, RecursionError):
        return "cannot be read by fhir.resources: its elements are nested too deeply"
    if isinstance(error, KeyError) and (unknown := _unknown_contained(raw)):
        # fhir.resources looks the type of a contained resource up without a word of its own.
        return f"is not a valid FHIR R4 Claim: {unknown}"
    if not isinstance(error, ValidationError):
        # fhir.resources fails with other exceptions on some input (a KeyError for a contained
        # resource of an unknown type); their messages are internal, so only the kind is shown.
        return f"cannot be read by fhir.resources ({type(error).__name__})"
    errors = error.errors(include_input=False, include_url=False)
    first = errors[0]
    message = str(first["msg"]).removeprefix("Value error, ").rstrip(".")
    # Only the first letter: the rest may quote a pattern, where case matters.
    what = _WHAT.get(first["type"]) or message[:1].lower() + message[1:]
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"is not a valid FHIR R4 Claim: {_path(first['loc'])} {what}{more}"


def _unknown_contained(raw: Mapping[str, Any]) -> str | None:
    contained = raw.get("contained")
    for index, resource in enumerate(contained if isinstance(contained, list) else ()):
        if isinstance(resource, dict) and "resourceType" in resource and (problem := type_problem(resource)):
            return f"contained[{index}] {problem}"
    return None


# FHIR's positiveInt: a larger sequence is one of the errors that lands a Claim here, and as a
# line number it would overflow the reports' integer column.
_MAX_SEQUENCE = 2**31 - 1


def _sequence(item: Mapping[str, Any]) -> int | None:
    sequence = item.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool):
        return None
    return sequence if 0 < sequence <= _MAX_SEQUENCE else None


def _procedure(item: Mapping[str, Any]) -> str | None:
    """The first code of productOrService, only to name the line in the report."""
    concept = item.get("productOrService")
    codings = concept.get("coding") if isinstance(concept, dict) else None
    for coding in codings if isinstance(codings, list) else ():
        code = coding.get("code") if isinstance(coding, dict) else None
        if isinstance(code, str) and code.strip():
            return code.strip().upper()
    return None


def _claim_id(raw: Mapping[str, Any]) -> str | None:
    if isinstance(raw.get("id"), str) and raw["id"]:
        return str(raw["id"])
    identifiers = raw.get("identifier")
    first = identifiers[0] if isinstance(identifiers, list) and identifiers else None
    value = first.get("value") if isinstance(first, dict) else None
    return value if isinstance(value, str) and value else None


def invalid_claim(resource: ClaimResource, error: Exception) -> ParsedClaim:
    """One line per raw item (one line when there is none), each with an ``input`` problem."""
    problem = InputProblem(resource.name, _describe(error, resource.raw))
    items = resource.raw.get("item")
    raw_items = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    lines = []
    for item in raw_items:
        sequence = _sequence(item)
        origin, location = resource.origin(sequence), resource.location(sequence)
        lines.append(ParsedLine(None, sequence, _procedure(item), (problem,), origin, location))
    if not lines:
        lines.append(ParsedLine(None, None, None, (problem,), resource.origin(None), resource.location(None)))
    return ParsedClaim(_claim_id(resource.raw), tuple(lines))
