"""The kinds of general rule a pack may declare, and the parameters each kind takes.

A general rule names its ``kind``; the engine has one implementation per kind (a test checks
that the two lists agree). Each kind's parameter schema (``params`` for line-level kinds,
``claim_params`` for cross-line ones) lets the loader reject a bad ``params`` block with the
file and line, before the engine sees it.
"""

from __future__ import annotations

from pydantic import BaseModel

from claimcheck.models.finding import Check
from claimcheck.rules.claim_params import (
    AddonParams,
    DuplicateParams,
    PairParams,
    SplitComponentParams,
    UnitLimitParams,
)
from claimcheck.rules.params import (
    EffectiveDateParams,
    ModifierCodeSetParams,
    ModifierConflictParams,
    ModifierCountParams,
    NoParams,
    OriginDestinationParams,
    ProcedureFormatParams,
)

__all__ = ["KIND_CHECK", "KIND_PARAMS"]


# The check whose findings each kind makes: a rule filed under another check labelled them
# wrongly (a units rule's findings reported, and counted, as diagnosis ones).
KIND_CHECK: dict[str, Check] = {
    **dict.fromkeys(
        ("unreadable_field", "unchecked_value", "modifier_count", "repeated_modifier", "unique_line_number"),
        Check.INPUT,
    ),
    "procedure_format": Check.PROCEDURE,
    **dict.fromkeys(("code_effective_date", "date_not_after_run"), Check.DATE),
    **dict.fromkeys(
        ("modifier_code_set", "modifier_conflict", "ambulance_origin_destination", "profile_modifiers"),
        Check.MODIFIER,
    ),
    **dict.fromkeys(
        ("diagnosis_required", "diagnosis_code_set", "diagnosis_billable", "profile_diagnoses"), Check.DIAGNOSIS
    ),
    **dict.fromkeys(("taxonomy_code_set", "profile_specialties"), Check.SPECIALTY),
    "npi_check_digit": Check.PROVIDER,
    **dict.fromkeys(("positive_units", "mue_units"), Check.UNITS),
    "place_of_service_code_set": Check.PLACE_OF_SERVICE,
    **dict.fromkeys(("ptp_pairs", "addon_primary", "split_components"), Check.PAIR),
    "duplicate_lines": Check.DUPLICATE,
}

KIND_PARAMS: dict[str, type[BaseModel]] = {
    "unreadable_field": NoParams,
    "unchecked_value": NoParams,
    "modifier_count": ModifierCountParams,
    "repeated_modifier": NoParams,
    "unique_line_number": NoParams,
    "procedure_format": ProcedureFormatParams,
    "code_effective_date": EffectiveDateParams,
    "date_not_after_run": NoParams,
    "modifier_code_set": ModifierCodeSetParams,
    "modifier_conflict": ModifierConflictParams,
    "ambulance_origin_destination": OriginDestinationParams,
    "profile_modifiers": NoParams,
    "diagnosis_required": NoParams,
    "diagnosis_code_set": NoParams,
    "diagnosis_billable": NoParams,
    "profile_diagnoses": NoParams,
    "taxonomy_code_set": NoParams,
    "profile_specialties": NoParams,
    "npi_check_digit": NoParams,
    "positive_units": NoParams,
    "place_of_service_code_set": NoParams,
    "ptp_pairs": PairParams,
    "addon_primary": AddonParams,
    "split_components": SplitComponentParams,
    "mue_units": UnitLimitParams,
    "duplicate_lines": DuplicateParams,
}
