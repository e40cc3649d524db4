"""Which CSV files the batch pipeline can read with Arrow, decided from the header alone.

Kept free of Arrow and numpy, so that asking costs nothing when the answer is no.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from claimcheck.io.readers import detect_format
from claimcheck.io.readers.layouts import CLAIM_FIELDS, LINE_FIELDS, LIST_FIELDS, ColumnLayout, load_layout
from claimcheck.models.parse import InputProblem

__all__ = [
    "FIELDS",
    "REQUIRED",
    "column_names",
    "fast_columns",
    "fast_eligible",
    "list_columns",
    "past_columns",
    "read_columns",
]

FIELDS = (*CLAIM_FIELDS, *LINE_FIELDS)
REQUIRED = ("claim_id", "line_number", "procedure_code", "date_of_service")
_OTHER_DELIMITERS = ("|", "\t", ";")


@functools.cache
def _list_sources() -> dict[str, tuple[str, ...]]:
    """The columns the claimcheck layout reads each list field from, in order: ``modifiers``,
    ``modifier_1`` ... and ``diagnosis_codes``, ``dx_1`` ..."""
    layout = load_layout("claimcheck")
    return {field: tuple(name.lower() for name in layout.columns[field]) for field in LIST_FIELDS}


def list_columns(names: list[str]) -> dict[str, list[str]]:
    """For modifiers and diagnosis codes, the columns of ``names`` that hold them, in the
    layout's order, matched without regard to case (the first of a repeated name wins; ``dx_01``
    stands for ``dx_1`` where there is no ``dx_1``, as in the CSV reader)."""
    index = load_layout("claimcheck").column_positions(names)
    return {
        field: [names[index[source]] for source in sources if source in index]
        for field, sources in _list_sources().items()
    }


def past_columns(names: list[str]) -> list[tuple[str, InputProblem]]:
    """The columns of ``names`` past the claimcheck layout's last modifier or diagnosis column
    (``modifier_6``, ``dx_26``), each with the problem a value there is, as the CSV reader says it."""
    return [
        (names[position], InputProblem(name, message, unchecked=True))
        for position, name, message in load_layout("claimcheck").past_columns(names)
    ]


def read_columns(names: list[str]) -> list[str]:
    """Every column of ``names`` the claimcheck layout reads or warns of."""
    lists = list_columns(names)
    wanted = {*column_names(names).values(), *(name for columns in lists.values() for name in columns)}
    wanted |= {name for name, _ in past_columns(names)}
    return [name for name in names if name in wanted]


def column_names(names: list[str]) -> dict[str, str]:
    """Field → column name, matching names without regard to case (the first column wins)."""
    found: dict[str, str] = {}
    for name in names:
        field = name.strip().lower()
        if field in FIELDS and field not in found:
            found[field] = name
    return found


def fast_columns(path: Path) -> list[str] | None:
    """The header of ``path`` when the fast reader can take it: comma-separated, UTF-8 (a BOM
    before it and quoted names allowed), the claimcheck layout's own column names (any case,
    extra columns ignored); None otherwise."""
    try:
        with path.open("rb") as stream:
            first = stream.readline(1 << 16)
    except OSError:
        return None
    try:
        # Arrow passes over a BOM and reads quoted names as the csv module does.
        header = first.decode("utf-8").removeprefix("\ufeff").rstrip("\r\n")
    except UnicodeDecodeError:
        return None
    # A quote left open, or a lone CR, makes the header more than one line, where the rows'
    # line numbers counted from line 2 would be wrong.
    if header.count('"') % 2 or "\r" in header or "," not in header:
        return None
    if any(header.count(d) > header.count(",") for d in _OTHER_DELIMITERS):
        return None
    try:
        # Strict: a line that ends inside a quote goes on to the next line, however many quotes
        # it holds (a"b,"c: a quote inside an unquoted name evens the count).
        names = next(csv.reader([header], strict=True))
    except csv.Error:
        return None
    lowered = [n.strip().lower() for n in names]
    if len(set(lowered)) != len(lowered):
        return None
    found = column_names(names)
    if any(field not in found for field in REQUIRED):
        return None
    return names


def fast_eligible(path: Path, input_format: str | None, columns: ColumnLayout | None, engine: str) -> list[str] | None:
    """The header of ``path`` when the batch pipeline takes the file, None when it does not:
    the compiled engine, CSV in the claimcheck layout, no column layout named."""
    if engine != "compiled" or columns is not None or input_format not in (None, "csv"):
        return None
    if input_format is None and detect_format(path) != "csv":
        return None
    return fast_columns(path)
