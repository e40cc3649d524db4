"""Arrow-built JSON lines are byte-for-byte what json.dumps writes for each row's dict."""

from __future__ import annotations

import json

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from claimcheck.io.batch.json_text import json_value, table_jsonl

# Quotes, backslashes, control characters (escaped), and text JSON leaves as it is.
_CELL = st.one_of(st.none(), st.text(alphabet='ab "\\\n\r\t\x00\x1f\x7fé\u2028😀/', max_size=8))


def _python_jsonl(batch: pa.RecordBatch) -> bytes:
    """What the report wrote row by row before: an empty value null, keys in column order."""
    return "".join(
        json.dumps({key: None if value == "" else value for key, value in row.items()}, ensure_ascii=False) + "\n"
        for row in batch.to_pylist()
    ).encode()


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.tuples(_CELL, _CELL), min_size=0, max_size=20),
    numbers=st.lists(st.one_of(st.none(), st.integers(-5, 10**12)), min_size=20, max_size=20),
)
def test_table_jsonl_writes_what_json_dumps_writes(
    texts: list[tuple[str | None, str | None]], numbers: list[int | None]
) -> None:
    batch = pa.record_batch(
        {
            "plain": pa.array([a for a, _ in texts], pa.string()),
            "coded": pa.array([b for _, b in texts], pa.string()).dictionary_encode(),
            "number": pa.array(numbers[: len(texts)], pa.int64()),
            'odd "key"': pa.array([a for a, _ in texts], pa.string()),
        }
    )
    decoded = batch.cast(pa.schema([(f.name, pa.int64() if f.name == "number" else pa.string()) for f in batch.schema]))
    assert b"".join(table_jsonl(batch)) == _python_jsonl(decoded)


def test_rows_past_one_slice_come_out_in_order() -> None:
    rows = 100_000
    batch = pa.record_batch({"n": pa.array(range(rows), pa.int64()), "t": pa.array(["x"] * rows)})
    lines = b"".join(table_jsonl(batch)).decode().splitlines()
    assert [json.loads(line)["n"] for line in lines] == list(range(rows))


def test_json_value_keeps_empty_text_when_asked() -> None:
    # Line objects come from to_dict, where an empty claim id is "" and only a missing one null.
    column = pa.array(["", None, 'a"b'], pa.string())
    assert json_value(column).to_pylist() == ["null", "null", '"a\\"b"']
    assert json_value(column, empty_as_null=False).to_pylist() == ['""', "null", '"a\\"b"']
    assert json_value(column.dictionary_encode(), empty_as_null=False).to_pylist() == ['""', "null", '"a\\"b"']
