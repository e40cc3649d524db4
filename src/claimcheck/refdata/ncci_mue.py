"""CMS NCCI medically unlikely edits (MUE) for practitioner services, from the quarterly CSV file."""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from claimcheck.errors import CodeSetError
from claimcheck.refdata._ncci_common import BadField, BadRows, is_code, is_notice, not_a_code, open_binary
from claimcheck.refdata._ncci_wrong_files import MUE, table_in_text, wrong_table_problem
from claimcheck.refdata._reading import decode, file_label, file_stem
from claimcheck.refdata.info import CodeSetInfo

__all__ = ["MueLimit", "MueTable", "load_mue"]

_CODE_COLUMN = "hcpcs/cpt code"
_LIMIT_COLUMN = "practitioner services mue values"
_INDICATOR_COLUMN = "mue adjudication indicator"
_RATIONALE_COLUMN = "mue rationale"
_REQUIRED_COLUMNS = (_CODE_COLUMN, _LIMIT_COLUMN, _INDICATOR_COLUMN)
# "2 Date of Service Edit: Policy": the leading digit is the indicator, the words explain it.
_INDICATOR = re.compile(r"[0-9]+")
_AROUND_SLASH = re.compile(r" ?/ ?")
# int() refuses text of over 4,300 digits with a ValueError; no MUE value comes near 18.
_MAX_DIGITS = 18
_SHOWN = 40  # how much of a bad cell a message quotes
_HEAD = 1 << 16  # what is looked at to tell which file it is when it has no MUE header
_INDICATORS = (1, 2, 3)
# MCR_MUE_PractitionerServices_Eff_10-01-2026.csv: effective 2026-10-01.
_DATE_IN_NAME = re.compile(r"(?<!\d)(\d\d)-(\d\d)-(20\d\d)(?!\d)")


@dataclass(frozen=True, slots=True)
class MueLimit:
    """The most units of ``code`` a practitioner bills for one patient, per line or per day.

    ``indicator``: 1 = per claim line, 2 = per date of service (policy), 3 = per date of service
    (clinical). ``indicator_text`` is the cell as CMS wrote it; ``table`` the file name, ``line`` the
    line in it.
    """

    code: str
    limit: int
    indicator: int
    indicator_text: str
    rationale: str
    table: str
    line: int

    @property
    def per_day(self) -> bool:
        """Whether units are summed over all lines of the code on one date of service."""
        return self.indicator in (2, 3)


class MueTable:
    """The practitioner MUE values of one quarter, immutable once loaded."""

    __slots__ = ("_info", "_limits")

    def __init__(self, info: CodeSetInfo, limits: Mapping[str, MueLimit]) -> None:
        self._info = info
        self._limits: Mapping[str, MueLimit] = MappingProxyType(dict(limits))

    @property
    def info(self) -> CodeSetInfo:
        """The file's name, version and label, which the reports' ``code_sets`` and sources give."""
        return self._info

    def get(self, code: str) -> MueLimit | None:
        """The MUE row of ``code`` (trimmed, any case), or None when the table has none."""
        return self._limits.get(code.strip().upper())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def __len__(self) -> int:
        return len(self._limits)

    def __repr__(self) -> str:
        return f"MueTable(version={self._info.version!r}, codes={len(self)})"


def load_mue(path: str | os.PathLike[str]) -> MueTable:
    """Read ``MCR_MUE_PractitionerServices_Eff_<date>.csv``: copyright lines, the header, a row per code.

    Raises :class:`CodeSetError` for a missing or unreadable file, no header or no data rows, and
    bad rows (all counted, the first 10 listed with their line numbers).
    """
    file = os.fspath(path)
    source = Path(file)
    text = _text(source, file)
    # CMS's CSV, else the sheet saved from Excel as 'Text (Tab delimited)'.
    for delimiter in (",", "\t"):
        records = _records(file, text, delimiter)
        header = _find_header(records, file, source.name)
        if header is not None:
            break
    else:
        other = wrong_table_problem(table_in_text(text[:_HEAD].encode()), MUE, source.name)
        raise CodeSetError(file, other or "no header row (a row whose first cell is 'HCPCS/CPT Code')")
    limits = _read_limits(records, file, file_label(source), header)
    if not limits:
        raise CodeSetError(file, "no MUE rows after the header", line=header.line)
    return MueTable(_mue_info(source), limits)


def _text(source: Path, file: str) -> str:
    # Opened as the PTP files are: CMS's ZIP download, an Excel workbook (a ZIP too) and UTF-16
    # text get their own message, where they read as text with 'no header row'.
    try:
        with open_binary(source, file, MUE) as handle:
            raw = handle.read()
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise CodeSetError(file, f"corrupt gzip data: {exc}") from None
    except OSError as exc:
        raise CodeSetError(file, f"cannot read file: {exc.strerror or exc}") from None
    return decode(raw, file)


def _records(file: str, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    # Not strict: the copyright lines are free text, and a stray quote there must not stop the load.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CodeSetError(file, f"bad CSV: {exc}", line=reader.line_num) from None
        yield reader.line_num, row


@dataclass(frozen=True, slots=True)
class _Header:
    names: list[str]
    positions: dict[str, int]
    line: int


def _find_header(records: Iterator[tuple[int, list[str]]], file: str, file_name: str) -> _Header | None:
    """The first row whose first cell is "HCPCS/CPT Code"; rows before it are copyright text."""
    for line, row in records:
        names = [_column_name(cell) for cell in row]
        if not names or names[0] != _CODE_COLUMN:
            continue
        missing = [name for name in _REQUIRED_COLUMNS if name not in names]
        if missing:
            other = wrong_table_problem(table_in_text(" ".join(names).encode()), MUE, file_name)
            found = ", ".join(" ".join(cell.split()) for cell in row)
            problem = other or f"header lacks column(s) {', '.join(missing)}; it has {found}"
            raise CodeSetError(file, problem, line=line)
        wanted = (*_REQUIRED_COLUMNS, _RATIONALE_COLUMN)
        return _Header(names, {name: names.index(name) for name in wanted if name in names}, line)
    return None


def _column_name(cell: str) -> str:
    # CMS quotes the first header cell with a line break after the slash ("HCPCS/" CRLF "CPT Code").
    return _AROUND_SLASH.sub("/", " ".join(cell.split())).lower()


def _read_limits(
    records: Iterator[tuple[int, list[str]]], file: str, table: str, header: _Header
) -> dict[str, MueLimit]:
    positions = header.positions
    needed = max(positions[name] for name in _REQUIRED_COLUMNS) + 1
    limits: dict[str, MueLimit] = {}
    bad = BadRows()
    for line, row in records:
        if not any(cell.strip() for cell in row) or _is_notice(row):
            continue
        if _column_name(row[0]) == _CODE_COLUMN:
            _check_repeated_header(row, header, file, line)
            continue
        if len(row) < needed:
            bad.add(line, f"expected at least {needed} fields, found {len(row)}")
            continue
        cells = {name: row[index].strip() for name, index in positions.items() if index < len(row)}
        try:
            limit = _parse_row(cells, table, line)
        except BadField as problem:
            bad.add(line, str(problem))
            continue
        earlier = limits.get(limit.code)
        if earlier is not None:
            bad.add(line, f"code {limit.code} listed twice (first on line {earlier.line})")
            continue
        limits[limit.code] = limit
    bad.raise_if_any(file)
    return limits


def _is_notice(row: list[str]) -> bool:
    """CMS's AMA notice, one cell, as the tables joined with ``cat`` repeat it among the rows."""
    return not any(cell.strip() for cell in row[1:]) and is_notice(row[0])


def _check_repeated_header(row: list[str], header: _Header, file: str, line: int) -> None:
    """A header again, as the tables joined with ``cat`` repeat it: the same one is passed over;
    another table's, or the columns in another order, would be read wrong."""
    names = [_column_name(cell) for cell in row]
    if names == header.names:
        return
    other = wrong_table_problem(table_in_text(" ".join(names).encode()), MUE, "")
    where = f"the header on line {header.line}"
    problem = f"a second header, of another table: the part it heads {other}" if other else ""
    raise CodeSetError(file, problem or f"a second header row, with other columns than {where}", line=line)


def _parse_row(cells: dict[str, str], table: str, line: int) -> MueLimit:
    code = cells[_CODE_COLUMN].upper()
    if not is_code(code):
        raise BadField(not_a_code("HCPCS/CPT code", cells[_CODE_COLUMN]))
    value = cells[_LIMIT_COLUMN]
    if not (value.isascii() and value.isdigit()) or len(value) > _MAX_DIGITS:
        raise BadField(f"MUE value {_shown(value)} is not a whole number of units (0 or more)")
    indicator_text = " ".join(cells[_INDICATOR_COLUMN].split())
    match = _INDICATOR.match(indicator_text)
    indicator = int(match.group()) if match is not None and len(match.group()) <= _MAX_DIGITS else None
    if indicator not in _INDICATORS:
        raise BadField(f"MUE adjudication indicator {_shown(indicator_text)} does not start with 1, 2 or 3")
    return MueLimit(
        code=code,
        limit=int(value),
        indicator=indicator,
        indicator_text=indicator_text,
        rationale=" ".join(cells.get(_RATIONALE_COLUMN, "").split()),
        table=table,
        line=line,
    )


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


def _mue_info(path: Path) -> CodeSetInfo:
    match = _DATE_IN_NAME.search(path.name)
    if match:
        month, day, year = match.groups()
        version = f"{year}-{month}-{day}"
        label = f"CMS NCCI practitioner MUE values effective {version}"
    else:
        version = file_stem(path)
        label = f"CMS NCCI practitioner MUE values ({version})"
    return CodeSetInfo(
        name="mue",
        version=version,
        label=label,
        source=f"CMS National Correct Coding Initiative, user-supplied {file_label(path)}",
        path=str(path),
    )
