"""What an item bills: its procedure code, and how many services its quantity counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claimcheck.io.readers.fhir._codes import ABSENT_SYSTEMS, HIPPS_SYSTEMS, PROCEDURE_SYSTEMS, code_from
from claimcheck.models.parse import InputProblem

if TYPE_CHECKING:
    from fhir.resources.R4B.claim import ClaimItem

__all__ = ["procedure", "unchecked_details", "units"]

# claimcheck's line checks start from a CPT/HCPCS code; an item without one is valid FHIR they
# cannot judge, so it is a warning (as an 837I SV201 alone or a HIPPS code is), not a failure.
_NONE_CHECKS = "claimcheck's line checks start from a CPT/HCPCS code, so none checks this item"


def procedure(item: ClaimItem, problems: list[InputProblem]) -> str | None:
    """The CPT/HCPCS code of the item; None, with a problem saying why, for a HIPPS rate code or
    a data-absent-reason (an institutional item billed by revenue code alone)."""
    concept = item.productOrService
    code = code_from(concept, PROCEDURE_SYSTEMS, only=True)
    if code is not None:
        return code
    if code_from(concept, HIPPS_SYSTEMS, only=True) is not None:
        message = f"is not checked: productOrService holds a HIPPS rate code, not a CPT/HCPCS code; {_NONE_CHECKS}"
        problems.append(InputProblem("procedure_code", message, unchecked=True))
        return None
    absent = code_from(concept, ABSENT_SYSTEMS, only=True)
    if absent is None:
        # Any other code stays on the line (dental, vision), for the rules to say what is wrong with it.
        return code_from(concept, PROCEDURE_SYSTEMS)
    said = f"productOrService is {absent} (data-absent-reason)"
    revenue = code_from(item.revenue, frozenset())
    if revenue is None:
        problems.append(InputProblem("procedure_code", f"is missing: {said} and the item has no revenue code"))
    else:
        message = (
            f"is not checked: {said}: the item bills revenue code {revenue} alone, which an institutional claim "
            f"may when no HCPCS code applies (inpatient room and board); {_NONE_CHECKS}, its diagnoses, provider "
            "and date included"
        )
        problems.append(InputProblem("procedure_code", message, unchecked=True))
    return None


def unchecked_details(item: ClaimItem, problems: list[InputProblem]) -> None:
    """A warning that the item's details go unchecked when a sub-line bills a CPT/HCPCS code of
    its own: such a detail is a service the line checks would judge, but it is not one of the
    lines the report counts, and not one to pass over without a word either. Details coded in
    other systems (a pharmacy claim's drug cost and markup, a vision claim's frame and lens) break
    down the item's price, as the HL7 examples do; no claimcheck check reads those codes."""
    coded = [detail for detail in item.detail or () if code_from(detail.productOrService, PROCEDURE_SYSTEMS, only=True)]
    if coded:
        count = len(coded)
        details = f"{count} detail{'s' if count > 1 else ''} (sub-lines with CPT/HCPCS codes of their own)"
        message = f"is not checked: the item has {details}, and claimcheck checks the item's own code only"
        problems.append(InputProblem("detail", message, unchecked=True))


_UCUM = "http://unitsofmeasure.org"


def units(quantity: Any) -> float | None:
    """The number of services an item's quantity bills. Anesthesia is billed in minutes (UCUM
    ``min``, as X12's SV103 ``MJ``); the units checks and CMS MUE values count services, and 45
    minutes of anesthesia is one service, not 45."""
    if quantity is None or quantity.value is None:
        return None
    value = float(quantity.value)
    in_minutes = quantity.code == "min" and quantity.system in (_UCUM, None)
    return 1.0 if in_minutes and value > 0 else value
