"""The shipped reference code sets: ICD-10-CM billable codes and parents, NUCC taxonomy, modifiers, places
of service, versions, loaded once and immutable, and equal to a fresh build from their sources."""

from __future__ import annotations

import dataclasses
import gzip
import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

import claimcheck.refdata
from claimcheck.refdata import (
    CodeSets,
    load_code_sets,
    shipped_code_sets,
)
from tests.code_set_files import (
    code_sets_fixture,  # noqa: F401 (the code_sets fixture)
    found,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_REFDATA = REPO_ROOT.parent / "shared" / "refdata"
SHIPPED_DATA = Path(claimcheck.refdata.__file__).parent / "data"


# --- ICD-10-CM ---------------------------------------------------------------------------------


def test_icd_header_code_is_not_billable_and_names_a_billable_descendant(code_sets: CodeSets) -> None:
    header = code_sets.icd10cm.get("I70.2")
    assert header is not None
    assert header.billable is False
    hint = code_sets.icd10cm.first_billable_descendant("I70.2")
    assert hint is not None and hint.startswith("I70.20")
    assert found(code_sets.icd10cm.get(hint)).billable


def test_icd_billable_codes_and_their_parents(code_sets: CodeSets) -> None:
    icd = code_sets.icd10cm
    assert icd.get("I70.213") == claimcheck.refdata.IcdCode("I70.213", "I70213", True, "I70.21")
    assert found(icd.get("I96")).billable and found(icd.get("I96")).parent == "I95-I99"
    assert found(icd.get("Z11.1")).billable
    # The profiles' codes, as in ../shared/refdata/icd10cm_2026_april_codes.csv.
    assert found(icd.get("R57.0")).billable and found(icd.get("R57.0")).parent == "R57"
    assert found(icd.get("J84.10")).billable and found(icd.get("J84.10")).parent == "J84.1"
    assert not found(icd.get("J84.1")).billable
    assert found(icd.get("Z87.891")).billable and found(icd.get("Z87.891")).parent == "Z87.89"
    assert not found(icd.get("I70.20")).billable and found(icd.get("I70.20")).parent == "I70.2"
    assert found(icd.get("I70.25")).billable and found(icd.get("I70.25")).parent == "I70.2"
    assert not found(icd.get("I70.9")).billable and found(icd.get("I70.91")).parent == "I70.9"
    # 7th-character codes skip the placeholder level: the parent is as published.
    assert found(icd.get("S00.00XA")).parent == "S00.00"
    assert found(icd.get("T07.XXXA")).parent == "T07"


def test_icd_single_category_block_is_not_its_own_parent(code_sets: CodeSets) -> None:
    hiv = code_sets.icd10cm.get("B20")
    assert hiv is not None
    assert hiv.billable and hiv.parent == "B20-B20"


def test_icd_absent_codes(code_sets: CodeSets) -> None:
    icd = code_sets.icd10cm
    assert "R02" not in icd and icd.get("R02") is None
    assert icd.first_billable_descendant("R02") is None
    assert icd.first_billable_descendant("I70.213") is None  # a leaf has no descendants
    assert 42 not in icd


@pytest.mark.parametrize("written", ["I70.213", "I70213", "i70.213", "i70213", "  I70.213 "])
def test_icd_lookup_accepts_case_dot_and_spaces(code_sets: CodeSets, written: str) -> None:
    found = code_sets.icd10cm.get(written)
    assert found is not None and found.code == "I70.213" and written in code_sets.icd10cm


@pytest.mark.parametrize("written", ["I7.0213", "I70.21.3", ".I70213", ""])
def test_icd_lookup_rejects_a_misplaced_dot(code_sets: CodeSets, written: str) -> None:
    assert code_sets.icd10cm.get(written) is None


def test_icd_shipped_hierarchy_is_consistent(code_sets: CodeSets) -> None:
    """Billable means leaf: every header has a billable descendant, no billable code has one."""
    lines = gzip.decompress((SHIPPED_DATA / "icd10cm_2026.tsv.gz").read_bytes()).decode()
    rows = [line.split("\t") for line in lines.splitlines()[1:]]
    assert len(rows) == len(code_sets.icd10cm) == 98_186
    # The source CSV has 74,724 billable rows: B20, F99, P84, R99 and Z66 are listed twice.
    assert sum(billable == "Y" for _code, billable, _parent in rows) == 74_719
    icd = code_sets.icd10cm
    for code, billable, _parent in rows:
        descendant = icd.first_billable_descendant(code)
        assert (descendant is None) == (billable == "Y"), code


# --- NUCC, modifiers, place of service ---------------------------------------------------------


def test_nucc_taxonomy(code_sets: CodeSets) -> None:
    nucc = code_sets.nucc
    radiology = nucc.get("2085R0202X")
    assert radiology is not None
    assert (radiology.classification, radiology.specialization) == (
        "Radiology",
        "Diagnostic Radiology",
    )
    assert not radiology.is_classification_level
    assert found(nucc.get(" 363a00000x ")).is_classification_level
    assert "207RX0400X" not in nucc
    assert len(nucc) == 883


def test_modifiers(code_sets: CodeSets) -> None:
    modifiers = code_sets.modifiers
    assert found(modifiers.get("tg")).code_set == "HCPCS_LEVEL_II"
    assert found(modifiers.get("26")).code_set == "CPT_LEVEL_I"
    terminated = modifiers.get("CP")
    assert terminated is not None and terminated.termination == date(2017, 12, 31)
    assert not terminated.in_force(date(2026, 1, 1))
    assert terminated.in_force(date(2017, 12, 31))  # the termination date is the last valid day
    assert not terminated.in_force(date(2015, 12, 31))  # before its effective date
    assert found(modifiers.get("26")).in_force(date(2026, 1, 1))
    assert len(modifiers) == 423


def test_places_of_service(code_sets: CodeSets) -> None:
    pos = code_sets.pos
    assert pos.get("22") == claimcheck.refdata.PlaceOfService("22", "On Campus-Outpatient Hospital", True)
    assert pos.get("2") == pos.get("02") == pos.get(" 02 ")
    unassigned = pos.get("28")
    assert unassigned is not None and unassigned.assigned is False
    assert "00" not in pos and len(pos) == 99


def test_versions_and_info(code_sets: CodeSets) -> None:
    assert code_sets.versions() == {
        "icd10cm": "2026",
        "nucc": "25.1",
        "modifiers": "2026-10",
        "pos": "2026-10-08",
    }
    info = code_sets.icd10cm.info
    assert info.name == "icd10cm" and info.label == "FY2026 (April 1 2026 update)"
    assert info.path.endswith("icd10cm_2026.tsv.gz") and "CDC/NCHS" in info.source


def test_shipped_sets_are_loaded_once_and_immutable(code_sets: CodeSets) -> None:
    assert shipped_code_sets() is code_sets and load_code_sets() is code_sets
    with pytest.raises(dataclasses.FrozenInstanceError):
        code_sets.icd10cm = code_sets.icd10cm  # type: ignore[misc]
    with pytest.raises(AttributeError):
        code_sets.nucc.info = code_sets.pos.info  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        found(code_sets.pos.get("22")).assigned = False  # type: ignore[misc]


# --- shipped data against its sources -----------------------------------------------------------


def _build_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_refdata", REPO_ROOT / "tools" / "build_refdata.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not SHARED_REFDATA.is_dir(),
    reason=f"{SHARED_REFDATA} is absent, so the shipped data cannot be checked against its sources",
)
def test_shipped_data_matches_a_fresh_build(tmp_path: Path) -> None:
    build = _build_tool().build
    first = build(SHARED_REFDATA, tmp_path / "first")
    second = build(SHARED_REFDATA, tmp_path / "second")
    assert sorted(path.name for path in first) == sorted(
        path.name for path in SHIPPED_DATA.iterdir() if path.name != "README.md"
    )
    for built, rebuilt in zip(first, second, strict=True):
        assert built.read_bytes() == rebuilt.read_bytes(), f"{built.name} is not deterministic"
        shipped = (SHIPPED_DATA / built.name).read_bytes()
        if built.suffix == ".gz":
            # Compare the content: the compressed bytes may differ with another zlib build.
            assert gzip.decompress(shipped) == gzip.decompress(built.read_bytes()), built.name
        else:
            assert shipped == built.read_bytes(), f"{built.name}: run python tools/build_refdata.py"
