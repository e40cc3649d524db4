"""Reading NCCI PTP text files into columns: the loader behind :func:`claimcheck.refdata.ncci.load_ptp`.

Dates are kept as YYYYMMDD ints, codes as interned strings, rationales once each; nothing per row
is a Python object except the pair index entry.
"""

from __future__ import annotations

import codecs
import sys
import zlib
from array import array
from collections.abc import Iterator
from datetime import date
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from claimcheck.errors import CodeSetError
from claimcheck.refdata._ncci_common import BadField, BadRows, is_code, is_notice, not_a_code, open_binary, text_of
from claimcheck.refdata._ncci_wrong_files import CHANGES_REPORT, hospital_ptp_problem, ptp_without_rows_problem
from claimcheck.refdata._reading import file_label

__all__ = ["NOT_DELETED", "PtpRows", "Rows", "as_date", "day_number"]

# Above every YYYYMMDD, so "on < deletion" holds for edits that were never deleted.
NOT_DELETED = 99_999_999
_MODIFIER_INDICATORS = {"0": 0, "1": 1, "9": 9}
_PRIOR_1996_MARKS = {"*", ""}
_MIN_FIELDS = 6  # the rationale, last, is sometimes cut off with the trailing tabs
_SHORT_LINE = 200  # how much of a line a "too few fields" message quotes
_SNIFF = 1 << 16  # what is read ahead to tell the line ends
_CHUNK = 1 << 20
_HEAD_LINES = 64  # what is kept to tell which file it is when it has no PTP rows
# Words of the header's lines ("*=in existence" / "prior to 1996", ...).
_HEADER_WORDS = (
    "column1/column2",
    "column 1 column 2",
    "prior to 1996",
    "*=no data",
    "=not allowed",
    "=allowed",
    "=not applicable",
)
_NO_DATA_ROWS = "no PTP data rows (tab-separated: column 1, column 2, *, dates, ...)"

# A pair's rows: one row index, or a tuple of them when the pair was deleted and added again.
Rows = int | tuple[int, ...]


def day_number(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def as_date(number: int) -> date:
    return date(number // 10_000, number // 100 % 100, number % 100)


class PtpRows:
    """Rows read so far, as columns; mutable only while loading."""

    def __init__(self) -> None:
        self.pairs: dict[str, dict[str, Rows]] = {}
        self.effective = array("I")
        self.deletion = array("I")
        self.modifier = array("B")
        self.rationale = array("I")
        self.line = array("I")
        self.rationale_texts: list[str] = []
        self.tables: list[str] = []
        self.table_starts: list[int] = []
        # Validated raw field -> value. Only a few thousand distinct codes, dates and rationales
        # occur, so each is checked once and every later row costs a dict lookup per field.
        self.codes: dict[bytes, str] = {}
        self._dates: dict[bytes, int] = {}
        self._deletions: dict[bytes, int] = {b"*": NOT_DELETED}
        self._modifiers = {raw.encode(): value for raw, value in _MODIFIER_INDICATORS.items()}
        self._priors = {raw.encode() for raw in _PRIOR_1996_MARKS}
        self._rationales: dict[bytes, int] = {}
        self._rationale_ids: dict[str, int] = {}

    def read(self, path: Path, file: str) -> None:
        bad = BadRows()
        try:
            with open_binary(path, file) as handle:
                # After the ZIP check: CMS's download of the hospital edits is named ccioph too.
                hospital = hospital_ptp_problem(path.name)
                if hospital is not None:
                    raise CodeSetError(file, hospital)
                lines = enumerate(_lines(handle), start=1)
                head: list[bytes] = []
                first = _first_data_row(lines, head)
                if first is None:
                    raise CodeSetError(file, ptp_without_rows_problem(b"\n".join(head), path.name) or _NO_DATA_ROWS)
                if _without_dates(first[1]):
                    raise CodeSetError(file, CHANGES_REPORT)
                self.tables.append(file_label(path))
                self.table_starts.append(len(self.line))
                self._read_rows(chain([first], lines), bad)
        except (OSError, EOFError, zlib.error) as exc:  # includes a corrupt gzip stream
            raise CodeSetError(file, f"cannot read file: {getattr(exc, 'strerror', None) or exc}") from None
        bad.raise_if_any(file)

    def day_numbers(self) -> set[int]:
        """Every date (YYYYMMDD) in some row, the "not deleted" mark aside."""
        return {*self._dates.values(), *self._deletions.values()} - {NOT_DELETED}

    def _read_rows(self, lines: Iterator[tuple[int, bytes]], bad: BadRows) -> None:
        # The hot loop: ~1.5 million rows. Valid rows take the dict lookups below; anything else
        # (first sight of a value, spaces, a short or blank line, a bad value) goes through _parse.
        codes, dates, deletions = self.codes, self._dates, self._deletions
        modifiers, priors, rationales = self._modifiers, self._priors, self._rationales
        add_effective, add_deletion = self.effective.append, self.deletion.append
        add_modifier, add_rationale, add_line = self.modifier.append, self.rationale.append, self.line.append
        pairs = self.pairs
        row = len(self.line)
        for number, raw in lines:
            fields = raw.rstrip(b"\r\n").split(b"\t")
            try:
                column1 = codes[fields[0]]
                column2 = codes[fields[1]]
                effective = dates[fields[3]]
                deletion = deletions[fields[4]]
                modifier = modifiers[fields[5]]
                rationale = rationales[fields[6] if len(fields) > _MIN_FIELDS else b""]
                fast = effective <= deletion and fields[2] in priors
            except (KeyError, IndexError):
                fast = False
            if not fast:
                parsed = self._parse(fields)
                if parsed is None:
                    continue
                if isinstance(parsed, str):
                    if not _is_preamble(fields):
                        bad.add(number, parsed)
                    continue
                column1, column2, effective, deletion, modifier, rationale = parsed
            add_effective(effective)
            add_deletion(deletion)
            add_modifier(modifier)
            add_rationale(rationale)
            add_line(number)
            inner = pairs.get(column1)
            if inner is None:
                inner = pairs[column1] = {}
            existing = inner.setdefault(column2, row)
            if existing != row:
                inner[column2] = (existing, row) if isinstance(existing, int) else (*existing, row)
            row += 1

    def _parse(self, fields: list[bytes]) -> tuple[str, str, int, int, int, int] | str | None:
        """A row's values, its problem for the bad-row report, or None for a blank line.

        Remembers each valid raw field, so the next row holding it takes the fast path.
        """
        if not any(field.strip() for field in fields):
            return None
        if len(fields) < _MIN_FIELDS:
            return f"expected at least {_MIN_FIELDS} tab-separated fields, found {len(fields)}: {_quote(fields)}"
        try:
            column1 = self._code(fields[0], "column 1")
            column2 = self._code(fields[1], "column 2")
            prior = _cell(fields[2])
            if prior not in _PRIOR_1996_MARKS:
                raise BadField(f"'in existence prior to 1996' {prior!r} is not * or empty")
            self._priors.add(fields[2])
            effective = self._date(fields[3], "effective date", self._dates, "YYYYMMDD")
            deletion = self._deletion(fields[4])
            modifier = self._modifier(fields[5])
        except BadField as problem:
            return str(problem)
        if deletion < effective:
            return f"deletion date {as_date(deletion)} is before effective date {as_date(effective)}"
        rationale = self._rationale(fields[6] if len(fields) > _MIN_FIELDS else b"")
        return column1, column2, effective, deletion, modifier, rationale

    def _code(self, raw: bytes, field: str) -> str:
        text = _cell(raw)
        if not is_code(text.upper()):
            raise BadField(not_a_code(field, text))
        code = self.codes[raw] = sys.intern(text.upper())
        return code

    def _date(self, raw: bytes, field: str, cache: dict[bytes, int], allowed: str) -> int:
        text = _cell(raw)
        if len(text) == 8 and text.isascii() and text.isdigit():
            try:
                as_date(int(text))
            except ValueError:
                pass  # month or day out of range
            else:
                cache[raw] = int(text)
                return int(text)
        raise BadField(f"{field} {text!r} is not a date ({allowed})")

    def _deletion(self, raw: bytes) -> int:
        if _cell(raw) == "*":
            self._deletions[raw] = NOT_DELETED
            return NOT_DELETED
        return self._date(raw, "deletion date", self._deletions, "YYYYMMDD, or * when not deleted")

    def _modifier(self, raw: bytes) -> int:
        text = _cell(raw)
        if text not in _MODIFIER_INDICATORS:
            raise BadField(f"modifier indicator {text!r} is not 0, 1 or 9")
        self._modifiers[raw] = _MODIFIER_INDICATORS[text]
        return _MODIFIER_INDICATORS[text]

    def _rationale(self, raw: bytes) -> int:
        text = " ".join(_cell(raw).split())
        index = self._rationale_ids.get(text)
        if index is None:
            index = self._rationale_ids[text] = len(self.rationale_texts)
            self.rationale_texts.append(text)
        self._rationales[raw] = index
        return index


def _lines(handle: BinaryIO) -> Iterator[bytes]:
    """The file's lines, ended by LF or CRLF, or by CR alone as Excel for Mac saves tab-delimited text."""
    head = handle.peek(_SNIFF)[:_SNIFF]  # type: ignore[attr-defined]  # buffered and gzip files peek
    if b"\n" in head or head.count(b"\r") < 2:
        return handle  # the file's own iterator: no generator step per row in the loader's hot loop
    return _cr_lines(handle)


def _cr_lines(handle: BinaryIO) -> Iterator[bytes]:
    rest = b""
    while chunk := handle.read(_CHUNK):
        *lines, rest = (rest + chunk).split(b"\r")
        yield from lines
    if rest:
        yield rest


def _first_data_row(lines: Iterator[tuple[int, bytes]], head: list[bytes]) -> tuple[int, bytes] | None:
    """Every line before the first data row is copyright text or the (one or two line) header;
    the first lines are kept in ``head``, to tell what file it is when there is no data row."""
    for number, raw in lines:
        line = raw.removeprefix(codecs.BOM_UTF8) if number == 1 else raw
        if number <= _HEAD_LINES:
            head.append(line[:_SNIFF])  # a line of a binary file may be all of it
        if _looks_like_data(line.rstrip(b"\r\n").split(b"\t")):
            return number, line
    return None


def _looks_like_data(fields: list[bytes]) -> bool:
    """Codes in columns 1 and 2, or a YYYYMMDD effective date: no copyright or header line has
    either, so a first row with one bad field is still read as data and reported, not skipped
    as preamble (a mistyped code in the first row dropped its edit without a word)."""
    if len(fields) < 2:
        return False
    first, second = (_cell(fields[i]) for i in (0, 1))
    if is_code(first.upper()) and is_code(second.upper()):
        return True
    effective = _cell(fields[3]) if len(fields) > 3 else ""
    return len(effective) == 8 and effective.isascii() and effective.isdigit()


def _without_dates(line: bytes) -> bool:
    """Column 1, column 2 and a modifier indicator alone: each row would be a bad row."""
    fields = [_cell(field) for field in line.rstrip(b"\r\n").split(b"\t")]
    while fields and not fields[-1]:
        fields.pop()
    return len(fields) == 3 and fields[2] in _MODIFIER_INDICATORS


def _is_preamble(fields: list[bytes]) -> bool:
    """A line of CMS's AMA notice or column header among the rows, as ``cat`` of the f1..f4 files
    leaves them: no code in either column, and words of the notice or header. Any other line that
    is no row stays a bad row, so that a row with a mistyped code is not passed over."""
    if any(is_code(_cell(field).upper()) for field in fields[:2]):
        return False
    text = " ".join(text_of(b" ".join(fields)).lower().split())
    return is_notice(text) or any(words in text for words in _HEADER_WORDS)


def _cell(raw: bytes) -> str:
    """A field's text, trimmed, without the double quotes that R's write.table or a spreadsheet
    saving tab-separated text puts around it (a quote inside is doubled there)."""
    text = text_of(raw).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"').strip()
    return text


def _quote(fields: list[bytes]) -> str:
    text = text_of(b"\t".join(fields)).strip()
    return repr(text if len(text) <= _SHORT_LINE else text[:_SHORT_LINE] + "...")
