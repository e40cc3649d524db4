"""Row masks of a batch in the claimcheck layout: where claims start, which rows hold a value."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from claimcheck.io.batch.text import as_text
from claimcheck.io.readers.claim_rows import REPEATED_FIELDS
from claimcheck.models.invisible import describe_invisible

__all__ = ["claims", "filled", "holding", "retold", "unseen"]


def retold(raw: Mapping[str, pa.Array], starts: np.ndarray) -> np.ndarray:
    """Rows whose claim fields are not blank and not written as on their claim's first row: they
    may give the claim another patient or payer, which the per-line way reports."""
    rows = len(raw["claim_id"])
    mask = np.zeros(rows, dtype=bool)
    if rows < 2:
        return mask
    first = pa.array(np.repeat(starts, np.diff(np.append(starts, rows))))
    for field in REPEATED_FIELDS:
        cells = pc.utf8_trim_whitespace(raw[field].fill_null(""))
        differs = pc.and_(pc.greater(pc.utf8_length(cells), 0), pc.not_equal(cells, cells.take(first)))
        mask |= differs.to_numpy(zero_copy_only=False)
    return mask


def unseen(text: pa.Array) -> np.ndarray:
    """Which rows of ``text`` hold, within their blanks, a character no one can see, which the
    claim models refuse (a claim id read by Arrow kernels is looked at here). Only cells with a
    character outside printable ASCII are looked at one by one."""
    suspect = pc.fill_null(pc.invert(pc.ascii_is_printable(text)), False)
    mask = np.array(suspect.to_numpy(zero_copy_only=False), dtype=bool)
    rows = np.flatnonzero(mask)
    if len(rows):
        cells = text.take(pa.array(rows)).to_pylist()
        mask[rows] = [describe_invisible(cell.strip()) is not None for cell in cells]
    return mask


def filled(text: pa.Array) -> np.ndarray:
    """Which rows of ``text`` hold something other than blanks."""
    cells = pc.utf8_trim_whitespace(text)
    return pc.fill_null(pc.greater(pc.utf8_length(cells), 0), False).to_numpy(zero_copy_only=False)


def claims(column: pa.Array) -> tuple[np.ndarray, list[str | None], np.ndarray]:
    """Where claims start (consecutive rows with one claim id form a claim; a row without an id
    is a claim of its own), each claim's id, and which rows have an id."""
    ids = pc.utf8_trim_whitespace(column.fill_null(""))
    has_id = pc.greater(pc.utf8_length(ids), 0).to_numpy(zero_copy_only=False)
    rows = len(ids)
    new_claim = np.ones(rows, dtype=bool)
    if rows > 1:
        differs = pc.not_equal(ids.slice(1), ids.slice(0, rows - 1)).to_numpy(zero_copy_only=False)
        new_claim[1:] = differs | ~has_id[1:] | ~has_id[:-1]
    starts = np.flatnonzero(new_claim)
    claim_ids = [value or None for value in ids.take(pa.array(starts)).to_pylist()]
    return starts, claim_ids, has_id


def holding(batch: pa.RecordBatch, leave_out: str) -> np.ndarray:
    """Which rows of ``batch`` hold a line: a row whose every cell (``leave_out`` aside) is null
    or blank holds none, as the CSV reader passes over the ``,,,`` rows spreadsheets export."""
    mask = np.zeros(batch.num_rows, dtype=bool)
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if name == leave_out:
            continue
        try:
            mask |= filled(as_text(column, name))
        except (ValueError, pa.ArrowException):  # a struct in a column the layout does not read
            mask |= column.is_valid().to_numpy(zero_copy_only=False)
        if mask.all():  # nearly always after the first column: stop looking
            break
    return mask
