"""The jsonl report's line objects (its default rows), built from a checked batch with Arrow.

Each line object is what ``json.dumps(line.to_dict())`` writes: the line's keys and status,
then its findings as the JSON report's finding objects. A line's keys are rendered once per
line and each distinct finding once per run (``FindingColumns.json_objects``); a take over
them and the separators, in report order, gives the report's text without a Python object per line or finding.
Lines read by the batch pipeline have no location, so line objects carry none.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from claimcheck.engine.batch import BatchFindings, LineBatch
from claimcheck.engine.batch.columns import positions
from claimcheck.io.batch.csv_text import joined_bytes
from claimcheck.io.batch.json_text import json_members
from claimcheck.io.batch.results import FindingColumns, RowKeys

__all__ = ["line_objects_jsonl"]

_KEYS = ("claim_id", "line_number", "procedure_code", "status")
_TAKE = 1 << 17  # pieces of the report taken at a time: a few MB of text each


def line_objects_jsonl(batch: LineBatch, found: BatchFindings, text: FindingColumns) -> list[pa.Buffer]:
    """The line objects of ``batch`` as JSON lines, in pieces."""
    text.update(found.findings)
    keys = RowKeys(batch, found, text.severity[found.ids])
    columns = dict(zip(_KEYS, keys.columns(np.arange(batch.rows)), strict=True))
    # to_dict keeps an empty claim id or code as "": only a missing one is null.
    heads = json_members(columns, first=True, end=', "findings": [', empty_as_null=False)
    objects = text.json_objects
    parts = pa.concat_arrays([heads, objects, pa.array([", ", "]}\n"], pa.string())])
    separator, end = len(parts) - 2, len(parts) - 1
    # Each line takes its head, its findings with a separator between two, then the end.
    per_row = np.diff(found.offsets)
    slots = 2 * per_row + 1 + (per_row == 0)
    starts = np.cumsum(slots) - slots
    order = np.full(int(slots.sum()), separator, dtype=np.int64)
    order[starts] = np.arange(batch.rows)
    order[starts + slots - 1] = end
    owner = np.repeat(np.arange(batch.rows), per_row)
    order[starts[owner] + 1 + 2 * positions(per_row)] = batch.rows + found.ids
    return [joined_bytes(parts.take(pa.array(order[at : at + _TAKE]))) for at in range(0, len(order), _TAKE)]
