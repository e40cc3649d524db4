"""Claim and ClaimLine: what one claim looks like once it has been read and normalised.

Normalisation happens on the way in, so every later layer sees one spelling of each value:
codes upper-cased and trimmed, ICD-10-CM codes in dotted form whether written with the dot or
not, modifiers and diagnoses as tuples however they were separated. Normalising twice gives
the same result (a property test holds us to it). How each field is read lives in ``fields``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from claimcheck.models.fields import (
    MODIFIER_SEPARATORS,
    BirthDate,
    Charge,
    ClaimId,
    Code,
    DateOfService,
    Diagnoses,
    FreeText,
    LineNumber,
    Modifiers,
    OptionalCode,
    OptionalText,
    PatientSex,
    PlaceOfService,
    Units,
    iso_date,
    normalise_diagnosis,
    split_diagnoses,
    split_modifiers,
)

__all__ = [
    "MODIFIER_SEPARATORS",
    "Claim",
    "ClaimHeader",
    "ClaimLine",
    "iso_date",
    "normalise_diagnosis",
    "split_diagnoses",
    "split_modifiers",
]


# A ValidationError's text names each field and what is wrong with it, never the value: the
# value is claim data (a birth date, a member id in the wrong column), and the text gets logged.
_CONFIG = ConfigDict(frozen=True, extra="ignore", hide_input_in_errors=True)


class ClaimLine(BaseModel):
    """One service line of a claim, normalised."""

    model_config = _CONFIG

    line_number: LineNumber
    procedure_code: Code
    modifiers: Modifiers = ()
    diagnosis_codes: Diagnoses = ()
    rendering_taxonomy: OptionalCode = None
    rendering_npi: OptionalText = None
    units: Units = 1.0
    date_of_service: DateOfService
    place_of_service: PlaceOfService = None
    # The billed amount (837 SV102/SV203, FHIR item.net): read for callers, checked by no rule.
    charge: Charge = None


class ClaimHeader(BaseModel):
    """The claim-level fields: identifier, patient sex and birth date, payer."""

    model_config = _CONFIG

    claim_id: ClaimId
    patient_sex: PatientSex = None
    patient_birth_date: BirthDate = None
    payer: FreeText = None


class Claim(ClaimHeader):
    """A claim: its header fields and its lines in input order."""

    lines: tuple[ClaimLine, ...] = Field(min_length=1)
