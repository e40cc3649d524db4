"""The batch pipeline behind ``claimcheck check``: the fast (Arrow) road writes what the per-line road
writes, and two or three jobs write the same bytes as one; which files Arrow reads."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from benchmarks.generate import generate

from tests.conftest import ROOT, spread_lists, use_workers
from tests.pipeline_runs import (
    DEMO,
    _check,
    generated_fixture,  # noqa: F401 (the generated fixture)
)

MUE = ROOT / "fixtures" / "ncci" / "mue_sample.csv"


def _rows(rows: str | None) -> list[str]:
    return ["--rows", rows] if rows else []


@pytest.mark.parametrize(
    ("output_format", "rows"),
    [("csv", "finding"), ("csv", "line"), ("jsonl", None), ("jsonl", "line"), ("jsonl", "finding")],
)
def test_the_fast_road_writes_what_the_per_line_road_writes(
    output_format: str, rows: str | None, tmp_path: Path
) -> None:
    for path in (DEMO, generate(tmp_path / "g.csv", 3_000, seed=2)):
        args = ["--format", output_format, *_rows(rows), "--mue", str(MUE)]
        fast = _check(path, tmp_path / "fast", *args)
        # Naming the layout sends the file through the per-line reader and engine.
        careful = _check(path, tmp_path / "careful", *args, "--columns", "claimcheck")
        assert fast == careful


def test_a_bom_and_a_quoted_header_keep_the_file_on_arrows_road(tmp_path: Path) -> None:
    from claimcheck.io.fast_csv import fast_columns

    # What Excel and many exporters write: a BOM, then every name in quotes.
    plain = generate(tmp_path / "g.csv", 3_000, seed=5).read_text(encoding="utf-8")
    header, rest = plain.split("\n", 1)
    quoted = ",".join(f'"{name}"' for name in header.split(","))
    path = tmp_path / "exported.csv"
    path.write_text("\ufeff" + quoted + "\n" + rest, encoding="utf-8")
    assert fast_columns(path) == header.split(",")
    fast = _check(path, tmp_path / "fast", "--format", "csv", "--mue", str(MUE))
    careful = _check(path, tmp_path / "careful", "--format", "csv", "--mue", str(MUE), "--columns", "claimcheck")
    assert fast == careful
    # Line numbers and all as the same rows under a plain header (messages name their file).
    plain_report = _check(tmp_path / "g.csv", tmp_path / "plain", "--format", "csv", "--mue", str(MUE))
    assert fast.replace(b"exported.csv", b"g.csv") == plain_report


def test_a_header_whose_quoted_name_runs_on_is_read_line_by_line(tmp_path: Path) -> None:
    # A quote inside an unquoted name (a"b) evens the count of quotes on the header's line,
    # while the name after it opens a quote that the next line closes: Arrow reads a header of
    # two lines, so its rows named the line before their own, and the line re-read the per-line
    # way (which reads a header of one line) was reported twice.
    path = tmp_path / "claims.csv"
    path.write_text(
        'claim_id,line_number,procedure_code,date_of_service,a"b,"c\nd"\n'
        "C1,1,99213,2026-13-10,x,y\nC2,1,99213,2026-03-10,x,y\n",
        encoding="utf-8",
    )
    fast = _check(path, tmp_path / "fast", "--format", "csv", "--rows", "line")
    careful = _check(path, tmp_path / "careful", "--format", "csv", "--rows", "line", "--columns", "claimcheck")
    assert fast == careful
    assert fast.count(b"\nC1,") == 1 and b"claims.csv line 3)" in fast


@pytest.mark.parametrize(
    ("output_format", "rows"),
    [
        ("csv", "finding"),
        ("csv", "line"),
        ("jsonl", None),
        ("jsonl", "finding"),
        ("jsonl", "line"),
        ("parquet", None),
        ("parquet", "line"),
    ],
)
def test_two_jobs_write_the_same_bytes_as_one(
    output_format: str, rows: str | None, generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_workers(monkeypatch)
    args = ["--format", output_format, *_rows(rows)]
    one = _check(generated, tmp_path / "one", *args, "--jobs", "1")
    two = _check(generated, tmp_path / "two", *args, "--jobs", "2")
    assert one == two and len(one) > 0


def test_three_jobs_write_the_same_bytes_as_one(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_workers(monkeypatch)
    # Three cores, as far as the run knows: it runs no more workers than cores.
    monkeypatch.setattr("claimcheck.io.workers.default_jobs", lambda: 3)
    one = _check(generated, tmp_path / "one", "--format", "csv", "--jobs", "1")
    assert _check(generated, tmp_path / "three", "--format", "csv", "--jobs", "3") == one


def test_modifier_and_dx_columns_read_as_the_per_line_reader_reads_them(tmp_path: Path) -> None:
    from claimcheck.io.fast_csv import fast_columns

    path = spread_lists(generate(tmp_path / "g.csv", 3_000, seed=5), tmp_path / "spread.csv", seed=5)
    assert fast_columns(path) is not None
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv")
    careful = _check(path, tmp_path / "careful.csv", "--format", "csv", "--columns", "claimcheck")
    assert fast == careful
    assert b",diagnosis.required," not in fast.replace(b",diagnosis.required,pass,", b"")  # the DX_N cells were read


def test_a_line_number_too_large_for_the_report_fails_its_line(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service\n"
        "C1,99999999999999999999,99213,I10,2026-03-10\nC1,2,99213,I10,2026-03-10\n"
    )
    for output_format in ("csv", "parquet"):
        _check(path, tmp_path / f"fast.{output_format}", "--format", output_format)
        _check(path, tmp_path / f"careful.{output_format}", "--format", output_format, "--columns", "claimcheck")
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "careful.csv").read_bytes()
    rows = pq.read_table(tmp_path / "fast.parquet").to_pylist()
    assert [r["line_number"] for r in rows if r["rule_id"] == "input.field"] == [None]


@pytest.mark.parametrize("tail", ["", "\n", "\nC1,1,99213,I10,2026-03-10\n"], ids=["header", "header_newline", "row"])
def test_arrow_reads_a_file_shorter_than_a_block_without_calling_into_python(
    tail: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run over such a file exits right after reading it; an Arrow I/O thread that dropped the
    Python bytes it had read after that aborted the process (exit 134, about one run in 200)."""
    from claimcheck.io.batch.reader import FastReader, ReadStopped

    header = "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service"
    path = tmp_path / "claims.csv"
    path.write_text(header + tail)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("Arrow was handed a Python file")

    monkeypatch.setattr("pyarrow.PythonFile", refused)
    rows = 0
    with contextlib.suppress(ReadStopped):  # a header without a line ending: the per-line reader's
        rows = sum(batch.num_rows for batch in FastReader(path, header.split(",")).batches())
    assert rows == tail.count("C1")


@pytest.mark.parametrize(
    ("header", "takes"),
    [
        ("claim_id,line_number,procedure_code,date_of_service", True),
        ("CLAIM_ID,Line_Number,procedure_code,date_of_service,extra", True),
        ("claim_id|line_number|procedure_code|date_of_service", False),
        ("\ufeffclaim_id,line_number,procedure_code,date_of_service", True),
        ("claim_id,line_number,procedure_code,date_of_service,modifier_1,DX_1", True),
        ("claim_id,line_number,procedure_code", False),
        ('"claim_id",line_number,procedure_code,date_of_service', True),
        ('\ufeff"claim_id","line_number","procedure_code","date_of_service","notes, free text"', True),
        ('"claim_id","line_number","procedure_code","date_of_service","notes', False),
    ],
)
def test_which_files_arrow_reads(header: str, takes: bool, tmp_path: Path) -> None:
    from claimcheck.io.fast_csv import fast_columns

    path = tmp_path / "claims.csv"
    path.write_text(header + "\nC1,1,99213,2026-03-10\n", encoding="utf-8")
    assert (fast_columns(path) is not None) == takes
