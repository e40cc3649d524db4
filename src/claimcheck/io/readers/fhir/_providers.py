"""Who rendered a claim line: the care-team member the item names, else the billing provider, and
that provider's NUCC taxonomy and NPI, read from the reference itself or the resource it points to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claimcheck.io.readers.fhir._codes import TAXONOMY_SYSTEMS, code_from, npi_in_search, npi_of
from claimcheck.io.readers.fhir._references import References
from claimcheck.models.parse import InputProblem

if TYPE_CHECKING:
    from fhir.resources.R4B.claim import ClaimCareTeam, ClaimItem

__all__ = ["Providers"]

# Care-team roles that name who rendered the service (FHIR claimcareteamrole, and the "rendering"
# role of the CARIN and Da Vinci guides).
_RENDERING_ROLES = frozenset({"primary", "rendering"})
# What a care-team provider may be (R4 ClaimCareTeam.provider); each has a list of identifiers.
_PROVIDERS = ("Practitioner", "PractitionerRole", "Organization")


@dataclass(frozen=True, slots=True)
class Rendering:
    """The provider who rendered a line: a care-team member's, or the Claim's billing provider."""

    provider: Any  # a FHIR Reference; None when a care-team member's is null
    qualification: Any  # a care-team member's CodeableConcept
    name: str  # "careTeam 1", "Claim.provider": the element the problems name

    @classmethod
    def of_member(cls, member: ClaimCareTeam) -> Rendering:
        return cls(member.provider, member.qualification, f"careTeam {member.sequence}")


class Providers:
    """The rendering providers of one Claim's items; ``care_team`` is its careTeam by sequence,
    ``billing`` its provider (the billing provider)."""

    def __init__(self, care_team: dict[int, Any], billing: Any, references: References) -> None:
        self.care_team = care_team
        self.billing = billing
        self.references = references

    def rendering(self, item: ClaimItem, problems: list[InputProblem]) -> Rendering | None:
        """Who rendered ``item``: among the care-team members it points to (or, when it points
        to none, the whole team) the first in a rendering role, else the first it points to;
        when it points to none and no one renders, the billing provider, as an 837 without a
        rendering provider (2420A, 2310B) says the billing provider (2010AA) rendered it."""
        if not item.careTeamSequence:
            member = next((member for member in self.care_team.values() if self._renders(member)), None)
            if member is not None:
                return Rendering.of_member(member)
            return Rendering(self.billing, None, "Claim.provider") if self.billing is not None else None
        members = []
        for sequence in item.careTeamSequence:
            if sequence in self.care_team:
                members.append(self.care_team[sequence])
            else:
                problems.append(InputProblem("rendering_npi", f"is unknown: the Claim has no careTeam {sequence}"))
        member = next((member for member in members if self._renders(member)), members[0] if members else None)
        return Rendering.of_member(member) if member is not None else None

    @staticmethod
    def _renders(member: ClaimCareTeam) -> bool:
        codes = [coding.code for coding in (member.role.coding or ()) if coding.code] if member.role else []
        return any(code.lower() in _RENDERING_ROLES for code in codes)

    def taxonomy(self, rendering: Rendering) -> str | None:
        """The member's NUCC qualification, else the NUCC specialty of the PractitionerRole or
        qualification of the Practitioner it refers to, else (as for the NPI) the qualification
        of the role's Practitioner (a reference that misses is reported with the NPI)."""
        code = code_from(rendering.qualification, TAXONOMY_SYSTEMS, only=True)
        reference = rendering.provider
        provider = self.references.resolve(reference, _PROVIDERS)[0] if code is None and reference else None
        kind = provider.get_resource_type() if provider is not None else None
        if kind == "PractitionerRole":
            code = _nucc(provider.specialty)
            practitioner = (
                self.references.resolve(provider.practitioner, ("Practitioner",))[0] if code is None else None
            )
            if practitioner is not None:
                code = _nucc(qualification.code for qualification in practitioner.qualification or ())
        elif kind == "Practitioner":
            code = _nucc(qualification.code for qualification in provider.qualification or ())
        return code

    def npi(self, rendering: Rendering, problems: list[InputProblem]) -> str | None:
        """The NPI on the provider reference itself, else on the Practitioner, PractitionerRole
        or Organization it points to (a PractitionerRole without one: its Practitioner's)."""
        reference = rendering.provider
        if reference is None:  # required, but fhir.resources lets a null through
            problems.append(InputProblem("rendering_npi", f"is unknown: {rendering.name} has no provider"))
            return None
        npi = npi_of([reference.identifier] if reference.identifier else None)
        npi = npi or npi_in_search(reference.reference)
        if npi:
            return npi
        provider, problem = self.references.resolve(reference, _PROVIDERS)
        kind = provider.get_resource_type() if provider is not None else None
        if kind in _PROVIDERS:
            npi = npi_of(provider.identifier)
        if npi is None and kind == "PractitionerRole":
            practitioner, problem = self.references.resolve(provider.practitioner, ("Practitioner",))
            if practitioner is not None:
                npi = npi_of(practitioner.identifier)
        if problem:
            problems.append(InputProblem("rendering_npi", f"is unknown: {rendering.name} {problem}"))
        return npi


def _nucc(concepts: Iterable[Any] | None) -> str | None:
    """The first NUCC taxonomy code among ``concepts``."""
    codes = (code_from(concept, TAXONOMY_SYSTEMS, only=True) for concept in concepts or ())
    return next(filter(None, codes), None)
