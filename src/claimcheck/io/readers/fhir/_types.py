"""Which FHIR resource types there are, and the fhir.resources models that read them."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from claimcheck.errors import ClaimCheckError

if TYPE_CHECKING:
    from fhir_core.fhirabstractmodel import FHIRAbstractModel

__all__ = ["MODEL_ERRORS", "R4_ONLY", "model_class", "type_problem"]

_MISSING_EXTRA = "reading FHIR needs the extra: pip install 'claimcheck[fhir]'"
# The R4 resources that R4B (whose models read R4 here) dropped or renamed: a file may hold them.
R4_ONLY = frozenset(
    {
        "EffectEvidenceSynthesis",
        "RiskEvidenceSynthesis",
        "MedicinalProduct",
        "MedicinalProductAuthorization",
        "MedicinalProductContraindication",
        "MedicinalProductIndication",
        "MedicinalProductIngredient",
        "MedicinalProductInteraction",
        "MedicinalProductManufactured",
        "MedicinalProductPackaged",
        "MedicinalProductPharmaceutical",
        "MedicinalProductUndesirableEffect",
        "SubstanceNucleicAcid",
        "SubstancePolymer",
        "SubstanceProtein",
        "SubstanceReferenceInformation",
        "SubstanceSourceMaterial",
        "SubstanceSpecification",
    }
)


# What fhir.resources raises on a resource it cannot read: a ValidationError or an unknown
# resourceType is a ValueError, a contained resource of an unknown type a KeyError, and it
# validates nested elements by recursion, so deep nesting runs out of stack.
MODEL_ERRORS = (ValueError, TypeError, KeyError, RecursionError)


def model_class(resource_type: str) -> type[FHIRAbstractModel]:
    """The fhir.resources model of ``resource_type``, imported on first use.

    The R4B models read R4 claims (Claim, Patient, Practitioner and Organization did not change
    between R4 and R4B). Importing lazily keeps fhir.resources an optional extra.
    """
    try:
        from fhir.resources.R4B import get_fhir_model_class
    except ImportError:
        raise ClaimCheckError(_MISSING_EXTRA) from None
    return get_fhir_model_class(resource_type)


def type_problem(resource: object) -> str | None:
    """Why ``resource`` is no FHIR resource; None when it is one, of whatever type."""
    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    if not isinstance(kind, str):
        return "is not a FHIR resource (it has no resourceType)"
    if not _is_resource_type(kind):
        # A misspelt Claim ("claim", "Clai"), not one of the other types a file may hold, so it
        # is reported rather than passed over; never echoed, as it is the sender's text.
        return "is not a FHIR resource (its resourceType is no FHIR type; they are case-sensitive, as in Claim)"
    return None


@functools.lru_cache(maxsize=256)
def _is_resource_type(kind: str) -> bool:
    if kind in R4_ONLY:
        return True
    try:
        # A resource, not a data type or a part of one, as ClaimItem is.
        return issubclass(model_class(kind), model_class("Resource"))
    except ValueError:
        return False
