"""Arrow-built CSV text is byte-for-byte what the per-line CSV writer writes, which CSV readers
read back cell for cell."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from claimcheck.io.batch.csv_text import table_csv
from claimcheck.io.writers.csv_writer import csv_text

_CELL = st.one_of(st.none(), st.text(alphabet='ab ,"\n\r;é|', max_size=8))


def _python_csv(rows: list[list[object]]) -> bytes:
    cells = [["" if v is None else v for v in row] for row in rows]
    text = csv_text(cells)
    # What a CSV reader makes of it: the same cells (a lone CR written bare ended the row).
    assert list(csv.reader(io.StringIO(text, newline=""))) == [[str(v) for v in row] for row in cells]
    return text.encode()


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.tuples(_CELL, _CELL), min_size=1, max_size=20),
    numbers=st.lists(st.one_of(st.none(), st.integers(-5, 10**6)), min_size=20, max_size=20),
)
def test_table_csv_writes_what_csv_writer_writes(
    texts: list[tuple[str | None, str | None]], numbers: list[int | None]
) -> None:
    first = [a for a, _ in texts]
    second = [b for _, b in texts]
    counts = numbers[: len(texts)]
    batch = pa.record_batch(
        {
            "plain": pa.array(first, pa.string()),
            "coded": pa.array(second, pa.string()).dictionary_encode(),
            "number": pa.array(counts, pa.int64()),
        }
    )
    # Python's csv cannot tell an empty string from a missing value; neither can the report.
    rows = [[a, b, n] for a, b, n in zip(first, second, counts, strict=True)]
    assert table_csv(batch).to_pybytes() == _python_csv(rows)
