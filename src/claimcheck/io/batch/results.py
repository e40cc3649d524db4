"""Batch findings as Arrow: one row per finding (the CSV report's columns) or one row per line.

Text columns are dictionary-encoded over the run's findings, so a million lines with ten
findings each cost ten million small integers, not ten million strings.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from claimcheck.engine.batch import BatchFindings, LineBatch
from claimcheck.engine.batch.columns import positions
from claimcheck.io.batch.csv_text import csv_field, csv_rows, joined_bytes
from claimcheck.io.batch.json_text import json_members
from claimcheck.io.writers.csv_writer import COLUMNS
from claimcheck.models.finding import Finding, Status

__all__ = [
    "FINDING_SCHEMA",
    "LINE_SCHEMA",
    "FindingColumns",
    "RowKeys",
    "finding_csv",
    "finding_jsonl",
    "finding_rows",
    "line_rows",
    "line_severity",
    "row_keys",
    "schema_for",
    "status_counts",
]

_TEXT = pa.dictionary(pa.int32(), pa.string())
# What the fast path builds: text dictionary-encoded over the run's findings.
_ENCODED_FINDINGS = pa.schema([pa.field(n, pa.int64() if n == "line_number" else _TEXT) for n in COLUMNS])
_ENCODED_LINES = pa.schema(
    [
        pa.field("claim_id", _TEXT),
        pa.field("line_number", pa.int64()),
        pa.field("procedure_code", _TEXT),
        pa.field("status", _TEXT),
        pa.field("pass", pa.int64()),
        pa.field("warn", pa.int64()),
        pa.field("fail", pa.int64()),
        pa.field("problem_rules", pa.string()),
        pa.field("problem_messages", pa.string()),
    ]
)


def _plain(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type) for f in schema])


# What validate_batch, Parquet reports and Spark carry: plain strings.
FINDING_SCHEMA = _plain(_ENCODED_FINDINGS)
LINE_SCHEMA = _plain(_ENCODED_LINES)


def schema_for(rows: str) -> pa.Schema:
    """The plain schema of ``rows`` (``finding`` or ``line``) report rows."""
    return LINE_SCHEMA if rows == "line" else FINDING_SCHEMA


# The finding columns of a line without findings: nine empty fields.
_NO_FINDING = ",,,,,,,,\n"
_STATUS_NAMES = tuple(s.value for s in sorted(Status, key=lambda s: s.severity))


@functools.cache
def _status_names() -> pa.Array:  # not built on import: see io/no_pandas.py
    return pa.array(_STATUS_NAMES, pa.string())


_FINDING_TEXT: dict[str, Callable[[Finding], str | None]] = {
    "rule_id": lambda f: f.rule_id,
    "check": lambda f: f.check.value,
    "status": lambda f: f.status.value,
    "subject": lambda f: f.subject,
    "message": lambda f: f.message,
    "source_document": lambda f: f.source.document if f.source else None,
    "source_section": lambda f: f.source.section if f.source else None,
    "source_version": lambda f: f.source.version if f.source else None,
    "source_table": lambda f: f.source.table if f.source else None,
}


class FindingColumns:
    """The text of every finding of a run, as Arrow arrays that grow with the run's findings."""

    def __init__(self) -> None:
        self._start(None)

    def _start(self, findings: list[Finding] | None) -> None:
        self._findings = findings
        self.size = 0
        self.text = {name: pa.array([], pa.string()) for name in (*_FINDING_TEXT, "rule_message")}
        self.severity = np.zeros(0, dtype=np.int64)
        # Each finding's columns of a CSV report row, rendered once ("rule_id,...,version\n"),
        # and of a JSON line ('"rule_id": ..., "source_table": ...}\n').
        self.csv_tails = pa.array([], pa.string())
        self.json_tails = pa.array([], pa.string())
        self.json_objects = pa.array([], pa.string())  # the JSON report's finding objects

    def update(self, findings: list[Finding]) -> FindingColumns:
        if findings is not self._findings:  # the engine started a new list of findings
            self._start(findings)
        if len(findings) > self.size:
            new = findings[self.size :]
            for name, text in _FINDING_TEXT.items():
                # An empty text is written as an empty cell, as the per-line CSV writer does.
                fresh = pa.array([text(f) or None for f in new], pa.string())
                self.text[name] = pa.concat_arrays([self.text[name], fresh])
            joined = pa.array([f"{f.rule_id}: {f.message}" for f in new], pa.string())
            self.text["rule_message"] = pa.concat_arrays([self.text["rule_message"], joined])
            fields = [csv_field(self.text[name].slice(self.size)) for name in _FINDING_TEXT]
            self.csv_tails = pa.concat_arrays([self.csv_tails, csv_rows(fields)])
            values = {name: self.text[name].slice(self.size) for name in _FINDING_TEXT}
            self.json_tails = pa.concat_arrays([self.json_tails, json_members(values, first=False, end="}\n")])
            objects = pa.array([json.dumps(f.to_dict(), ensure_ascii=False) for f in new], pa.string())
            self.json_objects = pa.concat_arrays([self.json_objects, objects])
            self.severity = np.concatenate([self.severity, [f.status.severity for f in new]]).astype(np.int64)
            self.size = len(findings)
        return self


def _text(indices: np.ndarray, dictionary: pa.Array, missing: np.ndarray | None = None) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32), mask=missing), dictionary)


def line_severity(found: BatchFindings, severity: np.ndarray) -> np.ndarray:
    """Each row's worst finding severity (0 pass, 1 warn, 2 fail), from each finding's."""
    per_row = np.diff(found.offsets)
    worst = np.zeros(len(per_row), dtype=np.int64)
    has = per_row > 0
    if has.any():
        worst[has] = np.maximum.reduceat(severity, found.offsets[:-1][has])
    return worst


def status_counts(worst: np.ndarray) -> dict[str, int]:
    """Lines by status name from ``line_severity``."""
    return {_STATUS_NAMES[level]: int(n) for level, n in enumerate(np.bincount(worst, minlength=3)) if n}


class RowKeys:
    """Claim id, line number, procedure code and line status of each row."""

    def __init__(self, batch: LineBatch, found: BatchFindings, severity: np.ndarray) -> None:
        rows = batch.rows
        self.claim = batch.claim_of_rows()
        self.claim_ids = pa.array(batch.claim_ids, pa.string())
        numbers, codes = batch.fields["line_number"], batch.fields["procedure_code"]
        number_of = np.array([v if isinstance(v, int) else -1 for v in numbers.values] or [-1], dtype=np.int64)
        self.line_number = number_of[numbers.codes] if rows else np.zeros(0, np.int64)
        self.code = codes.codes.copy()
        code_names = list(codes.values)
        for row, (_, number, code) in found.parsed_keys.items():
            self.line_number[row] = number if number is not None else -1
            self.code[row] = len(code_names)
            code_names.append(code)
        parsed_ids = [claim_id for claim_id, _, _ in found.parsed_keys.values()]
        if parsed_ids:
            self.claim_ids = pa.concat_arrays([self.claim_ids, pa.array(parsed_ids, pa.string())])
            parsed_rows = list(found.parsed_keys)
            self.claim[parsed_rows] = np.arange(len(batch.claim_ids), len(batch.claim_ids) + len(parsed_ids))
        self.code_names = pa.array(code_names, pa.string())
        self.worst = line_severity(found, severity)

    def columns(self, owner: np.ndarray) -> list[pa.Array]:
        number = self.line_number[owner]
        return [
            _text(self.claim[owner], self.claim_ids),
            pa.array(number, mask=number < 0),
            _text(self.code[owner], self.code_names),
            _text(self.worst[owner], _status_names()),
        ]


def row_keys(batch: LineBatch, found: BatchFindings) -> list[tuple[str | None, int | None, str | None]]:
    """Claim id, line number and procedure code of each row."""
    claim_ids = [batch.claim_ids[c] for c in batch.claim_of_rows().tolist()]
    numbers, codes = batch.fields["line_number"], batch.fields["procedure_code"]
    number_values = [numbers.values[c] for c in numbers.codes.tolist()]
    code_values = [codes.values[c] for c in codes.codes.tolist()]
    keys = list(zip(claim_ids, number_values, code_values, strict=True))
    for row, key in found.parsed_keys.items():
        keys[row] = key
    return keys


def _finding_layout(batch: LineBatch, found: BatchFindings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each report row: its line, its finding id, and whether it has none (a line without
    findings still gets one row)."""
    per_row = np.diff(found.offsets)
    shown = np.maximum(per_row, 1)
    owner = np.repeat(np.arange(batch.rows), shown)
    slot = np.full(int(shown.sum()), -1, dtype=np.int64)
    slot[np.repeat(np.cumsum(shown) - shown, per_row) + positions(per_row)] = found.ids
    missing = slot < 0
    slot[missing] = 0
    return owner, slot, missing


def finding_rows(batch: LineBatch, found: BatchFindings, text: FindingColumns) -> pa.RecordBatch:
    """One row per finding, and one with empty finding columns for a line without findings."""
    text.update(found.findings)
    keys = RowKeys(batch, found, text.severity[found.ids])
    owner, slot, missing = _finding_layout(batch, found)
    columns = keys.columns(owner)
    columns.extend(_text(slot, text.text[name], missing) for name in _FINDING_TEXT)
    return pa.RecordBatch.from_arrays(columns, schema=_ENCODED_FINDINGS)


# Report rows joined at a time: the text of each slice stays small enough (~7 MB) for the
# allocator to reuse its memory, where a whole block's (~50 MB) would be fresh pages each time.
_SLICE_ROWS = 1 << 16


def finding_csv(batch: LineBatch, found: BatchFindings, text: FindingColumns) -> list[pa.Buffer]:
    """The rows of ``finding_rows`` as CSV text, in pieces: each line's keys joined to each
    finding's columns, both rendered once (see csv_text)."""
    text.update(found.findings)
    keys = RowKeys(batch, found, text.severity[found.ids])
    prefixes = csv_rows([csv_field(column) for column in keys.columns(np.arange(batch.rows))], end=",")
    return _joined(batch, found, prefixes, pa.concat_arrays([text.csv_tails, pa.array([_NO_FINDING])]))


def finding_jsonl(batch: LineBatch, found: BatchFindings, text: FindingColumns) -> list[pa.Buffer]:
    """The rows of ``finding_rows`` as JSON lines, in pieces, built as ``finding_csv`` builds
    CSV rows (see json_text)."""
    text.update(found.findings)
    keys = RowKeys(batch, found, text.severity[found.ids])
    key_columns = keys.columns(np.arange(batch.rows))
    line_keys = dict(zip(_ENCODED_FINDINGS.names[: len(key_columns)], key_columns, strict=True))
    prefixes = json_members(line_keys, first=True, end=", ")
    none = json_members({name: pa.nulls(1, pa.string()) for name in _FINDING_TEXT}, first=False, end="}\n")
    return _joined(batch, found, prefixes, pa.concat_arrays([text.json_tails, none]))


def _joined(batch: LineBatch, found: BatchFindings, prefixes: pa.Array, tails: pa.Array) -> list[pa.Buffer]:
    """Each report row's line prefix then its finding's tail (the last tail: a line without
    findings), in pieces of the report's text."""
    owner, slot, missing = _finding_layout(batch, found)
    slot[missing] = len(tails) - 1
    # One take over prefixes and tails together, alternately: the values of the result, one
    # after another, are the report's rows, so no join pass is needed.
    parts = pa.concat_arrays([prefixes, tails])
    order = np.empty(2 * len(owner), dtype=np.int64)
    order[0::2] = owner
    order[1::2] = slot + len(prefixes)
    step = 2 * _SLICE_ROWS
    return [joined_bytes(parts.take(pa.array(order[at : at + step]))) for at in range(0, len(order), step)]


def line_rows(batch: LineBatch, found: BatchFindings, text: FindingColumns) -> pa.RecordBatch:
    """One row per line: its status, how many findings of each status, and its problems."""
    text.update(found.findings)
    severity = text.severity[found.ids]
    keys = RowKeys(batch, found, severity)
    owner = np.repeat(np.arange(batch.rows), np.diff(found.offsets))
    counts = [np.bincount(owner[severity == level], minlength=batch.rows) for level in (0, 1, 2)]
    problem = severity > 0
    ids = pa.array(found.ids[problem])
    grouped = (
        pa.table(
            {
                "row": pa.array(owner[problem]),
                "rule": text.text["rule_id"].take(ids),
                "message": text.text["rule_message"].take(ids),
            }
        )
        .group_by("row", use_threads=False)
        .aggregate([("rule", "list"), ("message", "list")])
    )
    joined_rules = pa.nulls(batch.rows, pa.string())
    joined_messages = pa.nulls(batch.rows, pa.string())
    if grouped.num_rows:
        place = np.full(batch.rows, -1, dtype=np.int64)
        place[grouped.column("row").to_numpy()] = np.arange(grouped.num_rows)
        gather = pa.array(np.where(place < 0, 0, place), mask=place < 0)
        joined_rules = pc.binary_join(grouped.column("rule_list"), "; ").combine_chunks().take(gather)
        joined_messages = pc.binary_join(grouped.column("message_list"), " | ").combine_chunks().take(gather)
    columns = [
        *keys.columns(np.arange(batch.rows)),
        *(pa.array(c, pa.int64()) for c in counts),
        joined_rules,
        joined_messages,
    ]
    return pa.RecordBatch.from_arrays(columns, schema=_ENCODED_LINES)
