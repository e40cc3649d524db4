"""The batch engine in tests: a CSV file as one batch of strings, the findings of the per-line engine
and of validate_batch as rows of text to compare."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from claimcheck.engine.run import check_claims
from claimcheck.io.batch import validate_batch
from claimcheck.io.readers import read_claims
from claimcheck.io.writers.csv_writer import finding_rows
from tests.conftest import AS_OF, ROOT

__all__ = ["DEMO", "_batch", "_cells", "_origin", "_per_line", "_strings"]


DEMO = ROOT / "fixtures" / "demo" / "claims.csv"


def _strings(path: Path) -> pa.RecordBatch:
    names = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False),
    )
    return table.combine_chunks().to_batches()[0]


def _cells(rows: Iterable[Iterable[object]]) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in rows]


def _per_line(path: Path, rules: object) -> list[list[str]]:
    results = check_claims(read_claims(path), rules, AS_OF)  # type: ignore[arg-type]
    return _cells(r for line in results for r in finding_rows(line))


def _origin(name: str, lines: list[int] | None = None) -> object:
    def origin(row: int) -> str:
        return f"{name} line {lines[row] if lines else row + 2}"

    return origin


def _batch(batch: pa.RecordBatch, rules: object, name: str, lines: list[int] | None = None) -> list[list[str]]:
    found = validate_batch(batch, rules=rules, as_of=AS_OF, origin=_origin(name, lines))  # type: ignore[arg-type]
    return _cells(row.values() for row in found.to_pylist())
