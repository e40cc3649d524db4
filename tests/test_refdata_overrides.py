"""User-supplied overrides of the reference code sets: ICD order files, CSV and gzipped files, NUCC's
official CSV, minimal columns, versions from file names, and a header without rows."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

import claimcheck.refdata
from claimcheck.errors import CodeSetError
from claimcheck.refdata import (
    CodeSets,
    load_code_sets,
)
from claimcheck.refdata.codesets import version_from_file_name
from tests.code_set_files import (
    code_sets_fixture,  # noqa: F401 (the code_sets fixture)
    found,
    order_file_fixture,  # noqa: F401 (the order_file fixture)
    write,
)

# --- overrides ----------------------------------------------------------------------------------


def test_icd_order_file_override(order_file: Path, code_sets: CodeSets) -> None:
    loaded = load_code_sets(overrides={"icd10cm": order_file})
    icd = loaded.icd10cm
    assert loaded.versions()["icd10cm"] == "2027" and icd.info.path == str(order_file)
    assert len(icd) == 7 and "I70.213" not in icd and "R02" in icd
    assert icd.get("A00") == claimcheck.refdata.IcdCode("A00", "A00", False, None)
    assert found(icd.get("A00.0")).parent == "A00" and found(icd.get("A00.0")).billable
    assert found(icd.get("S00.00XA")).parent == "S00.00"
    assert found(icd.get("S00.00")).parent == "S00.0"
    assert icd.first_billable_descendant("S00") == "S00.00XA"
    assert loaded.nucc is code_sets.nucc  # sets not overridden are the shipped ones


def test_override_with_explicit_version(order_file: Path) -> None:
    loaded = load_code_sets(overrides={"icd10cm": (str(order_file), "2027-test")})
    assert loaded.icd10cm.info.version == "2027-test"


def test_icd_csv_override(tmp_path: Path) -> None:
    csv_file = write(
        tmp_path / "icd10cm_2027_codes.csv",
        "code,code_nodot,level,billable,parent,description\n"
        "B20,B20,category,Y,B20,HIV disease\n"
        "B20,B20,category,Y,B20,HIV disease\n"
        "I70,I70,category,N,I70-I79,Atherosclerosis\n"
        "I70.0,I700,subcategory,1,I70,Atherosclerosis of aorta\n",
    )
    icd = load_code_sets(overrides={"icd10cm": csv_file}).icd10cm
    assert icd.info.version == "2027" and len(icd) == 3
    assert found(icd.get("B20")).parent == "B20-B20"
    assert found(icd.get("I700")).billable


def test_icd_gzipped_compact_override(tmp_path: Path) -> None:
    compact = tmp_path / "icd10cm-2028.tsv.gz"
    compact.write_bytes(gzip.compress(b"code_nodot\tbillable\tparent\nA00\tN\tA00-A09\nA000\tY\tA00\n"))
    icd = load_code_sets(overrides={"icd10cm": compact}).icd10cm
    assert icd.info.version == "2028" and found(icd.get("A00.0")).billable


def test_nucc_override_official_csv_in_windows_encoding(tmp_path: Path) -> None:
    official = write(
        tmp_path / "nucc_taxonomy_261.csv",
        "Code,Grouping,Classification,Specialization,Definition,Notes,Display Name,Section\n"
        "2085R0202X,Allopathic & Osteopathic Physicians,Radiology,Diagnostic Radiology,"
        '"A physician\u2019s definition, with a comma",,Diagnostic Radiology Physician,Individual\n'
        "999900000X,New Grouping,New Classification,,,,,Individual\n",
        encoding="cp1252",
    )
    nucc = load_code_sets(overrides={"nucc": official}).nucc
    assert nucc.info.version == "26.1" and len(nucc) == 2
    assert found(nucc.get("999900000x")).is_classification_level
    assert found(nucc.get("2085R0202X")).specialization == "Diagnostic Radiology"


def test_modifiers_and_pos_overrides_with_minimal_columns(tmp_path: Path) -> None:
    modifiers = write(tmp_path / "modifiers_2027-01.csv", "modifier\nzz\n")
    places = write(tmp_path / "my_places.csv", "pos_code,name\n5,Indian Health Service\n")
    loaded = load_code_sets(overrides={"modifiers": modifiers, "pos": places})
    assert loaded.versions()["modifiers"] == "2027-01" and loaded.versions()["pos"] == "my_places"
    new = found(loaded.modifiers.get("ZZ"))
    assert new == claimcheck.refdata.Modifier("ZZ", "", "", None, None)
    assert new.in_force(date(2030, 1, 1))
    assert found(loaded.pos.get("05")).assigned


@pytest.mark.parametrize(
    ("name", "file_name", "version"),
    [
        ("icd10cm", "icd10cm-order-2027.txt", "2027"),
        ("icd10cm", "icd10cm_2027_codes.csv", "2027"),
        ("icd10cm", "my_codes.txt", "my_codes"),
        ("nucc", "nucc_taxonomy_261.csv", "26.1"),
        ("nucc", "nucc_taxonomy_25.1.csv", "25.1"),
        ("modifiers", "modifiers_2027-04.csv", "2027-04"),
        ("pos", "place_of_service_2027-01-15.csv", "2027-01-15"),
        ("pos", "pos.csv.gz", "pos"),
    ],
)
def test_version_from_file_name(name: str, file_name: str, version: str) -> None:
    assert version_from_file_name(name, Path(file_name)) == version


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("icd10cm", "code,code_nodot,level,billable,parent,description\n", "ICD-10-CM codes"),
        ("icd10cm", "code_nodot\tbillable\tparent\n", "ICD-10-CM codes"),
        ("nucc", "Code,Grouping,Classification,Specialization,Definition\n", "taxonomy codes"),
        ("modifiers", "modifier,short_description\n", "modifiers"),
        ("pos", "pos_code,name,status\n\n", "place-of-service codes"),
    ],
)
def test_an_override_with_a_header_and_no_rows_is_refused(tmp_path: Path, name: str, content: str, what: str) -> None:
    # A download cut short after its header loaded as a set without codes: every place of
    # service failed as unknown, and for the other sets the load failed on the shipped rule
    # pack ("rulepack/procedures/0711T.yaml:74: 'I70.2' is not a code"), blaming the pack.
    path = write(tmp_path / "codes.csv", content)
    with pytest.raises(CodeSetError, match=f"holds no {what}: a header and no rows") as raised:
        load_code_sets(overrides={name: path})
    assert raised.value.file == str(path)
