"""NUCC Health Care Provider Taxonomy codes (code and its three-level name only)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from claimcheck.errors import CodeSetError
from claimcheck.refdata._reading import csv_records, read_text, reject_duplicate, require_value
from claimcheck.refdata.info import CodeSetInfo

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["Taxonomy", "TaxonomyCode", "load_taxonomy"]

_TAXONOMY_CODE = re.compile(r"[0-9A-Z]{9}X")


@dataclass(frozen=True, slots=True)
class TaxonomyCode:
    code: str
    grouping: str
    classification: str
    specialization: str | None

    @property
    def is_classification_level(self) -> bool:
        """True for a code naming a classification without a specialization (e.g. 363A00000X)."""
        return self.specialization is None


class Taxonomy:
    """A NUCC taxonomy release, immutable once loaded."""

    __slots__ = ("_codes", "_info")

    def __init__(self, info: CodeSetInfo, codes: Mapping[str, TaxonomyCode]) -> None:
        self._info = info
        self._codes: Mapping[str, TaxonomyCode] = MappingProxyType(dict(codes))

    @property
    def info(self) -> CodeSetInfo:
        return self._info

    def get(self, code: str) -> TaxonomyCode | None:
        return self._codes.get(code.strip().upper())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def __len__(self) -> int:
        return len(self._codes)

    def __repr__(self) -> str:
        return f"Taxonomy(version={self._info.version!r}, codes={len(self)})"


def load_taxonomy(source: Traversable, info: CodeSetInfo) -> Taxonomy:
    """Read the official NUCC CSV or the shipped four-column CSV (same leading columns)."""
    file = str(source)
    codes: dict[str, TaxonomyCode] = {}
    first_lines: dict[str, int] = {}
    rows = csv_records(file, read_text(source), required=("code", "grouping", "classification", "specialization"))
    for line, row in rows:
        code = row["code"].upper()
        if not _TAXONOMY_CODE.fullmatch(code):
            raise CodeSetError(file, f"{row['code']!r} is not a NUCC taxonomy code", line=line)
        reject_duplicate(file, line, code, first_lines)
        codes[code] = TaxonomyCode(
            code=code,
            grouping=require_value(file, line, row["grouping"], "grouping"),
            classification=require_value(file, line, row["classification"], "classification"),
            specialization=row["specialization"] or None,
        )
    return Taxonomy(info, codes)
