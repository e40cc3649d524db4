"""ICD-10-CM diagnosis codes: billable flag and parent of every category and subcategory."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from claimcheck.refdata._reading import read_text
from claimcheck.refdata.icd10cm_formats import IcdRecords, dotted, parse_icd10cm
from claimcheck.refdata.info import CodeSetInfo

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["Icd10cm", "IcdCode", "load_icd10cm"]


@dataclass(frozen=True, slots=True)
class IcdCode:
    """One ICD-10-CM code.

    ``parent`` is as published: the next code up, which for 7th-character codes may skip levels
    (S00.00XA → S00.00), or a block such as ``"A00-A09"`` for a category.
    """

    code: str
    code_nodot: str
    billable: bool
    parent: str | None


def _lookup_key(code: str) -> str | None:
    """Upper-case code without the dot, or None when a dot is anywhere but after the category."""
    key = code.strip().upper()
    if "." not in key:
        return key
    category, _, rest = key.partition(".")
    if len(category) != 3 or "." in rest:
        return None
    return category + rest


class Icd10cm:
    """An ICD-10-CM release, immutable once loaded.

    Codes are kept as columns and turned into :class:`IcdCode` on lookup: building ~98,000
    dataclass instances up front would dominate the load time.
    """

    __slots__ = ("_billable", "_info", "_parents", "_sorted_codes")

    def __init__(self, info: CodeSetInfo, records: IcdRecords) -> None:
        self._info = info
        self._parents: Mapping[str, str | None] = MappingProxyType(dict(records.parents))
        self._billable = records.billable
        # Descendants share the parent's characters as a prefix, so in sorted order they follow
        # the parent contiguously; bisect finds them without a child index.
        self._sorted_codes: tuple[str, ...] = tuple(sorted(records.parents))

    @property
    def info(self) -> CodeSetInfo:
        return self._info

    def get(self, code: str) -> IcdCode | None:
        key = _lookup_key(code)
        if key is None or key not in self._parents:
            return None
        return IcdCode(dotted(key), key, key in self._billable, self._parents[key])

    def first_billable_descendant(self, code: str) -> str | None:
        """The first billable code below ``code`` in code order (dotted), for "bill e.g." hints."""
        key = _lookup_key(code)
        if key is None or key not in self._parents:
            return None
        codes = self._sorted_codes
        for index in range(bisect_right(codes, key), len(codes)):
            candidate = codes[index]
            if not candidate.startswith(key):
                return None
            if candidate in self._billable:
                return dotted(candidate)
        return None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def __len__(self) -> int:
        return len(self._parents)

    def __repr__(self) -> str:
        return f"Icd10cm(version={self._info.version!r}, codes={len(self)})"


def load_icd10cm(source: Traversable, info: CodeSetInfo) -> Icd10cm:
    return Icd10cm(info, parse_icd10cm(str(source), read_text(source)))
