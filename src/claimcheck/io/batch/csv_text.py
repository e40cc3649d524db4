"""CSV text from Arrow columns, written exactly as the per-line path writes it.

The per-line path writes with ``csv.writer`` (minimal quoting, ``\\n`` line ends, a field with a
carriage return quoted too: ``writers.csv_writer.csv_text``); this module
produces the same bytes with Arrow compute kernels, so a report is the same whichever path a
line took. A finding's columns are rendered once per distinct finding and a line's keys once
per line; a row is the two joined, which is what makes a million-line report quick to write.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["csv_field", "csv_rows", "joined_bytes", "table_csv"]

# Minimal quoting: a field holding a delimiter, a quote character, a line feed or a carriage
# return (which csv.writer, ending rows with "\n", would leave bare: readers end the row there).
_NEEDS_QUOTES = '[,"\n\r]'


def csv_field(column: pa.Array) -> pa.Array:
    """Each value as a CSV field: nulls empty, quotes doubled and the field quoted where needed."""
    if pa.types.is_dictionary(column.type):  # quote each distinct value once
        return pc.fill_null(csv_field(column.dictionary).take(column.indices), "")
    text = pc.fill_null(column.cast(pa.string()), "")
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(pc.match_substring_regex(text, _NEEDS_QUOTES), quoted, text)


def csv_rows(fields: list[pa.Array], end: str = "\n") -> pa.Array:
    """One string per row: the fields joined by commas, then ``end``."""
    joined = pc.binary_join_element_wise(*fields, ",") if len(fields) > 1 else fields[0]
    return pc.binary_join_element_wise(joined, pa.scalar(end), "") if end else joined


def joined_bytes(rows: pa.Array) -> pa.Buffer:
    """The strings of ``rows`` one after another, as they go into the file (no copy: a slice of
    the array's data)."""
    if len(rows) == 0:
        return pa.py_buffer(b"")
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=len(rows) + 1, offset=rows.offset * 4)
    return rows.buffers()[2][int(offsets[0]) : int(offsets[-1])]


def table_csv(batch: pa.RecordBatch) -> pa.Buffer:
    """The rows of ``batch`` as CSV lines, without a header."""
    return joined_bytes(csv_rows([csv_field(column) for column in batch.columns]))
