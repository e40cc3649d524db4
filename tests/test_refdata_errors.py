"""Reference code set files that cannot be loaded: unknown set names, missing files, bad rows and headers
named by file and line without quoting a cell, bad override values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claimcheck.errors import CodeSetError
from claimcheck.refdata import (
    CODE_SET_NAMES,
    load_code_sets,
)
from tests.code_set_files import (
    order_file_fixture,  # noqa: F401 (the order_file fixture)
    write,
)

# --- errors -------------------------------------------------------------------------------------


def test_unknown_set_name_lists_the_allowed_names(order_file: Path) -> None:
    with pytest.raises(CodeSetError, match="allowed: icd10cm, nucc, modifiers, pos") as raised:
        load_code_sets(overrides={"icd10": order_file})
    assert "'icd10'" in str(raised.value) and CODE_SET_NAMES == (
        "icd10cm",
        "nucc",
        "modifiers",
        "pos",
    )


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "icd10cm-order-2027.txt"
    with pytest.raises(CodeSetError, match="file not found") as raised:
        load_code_sets(overrides={"icd10cm": missing})
    assert raised.value.file == str(missing)


def test_bad_billable_flag_names_file_and_line(tmp_path: Path) -> None:
    bad = write(
        tmp_path / "icd10cm_2027_codes.csv",
        "code,code_nodot,level,billable,parent\nA00,A00,category,N,A00-A09\nA00.0,A000,subcategory,maybe,A00\n",
    )
    with pytest.raises(CodeSetError) as raised:
        load_code_sets(overrides={"icd10cm": bad})
    assert raised.value.line == 3
    assert str(raised.value).startswith(f"{bad}:3: ") and "'maybe'" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "file_name", "content", "line", "problem"),
    [
        (
            "icd10cm",
            "order-2027.txt",
            "00001 A00     0 Cholera\n00002 A000    X Cholera\n",
            2,
            "billable flag",
        ),
        (
            "icd10cm",
            "order-2027.txt",
            "00001 A00     0 Cholera\n00002 A00     0 Cholera\n",
            2,
            "listed twice",
        ),
        ("icd10cm", "codes.txt", "just some text\n", 1, "unrecognised ICD-10-CM format"),
        (
            # CDC's codes file lists billable codes only (no headers such as I70.2): its first
            # line holds a comma and read as a CSV without its columns.
            "icd10cm",
            "icd10cm-codes-2027.txt",
            "A000    Cholera due to Vibrio cholerae 01, biovar cholerae\nA001    Cholera, unspecified\n",
            1,
            "is the CDC codes file (icd10cm-codes-YYYY.txt), which lists billable codes only; "
            "use icd10cm-order-YYYY.txt",
        ),
        ("icd10cm", "c.tsv", "code_nodot\tbillable\tparent\nA00\tN\n", 2, "3 tab-separated"),
        (
            "nucc",
            "nucc.csv",
            "Code,Grouping,Classification\n",
            1,
            "missing column(s) specialization",
        ),
        (
            "nucc",
            "nucc.csv",
            "code,grouping,classification,specialization\nbad,G,C,\n",
            2,
            "not a NUCC",
        ),
        ("modifiers", "m.csv", "modifier,effective_date\nAA,2026-13-01\n", 2, "not a date"),
        ("pos", "p.csv", "pos_code,name,status\n02,Telehealth,maybe\n", 2, "status"),
        ("pos", "p.csv", 'pos_code,name\n02,"unterminated\n', 2, "bad CSV"),
        ("pos", "p.csv", "pos_code,name,status\n02\n", 2, "expected at least 2 fields"),
    ],
)
def test_bad_rows_raise_code_set_error_with_line(
    tmp_path: Path, name: str, file_name: str, content: str, line: int, problem: str
) -> None:
    path = write(tmp_path / file_name, content)
    with pytest.raises(CodeSetError, match=re.escape(problem)) as raised:
        load_code_sets(overrides={name: path})
    assert raised.value.file == str(path) and raised.value.line == line


@pytest.mark.parametrize(
    ("name", "missing"),
    [
        ("icd10cm", "code, code_nodot, billable, parent"),
        ("nucc", "code, grouping, classification, specialization"),
        ("modifiers", "modifier"),
        ("pos", "pos_code, name"),
    ],
)
def test_a_header_error_names_the_columns_but_quotes_no_cell(tmp_path: Path, name: str, missing: str) -> None:
    # A claims file without its header given as a code set: its first row is patient data, which
    # an error message must not repeat (only a claim id and line number may appear in one).
    path = write(tmp_path / "nohdr.csv", "D001,1,99213,,I10,,1234567893,1,2026-03-10,11,F,1958-01-01,Acme Health\n")
    with pytest.raises(CodeSetError) as raised:
        load_code_sets(overrides={name: path})
    message = str(raised.value)
    assert f"missing column(s) {missing}" in message and "13 columns" in message, message
    for cell in ("D001", "99213", "1234567893", "1958-01-01", "Acme Health", "acme health", "i10"):
        assert cell not in message, message
    assert raised.value.line == 1


def test_a_header_error_names_the_expected_columns_the_header_has(tmp_path: Path) -> None:
    path = write(tmp_path / "nucc.csv", "Code,Grouping,Classification,Notes\n")
    with pytest.raises(CodeSetError, match=re.escape("it names code, grouping, classification")):
        load_code_sets(overrides={"nucc": path})


def test_bad_override_value() -> None:
    with pytest.raises(CodeSetError, match=r"path or \(path, version\)"):
        load_code_sets(overrides={"nucc": 42})  # type: ignore[dict-item]
