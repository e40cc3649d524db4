"""A valid FHIR Claim in the JSON claims shape, with what could not be read as input problems.

Each item is one claim line. The values are handed to ``parse_claim`` as written, so the
contract's own normalisation and messages apply to FHIR input as to any other.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from claimcheck.io.readers.fhir._codes import (
    DIAGNOSIS_SYSTEMS,
    ICD9_SYSTEMS,
    ICD10CM_SYSTEMS,
    PLACE_OF_SERVICE_SYSTEMS,
    PROCEDURE_SYSTEMS,
    code_from,
    only_in,
)
from claimcheck.io.readers.fhir._item import procedure, unchecked_details, units
from claimcheck.io.readers.fhir._providers import Providers
from claimcheck.io.readers.fhir._references import References
from claimcheck.models.parse import InputProblem

if TYPE_CHECKING:
    from fhir.resources.R4B.claim import Claim, ClaimItem

__all__ = ["MappedClaim", "map_claim"]

# FHIR administrative gender to the contract's F/M/U.
_SEX = {"female": "F", "male": "M", "other": "U", "unknown": "U"}
_GENDERS = "male, female, other, unknown"


@dataclass(slots=True)
class MappedClaim:
    """The claim as a mapping in the JSON claims shape; problems of the claim and of each line."""

    fields: dict[str, Any]
    claim_problems: list[InputProblem]
    line_problems: list[list[InputProblem]]


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """Leave absent values out, so the contract says "is required" or applies its default."""
    return {key: value for key, value in fields.items() if value is not None}


def _iso(value: date | str | None) -> str | None:
    """A FHIR date or dateTime as ``YYYY-MM-DD``; a partial date (``2014-08``) stays as written,
    so the contract reports it as not a full date."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _service_date(item: ClaimItem, claim: Claim, problems: list[InputProblem]) -> date | str | None:
    """The item's servicedDate, else the first day of its servicedPeriod, else of the Claim's
    billablePeriod: a Period's start, its end when it has none (FHIR allows either alone). A
    period that ends before it starts (FHIR's per-1 forbids it) dates nothing, as an X12 RD8
    range that does, and is reported."""
    if item.servicedDate:
        return item.servicedDate
    for name, period in (
        ("the item's servicedPeriod", item.servicedPeriod),
        ("Claim.billablePeriod", claim.billablePeriod),
    ):
        if period is None:
            continue
        start, end = _iso(period.start), _iso(period.end)
        if isinstance(start, str) and isinstance(end, str) and len(start) == len(end) == 10 and end < start:
            problems.append(InputProblem("date_of_service", f"is unknown: {name} ends before it starts"))
            return None
        if period.start or period.end:
            return period.start or period.end
    return None


def _by_sequence(entries: list[Any] | None) -> dict[int, Any]:
    """Entries by sequence; the first of those that share one, as Bundle references are resolved."""
    found: dict[int, Any] = {}
    for entry in entries or ():
        found.setdefault(entry.sequence, entry)
    return found


def _repeated(element: str, entries: list[Any] | None, kind: str, read: str) -> list[InputProblem]:
    """A problem for each sequence that several entries share: an item's sequence cannot tell
    which it names, and reading one without a word hid the others."""
    counts = Counter(entry.sequence for entry in entries or ())
    return [
        InputProblem(element, f"sequence {sequence} is given to {count} {kind}; each needs its own, so {read}")
        for sequence, count in counts.items()
        if count > 1
    ]


class _ClaimReader:
    def __init__(self, claim: Claim, references: References) -> None:
        self.claim = claim
        self.references = references
        self.diagnoses = _by_sequence(claim.diagnosis)
        self.providers = Providers(_by_sequence(claim.careTeam), claim.provider, references)

    def header(self, problems: list[InputProblem]) -> dict[str, Any]:
        claim = self.claim
        problems.extend(_repeated("diagnosis", claim.diagnosis, "diagnoses", "items name the first"))
        problems.extend(_repeated("careTeam", claim.careTeam, "members", "items name the first"))
        identifiers = [identifier.value for identifier in claim.identifier or () if identifier.value]
        fields: dict[str, Any] = {"claim_id": claim.id or (identifiers[0] if identifiers else None)}
        patient, problem = self.references.resolve(claim.patient, ("Patient",))
        if problem:
            problems.append(InputProblem("patient", f"{problem}, so sex and birth date are unknown"))
        if patient is not None:
            fields["patient_sex"] = _SEX.get(patient.gender or "")
            if patient.gender and fields["patient_sex"] is None:
                # fhir.resources takes any code here; CSV and X12 report a sex they cannot read.
                problems.append(InputProblem("patient_sex", f"is unknown: Patient.gender is not one of {_GENDERS}"))
            fields["patient_birth_date"] = _iso(patient.birthDate)
        fields["payer"] = self.payer(problems)
        return _present(fields)

    def payer(self, problems: list[InputProblem]) -> str | None:
        insurer = self.claim.insurer
        if insurer is not None and insurer.display:
            return str(insurer.display)
        organization, problem = self.references.resolve(insurer, ("Organization",))
        if organization is not None and organization.name:
            return str(organization.name)
        coverage = self.claim.insurance[0].coverage if self.claim.insurance else None
        if coverage is not None and coverage.display:
            return str(coverage.display)
        if problem:
            problems.append(InputProblem("payer", f"is unknown: insurer {problem}"))
        return None

    def line(self, item: ClaimItem, problems: list[InputProblem]) -> dict[str, Any]:
        claim = self.claim
        member = self.providers.rendering(item, problems)
        served = _service_date(item, claim, problems)
        line = {
            "line_number": item.sequence,
            "procedure_code": procedure(item, problems),
            "modifiers": self.modifiers(item, problems),
            "diagnosis_codes": self.diagnosis_codes(item, problems),
            "rendering_taxonomy": self.providers.taxonomy(member) if member else None,
            "rendering_npi": self.providers.npi(member, problems) if member else None,
            "units": units(item.quantity),
            "date_of_service": _iso(served),
            "place_of_service": code_from(item.locationCodeableConcept, PLACE_OF_SERVICE_SYSTEMS),
            "charge": float(item.net.value) if item.net and item.net.value is not None else None,
        }
        unchecked_details(item, problems)
        return _present(line)

    @staticmethod
    def modifiers(item: ClaimItem, problems: list[InputProblem]) -> tuple[str, ...]:
        codes, missing = [], []
        for number, concept in enumerate(item.modifier or (), start=1):
            # CPT and HCPCS modifiers are coded in their code systems, as the procedure is.
            code = code_from(concept, PROCEDURE_SYSTEMS)
            if code:
                codes.append(code)
            else:
                missing.append(number)
        # One modifier left out: the others are checked, as a list the model reads in part.
        others = "; the item's other modifiers are checked without it" if codes else ""
        problems.extend(
            InputProblem("modifiers", f"lack modifier {number}: it has no code{others}", code=number)
            for number in missing
        )
        # A tuple: each coding's code is one code as sent ("2 6" too), which the model does not split.
        return tuple(codes)

    def diagnosis_codes(self, item: ClaimItem, problems: list[InputProblem]) -> tuple[str, ...]:
        sequences = item.diagnosisSequence or sorted(self.diagnoses)  # sequence 1 is the primary
        codes, seen, icd9 = [], set(), []
        for sequence in sequences:
            if sequence in seen:
                # Not "diagnosis_codes": the code it names is read once, and its checks still run.
                why = "each names a different diagnosis"
                problems.append(InputProblem("diagnosis_pointers", f"diagnosisSequence repeats {sequence}; {why}"))
                continue
            seen.add(sequence)
            entry = self.diagnoses.get(sequence)
            if entry is None:
                # Not "diagnosis_codes": that would turn off the diagnosis checks of the codes the
                # item's other sequences name; an item left with none fails diagnosis.required.
                problems.append(InputProblem("diagnosis_pointers", self._missing(sequence)))
                continue
            concept, unresolved = self._concept(entry)
            if unresolved:
                problems.append(InputProblem("diagnosis", f"sequence {sequence} {unresolved}"))
                continue
            if only_in(concept, ICD9_SYSTEMS, DIAGNOSIS_SYSTEMS):
                why = "it is an ICD-9-CM code, which is not supported (only ICD-10-CM)"
                icd9.append(len(problems))
                problems.append(InputProblem("diagnosis_codes", f"lack diagnosis {sequence}: {why}", code=sequence))
                continue
            code = code_from(concept, ICD10CM_SYSTEMS, only=True) or code_from(concept, DIAGNOSIS_SYSTEMS)
            if code:
                codes.append(code)
                continue
            # Not "diagnosis_codes": that would turn off the checks of the codes the item's other
            # sequences name (as an X12 HI qualifier without its code is filed on hi_diagnoses).
            why = "refers to a Condition without a code" if entry.diagnosisReference else "has no code"
            problems.append(InputProblem("diagnosis", f"sequence {sequence} {why}"))
        for at in icd9 if codes else ():  # the other codes are checked, as a list the model reads in part
            said = problems[at]
            problems[at] = replace(said, message=f"{said.message}; the item's other diagnoses are checked without it")
        return tuple(codes)  # one code per coding, as the modifiers

    def _concept(self, entry: Any) -> tuple[Any, str | None]:
        """The diagnosis's CodeableConcept, else the code of the Condition it refers to when the
        Claim contains it or its Bundle holds it; with why a reference that should resolve did not."""
        if entry.diagnosisCodeableConcept is not None or entry.diagnosisReference is None:
            return entry.diagnosisCodeableConcept, None
        condition, problem = self.references.resolve(entry.diagnosisReference, ("Condition",))
        if condition is not None:
            return condition.code, None if condition.code else "refers to a Condition without a code"
        # A Condition on a server, as a lone Claim's references are, is not ours to fetch.
        return None, problem or "refers to a Condition instead of giving a code"

    def _missing(self, sequence: int) -> str:
        if not self.diagnoses:
            return f"diagnosisSequence {sequence} names a diagnosis, but the Claim has none"
        return f"diagnosisSequence {sequence} does not name one of the Claim's {len(self.diagnoses)} diagnoses"


def map_claim(claim: Claim, references: References) -> MappedClaim:
    """``claim`` in the JSON claims shape; one list of line problems per item, in item order."""
    reader = _ClaimReader(claim, references)
    claim_problems: list[InputProblem] = []
    fields = reader.header(claim_problems)
    lines, line_problems = [], []
    for item in claim.item or ():
        problems: list[InputProblem] = []
        lines.append(reader.line(item, problems))
        line_problems.append(problems)
    return MappedClaim({**fields, "lines": lines}, claim_problems, line_problems)
