"""Checked batches encoded for a report: the bytes (or Arrow rows) a writer appends in order.

Encoding happens where the batch was checked, in a worker process under ``--jobs``, so the
parent only appends; one encoder per format keeps ``--jobs 1`` and ``--jobs N`` byte-identical.
CSV text is built with Arrow kernels to the bytes ``csv.writer`` gives (csv_text).
"""

from __future__ import annotations

import json
from collections import Counter

import pyarrow as pa

from claimcheck.engine.batch import BatchFindings, LineBatch
from claimcheck.io.batch.csv_text import table_csv
from claimcheck.io.batch.json_text import table_jsonl
from claimcheck.io.batch.line_objects import line_objects_jsonl
from claimcheck.io.batch.results import (
    FindingColumns,
    finding_csv,
    finding_jsonl,
    finding_rows,
    line_rows,
    line_severity,
    schema_for,
    status_counts,
)
from claimcheck.io.batch.spool import SpooledPiece
from claimcheck.io.writers.csv_writer import csv_text
from claimcheck.io.writers.csv_writer import finding_rows as csv_rows
from claimcheck.models.finding import Status
from claimcheck.models.report import LineResult

__all__ = [
    "LINE_OBJECTS",
    "Encoded",
    "encode_batch",
    "encode_lines",
    "header",
    "ipc_bytes",
    "line_row",
    "read_ipc",
]

# The report text (or Arrow IPC) of a batch in pieces, its lines, and its lines by status.
Encoded = tuple[list[bytes | pa.Buffer | SpooledPiece], int, dict[str, int]]


# jsonl's own rows (its default): each line as the JSON report's line object, findings inside.
LINE_OBJECTS = "object"


def header(output_format: str, rows: str) -> bytes:
    if output_format != "csv":
        return b""
    return (",".join(schema_for(rows).names) + "\n").encode()


def ipc_bytes(batch: pa.RecordBatch) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def read_ipc(payload: bytes) -> pa.RecordBatch:
    with pa.ipc.open_stream(payload) as reader:
        return reader.read_all().combine_chunks().to_batches()[0]


def _decoded(batch: pa.RecordBatch, rows: str) -> pa.RecordBatch:
    """Plain strings: a file's dictionary pages then depend on its rows only, not on the process."""
    return batch.cast(schema_for(rows))


def _pieces(batch: pa.RecordBatch, output_format: str) -> list[bytes | pa.Buffer | SpooledPiece]:
    # jsonl: keys in column order, an empty value null (as in Parquet), as json.dumps writes them.
    return list(table_jsonl(batch)) if output_format == "jsonl" else [ipc_bytes(batch)]


def encode_batch(
    lines: LineBatch, found: BatchFindings, text: FindingColumns, output_format: str, rows: str
) -> Encoded:
    """A batch checked by the fast path, encoded for ``output_format``."""
    counts = status_counts(line_severity(found, text.update(found.findings).severity[found.ids]))
    if rows == LINE_OBJECTS:
        return line_objects_jsonl(lines, found, text), lines.rows, counts
    if rows == "finding" and output_format in ("csv", "jsonl"):
        encode = finding_csv if output_format == "csv" else finding_jsonl
        return encode(lines, found, text), lines.rows, counts
    table = (finding_rows if rows == "finding" else line_rows)(lines, found, text)
    if output_format == "csv":
        return [table_csv(table)], lines.rows, counts
    if output_format == "jsonl":  # the dictionaries' values are rendered once
        return list(table_jsonl(table)), lines.rows, counts
    return [ipc_bytes(_decoded(table, rows))], lines.rows, counts


def line_row(line: LineResult) -> list[object]:
    """The row of one line in the one-row-per-line layout."""
    problems = line.problems()
    by_status = Counter(f.status for f in line.findings)
    return [
        line.claim_id,
        line.line_number,
        line.procedure_code,
        line.status.value,
        by_status[Status.PASS],
        by_status[Status.WARN],
        by_status[Status.FAIL],
        "; ".join(f.rule_id for f in problems) or None,
        " | ".join(f"{f.rule_id}: {f.message}" for f in problems) or None,
    ]


def encode_lines(results: list[LineResult], output_format: str, rows: str) -> Encoded:
    """Line results (the per-line path's, or the fast path's for JSONL), encoded the same way."""
    counts = dict(Counter(line.status.value for line in results))
    if rows == LINE_OBJECTS:
        payload = "".join(json.dumps(line.to_dict(), ensure_ascii=False) + "\n" for line in results)
        return [payload.encode()], len(results), counts
    table_rows = [line_row(line) for line in results] if rows == "line" else [r for x in results for r in csv_rows(x)]
    if output_format == "csv":
        text = csv_text([["" if v is None else v for v in row] for row in table_rows])
        return [text.encode()], len(results), counts
    schema = schema_for(rows)
    columns = list(zip(*table_rows, strict=True)) if table_rows else [[] for _ in schema]
    arrays = [
        pa.array([None if v in (None, "") else v for v in values], field.type)
        for field, values in zip(schema, columns, strict=True)
    ]
    return _pieces(pa.RecordBatch.from_arrays(arrays, schema=schema), output_format), len(results), counts
