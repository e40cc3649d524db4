"""JSON lines from Arrow columns, written exactly as ``json.dumps`` writes each row's dict.

The flat report rows (``--rows finding|line``) as JSON: keys in column order, ``", "`` and
``": "`` between them, text unescaped beyond what JSON requires (``ensure_ascii=False``), an
empty or missing value ``null`` (as in Parquet). Built with Arrow kernels as csv_text builds CSV
rows: a dictionary column's distinct values are rendered once, and only text holding a quote,
a backslash or a control character goes through ``json.dumps``.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from claimcheck.io.batch.csv_text import joined_bytes

__all__ = ["json_members", "json_value", "table_jsonl"]

# What json.dumps escapes when ensure_ascii is off.
_NEEDS_ESCAPE = r'["\\\x00-\x1f]'
# Rows joined at a time (as csv_text's callers do): the text of a slice stays a few MB.
_SLICE_ROWS = 1 << 15


def json_value(column: pa.Array, empty_as_null: bool = True) -> pa.Array:
    """Each value as JSON text: numbers as digits, text quoted and escaped, null as null, and ""
    as null too unless ``empty_as_null`` is off."""
    if pa.types.is_dictionary(column.type):  # render each distinct value once
        return pc.fill_null(json_value(column.dictionary, empty_as_null).take(column.indices), "null")
    if pa.types.is_integer(column.type):
        return pc.fill_null(column.cast(pa.string()), "null")
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return pa.array([json.dumps(v, ensure_ascii=False) for v in column.to_pylist()], pa.string())
    text = column.cast(pa.string())
    quoted = pc.binary_join_element_wise('"', text, '"', "")
    escape = pc.fill_null(pc.match_substring_regex(text, _NEEDS_ESCAPE), False)
    if pc.any(escape).as_py():
        rows = np.flatnonzero(escape.to_numpy(zero_copy_only=False))
        escaped = [json.dumps(v, ensure_ascii=False) for v in text.take(pa.array(rows)).to_pylist()]
        quoted = pc.replace_with_mask(quoted, escape, pa.array(escaped, pa.string()))
    missing = pc.is_null(text)
    if empty_as_null:
        missing = pc.or_(missing, pc.fill_null(pc.equal(text, ""), False))
    return pc.if_else(missing, pa.scalar("null"), quoted)


def json_members(columns: dict[str, pa.Array], first: bool, end: str, empty_as_null: bool = True) -> pa.Array:
    """Per row, the ``"name": value`` members of ``columns`` joined by ", ", opened with "{" when
    ``first``, then ``end``; values as ``json_value`` writes them."""
    parts: list[pa.Array | pa.Scalar] = []
    for at, (name, column) in enumerate(columns.items()):
        lead = ("{" if first else "") if at == 0 else ", "
        parts.append(pa.scalar(lead + json.dumps(name, ensure_ascii=False) + ": "))
        parts.append(json_value(column, empty_as_null))
    parts.append(pa.scalar(end))
    return pc.binary_join_element_wise(*parts, "")


def table_jsonl(batch: pa.RecordBatch) -> list[pa.Buffer]:
    """The rows of ``batch`` as JSON lines, in pieces."""
    pieces = []
    for at in range(0, batch.num_rows, _SLICE_ROWS):
        part = batch.slice(at, _SLICE_ROWS)
        pieces.append(joined_bytes(json_members(dict(zip(part.schema.names, part.columns, strict=True)), True, "}\n")))
    return pieces
