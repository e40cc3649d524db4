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
from claimcheck.io.readers.text_lines import NOT_UTF8, DecodedLines, open_binary
from claimcheck.models.parse import InputProblem, ParsedClaim, parse_claim

__all__ = ["read_csv"]

REQUIRED_COLUMNS = ("claim_id", "line_number", "procedure_code", "date_of_service")
_CLAIM_COLUMNS = ("claim_id", "patient_sex", "patient_birth_date", "payer")
_LINE_COLUMNS = (
    "line_number",
    "procedure_code",
    "modifiers",
    "diagnosis_codes",
    "rendering_taxonomy",
    "rendering_npi",
    "units",
    "date_of_service",
    "place_of_service",
)
_NUMBERED = re.compile(r"^(modifier|dx)_(\d+)$")
_DELIMITERS = (",", "|", "\t", ";")


def _delimiter(header_line: str) -> str:
    return max(_DELIMITERS, key=header_line.count) if header_line else ","


def _numbered_columns(header: list[str], stem: str) -> list[int]:
    numbered = []
    for index, name in enumerate(header):
        match = _NUMBERED.match(name)
        if match and match.group(1) == stem:
            numbered.append((int(match.group(2)), index))
    return [index for _, index in sorted(numbered)]


class _Layout:
    """Where each contract field sits in the rows of one file."""

    def __init__(self, file: Path, header: list[str]) -> None:
        self.header = [h.strip().lower() for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in self.header]
        if missing:
            raise InputError(file, f"missing required column(s): {', '.join(missing)}", line=1)
        self.columns = {
            name: self.header.index(name) for name in (*_CLAIM_COLUMNS, *_LINE_COLUMNS) if name in self.header
        }
        self.modifier_columns = _numbered_columns(self.header, "modifier")
        self.dx_columns = _numbered_columns(self.header, "dx")

    def split(self, row: list[str]) -> tuple[dict[str, Any], dict[str, Any], list[InputProblem]]:
        problems = []
        if len(row) != len(self.header):
            problems.append(InputProblem("row", f"has {len(row)} fields where the header has {len(self.header)}"))
        cells = {name: row[i] for name, i in self.columns.items() if i < len(row)}
        claim = {k: cells[k] for k in _CLAIM_COLUMNS if k in cells}
        line = {k: cells[k] for k in _LINE_COLUMNS if cells.get(k, "").strip()}
        extra_modifiers = [row[i] for i in self.modifier_columns if i < len(row) and row[i].strip()]
        extra_dx = [row[i] for i in self.dx_columns if i < len(row) and row[i].strip()]
        if extra_modifiers:
            line["modifiers"] = [line["modifiers"], *extra_modifiers] if "modifiers" in line else extra_modifiers
        if extra_dx:
            line["diagnosis_codes"] = [line["diagnosis_codes"], *extra_dx] if "diagnosis_codes" in line else extra_dx
        return claim, line, problems


def _claim(claim_fields: dict[str, Any], rows: list[tuple[dict[str, Any], list[InputProblem], str]]) -> ParsedClaim:
    data = {**claim_fields, "lines": [line for line, _, _ in rows]}
    parsed = parse_claim(data, [origin for _, _, origin in rows])
    lines = tuple(
        dataclasses.replace(line, problems=(*extra, *line.problems)) if extra else line
        for line, (_, extra, _) in zip(parsed.lines, rows, strict=True)
    )
    return dataclasses.replace(parsed, lines=lines)


def _rows_of(
    row: list[str], start: int, lines: DecodedLines, layout: _Layout, delimiter: str
) -> Iterator[tuple[int, list[str], list[InputProblem]]]:
    """The row as read, or, when an unclosed quote swallowed several lines into one row of the
    wrong width, each of those lines on its own, so none of them goes unreported."""
    spanned = lines.count - start + 1
    if spanned <= 1 or len(row) == len(layout.header):
        yield start, row, []
        return
    problem = InputProblem("row", f"has an unclosed quote that runs over lines {start}-{lines.count}")
    for offset, text in enumerate(list(lines.recent)):
        cells = next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
        yield start + offset, cells, [problem]


def read_csv(path: Path) -> Iterator[ParsedClaim]:
    """Stream the claims of a CSV file in the claimcheck contract layout."""
    with open_binary(path) as binary:
        lines = DecodedLines(binary)
        physical = iter(lines)
        first = next(physical, "")
        if not first.strip():
            raise InputError(path, "is empty: expected a header row", line=1)
        if lines.bad:
            raise InputError(path, "header row " + NOT_UTF8, line=1)
        delimiter = _delimiter(first)
        layout = _Layout(path, next(csv.reader([first], delimiter=delimiter)))
        reader = csv.reader(physical, delimiter=delimiter)
        current_id: str | None = None
        claim_fields: dict[str, Any] = {}
        rows: list[tuple[dict[str, Any], list[InputProblem], str]] = []
        while True:
            start = lines.count + 1  # the row starts on the next physical line
            lines.mark()
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise InputError(path, f"cannot be parsed as CSV ({exc})", line=lines.count) from None
            for number, cells, extra in _rows_of(row, start, lines, layout, delimiter):
                if not any(cell.strip() for cell in cells):
                    continue
                claim, line, problems = layout.split(cells)
                problems.extend(extra)
                if lines.any_bad(number, number if extra else lines.count):
                    problems.append(InputProblem("row", NOT_UTF8))
                claim_id = str(claim.get("claim_id", "")).strip() or None
                if rows and (claim_id != current_id or claim_id is None):
                    yield _claim(claim_fields, rows)
                    rows = []
                if not rows:
                    current_id, claim_fields = claim_id, claim
                rows.append((line, problems, f"{path.name} line {number}"))
        if rows:
            yield _claim(claim_fields, rows)
