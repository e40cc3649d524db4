"""Which CSV files the batch pipeline can read with Arrow, decided from the header alone.

Kept free of Arrow and numpy, so that asking costs nothing when the answer is no.
"""

from __future__ import annotations

from pathlib import Path

from claimcheck.io.readers import detect_format
from claimcheck.io.readers.layouts import CLAIM_FIELDS, LINE_FIELDS, ColumnLayout

__all__ = ["FIELDS", "REQUIRED", "column_names", "fast_columns", "fast_eligible"]

FIELDS = (*CLAIM_FIELDS, *LINE_FIELDS)
REQUIRED = ("claim_id", "line_number", "procedure_code", "date_of_service")
_OTHER_DELIMITERS = ("|", "\t", ";")
# Column names the claimcheck layout also accepts (modifier_1, dx_1 ...): the per-line reader
# merges them, so a file that has them is left to it.
_ALTERNATE = ("modifier_", "dx_")


def column_names(names: list[str]) -> dict[str, str]:
    """Field → column name, matching names without regard to case (the first column wins)."""
    found: dict[str, str] = {}
    for name in names:
        field = name.strip().lower()
        if field in FIELDS and field not in found:
            found[field] = name
    return found


def fast_columns(path: Path) -> list[str] | None:
    """The header of ``path`` when the fast reader can take it: comma-separated, UTF-8, the
    claimcheck layout's own column names (any case, extra columns ignored); None otherwise."""
    try:
        with path.open("rb") as stream:
            first = stream.readline(1 << 16)
    except OSError:
        return None
    try:
        header = first.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        return None
    if header.startswith("\ufeff") or '"' in header or "," not in header:
        return None
    if any(header.count(d) > header.count(",") for d in _OTHER_DELIMITERS):
        return None
    names = header.split(",")
    lowered = [n.strip().lower() for n in names]
    if len(set(lowered)) != len(lowered) or any(n.startswith(_ALTERNATE) for n in lowered):
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
