"""``--format parquet``: the CSV columns, one row per finding, streamed into row groups."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from tests.conftest import ROOT

pq = pytest.importorskip("pyarrow.parquet", reason="the parquet format needs pyarrow (claimcheck[parquet])")
DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
ARGS = ["check", str(DEMO), "--as-of", "2026-11-22"]


def test_parquet_holds_the_same_rows_as_csv(tmp_path: Path) -> None:
    output = tmp_path / "report.parquet"
    result = CliRunner().invoke(main, [*ARGS, "--format", "parquet", "-o", str(output)])
    assert result.exit_code == 1, result.stderr
    table = pq.read_table(output)
    as_csv = CliRunner().invoke(main, [*ARGS, "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(as_csv)))
    assert table.num_rows == len(rows)
    assert table.column_names == list(rows[0])
    parquet_rows = table.to_pylist()
    for got, want in zip(parquet_rows, rows, strict=True):
        assert {k: "" if v is None else str(v) for k, v in got.items()} == want


def test_parquet_needs_an_output_file() -> None:
    result = CliRunner().invoke(main, [*ARGS, "--format", "parquet"])
    assert result.exit_code == 2 and "--output" in result.stderr


def test_a_parquet_report_stopped_part_way_does_not_read_as_a_complete_file() -> None:
    # Into a pipe ('-o -') nothing can be renamed or removed: the Parquet footer written on the
    # way out made the rows sent so far a valid file, the report of a run that never finished.
    import pyarrow.csv as pacsv

    from claimcheck import validate_batch
    from claimcheck.io.batch.encode import ipc_bytes
    from claimcheck.io.batch.sink import write_encoded

    rows = validate_batch(pacsv.read_csv(DEMO), as_of="2026-11-22")

    def stopped() -> object:
        yield [ipc_bytes(rows)], 10, {"pass": 10}
        raise SystemExit(143)  # SIGTERM, as the command line turns it

    stream = io.BytesIO()
    with pytest.raises(SystemExit):
        write_encoded(stopped(), "parquet", "finding", stream)
    with pytest.raises(Exception, match=r"(?i)parquet"):
        pq.read_table(io.BytesIO(stream.getvalue()))
