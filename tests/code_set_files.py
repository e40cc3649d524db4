"""Reference code sets in tests: the shipped code sets, an ICD-10-CM order file, writing an override file."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pytest

from claimcheck.refdata import (
    CodeSets,
    shipped_code_sets,
)

__all__ = ["_Found", "code_sets_fixture", "found", "order_file_fixture", "order_line", "write"]


_Found = TypeVar("_Found")


def found(value: _Found | None) -> _Found:
    assert value is not None
    return value


@pytest.fixture(name="code_sets", scope="module")
def code_sets_fixture() -> CodeSets:
    return shipped_code_sets()


def order_line(number: int, code: str, billable: str, title: str) -> str:
    """One line of the CDC/NCHS icd10cm-order-YYYY.txt fixed-width layout."""
    return f"{number:05d} {code:<7} {billable} {title[:60]:<60} {title}\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


@pytest.fixture(name="order_file")
def order_file_fixture(tmp_path: Path) -> Path:
    lines = [
        order_line(1, "A00", "0", "Cholera"),
        order_line(2, "A000", "1", "Cholera due to Vibrio cholerae 01, biovar cholerae"),
        order_line(3, "S00", "0", "Superficial injury of head"),
        order_line(4, "S000", "0", "Superficial injury of scalp"),
        order_line(5, "S0000", "0", "Unspecified superficial injury of scalp"),
        order_line(6, "S0000XA", "1", "Unspecified superficial injury of scalp, initial encounter"),
        order_line(7, "R02", "1", "A code that does not exist in FY2026"),
    ]
    return write(tmp_path / "icd10cm-order-2027.txt", "".join(lines))
