"""Who rendered a claim line: the care-team member the item names, and that provider's NUCC
taxonomy and NPI, read from the reference itself or the resource it points to."""

from __future__ import annotations

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
_PROVIDERS = frozenset({"Practitioner", "PractitionerRole", "Organization"})


class Providers:
    """The rendering providers of one Claim's items; ``care_team`` is its careTeam by sequence."""

    def __init__(self, care_team: dict[int, Any], references: References) -> None:
        self.care_team = care_team
        self.references = references

    def rendering(self, item: ClaimItem, problems: list[InputProblem]) -> ClaimCareTeam | None:
        """The care-team member who rendered ``item``: among those it points to (or, when it
        points to none, the whole team) the first in a rendering role; else the first it points to."""
        if not item.careTeamSequence:
            return next((member for member in self.care_team.values() if self._renders(member)), None)
        members = []
        for sequence in item.careTeamSequence:
            if sequence in self.care_team:
                members.append(self.care_team[sequence])
            else:
                problems.append(InputProblem("rendering_npi", f"is unknown: the Claim has no careTeam {sequence}"))
        return next((member for member in members if self._renders(member)), members[0] if members else None)

    @staticmethod
    def _renders(member: ClaimCareTeam) -> bool:
        codes = [coding.code for coding in (member.role.coding or ()) if coding.code] if member.role else []
        return any(code.lower() in _RENDERING_ROLES for code in codes)

    def taxonomy(self, member: ClaimCareTeam) -> str | None:
        """The member's NUCC qualification, else the NUCC specialty of the PractitionerRole or
        qualification of the Practitioner it refers to (a reference that misses is reported
        with the NPI)."""
        code = code_from(member.qualification, TAXONOMY_SYSTEMS, only=True)
        provider = self.references.resolve(member.provider)[0] if code is None and member.provider else None
        kind = provider.get_resource_type() if provider is not None else None
        if kind == "PractitionerRole":
            concepts = provider.specialty or []
        elif kind == "Practitioner":
            concepts = [qualification.code for qualification in provider.qualification or ()]
        else:
            return code
        return next(filter(None, (code_from(concept, TAXONOMY_SYSTEMS, only=True) for concept in concepts)), None)

    def npi(self, member: ClaimCareTeam, problems: list[InputProblem]) -> str | None:
        """The NPI on the provider reference itself, else on the Practitioner, PractitionerRole
        or Organization it points to (a PractitionerRole without one: its Practitioner's)."""
        if member.provider is None:  # required, but fhir.resources lets a null through
            problems.append(InputProblem("rendering_npi", f"is unknown: careTeam {member.sequence} has no provider"))
            return None
        npi = npi_of([member.provider.identifier] if member.provider.identifier else None)
        npi = npi or npi_in_search(member.provider.reference)
        if npi:
            return npi
        provider, problem = self.references.resolve(member.provider)
        kind = provider.get_resource_type() if provider is not None else None
        if kind in _PROVIDERS:
            npi = npi_of(provider.identifier)
        if npi is None and kind == "PractitionerRole":
            practitioner, problem = self.references.resolve(provider.practitioner)
            if practitioner is not None and practitioner.get_resource_type() == "Practitioner":
                npi = npi_of(practitioner.identifier)
        if problem:
            problems.append(InputProblem("rendering_npi", f"is unknown: careTeam {member.sequence} {problem}"))
        return npi
