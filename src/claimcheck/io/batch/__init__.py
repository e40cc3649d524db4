"""``validate_batch``: the columnar core that the local pipeline, ``--jobs`` workers and Spark share.

A record batch in the claimcheck column layout (``claim_id``, ``line_number``,
``procedure_code``, ``modifiers``, ``diagnosis_codes``, ``rendering_taxonomy``,
``rendering_npi``, ``units``, ``date_of_service``, ``place_of_service`` and the optional claim
fields, with ``modifier_1`` ... and ``dx_1`` ... columns read as the CSV reader reads them; names
match without regard to case, the first of a repeated name is read, other columns are ignored)
goes in; a record batch of findings comes out, one row per finding in the CSV report's columns (``rows="finding"``) or
one row per line (``rows="line"``). The batch must hold whole claims: consecutive rows with one
claim id form a claim, as in a CSV file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import numpy as np
import pyarrow as pa

from claimcheck.engine.batch import BatchEngine, BatchFindings, LineBatch
from claimcheck.engine.day import day_of_run
from claimcheck.engine.ruleset import RuleSet, rules_or_shipped
from claimcheck.io.batch.normalise import Normaliser
from claimcheck.io.batch.reader import PHYSICAL_LINE
from claimcheck.io.batch.results import (
    FINDING_SCHEMA,
    LINE_SCHEMA,
    FindingColumns,
    finding_rows,
    line_rows,
    row_keys,
    schema_for,
)
from claimcheck.io.batch.rows import holding
from claimcheck.io.fast_csv import REQUIRED, column_names, list_columns, past_columns
from claimcheck.models.report import LineResult

__all__ = ["FINDING_SCHEMA", "LINE_SCHEMA", "ROW_KINDS", "check_batch", "line_results", "validate_batch"]

ROW_KINDS = ("finding", "line")
_engines: dict[tuple[int, date], tuple[RuleSet, _Run]] = {}
# Reentrant: validate_batch holds it around check_batch, which takes it too.
_lock = threading.RLock()


class _Run:
    """What batches checked against one rule set on one day share: read cells, judged keys, text."""

    def __init__(self, rules: RuleSet, as_of: date) -> None:
        self.engine = BatchEngine(rules, as_of)
        self.normaliser = Normaliser()
        self.text = FindingColumns()


def _run_for(rules: RuleSet, as_of: date) -> _Run:
    known = _engines.get((id(rules), as_of))
    if known is None or known[0] is not rules:
        if len(_engines) > 8:
            _engines.clear()
        known = _engines[(id(rules), as_of)] = (rules, _Run(rules, as_of))
    return known[1]


def check_batch(
    batch: pa.RecordBatch,
    rules: RuleSet,
    as_of: date,
    origin: Callable[[int], str | None] | None = None,
) -> tuple[LineBatch, BatchFindings, FindingColumns]:
    """The lower half of ``validate_batch``: the batch as the engine read it, its findings, and
    the run's finding text, for writers that want more than the Arrow rows. The text is the
    run's, which the next batch checked with these rules extends or starts afresh: read it before
    another thread checks a batch (``validate_batch`` holds the lock until its rows are built)."""
    batch = _first_of_each_name(batch)
    columns = column_names(batch.schema.names)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ValueError(f"the batch has no {', '.join(missing)} column: the claimcheck layout needs them")
    kept = holding(batch, PHYSICAL_LINE)
    if not kept.all():
        # Rows of blank cells hold no line, in a CSV file and so here: `check` and validate_batch
        # (Spark) must find the same, and such a row between two of a claim's rows cut it in two.
        rows = np.flatnonzero(kept)
        batch = batch.take(pa.array(rows))
        origin = _kept_origin(origin or _no_origin, rows)
    with _lock:  # batches of one process share one run per rule set and take turns
        run = _run_for(rules, as_of)
        lists = list_columns(batch.schema.names)
        past = past_columns(batch.schema.names)
        lines = run.normaliser.line_batch(batch, columns, origin or _no_origin, lists, past)
        return lines, run.engine.check(lines), run.text


def validate_batch(
    batch: pa.RecordBatch | pa.Table,
    *,
    rules: RuleSet | None = None,
    as_of: date | str | None = None,
    rows: str = "finding",
    origin: Callable[[int], str | None] | None = None,
) -> pa.RecordBatch:
    """Check the claim lines of ``batch`` (a record batch, or a table such as
    ``pyarrow.csv.read_csv`` returns) and return their findings as a record batch.

    ``rules`` defaults to the shipped pack and ``as_of`` to today. ``origin(row)``, when given,
    names where a row came from (``claims.csv line 7``) for the input findings of lines that
    cannot be read. Every input row yields at least one output row, but for rows whose cells are
    all null or blank, which hold no line (the ``,,,`` rows of a CSV file); the findings are those
    ``check_claims`` gives for the same lines, in ``FINDING_SCHEMA`` (or ``LINE_SCHEMA``). Columns
    may be text or anything that reads as text: numbers, dates, timestamps (their day), lists of
    codes (joined by spaces), bytes (a row whose bytes are not UTF-8 gets an ``input`` finding
    naming the column, as a CSV file's row does); a cell holding ``\\N`` alone, the NULL of database
    exports, is no value; a number is read as its digits, so codes and ids with leading
    zeros (anesthesia code ``00100``) must come as text. Raises ``ValueError`` for a missing required column, a column
    of another type (a struct) or an unknown ``rows``; ``TypeError`` when ``batch`` is not Arrow
    data or ``rules`` not a ``RuleSet``.
    """
    if rows not in ROW_KINDS:
        raise ValueError(f"unknown rows {rows!r}; rows: {', '.join(ROW_KINDS)}")
    if isinstance(batch, pa.Table):
        # One batch of the whole table: a claim whose rows straddle two chunks stays whole.
        batch = pa.RecordBatch.from_arrays([column.combine_chunks() for column in batch.columns], schema=batch.schema)
    elif not isinstance(batch, pa.RecordBatch):
        raise TypeError(f"validate_batch takes a pyarrow RecordBatch or Table, not {type(batch).__name__}")
    ruleset, day = rules_or_shipped(rules), day_of_run(as_of)
    # The rows read the run's finding text, which another thread's batch would grow or restart
    # under them (an IndexError, or another finding's text in the row).
    with _lock:
        lines, found, text = check_batch(batch, ruleset, day, origin)
        return (finding_rows if rows == "finding" else line_rows)(lines, found, text).cast(schema_for(rows))


def _first_of_each_name(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with only the first of columns that share a name: the layout reads the first of
    a repeated name (as in a CSV header), and Arrow refuses to look up a name held twice."""
    names = batch.schema.names
    if len(set(names)) == len(names):
        return batch
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        first.setdefault(name, index)
    return pa.RecordBatch.from_arrays([batch.column(i) for i in first.values()], names=list(first))


def line_results(lines: LineBatch, found: BatchFindings) -> list[LineResult]:
    """The findings of a checked batch as ``LineResult``s, for the writers that take them."""
    findings = found.findings
    offsets = found.offsets.tolist()
    ids = found.ids.tolist()
    return [
        LineResult(claim_id, number, code, tuple(findings[i] for i in ids[offsets[row] : offsets[row + 1]]))
        for row, (claim_id, number, code) in enumerate(row_keys(lines, found))
    ]


def _kept_origin(origin: Callable[[int], str | None], rows: np.ndarray) -> Callable[[int], str | None]:
    """``origin`` for a batch of the ``rows`` kept: each named by its row in the batch given."""
    return lambda row: origin(int(rows[row]))


def _no_origin(row: int) -> None:
    del row
