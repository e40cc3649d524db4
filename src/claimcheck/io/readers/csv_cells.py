"""What a CSV cell's text says, beyond the text itself, before the claim models read it.

Shared by the per-line CSV reader and the batch road (Arrow's reader, ``validate_batch``), which
read a text column as the cells of a CSV file: both must read a cell alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from claimcheck.models.parse import InputProblem

__all__ = [
    "HEADER_AGAIN",
    "NULL_MARKER",
    "WHOLE_FIELDS",
    "not_utf8",
    "repeats_header",
    "whole_spelling",
    "without_null_markers",
    "without_time",
]

# Fields that hold whole numbers or codes of digits. pandas writes a numeric column with an empty
# cell as floats (line number 2.0, NPI 1234567893.0, place of service 11.0, modifier 59.0), the
# same numbers validate() reads as 2, "1234567893", "11" and "59" when handed the floats; the text
# failed the line (2.0 "must be a whole number", 11.0 "is not a place-of-service code").
WHOLE_FIELDS = frozenset({"line_number", "procedure_code", "modifiers", "rendering_npi", "place_of_service"})
_WHOLE = re.compile(r"([0-9]+)\.0+", re.ASCII)
# Modifiers share a cell, split as the model splits them: each code on its own.
_WHOLE_ITEM = re.compile(r"(?<![^\s,:;])([0-9]+)\.0+(?![^\s,:;])", re.ASCII)


def whole_spelling(field: str, text: str) -> str:
    """``text`` (stripped) with a whole number written as a float (``2.0``, ``1.00``) written as
    its digits, for the fields in ``WHOLE_FIELDS``; a fraction (``1.5``) is left as written, to
    fail as it does. ``units`` reads ``1.0`` as a number already."""
    if field not in WHOLE_FIELDS or "." not in text:
        return text
    if field == "modifiers":
        return _WHOLE_ITEM.sub(r"\1", text)
    whole = _WHOLE.fullmatch(text)
    return whole[1] if whole else text


# Files joined one after another (cat jan.csv feb.csv) hold the second file's header as a row: it
# is no claim line, and its "line_number must be a whole number" findings did not say what it was.
HEADER_AGAIN = InputProblem(
    "row", "repeats the header row, as files joined one after another do: it holds no line", True
)


# The NULL of database exports (PostgreSQL's COPY text format, MySQL's SELECT ... INTO OUTFILE): a
# cell holding it alone holds no value. Read as text, "\N is not a CMS place-of-service code".
NULL_MARKER = "\\N"


def without_null_markers(cells: list[str]) -> list[str]:
    """``cells`` with each that holds ``NULL_MARKER`` alone (blanks aside) made empty."""
    if not any(NULL_MARKER in cell for cell in cells):
        return cells
    return ["" if cell.strip() == NULL_MARKER else cell for cell in cells]


def not_utf8(columns: Sequence[str]) -> InputProblem:
    """The problem of a row with bytes that are not UTF-8 (read as U+FFFD) in ``columns``."""
    return InputProblem(
        "row", f"is not UTF-8 text in {', '.join(columns)} (the bytes that could not be read were replaced)"
    )


def repeats_header(cells: Sequence[str], header: Sequence[str]) -> bool:
    """Whether a row's cells are the header's names again (case and blanks aside)."""
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        return False
    padded = [*cells, *[""] * (len(header) - len(cells))]
    return all(_name(cell) == _name(name) for cell, name in zip(padded, header, strict=False))


def _name(text: str) -> str:
    return text.strip().strip("\ufeff").strip().lower()


# A date with its time of day, as SQL and pandas export datetime columns (2026-03-10 00:00:00,
# 2026-03-10T14:30:00.000Z, 3/10/2026 12:00:00 AM): validate() reads a datetime as its day, and
# validate_batch a timestamp; as text every line failed "must be a date written YYYY-MM-DD".
_TIME_OF_DAY = re.compile(
    r"(\S+)[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?: ?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?",
    re.ASCII,
)


def without_time(text: str) -> str:
    """``text`` without a time of day after its date; ``text`` when it has none."""
    timed = _TIME_OF_DAY.fullmatch(text)
    return timed[1] if timed else text
