"""The CSV contract: one row per claim line, header names case-insensitive, extra columns ignored.

Consecutive rows with the same ``claim_id`` form one claim. A row that cannot be read still
yields a line (with ``input`` findings), so the report has exactly one row per input row.
"""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimcheck.errors import InputError
from claimcheck.io.readers.claim_rows import differing_fields
from claimcheck.io.readers.csv_cells import (
    HEADER_AGAIN,
    not_utf8,
    repeats_header,
    whole_spelling,
    without_null_markers,
)
from claimcheck.io.readers.csv_lines import each_line, rows_of
from claimcheck.io.readers.csv_lines import split_line as _split_line  # tests split lines with it
from claimcheck.io.readers.layouts import (
    CLAIM_FIELDS,
    DATE_FIELDS,
    LINE_FIELDS,
    LIST_FIELDS,
    SHIPPED_LAYOUTS,
    ColumnLayout,
    detect_layout,
    load_layout,
)
from claimcheck.io.readers.text_lines import (
    GZIP,
    NOT_UTF8,
    UTF16,
    UTF32,
    ZIP,
    DecodedLines,
    not_text,
    open_binary,
)
from claimcheck.models.parse import InputProblem, ParsedClaim, ParsedLine, parse_claim

__all__ = ["read_csv"]

_DELIMITERS = (",", "|", "\t", ";")
_EXCEL_SEP = re.compile(r'"?sep=(.)"?,*', re.IGNORECASE)  # a sep=; line, as Excel reads it
_ICD9 = "uses ICD-9-CM codes, which are not supported (only ICD-10-CM)"
# How compressed files begin once decoded as the header line (gzip's second byte, 8b, is not
# UTF-8): exports are often shipped so, and "not UTF-8 text" would not tell the user why.
_COMPRESSED = {"\x1f\ufffd": GZIP, "PK\x03\x04": ZIP}


def _delimiter(header_line: str) -> str:
    # Also when a layout names a delimiter the header lacks: split on it, the header would be one
    # column and every column of the layout missing (a comma copy of a pipe-delimited RIF file).
    return max(_DELIMITERS, key=header_line.count) if header_line else ","


class _Layout:
    """Where each field of a column layout sits in the rows of one file."""

    def __init__(self, file: Path, header: list[str], layout: ColumnLayout | None, line: int = 1) -> None:
        # A BOM left in a name (one written twice, or inside the first quotes) is no part of it.
        self.header = [h.strip().strip("\ufeff").strip() for h in header]
        chosen = layout or detect_layout(self.header)
        if chosen is None:
            contract = load_layout("claimcheck")
            missing = ", ".join(contract.missing_columns(self.header))
            raise InputError(
                file,
                f"missing required column(s): {missing}; for another layout name it with --columns "
                f"(shipped: {', '.join(SHIPPED_LAYOUTS)}) or a columns map file",
                line=line,
            )
        missing = chosen.missing_columns(self.header)
        if missing:
            raise InputError(
                file,
                f"missing required column(s) of layout {chosen.name}: {chosen.describe_columns(missing)}",
                line=line,
            )
        if layout is not None and not layout.shipped:
            # A user's own map names the columns of one export: a column the header lacks is a
            # typo that would silently leave its field empty and its checks unrun.
            absent = layout.absent_columns(self.header)
            if absent:
                raise InputError(
                    file,
                    f"the columns map {layout.name} names column(s) the header does not have: {', '.join(absent)}; "
                    f"the header has: {', '.join(self.header)}",
                    line=line,
                )
        self.layout = chosen
        index = chosen.column_positions(self.header)
        self.fields = {
            field: [(column, index[column.lower()]) for column in columns if column.lower() in index]
            for field, columns in chosen.columns.items()
        }
        self._positions = [(field, [p for _, p in columns]) for field, columns in self.fields.items()]
        self._read = {p for _, positions in self._positions for p in positions}
        flags = chosen.icd9_flags
        self.icd9_values = frozenset(v.lower() for v in flags.values) if flags else frozenset()
        self.icd9_flag: dict[str, int] = {}
        if flags:
            for column, _ in self.fields.get("diagnosis_codes", ()):
                flag = flags.columns.get(column, flags.columns.get("*"))
                if flag is not None and flag.lower() in index:
                    self.icd9_flag[column] = index[flag.lower()]
        self._read |= set(self.icd9_flag.values())
        self.past = [
            (p, InputProblem(name, message, unchecked=True)) for p, name, message in chosen.past_columns(self.header)
        ]

    def not_utf8(self, row: list[str]) -> InputProblem | None:
        """The problem of a row with bytes that are not UTF-8 (read as U+FFFD) in a column read or
        past the header, naming them; bytes in columns no field is read from change no finding."""
        named = [
            self.header[p] if p < len(self.header) else f"cell {p + 1} (past the header)"
            for p, cell in enumerate(row)
            if "\ufffd" in cell and (p in self._read or p >= len(self.header))
        ]
        return not_utf8(named) if named else None

    def dates_explained(self, problems: tuple[InputProblem, ...]) -> tuple[InputProblem, ...]:
        """``problems`` with a date the contract could not read said in the terms of a columns
        map's own ``date_formats``: the contract's "written YYYY-MM-DD" is not what the map asked.
        The claimcheck layout keeps the contract's words, which the batch engine gives too."""
        unread = [p for p in problems if p.field in DATE_FIELDS and p.message.endswith("written YYYY-MM-DD")]
        if not unread or self.layout is load_layout("claimcheck"):
            return problems
        layout = self.layout
        message = f"is not a date written as columns map {layout.name} reads them ({', '.join(layout.date_formats)})"
        return tuple(InputProblem(p.field, message) if p in unread else p for p in problems)

    def _diagnoses(self, row: list[str], problems: list[InputProblem]) -> list[str]:
        codes: list[str] = []
        icd9 = False
        for column, position in self.fields.get("diagnosis_codes", ()):
            value = row[position].strip()
            if not value:
                continue
            flag = self.icd9_flag.get(column)
            if flag is not None and row[flag].strip().lower() in self.icd9_values:
                icd9 = True
            elif value not in codes:
                codes.append(value)
        if icd9:
            problems.append(InputProblem("diagnosis_codes", _ICD9))
        return codes

    def split(self, row: list[str]) -> tuple[dict[str, Any], dict[str, Any], list[InputProblem]]:
        problems: list[InputProblem] = []
        width = len(self.header)
        if len(row) != width:
            if len(row) < width or any(cell.strip() for cell in row[width:]):
                problems.append(InputProblem("row", f"has {len(row)} fields where the header has {width}"))
            row = row + [""] * (width - len(row))  # every position below is a header column's
        # A modifier or diagnosis in a column past the layout's last one is not read: a warning,
        # as the X12 reader gives for a fifth modifier, rather than a code lost without a word.
        problems.extend(problem for p, problem in self.past if row[p].strip())
        values: dict[str, Any] = {}
        for field, positions in self._positions:
            if field == "diagnosis_codes":
                value: Any = self._diagnoses(row, problems)
            elif field in LIST_FIELDS:
                value = [whole_spelling(field, cell) for p in positions if (cell := row[p].strip())]
            else:
                value = ""
                for p in positions:
                    if cell := row[p].strip():
                        value = self.layout.parse_date(cell) if field in DATE_FIELDS else whole_spelling(field, cell)
                        break
            if value:
                values[field] = value
        claim = {k: values[k] for k in CLAIM_FIELDS if k in values}
        if "claim_id" not in claim:
            claim["claim_id"] = ""
        line = {k: values[k] for k in LINE_FIELDS if k in values}
        return claim, line, problems


def _claim(
    claim_fields: dict[str, Any], rows: list[tuple[dict[str, Any], list[InputProblem], str]], layout: _Layout
) -> ParsedClaim:
    data = {**claim_fields, "lines": [line for line, _, _ in rows]}
    parsed = parse_claim(data, [origin for _, _, origin in rows])
    lines = tuple(
        dataclasses.replace(line, problems=(*extra, *layout.dates_explained(line.problems)))
        if extra or line.problems
        else line
        for line, (_, extra, _) in zip(parsed.lines, rows, strict=True)
    )
    return dataclasses.replace(parsed, lines=lines, problems=layout.dates_explained(parsed.problems))


def read_csv(path: Path, layout: ColumnLayout | None = None, *, skip_rows: int = 0) -> Iterator[ParsedClaim]:
    """Stream the claims of a delimited file: the claimcheck contract, a shipped layout found from
    the header, or the ``layout`` given (``--columns``). ``skip_rows`` data rows (blank rows not
    counted) are passed over unread: another reader has checked them already."""
    with open_binary(path) as binary:
        # Named by its first bytes, as detection names it: with --input-format csv, a workbook or
        # a Parquet file was "header row is not UTF-8 text".
        peek = getattr(binary, "peek", None)
        packed = not_text(peek(4)[:4]) if peek is not None else None
        if packed is not None:
            raise InputError(path, packed)
        lines = DecodedLines(binary)
        physical = iter(lines)
        first = next(physical, "")
        while first and not first.strip():  # blank lines above the header, as some reports write
            first = next(physical, "")
        if not first.strip():
            raise InputError(path, "is empty: expected a header row", line=1)
        for magic, problem in _COMPRESSED.items():
            if first.startswith(magic):
                raise InputError(path, problem)
        if first.count("\x00") * 3 > len(first):  # NULs beside each letter, even with no BOM
            raise InputError(path, UTF32 if first.count("\x00") * 3 > 2 * len(first) else UTF16)
        if lines.bad:
            raise InputError(path, "header row " + NOT_UTF8, line=lines.count)
        # Exports meant for Excel name their delimiter on a line of its own above the header.
        hint = _EXCEL_SEP.fullmatch(first.strip())
        if hint:
            first = next(physical, "")
            if not first.strip():
                raise InputError(path, "has no header row after its sep= line", line=lines.count)
        if hint and hint[1] in first:
            delimiter = hint[1]
        elif layout and layout.delimiter and layout.delimiter in first:
            delimiter = layout.delimiter
        else:
            delimiter = _delimiter(first)
        columns = _Layout(path, next(csv.reader([first], delimiter=delimiter)), layout, lines.count)
        reader = csv.reader(physical, delimiter=delimiter)
        current_id: str | None = None
        claim_fields: dict[str, Any] = {}
        rows: list[tuple[dict[str, Any], list[InputProblem], str]] = []
        while True:
            start = lines.count + 1  # the row starts on the next physical line
            lines.mark()
            try:
                read = rows_of(next(reader), start, lines, len(columns.header), delimiter)
            except StopIteration:
                break
            except csv.Error:
                # A quote left open ran into csv's field size limit: report the lines it
                # swallowed one by one and read on from the next line. A field that long on
                # one line of its own is no such quote: Arrow reads it, and so does this reader.
                if lines.count < start:
                    raise InputError(path, "cannot be parsed as CSV", line=start) from None
                cells = _split_line(lines.recent[0], delimiter) if lines.count == start else None
                read = iter([(start, cells, [])]) if cells is not None else each_line(start, lines, delimiter)
                reader = csv.reader(physical, delimiter=delimiter)
            for number, cells, extra in read:
                if not any(cell.strip() for cell in cells):
                    continue
                if skip_rows:
                    skip_rows -= 1
                    continue
                if repeats_header(cells, columns.header):
                    if rows:
                        yield _claim(claim_fields, rows, columns)
                        rows = []
                    yield ParsedClaim(
                        None, (ParsedLine(None, None, None, (HEADER_AGAIN,), f"{path.name} line {number}"),)
                    )
                    continue
                # A row of markers only is a row of the table, unlike a blank one: checked, every field empty.
                claim, line, problems = columns.split(without_null_markers(cells))
                problems.extend(extra)
                if lines.any_bad(number, number if extra else lines.count) and (bad := columns.not_utf8(cells)):
                    problems.append(bad)
                claim_id = str(claim.get("claim_id", "")).strip() or None
                if rows and (claim_id != current_id or claim_id is None):
                    yield _claim(claim_fields, rows, columns)
                    rows = []
                if not rows:
                    current_id, claim_fields = claim_id, claim
                else:
                    problems.extend(differing_fields(claim_fields, claim, rows[0][2]))
                rows.append((line, problems, f"{path.name} line {number}"))
        if rows:
            yield _claim(claim_fields, rows, columns)
