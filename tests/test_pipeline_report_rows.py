"""The batch pipeline: the rows of its reports (one per line or per finding, JSONL line objects or table
rows) and encoding JSONL rows without a Python object per cell."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner

from claimcheck.cli import main
from tests.pipeline_runs import DEMO, _check


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(text) for text in path.read_text(encoding="utf-8").splitlines()]


def test_one_row_per_line(tmp_path: Path) -> None:
    out = _check(DEMO, tmp_path / "lines.parquet", "--format", "parquet", "--rows", "line")
    del out
    table = pq.read_table(tmp_path / "lines.parquet")
    assert table.num_rows == 39  # the demo's lines
    assert table.column_names[:4] == ["claim_id", "line_number", "procedure_code", "status"]
    for row in table.to_pylist():
        assert (row["status"] == "pass") == (row["warn"] == row["fail"] == 0)
        assert (row["problem_rules"] is None) == (row["status"] == "pass")


def test_jsonl_writes_line_objects_by_default_and_the_table_rows_on_request(tmp_path: Path) -> None:
    _check(DEMO, tmp_path / "default.jsonl", "--format", "jsonl")
    objects = _jsonl(tmp_path / "default.jsonl")
    assert len(objects) == 39 and all(isinstance(line["findings"], list) for line in objects)
    for rows in ("finding", "line"):
        # The same rows, keys and values as the Parquet report's.
        _check(DEMO, tmp_path / f"{rows}.jsonl", "--format", "jsonl", "--rows", rows)
        _check(DEMO, tmp_path / f"{rows}.parquet", "--format", "parquet", "--rows", rows)
        assert _jsonl(tmp_path / f"{rows}.jsonl") == pq.read_table(tmp_path / f"{rows}.parquet").to_pylist()
    findings, lines = _jsonl(tmp_path / "finding.jsonl"), _jsonl(tmp_path / "line.jsonl")
    assert len(findings) == sum(max(len(line["findings"]), 1) for line in objects)  # type: ignore[arg-type]
    assert [(f["rule_id"], f["line_status"]) for f in findings[:1]] == [
        (objects[0]["findings"][0]["rule_id"], objects[0]["status"])  # type: ignore[index]
    ]
    assert [(line["line_number"], line["status"]) for line in lines] == [
        (line["line_number"], line["status"]) for line in objects
    ]


def test_rows_line_is_for_tables_only() -> None:
    result = CliRunner().invoke(main, ["check", str(DEMO), "--format", "json", "--rows", "line"])
    assert result.exit_code == 2 and "--rows line" in result.stderr


def test_jsonl_report_rows_are_encoded_without_a_python_object_per_cell_of_the_whole_block() -> None:
    # A 2 MB block is some 280,000 finding rows: made Python dicts all at once, encoding them
    # took about 1 GB per process for --format jsonl --rows finding (the csv report: 0.4 GB).
    import tracemalloc

    import pyarrow as pa

    from claimcheck.io.batch.json_text import table_jsonl
    from claimcheck.io.batch.results import FINDING_SCHEMA

    rows = 40_000
    columns = [
        pa.array(range(rows), f.type) if f.name == "line_number" else pa.array([f'{f.name} é, "q"'] * rows, f.type)
        for f in FINDING_SCHEMA
    ]
    batch = pa.RecordBatch.from_arrays(columns, schema=FINDING_SCHEMA)
    tracemalloc.start()
    try:
        pieces = table_jsonl(batch)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    text = b"".join([pieces] if isinstance(pieces, bytes) else pieces).decode()
    assert text.count("\n") == rows and json.loads(text.splitlines()[-1])["line_number"] == rows - 1
    assert peak < 2 * len(text.encode())
