"""Procedure profiles compiled to lookups: O(1) per modifier, O(code length) per diagnosis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from claimcheck.models.finding import Source
from claimcheck.refdata import CodeSets
from claimcheck.rules.schema import DiagnosisEntry, ModifierEntry, ProcedureProfile, SourceRef, SpecialtyEntry

__all__ = ["CompiledProfile", "compile_profile", "document_codes", "source_of"]

Entry = ModifierEntry | DiagnosisEntry | SpecialtyEntry


def source_of(ref: SourceRef) -> Source:
    return Source(ref.document, ref.section)


def document_codes(entry: DiagnosisEntry | SpecialtyEntry) -> tuple[str, ...]:
    """The wrong codes the document gave for this entry (none when the document was right)."""
    code = entry.document_code
    if code is None:
        return ()
    return code if isinstance(code, tuple) else (code,)


@dataclass(frozen=True, slots=True)
class CompiledProfile:
    """A profile ready for lookups. ``diagnoses``/``specialties`` are None when the profile lists none."""

    code: str
    title: str
    source: Source
    file: str
    profile: ProcedureProfile
    modifiers: Mapping[str, ModifierEntry]
    diagnoses: Mapping[str, DiagnosisEntry] | None
    specialties: Mapping[str, SpecialtyEntry] | None
    specialty_classifications: Mapping[tuple[str, str], SpecialtyEntry]
    # Where each list (modifiers, diagnoses, specialties) comes from, for the findings about the
    # list as a whole ("not one the document lists"): the section its entries cite.
    list_sources: Mapping[str, SourceRef]

    def modifier_entry(self, modifier: str, on: date) -> ModifierEntry | None:
        """The entry for ``modifier`` in force on ``on``."""
        entry = self.modifiers.get(modifier)
        return entry if entry is not None and entry.in_force(on) else None

    def diagnosis_entry(self, code_nodot: str, on: date) -> DiagnosisEntry | None:
        """The entry in force on ``on`` that covers ``code_nodot``: the code itself or a listed ancestor."""
        if self.diagnoses is None:
            return None
        # ICD-10-CM is a prefix hierarchy: every descendant of I70.2 starts with I702.
        for end in range(len(code_nodot), 2, -1):
            entry = self.diagnoses.get(code_nodot[:end])
            if entry is not None and entry.in_force(on):
                return entry
        return None

    def specialty_entry(self, taxonomy: str, code_sets: CodeSets, on: date) -> SpecialtyEntry | None:
        """The entry in force on ``on`` that covers ``taxonomy``: the code itself or its classification."""
        if self.specialties is None:
            return None
        entry = self.specialties.get(taxonomy)
        if entry is not None and entry.in_force(on):
            return entry
        # The code's own entry may be out of force while its classification's is not, as a
        # diagnosis falls back to a listed header.
        known = code_sets.nucc.get(taxonomy)
        if known is None:
            return None
        entry = self.specialty_classifications.get((known.grouping, known.classification))
        return entry if entry is not None and entry.in_force(on) else None


def _list_source(profile: ProcedureProfile, entries: tuple[Entry, ...] | None) -> SourceRef:
    """The section a profile's list comes from: the one its entries all cite, else (no entries,
    or entries from several sections) the profile's own source."""
    refs = {entry.source for entry in entries or ()}
    return refs.pop() if len(refs) == 1 else profile.source


def compile_profile(profile: ProcedureProfile, file: str, code_sets: CodeSets) -> CompiledProfile:
    diagnoses = None
    if profile.diagnoses is not None:
        diagnoses = MappingProxyType({e.code.replace(".", ""): e for e in profile.diagnoses})
    specialties = None
    classifications: dict[tuple[str, str], SpecialtyEntry] = {}
    if profile.specialties is not None:
        specialties = MappingProxyType({e.code: e for e in profile.specialties})
        for entry in profile.specialties:
            taxonomy = code_sets.nucc.get(entry.code)
            if taxonomy is not None and taxonomy.is_classification_level:
                classifications[(taxonomy.grouping, taxonomy.classification)] = entry
    return CompiledProfile(
        code=profile.procedure,
        title=profile.title,
        source=source_of(profile.source),
        file=file,
        profile=profile,
        modifiers=MappingProxyType({e.code: e for e in profile.modifiers}),
        diagnoses=diagnoses,
        specialties=specialties,
        specialty_classifications=MappingProxyType(classifications),
        list_sources=MappingProxyType(
            {
                "modifiers": _list_source(profile, profile.modifiers),
                "diagnoses": _list_source(profile, profile.diagnoses),
                "specialties": _list_source(profile, profile.specialties),
            }
        ),
    )
