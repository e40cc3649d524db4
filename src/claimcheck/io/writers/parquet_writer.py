"""``parquet``: the CSV columns, one row per finding, written in row groups as lines stream past.

Needs pyarrow (``pip install 'claimcheck[parquet]'``), imported only when this format is used.
Parquet is binary: the CLI writes it to ``--output`` only.
"""

from __future__ import annotations

from typing import Any, BinaryIO

from claimcheck.errors import ClaimCheckError
from claimcheck.io.writers.csv_writer import COLUMNS, finding_rows
from claimcheck.models.report import LineResult, Report

__all__ = ["ParquetStream", "write_parquet"]

_ROWS_PER_GROUP = 50_000
_INTEGER_COLUMNS = ("line_number",)


class ParquetStream:
    def __init__(self, stream: BinaryIO) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ModuleNotFoundError:
            raise ClaimCheckError("the parquet format needs pyarrow: pip install 'claimcheck[parquet]'") from None
        self._pa = pa
        self._schema = pa.schema([(name, pa.int64() if name in _INTEGER_COLUMNS else pa.string()) for name in COLUMNS])
        self._writer = pq.ParquetWriter(stream, self._schema, compression="zstd")
        self._rows: list[list[Any]] = []

    def write(self, line: LineResult) -> None:
        self._rows.extend(finding_rows(line))
        if len(self._rows) >= _ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        columns = list(zip(*self._rows, strict=True))
        arrays = [
            self._pa.array([None if v in (None, "") else v for v in values], type=field.type)
            if field.name in _INTEGER_COLUMNS
            else self._pa.array(["" if v is None else str(v) for v in values], type=field.type)
            for field, values in zip(self._schema, columns, strict=True)
        ]
        self._writer.write_table(self._pa.Table.from_arrays(arrays, schema=self._schema))
        self._rows = []

    def close(self, summary: dict[str, Any]) -> None:
        del summary
        self._flush()
        self._writer.close()


def write_parquet(report: Report, stream: BinaryIO) -> None:
    writer = ParquetStream(stream)
    for line in report.lines:
        writer.write(line)
    writer.close(report.summary())
