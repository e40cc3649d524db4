"""The shipped profiles against their seed documents and the full reference code sets.

The product promise: every entry keeps its seed document as provenance, yet is right against the
code sets. So each code a seed document's tables give is in its profile, as the entry's code or,
when the document's code is wrong (SEED_AUDIT.md), as the entry's ``document_code``; each code
the profile uses is in the full ``../shared/refdata`` release with the title the profile gives;
each source names a section the document has. The loader checks codes against the shipped
subsets; these tests check the subsets' content against the sources they were built from.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import claimcheck
from claimcheck.rules.claim_params import AddonParams, PairParams
from claimcheck.rules.params import EffectiveDateParams
from claimcheck.rules.schema import ProcedureProfile, SourceRef

# The header cell of each table in the seed documents, by profile section.
_TABLES = {"Modifier": "modifiers", "ICD-10 Code": "diagnoses", "Taxonomy Code": "specialties"}


def _seed_tables(text: str) -> dict[str, list[str]]:
    """The first-column codes of each table in a seed document, in order (repeats kept)."""
    tables: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] in _TABLES:
            current = tables.setdefault(_TABLES[cells[0]], [])
        elif line.startswith("|") or current is None:
            continue
        elif len(cells) >= 2:
            current.append(cells[0])
        else:
            current = None
    return tables


def _sources(profile: ProcedureProfile) -> Iterator[tuple[str, SourceRef]]:
    yield "source", profile.source
    for section in ("modifiers", "diagnoses", "specialties"):
        for index, entry in enumerate(getattr(profile, section) or ()):
            yield f"{section}[{index}].source", entry.source


def _document_codes(entry: object) -> tuple[str, ...]:
    code = getattr(entry, "document_code", None)
    return () if code is None else code if isinstance(code, tuple) else (code,)


@pytest.fixture(scope="module")
def profiles(ruleset: claimcheck.RuleSet) -> dict[str, ProcedureProfile]:
    return dict(ruleset.pack.profiles)


@pytest.fixture(scope="module")
def seeds(shared_dir: Path) -> Path:
    return shared_dir / "seeds"


def _rows_by(path: Path, key: str) -> dict[str, dict[str, str]]:
    """The rows of a reference CSV by their ``key`` column (a BOM, as NUCC's file has, is dropped)."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        return {row[key]: row for row in csv.DictReader(file)}


@pytest.fixture(scope="module")
def icd(shared_dir: Path) -> dict[str, dict[str, str]]:
    return _rows_by(shared_dir / "refdata" / "icd10cm_2026_april_codes.csv", "code")


@pytest.fixture(scope="module")
def nucc(shared_dir: Path) -> dict[str, dict[str, str]]:
    return _rows_by(shared_dir / "refdata" / "nucc_taxonomy_251.csv", "Code")


@pytest.fixture(scope="module")
def modifiers(shared_dir: Path) -> dict[str, dict[str, str]]:
    return _rows_by(shared_dir / "refdata" / "modifiers.csv", "modifier")


@pytest.fixture(scope="module")
def scope(shared_dir: Path) -> dict[str, dict[str, str]]:
    return _rows_by(shared_dir / "refdata" / "cpt_scope_reference.csv", "code")


def test_every_source_is_the_profiles_seed_document_and_a_section_it_has(
    profiles: dict[str, ProcedureProfile], seeds: Path
) -> None:
    for code, profile in profiles.items():
        document = seeds / profile.source.document
        text = document.read_text(encoding="utf-8")
        assert code in text, f"{document.name} is not about {code}"
        headings = {line.strip() for line in text.splitlines()}
        for key_path, source in _sources(profile):
            assert source.document == profile.source.document, f"{code} {key_path}"
            # "Coding Specifications (taxonomy table)": the table under that heading.
            heading = re.sub(r" \(.*\)$", "", source.section)
            assert heading in headings, f"{code} {key_path}: {document.name} has no section {heading!r}"


def test_every_code_of_a_seed_table_is_in_the_profile_once(profiles: dict[str, ProcedureProfile], seeds: Path) -> None:
    for code, profile in profiles.items():
        tables = _seed_tables((seeds / profile.source.document).read_text(encoding="utf-8"))
        for section in _TABLES.values():
            entries = getattr(profile, section) or ()
            # The document's own codes: an entry's document_code when it was wrong, else its code.
            accounted = [c for entry in entries for c in (_document_codes(entry) or (entry.code,))]
            in_document = list(dict.fromkeys(tables.get(section, [])))  # 53 twice in 001 is one entry
            assert sorted(accounted) == sorted(in_document), f"{code} {section}"


def test_profile_diagnoses_are_icd10cm_codes_with_their_titles(
    profiles: dict[str, ProcedureProfile], icd: dict[str, dict[str, str]]
) -> None:
    for code, profile in profiles.items():
        for entry in profile.diagnoses or ():
            row = icd.get(entry.code)
            assert row is not None, f"{code}: {entry.code} is not in ICD-10-CM FY2026"
            assert entry.title == row["description"], f"{code}: {entry.code}"
            # A header is listed on purpose (it covers its billable descendants) and says so.
            assert row["billable"] == "Y" or "header" in (entry.note or ""), f"{code}: {entry.code}"
            for wrong in _document_codes(entry):
                # The document's code is gone from the set, or means something else.
                assert wrong not in icd or icd[wrong]["description"] != entry.title, f"{code}: {wrong}"
                assert entry.note and wrong in entry.note, f"{code}: {entry.code} keeps no reason for {wrong}"


def test_profile_specialties_are_nucc_codes_with_their_names(
    profiles: dict[str, ProcedureProfile], nucc: dict[str, dict[str, str]]
) -> None:
    for code, profile in profiles.items():
        for entry in profile.specialties or ():
            row = nucc.get(entry.code)
            assert row is not None, f"{code}: {entry.code} is not in NUCC 25.1"
            name = " / ".join(part for part in (row["Classification"], row["Specialization"]) if part)
            assert entry.name == name, f"{code}: {entry.code}"
            for wrong in _document_codes(entry):
                assert wrong not in nucc or nucc[wrong]["Classification"] != row["Classification"], wrong
                assert entry.note and wrong in entry.note, f"{code}: {entry.code} keeps no reason for {wrong}"


def test_profile_modifiers_are_in_force_in_the_modifier_code_set(
    profiles: dict[str, ProcedureProfile], modifiers: dict[str, dict[str, str]]
) -> None:
    for code, profile in profiles.items():
        for entry in profile.modifiers:
            row = modifiers.get(entry.code)
            assert row is not None, f"{code}: {entry.code} is not a modifier"
            assert row["status"] == "active" and not row["termination_date"], f"{code}: {entry.code} is terminated"
            if row["code_set"] == "HCPCS_LEVEL_II" and entry.code != "GN":
                # GN's short title is an abbreviation ("Op speech language service").
                assert entry.meaning.startswith(row["short_description"]), f"{code}: {entry.code}"
            if entry.document_meaning is not None:
                assert entry.document_meaning != entry.meaning, f"{code}: {entry.code}"
                assert entry.document_meaning.lower() in entry.reason.lower(), f"{code}: {entry.code} says not why"


def _rule_params(ruleset: claimcheck.RuleSet, rule_id: str) -> object:
    return next(loaded.params for loaded in ruleset.pack.rules if loaded.rule.id == rule_id)


def _effective_from(scope: dict[str, dict[str, str]], code: str) -> date | None:
    written = scope[code]["effective_from"]
    return date.fromisoformat(written) if re.fullmatch(r"\d{4}-\d\d-\d\d", written) else None


def test_effective_dates_agree_with_the_scope_reference(
    ruleset: claimcheck.RuleSet, profiles: dict[str, ProcedureProfile], scope: dict[str, dict[str, str]]
) -> None:
    params = _rule_params(ruleset, "date.effective")
    assert isinstance(params, EffectiveDateParams)
    dated = {code: group for group in params.codes for code in group.codes}
    for code, group in dated.items():
        assert group.effective == _effective_from(scope, code), code
        assert group.expires is None, f"{code}: no deletion is verified (a note, not an expiry)"
    # Each profiled code with a dated scope row has a date; a long-standing one has none.
    for code in profiles:
        assert (code in dated) == (_effective_from(scope, code) is not None), code


def test_dated_pairs_and_add_ons_start_when_their_newest_code_does(
    ruleset: claimcheck.RuleSet, scope: dict[str, dict[str, str]]
) -> None:
    pairs = _rule_params(ruleset, "pair.ptp")
    addons = _rule_params(ruleset, "pair.addon")
    assert isinstance(pairs, PairParams) and isinstance(addons, AddonParams)
    entries = [(e.effective, (*e.column1, *e.column2)) for e in pairs.pairs]
    entries += [(e.effective, (e.addon, *e.primaries)) for e in addons.addons]
    for effective, codes in entries:
        starts = [_effective_from(scope, c) for c in codes if c in scope]
        newest = max((d for d in starts if d is not None), default=None)
        assert effective == newest, codes
