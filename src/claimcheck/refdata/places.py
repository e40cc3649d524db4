"""CMS place of service codes, including the unassigned ones."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from claimcheck.errors import CodeSetError
from claimcheck.refdata._reading import csv_records, read_text, reject_duplicate, require_value
from claimcheck.refdata.info import CodeSetInfo

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["PlaceOfService", "PlacesOfService", "load_places_of_service"]

_STATUSES = {"": True, "assigned": True, "unassigned": False}


@dataclass(frozen=True, slots=True)
class PlaceOfService:
    code: str
    name: str
    assigned: bool


def _pos_key(code: str) -> str:
    # Claims and spreadsheets often drop the leading zero ("2" for "02").
    key = code.strip()
    return key.zfill(2) if len(key) == 1 and key.isdigit() else key


class PlacesOfService:
    """The place of service code set, immutable once loaded."""

    __slots__ = ("_info", "_places")

    def __init__(self, info: CodeSetInfo, places: Mapping[str, PlaceOfService]) -> None:
        self._info = info
        self._places: Mapping[str, PlaceOfService] = MappingProxyType(dict(places))

    @property
    def info(self) -> CodeSetInfo:
        return self._info

    def get(self, code: str) -> PlaceOfService | None:
        return self._places.get(_pos_key(code))

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def __len__(self) -> int:
        return len(self._places)

    def __repr__(self) -> str:
        return f"PlacesOfService(version={self._info.version!r}, codes={len(self)})"


def load_places_of_service(source: Traversable, info: CodeSetInfo) -> PlacesOfService:
    """Read a CSV ``pos_code,name[,status]``; a missing status means assigned."""
    file = str(source)
    places: dict[str, PlaceOfService] = {}
    first_lines: dict[str, int] = {}
    rows = csv_records(file, read_text(source), required=("pos_code", "name"), optional=("status",))
    for line, row in rows:
        code = _pos_key(row["pos_code"])
        if not (len(code) == 2 and code.isdigit()):
            raise CodeSetError(file, f"{row['pos_code']!r} is not a two-digit POS code", line=line)
        status = row["status"].lower()
        if status not in _STATUSES:
            raise CodeSetError(file, f"status {row['status']!r} is not one of assigned, unassigned", line=line)
        reject_duplicate(file, line, code, first_lines)
        places[code] = PlaceOfService(
            code=code,
            name=require_value(file, line, row["name"], "name"),
            assigned=_STATUSES[status],
        )
    return PlacesOfService(info, places)
