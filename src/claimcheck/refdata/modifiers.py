"""Two-character procedure modifiers: HCPCS Level II and CPT Level I, with their in-force dates."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING

from claimcheck.errors import CodeSetError
from claimcheck.refdata._reading import csv_records, parse_date, read_text, reject_duplicate
from claimcheck.refdata.info import CodeSetInfo

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["Modifier", "Modifiers", "load_modifiers"]

_MODIFIER_CODE = re.compile(r"[0-9A-Z]{2}")


@dataclass(frozen=True, slots=True)
class Modifier:
    """A modifier; ``code_set`` is as in the file (``HCPCS_LEVEL_II``, ``CPT_LEVEL_I``) or ``""``."""

    code: str
    code_set: str
    description: str
    effective: date | None
    termination: date | None

    def in_force(self, on: date) -> bool:
        """Whether the modifier may be used on ``on``; the termination date is its last valid day."""
        started = self.effective is None or self.effective <= on
        ended = self.termination is not None and on > self.termination
        return started and not ended


class Modifiers:
    """A modifier list, immutable once loaded."""

    __slots__ = ("_info", "_modifiers")

    def __init__(self, info: CodeSetInfo, modifiers: Mapping[str, Modifier]) -> None:
        self._info = info
        self._modifiers: Mapping[str, Modifier] = MappingProxyType(dict(modifiers))

    @property
    def info(self) -> CodeSetInfo:
        return self._info

    def get(self, code: str) -> Modifier | None:
        return self._modifiers.get(code.strip().upper())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def __len__(self) -> int:
        return len(self._modifiers)

    def entries(self) -> Iterator[Modifier]:
        """Every modifier of the list."""
        return iter(self._modifiers.values())

    def __repr__(self) -> str:
        return f"Modifiers(version={self._info.version!r}, modifiers={len(self)})"


def load_modifiers(source: Traversable, info: CodeSetInfo) -> Modifiers:
    """Read a CSV with a ``modifier`` column; code_set, description and dates are optional."""
    file = str(source)
    modifiers: dict[str, Modifier] = {}
    first_lines: dict[str, int] = {}
    rows = csv_records(
        file,
        read_text(source),
        required=("modifier",),
        optional=("code_set", "short_description", "effective_date", "termination_date"),
    )
    for line, row in rows:
        code = row["modifier"].upper()
        if not _MODIFIER_CODE.fullmatch(code):
            raise CodeSetError(file, f"{row['modifier']!r} is not a two-character modifier", line=line)
        reject_duplicate(file, line, code, first_lines)
        modifiers[code] = Modifier(
            code=code,
            code_set=row["code_set"],
            description=row["short_description"],
            effective=parse_date(file, line, row["effective_date"], "effective_date"),
            termination=parse_date(file, line, row["termination_date"], "termination_date"),
        )
    return Modifiers(info, modifiers)
