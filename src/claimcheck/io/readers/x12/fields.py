"""Reading the 837 elements a claim line needs: service composites, dates, providers.

Each reader returns values in the JSON claims shape plus ``InputProblem``s that say, in X12
terms, what could not be read (which element, which segment), so the report points at the file
rather than at the JSON contract the values are handed on in. Messages name elements, positions
and delimiters, never patient data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from claimcheck.io.readers.x12.tokens import Segment
from claimcheck.models.parse import InputProblem

__all__ = ["Provider", "Service", "inverted_range", "iso_date", "npi", "read_service", "service_date"]

_DECIMAL = re.compile(r"\d+(\.\d*)?|\.\d+", re.ASCII)  # SV104 is an R: 45, 45.5, .5
_REVENUE_CODE = re.compile(r"\d{4}", re.ASCII)  # NUBC revenue codes (SV201)
_CPT_HCPCS = "HC"  # the procedure composite's qualifier (SV101-1, SV202-1) for a CPT/HCPCS code
# What the other qualifiers the 5010 TR3s allow say SV101-2 / SV202-2 holds: codes of other
# systems, which the procedure checks (built for CPT/HCPCS) must not judge. HIPPS is 837I only.
_OTHER_CODES = {
    "ER": "a jurisdiction-specific procedure or supply code",
    "HP": "a HIPPS (Health Insurance Prospective Payment System) rate code",
    "IV": "a Home Infusion EDI Coalition (HIEC) product/service code",
    "WK": "an Advanced Billing Concepts (ABC) code",
}
_QUALIFIERS = {"SV101": ("837P", ("ER", "HC", "IV", "WK")), "SV202": ("837I", ("ER", "HC", "HP", "IV", "WK"))}
# The unit basis codes each service segment allows (SV103, SV204) and what they count.
_UNIT_BASES = {"SV1": {"UN": "units", "MJ": "minutes"}, "SV2": {"UN": "units", "DA": "days"}}


def iso_date(value: str) -> str | None:
    """``CCYYMMDD`` as ``CCYY-MM-DD``; None when it is not eight digits naming a calendar day."""
    if len(value) != 8 or not (value.isascii() and value.isdigit()):
        return None
    text = f"{value[:4]}-{value[4:6]}-{value[6:]}"
    try:
        date.fromisoformat(text)
    except ValueError:
        return None
    return text


def service_date(date_format: str, value: str) -> str | None:
    """The start of a DTP date: ``D8`` CCYYMMDD or ``RD8`` CCYYMMDD-CCYYMMDD."""
    if date_format == "D8":
        return iso_date(value)
    if date_format == "RD8":
        start, dash, end = value.partition("-")
        return iso_date(start) if dash and iso_date(end) else None
    return None


def inverted_range(date_format: str, value: str) -> bool:
    """Whether an ``RD8`` range ``service_date`` read ends before it starts."""
    start, _, end = value.partition("-")
    return date_format == "RD8" and end < start


def npi(nm1: Segment) -> str | None:
    """NM109 when NM108 says it is an NPI (``XX``)."""
    return (nm1.get(9) or None) if nm1.get(8) == "XX" else None


@dataclass(frozen=True, slots=True)
class Provider:
    """A provider as the claim names it: NPI from its NM1, taxonomy from the PRV that follows."""

    npi: str | None = None
    taxonomy: str | None = None


@dataclass(frozen=True, slots=True)
class Service:
    """What an SV1 (837P) or SV2 (837I) segment says about its line."""

    procedure_code: str | None
    modifiers: tuple[str, ...]
    units: str
    place_of_service: str | None
    pointers: tuple[str, ...]
    institutional: bool
    problems: tuple[InputProblem, ...] = ()
    charge: str | None = None  # SV102 / SV203


def _procedure(segment: Segment, index: int, what: str) -> tuple[str | None, tuple[str, ...], tuple[InputProblem, ...]]:
    parts = segment.components(index)
    code = parts[1] if len(parts) > 1 and parts[1] else None
    modifiers = tuple(m for m in parts[2:6] if m)
    if code is not None:
        qualifier = parts[0]
        if qualifier == _CPT_HCPCS:
            return code, modifiers, _fifth_modifier(parts, segment.position, what)
        # Another code system the 837 allows is valid X12, only not ours to judge: a warning.
        unchecked = qualifier in _QUALIFIERS[what][1]
        problem = InputProblem("procedure_code", _not_cpt(qualifier, segment.position, what), unchecked=unchecked)
        return None, modifiers, (problem,)
    message = f"is missing: {what} at segment {segment.position} has no procedure code"
    separator = segment.interchange.delimiters.component
    if len(parts) == 1 and not parts[0].isalpha():
        message += f" after its qualifier (the composite holds no ISA16 component separator {separator!r})"
    return None, modifiers, (InputProblem("procedure_code", message),)


def _fifth_modifier(parts: list[str], position: int, what: str) -> tuple[InputProblem, ...]:
    """A warning when the description (-7) after four modifiers has a modifier's two characters."""
    description = parts[6] if len(parts) > 6 else ""
    if len(description) != 2 or not description.isalnum() or not all(parts[2:6]):
        return ()
    # Not "modifiers": the four read are checked as usual; the value is not quoted (free text).
    message = (
        f"{what}-7 at segment {position} holds two characters after four modifiers, like a fifth modifier; the 837 "
        f"carries four ({what}-3 to {what}-6) and payers read {what}-7 as a description, not a modifier"
    )
    return (InputProblem("procedure_description", message, unchecked=True),)


def _not_cpt(qualifier: str, position: int, what: str) -> str:
    transaction, allowed = _QUALIFIERS[what]
    said = f"{what}-1 qualifier {qualifier or '(empty)'} at segment {position}"
    if qualifier in allowed:
        holds = f"says {what}-2 holds {_OTHER_CODES[qualifier]}, not a CPT/HCPCS code"
    else:
        holds = f"is not one the 5010 {transaction} allows ({', '.join(allowed)}), so what {what}-2 holds is unknown"
    return f"is not checked: {said} {holds}; claimcheck checks only CPT/HCPCS codes, which have qualifier {_CPT_HCPCS}"


def _units_problem(segment: Segment, basis_index: int) -> tuple[InputProblem, ...]:
    """The unit count (the element after the basis) that is missing, or counts what is unknown.

    Both elements are required: a count left empty was checked as the contract's default of one
    unit, and a count of something else than the TR3 allows is no number of services."""
    basis, count = segment.get(basis_index), segment.get(basis_index + 1)
    where = f"at segment {segment.position}"
    count_element = f"{segment.id}{basis_index + 1:02d}"
    if not count:
        return (
            InputProblem(
                "units", f"is missing: {count_element} {where} is empty; the TR3 requires the service unit count"
            ),
        )
    allowed = _UNIT_BASES[segment.id]
    if basis and basis not in allowed:
        said = " or ".join(f"{code} ({meaning})" for code, meaning in allowed.items())
        return (
            InputProblem(
                "units",
                f"is not checked: {segment.id}{basis_index:02d} {where} says {basis}, not {said}, so what "
                f"{count_element} counts is unknown",
            ),
        )
    return ()


def _some_minutes(text: str) -> bool:
    return _DECIMAL.fullmatch(text) is not None and float(text) > 0


def read_service(segment: Segment) -> Service:
    """An SV1 or SV2 segment: procedure composite, units, charge, place of service and pointers."""
    if segment.id == "SV1":
        code, modifiers, problems = _procedure(segment, 1, "SV101")
        pointers = tuple(p for p in segment.components(7) if p)
        # Anesthesia is billed in minutes (SV103 MJ); the units checks and CMS MUE values count
        # services, and 45 minutes of anesthesia is one service, not 45.
        # Minutes that are no count of minutes go through as they are, for the units checks to report.
        minutes = segment.get(4)
        units = "1" if segment.get(3) == "MJ" and _some_minutes(minutes) else minutes
        problems += _units_problem(segment, 3)
        return Service(
            code, modifiers, units, segment.get(5) or None, pointers, False, problems, segment.get(2) or None
        )
    revenue = segment.get(1)
    is_revenue = _REVENUE_CODE.fullmatch(revenue) is not None
    code, modifiers, problems = _procedure(segment, 2, "SV202")
    if is_revenue and not segment.get(2):
        # The 837I sends SV202 only when a HCPCS (or HIPPS) code applies: room and board is
        # billed by revenue code alone. Valid X12 that no procedure rule can judge: a warning.
        message = (
            f"is not checked: SV202 at segment {segment.position} is empty: the line bills revenue code {revenue} "
            "(SV201) alone, which the 837I allows when no HCPCS code applies (inpatient room and board); "
            "claimcheck's line checks start from a CPT/HCPCS code, so none checks this line, its diagnoses, "
            "provider and date included"
        )
        problems = (InputProblem("procedure_code", message, unchecked=True),)
    elif problems and revenue:
        problems = (replace(problems[0], message=f"{problems[0].message} (revenue code {revenue} in SV201)"),)
    # Its own field: no rule reads the revenue code, and the line's procedure is still checked.
    where = f"SV201 at segment {segment.position}"
    if not revenue:
        message = f"is missing: {where} is empty; every 837I service line needs a revenue code"
        problems += (InputProblem("revenue_code", message),)
    elif not is_revenue:
        message = f"{where} is not a revenue code: NUBC revenue codes are four digits"
        problems += (InputProblem("revenue_code", message),)
    problems += _units_problem(segment, 4)
    return Service(code, modifiers, segment.get(5), None, (), True, problems, segment.get(3) or None)
