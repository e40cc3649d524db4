"""CMS NCCI procedure-to-procedure (PTP) edits for practitioners, from the quarterly text files.

The full table has 1.5-2 million rows, so rows are kept as columns (arrays of ints, each rationale
text stored once) behind a dict of ordered code pairs, and a :class:`PtpEdit` is built only when a
lookup returns it: one object per row would take several times the memory and load time.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

from claimcheck.errors import CodeSetError
from claimcheck.refdata._ncci_ptp_rows import NOT_DELETED, PtpRows, Rows, as_date, day_number
from claimcheck.refdata._reading import file_label, file_stem
from claimcheck.refdata.info import CodeSetInfo

__all__ = ["PtpEdit", "PtpTable", "load_ptp"]

# ccipra-v323r0-f1.txt: release 32.3, revision 0.
_VERSION_IN_NAME = re.compile(r"v(\d\d)(\d)r(\d+)", re.IGNORECASE)
_NO_PAIRS: Mapping[str, Rows] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class PtpEdit:
    """One PTP row: ``column2`` is not paid with ``column1`` on one day while the edit is in force.

    ``modifier_indicator``: 0 = never allowed together, 1 = allowed with a PTP-associated modifier,
    9 = not applicable. ``table`` is the name of the file the row came from, ``line`` its line there.
    """

    column1: str
    column2: str
    effective: date
    deletion: date | None
    modifier_indicator: int
    rationale: str
    table: str
    line: int

    def in_force(self, on: date) -> bool:
        """Whether the edit applies on ``on``; CMS deletion dates are the first day it no longer does."""
        return self.effective <= on and (self.deletion is None or on < self.deletion)


class PtpTable:
    """The practitioner PTP edits of one release (the f1..f4 files together), immutable once loaded."""

    __slots__ = ("_codes", "_dates", "_info", "_rows")

    def __init__(self, info: CodeSetInfo, rows: PtpRows) -> None:
        self._info = info
        self._rows = rows
        self._codes = frozenset(rows.codes.values())
        # A few thousand distinct dates: made once here, not on every lookup.
        self._dates = {number: as_date(number) for number in rows.day_numbers()}

    @property
    def info(self) -> CodeSetInfo:
        """The file's name, version and label, which the reports' ``code_sets`` and sources give."""
        return self._info

    def __len__(self) -> int:
        return len(self._rows.line)

    def __repr__(self) -> str:
        return f"PtpTable(version={self._info.version!r}, edits={len(self)})"

    def has_code(self, code: str) -> bool:
        """Whether ``code`` is in some edit, either column: lines with other codes can be skipped."""
        return code.strip().upper() in self._codes

    def lists(self, column1: str, column2: str) -> bool:
        """Whether some row, in force or not, is for the ordered pair."""
        return column2.strip().upper() in self._rows.pairs.get(column1.strip().upper(), _NO_PAIRS)

    def edits(self, column1: str, column2: str) -> tuple[PtpEdit, ...]:
        """Every row for the ordered pair, oldest first: a pair can be deleted and added again."""
        first, second = column1.strip().upper(), column2.strip().upper()
        rows = self._row_indexes(first, second)
        effective = self._rows.effective
        return tuple(self._edit(first, second, row) for row in sorted(rows, key=lambda row: (effective[row], row)))

    def naming(self, code: str) -> tuple[PtpEdit, ...]:
        """Every row with ``code`` in either column, by pair and date: what ``rules show`` lists.
        A scan of the column-1 codes, for a person asking, not for checking claims."""
        wanted = code.strip().upper()
        if wanted not in self._codes:
            return ()
        pairs = [(wanted, second) for second in self._rows.pairs.get(wanted, _NO_PAIRS)]
        pairs += [(first, wanted) for first, seconds in self._rows.pairs.items() if wanted in seconds]
        return tuple(edit for first, second in sorted(set(pairs)) for edit in self.edits(first, second))

    def in_force(self, column1: str, column2: str, on: date) -> PtpEdit | None:
        """The row for the ordered pair that applies on ``on``, if any."""
        first, second = column1.strip().upper(), column2.strip().upper()
        rows: Rows | None = self._rows.pairs.get(first, _NO_PAIRS).get(second)
        if rows is None:
            return None  # most pairs on a claim: keep this path short
        day = day_number(on)
        effective, deletion = self._rows.effective, self._rows.deletion
        if isinstance(rows, int):
            return self._edit(first, second, rows) if effective[rows] <= day < deletion[rows] else None
        found: int | None = None
        for row in rows:
            # Should a release ever overlap two rows of a pair, the newer one is the one CMS means.
            if effective[row] <= day < deletion[row] and (found is None or effective[row] >= effective[found]):
                found = row
        return None if found is None else self._edit(first, second, found)

    def _row_indexes(self, first: str, second: str) -> tuple[int, ...]:
        rows: Rows | None = self._rows.pairs.get(first, _NO_PAIRS).get(second)
        if rows is None:
            return ()
        return (rows,) if isinstance(rows, int) else rows

    def _edit(self, first: str, second: str, row: int) -> PtpEdit:
        rows, dates = self._rows, self._dates
        deletion = rows.deletion[row]
        table = rows.tables[0] if len(rows.tables) == 1 else rows.tables[bisect_right(rows.table_starts, row) - 1]
        return PtpEdit(
            first,
            second,
            dates[rows.effective[row]],
            None if deletion == NOT_DELETED else dates[deletion],
            rows.modifier[row],
            rows.rationale_texts[rows.rationale[row]],
            table,
            rows.line[row],
        )


def load_ptp(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> PtpTable:
    """Read the practitioner PTP file(s) of one release, e.g. ``ccipra-v323r0-f1.txt`` … ``-f4.txt``.

    Raises :class:`CodeSetError` for a missing or unreadable file, a file without data rows, and
    bad rows (all of a file's bad rows are counted, the first 10 listed with their line numbers).
    """
    sources = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not sources:
        raise CodeSetError("ptp", "no PTP files given")
    seen: dict[Path, str] = {}
    rows = PtpRows()
    for source in sources:
        file = os.fspath(source)
        path = Path(file)
        if path.resolve() in seen:
            raise CodeSetError(file, f"given twice (also as {seen[path.resolve()]}): its edits would count twice")
        seen[path.resolve()] = file
        rows.read(path, file)
    return PtpTable(_ptp_info([Path(os.fspath(source)) for source in sources]), rows)


def _ptp_info(paths: list[Path]) -> CodeSetInfo:
    named = {version for version in map(_version_in_name, paths) if version is not None}
    if len(named) > 1:
        listed = ", ".join(sorted(named))
        raise CodeSetError(os.pathsep.join(map(str, paths)), f"the files are from different releases ({listed})")
    if named:
        version = named.pop()
        label = f"CMS NCCI practitioner PTP edits v{version}"
    else:
        version = file_stem(paths[0])
        label = f"CMS NCCI practitioner PTP edits ({version})"
    return CodeSetInfo(
        name="ptp",
        version=version,
        label=label,
        source=f"CMS National Correct Coding Initiative, user-supplied {', '.join(file_label(path) for path in paths)}",
        path=os.pathsep.join(map(str, paths)),
    )


def _version_in_name(path: Path) -> str | None:
    match = _VERSION_IN_NAME.search(path.name)
    if match is None:
        return None
    major, minor, revision = match.groups()
    # Revision 0 is the quarterly release itself; a later revision corrects it within the quarter.
    return f"{major}.{minor}" if int(revision) == 0 else f"{major}.{minor}r{int(revision)}"
