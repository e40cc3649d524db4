"""The batch pipeline behind ``claimcheck check``: same report whatever the road or the jobs."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from benchmarks.generate import generate
from click.testing import CliRunner

from claimcheck import validate_batch
from claimcheck.cli import main
from claimcheck.rules.loader import shipped_pack_path
from tests.conftest import ROOT, spread_lists, use_workers

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
MUE = ROOT / "fixtures" / "ncci" / "mue_sample.csv"
AS_OF = ["--as-of", "2026-11-22", "--fail-on", "never", "--quiet"]


def _check(path: Path, output: Path, *args: str) -> bytes:
    result = CliRunner().invoke(main, ["check", str(path), "-o", str(output), *AS_OF, *args])
    assert result.exit_code == 0, result.stderr
    return output.read_bytes()


def _finding_rows_on_both_roads(path: Path, tmp_path: Path) -> bytes:
    """The CSV report, one row per finding, of ``path`` by the fast (Arrow) road, which must equal
    the careful (per-line) road's byte for byte."""
    args = ["--format", "csv", "--rows", "finding"]
    fast = _check(path, tmp_path / "fast.csv", *args)
    assert fast == _check(path, tmp_path / "careful.csv", *args, "--columns", "claimcheck")
    return fast


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Several Arrow blocks' worth, with the generator's bad rows.
    return generate(tmp_path_factory.mktemp("claims") / "claims.csv", 20_000, seed=21)


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


def test_one_row_per_line(tmp_path: Path) -> None:
    out = _check(DEMO, tmp_path / "lines.parquet", "--format", "parquet", "--rows", "line")
    del out
    table = pq.read_table(tmp_path / "lines.parquet")
    assert table.num_rows == 39  # the demo's lines
    assert table.column_names[:4] == ["claim_id", "line_number", "procedure_code", "status"]
    for row in table.to_pylist():
        assert (row["status"] == "pass") == (row["warn"] == row["fail"] == 0)
        assert (row["problem_rules"] is None) == (row["status"] == "pass")


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(text) for text in path.read_text(encoding="utf-8").splitlines()]


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


_BAD_TAILS = {
    "ragged_row": b"Z1,1,99213,,I10,,,1,2026-03-10,11,extra,cells\n",
    "unclosed_quote": b'Z1,1,"99213,,I10,,,1,2026-03-10,11\nZ2,1,99213,,I10,,,1,2026-03-10,11\n',
    "not_utf8": b"Z1,1,99213,,I10 caf\xe9,,,1,2026-03-10,11\n",
    "blank_lines": b"\n\n   \nZ1,1,99213,,I10,,,1,2026-03-10,11\n",
}


@pytest.mark.parametrize("tail", list(_BAD_TAILS))
def test_a_file_arrow_refuses_part_way_is_read_on_the_careful_way(
    tail: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_workers(monkeypatch)
    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 64 << 10)
    path = generate(tmp_path / "claims.csv", 6_000, seed=4)  # the bad rows come after the first blocks
    with path.open("ab") as stream:
        stream.write(_BAD_TAILS[tail])
        stream.write(b"Z9,1,99213,,I10,,,1,2026-03-10,11\n")
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv", "--jobs", "2")
    careful = _check(path, tmp_path / "careful.csv", "--format", "csv", "--columns", "claimcheck")
    assert fast == careful
    assert fast.count(b"\nZ9,1,") >= 1


def _writing(generated: Path, output: Path, **popen: Any) -> subprocess.Popen[bytes]:
    """A ``claimcheck check`` process that has started writing its report to ``output``."""
    command = [sys.executable, "-m", "claimcheck.cli", "check", str(generated), "-o", str(output), *AS_OF]
    process = subprocess.Popen([*command, "--format", "csv", "--jobs", "1"], cwd=ROOT, **popen)
    deadline = time.monotonic() + 60
    while not list(output.parent.glob(f".{output.name}.*.part")) and time.monotonic() < deadline:
        time.sleep(0.02)
    return process


def test_an_interrupted_run_leaves_no_report(generated: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.csv"
    process = _writing(generated, output)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not output.exists()


def test_a_broken_rule_pack_is_one_message_with_workers_starting(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    use_workers(monkeypatch)
    pack = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), pack)
    with (pack / "general" / "units.yaml").open("a") as stream:
        stream.write("rules: [\n")
    output = tmp_path / "report.csv"
    args = ["check", str(generated), "--rules", str(pack), "-o", str(output), *AS_OF, "--format", "csv", "-j", "2"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "units.yaml" in result.stderr and "invalid YAML" in result.stderr
    time.sleep(0.5)  # a worker that had started loading the rules too stays quiet
    assert "Traceback" not in capfd.readouterr().err
    assert not output.exists()


# SIGHUP: the terminal or ssh session the run was started from closed.
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_terminated_run_removes_its_temporary_report(generated: Path, tmp_path: Path, signum: int) -> None:
    output = tmp_path / "report.csv"
    process = _writing(generated, output)
    process.send_signal(signum)
    assert process.wait() == 128 + signum  # 130 for Ctrl-C, as a shell reports it
    assert not output.exists() and not list(tmp_path.glob(".report.csv.*"))


def test_a_hangup_of_the_whole_session_ends_a_run_with_workers_quietly(generated: Path, tmp_path: Path) -> None:
    # A closed terminal hangs up every process of the session: multiprocessing's resource
    # tracker, which ignores SIGINT and SIGTERM but not SIGHUP, died with the workers, and the
    # run, cleaning up, printed its tracebacks.
    output = tmp_path / "report.csv"
    code = (
        "import sys, claimcheck.io.workers as w, claimcheck.io.batch.reader as r; "
        "w.PARALLEL_BYTES = 0; r._BLOCK_BYTES = 64 << 10; from claimcheck.cli import main; main()"
    )
    command = [sys.executable, "-c", code, "check", str(generated), "-o", str(output), *AS_OF, "--format", "csv"]
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    process = subprocess.Popen([*command, "-j", "2"], cwd=ROOT, env=env, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".report.csv.*.part")) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # the workers are at work
    os.killpg(process.pid, signal.SIGHUP)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGHUP, stderr
    assert b"Traceback" not in stderr and b"resource_tracker" not in stderr
    assert not output.exists() and not list(tmp_path.glob(".report.csv.*"))


def test_the_workers_of_a_run_killed_with_sigkill_remove_its_spooled_report_text(
    generated: Path, tmp_path: Path
) -> None:
    # Nothing in the run can act on kill -9, but its workers outlive it for a moment: the report
    # text they had left for it (up to some 50 MB a block) stayed in TMPDIR for good.
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    code = (
        "import sys, claimcheck.io.workers as w, claimcheck.io.batch.reader as r; "
        "w.PARALLEL_BYTES = 0; r._BLOCK_BYTES = 64 << 10; from claimcheck.cli import main; main()"
    )
    output = tmp_path / "report.csv"
    command = [sys.executable, "-c", code, "check", str(generated), "-o", str(output), *AS_OF, "--format", "csv"]
    for _ in range(5):
        # A spool file lives only until the run has copied it out: on a busy machine a run may
        # copy each one before this loop looks, and end; such a run is started again.
        process = subprocess.Popen([*command, "-j", "2"], cwd=ROOT, env={**os.environ, "TMPDIR": str(temporary)})
        deadline = time.monotonic() + 60
        while not list(temporary.glob("claimcheck-*/*.part")) and time.monotonic() < deadline:
            if process.poll() is not None:
                break
            time.sleep(0.005)
        if list(temporary.glob("claimcheck-*/*.part")) and process.poll() is None:
            break
        process.wait()
        output.unlink(missing_ok=True)
    assert list(temporary.glob("claimcheck-*/*.part")) and process.poll() is None
    process.kill()  # with report text spooled
    process.wait()
    deadline = time.monotonic() + 10
    while list(temporary.glob("claimcheck-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list(temporary.glob("claimcheck-*"))


def test_a_run_under_nohup_goes_on_after_a_hangup(generated: Path, tmp_path: Path) -> None:
    output = tmp_path / "report.csv"
    process = _writing(generated, output, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    process.send_signal(signal.SIGHUP)
    assert process.wait() == 0
    assert output.read_text().startswith("claim_id,")


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


def test_a_small_file_is_checked_without_starting_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("workers started for a small file")

    monkeypatch.setattr("claimcheck.io.workers.start_pool", refuse)
    assert _check(DEMO, tmp_path / "demo.csv", "--format", "csv", "--jobs", "2").startswith(b"claim_id,")


@pytest.mark.parametrize("quiet", [False, True])
def test_more_jobs_than_cores_start_one_worker_per_core(
    quiet: bool, generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each worker loads the rules (100+ MB): '--jobs 500' started 500 of them, which can take
    # the machine down for no gain over one per core.
    from claimcheck.io import workers

    use_workers(monkeypatch)
    monkeypatch.setattr("claimcheck.io.workers.default_jobs", lambda: 2)
    started: list[int] = []
    real_start = workers.start_pool

    def start_pool(jobs: int, spec: object) -> object:
        started.append(jobs)
        if jobs > 2:
            raise AssertionError(f"{jobs} workers started on 2 cores")
        return real_start(jobs, spec)

    monkeypatch.setattr("claimcheck.io.workers.start_pool", start_pool)
    output = tmp_path / "many.csv"
    args = ["check", str(generated), "-o", str(output), "--as-of", "2026-11-22", "--fail-on", "never"]
    result = CliRunner().invoke(main, [*args, "--format", "csv", "--jobs", "500", *(["-q"] if quiet else [])])
    assert result.exit_code == 0, result.stderr
    assert started == [2]
    note = "--jobs 500 is more than the 2 cores this run may use: it runs at most 2 workers\n"
    assert result.stderr == ("" if quiet else f"claimcheck: {note}")
    assert output.read_bytes() == _check(generated, tmp_path / "one.csv", "--format", "csv", "--jobs", "1")


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


def test_the_workers_module_starts_workers_without_arrow_or_the_engine() -> None:
    # The command starts its workers before these imports, so that both sides import at once.
    code = (
        "import sys, claimcheck.io.workers, claimcheck.io.fast_csv; "
        "print(sorted(m for m in ('pyarrow', 'numpy', 'claimcheck.engine.ruleset') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


def test_workers_started_early_are_stopped_when_the_report_cannot_be_written(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    use_workers(monkeypatch)
    output = tmp_path / "missing" / "report.csv"
    result = CliRunner().invoke(
        main, ["check", str(generated), "-o", str(output), *AS_OF, "--format", "csv", "-j", "2"]
    )
    assert result.exit_code == 2 and "cannot write the report" in result.stderr
    assert multiprocessing.active_children() == []


def _worker_dies(*args: object) -> None:
    os._exit(3)


def test_a_worker_that_dies_is_reported_without_a_traceback(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_workers(monkeypatch)
    monkeypatch.setattr("claimcheck.io.batch.pipeline._check_encoded", _worker_dies)
    output = tmp_path / "report.csv"
    result = CliRunner().invoke(
        main, ["check", str(generated), "-o", str(output), *AS_OF, "--format", "csv", "-j", "2"]
    )
    assert result.exit_code == 2
    assert "worker process stopped" in result.stderr and "Traceback" not in result.stderr
    assert not output.exists()


class _BrokenPool:
    """A pool whose worker died before the next block went out: ``submit`` itself refuses."""

    def submit(self, *args: object) -> None:
        from concurrent.futures.process import BrokenProcessPool

        raise BrokenProcessPool("A child process terminated abruptly, the process pool is not usable anymore")

    def shutdown(self, **kwargs: object) -> None:
        pass


def test_a_worker_that_died_before_the_next_block_is_reported_without_a_traceback(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker killed (out of memory, kill -9) while the parent still hands out blocks: the
    # pool refused the next one with a traceback and exit status 1, which means "a line failed".
    use_workers(monkeypatch)
    monkeypatch.setattr("claimcheck.io.workers.start_pool", lambda *args: _BrokenPool())
    output = tmp_path / "report.csv"
    output.write_text("the last good report\n")
    result = CliRunner().invoke(
        main, ["check", str(generated), "-o", str(output), *AS_OF, "--format", "csv", "-j", "2"]
    )
    assert result.exit_code == 2
    assert "worker process stopped" in result.stderr and "Traceback" not in result.stderr
    assert output.read_text() == "the last good report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_an_unclosed_quote_in_the_middle_of_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 64 << 10)
    lines = generate(tmp_path / "g.csv", 6_000, seed=8).read_bytes().split(b"\n")
    lines[3_000] = lines[3_000].replace(b",", b',"', 1)  # a quote opened and never closed
    path = tmp_path / "claims.csv"
    path.write_bytes(b"\n".join(lines))
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv")
    careful = _check(path, tmp_path / "careful.csv", "--format", "csv", "--columns", "claimcheck")
    assert fast == careful


def test_a_line_break_in_quotes_leaves_the_line_numbers_after_it_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrow takes the row whole, but each row was counted as one line of the file: the input
    # findings of every later row named the line before their own.
    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 64 << 10)
    lines = generate(tmp_path / "g.csv", 6_000, seed=8).read_bytes().split(b"\n")
    lines[3_000] = lines[3_000].rsplit(b",", 1)[0] + b',"2\n2"'
    path = tmp_path / "claims.csv"
    path.write_bytes(b"\n".join(lines))
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv", "--rows", "line")
    careful = _check(path, tmp_path / "careful.csv", "--format", "csv", "--rows", "line", "--columns", "claimcheck")
    assert fast == careful


def test_lines_of_blank_cells_keep_the_file_on_arrows_road_with_its_line_numbers_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A line of spaces is one cell to Arrow, the wrong width: it sent the rest of the file down
    # the per-line road (some 25 times slower). The per-line reader passes over such lines.
    from claimcheck.io.batch.reader import FastReader
    from claimcheck.io.fast_csv import fast_eligible

    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 64 << 10)
    lines = generate(tmp_path / "g.csv", 6_000, seed=12).read_bytes().split(b"\n")
    blanks = [b"   ", b"\t", "\u00a0\u3000".encode(), b" , ,", b'" ",""', b"  ", b"\x1c"]
    for number, blank in zip((5_500, 4_000, 3_001, 3_000, 1_200, 40, 2), blanks, strict=True):
        lines.insert(number, blank)  # from the end, so the numbers are those of the first file
    path = tmp_path / "claims.csv"
    path.write_bytes(b"\n".join(lines) + b"   \n")
    names = fast_eligible(path, None, None, "compiled")
    assert names is not None
    rows = sum(batch.num_rows for batch in FastReader(path, names).batches())  # no ReadStopped
    assert rows == 6_000
    for args in (["--rows", "line"], ["--rows", "finding"]):
        fast = _check(path, tmp_path / "fast.csv", "--format", "csv", *args)
        careful = _check(path, tmp_path / "careful.csv", "--format", "csv", *args, "--columns", "claimcheck")
        assert fast == careful
        assert b"claims.csv line " in fast  # the generator's bad rows name their lines


@pytest.mark.parametrize("blank", [b'"  \n  "', b'"   \r"', b'"\r\n",', b'" \n"," "'])
def test_a_row_of_blank_cells_over_several_lines_holds_no_line_on_either_road(blank: bytes, tmp_path: Path) -> None:
    # A quoted line break in a blank row of the wrong width: the per-line reader took it for an
    # unclosed quote and made a failing line of each line it spans, and Arrow's road counted it
    # as one line, so the rows after it named the line before their own, and the claim re-read
    # the per-line way came out twice.
    path = tmp_path / "claims.csv"
    head = b"claim_id,line_number,procedure_code,date_of_service\n"
    path.write_bytes(head + blank + b"\nC1,x,99213,2026-03-10\nC2,1,99213,2026-03-10\nC3,y,99213,2026-03-10\n")
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv", "--rows", "line")
    careful = _check(path, tmp_path / "careful.csv", "--format", "csv", "--rows", "line", "--columns", "claimcheck")
    assert fast == careful
    rows = fast.decode().splitlines()[1:]
    spanned = 1 + blank.count(b"\n") + blank.replace(b"\r\n", b"").count(b"\r")
    assert [row.split(",")[0] for row in rows] == ["C1", "C2", "C3"]
    assert f"claims.csv line {2 + spanned})" in rows[0] and f"claims.csv line {4 + spanned})" in rows[2]


def test_a_row_arrow_refuses_after_its_last_batch_is_read_the_per_line_way(tmp_path: Path) -> None:
    # Arrow ends a row at a lone CR, the line count only at LF: a blank row of the wrong width
    # (passed over) made the counts agree, and the row Arrow refused after it, in no batch, was lost.
    path = tmp_path / "claims.csv"
    path.write_bytes(b'claim_id,line_number,procedure_code,date_of_service\n,,""\r"C1,1,99213')
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv", "--rows", "line")
    assert fast == _check(
        path, tmp_path / "careful.csv", "--format", "csv", "--rows", "line", "--columns", "claimcheck"
    )
    assert len(fast.splitlines()) == 2


def test_a_character_cut_by_a_read_before_a_byte_that_is_not_utf8_prints_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrow saw the file end after the first half of the NBSP in the fifth row (the next read
    # held a bad byte) and printed "Exception ignored in: ... on_invalid" with a traceback,
    # unable to decode the cut row for the handler.
    from claimcheck.io.batch.reader import FastReader, ReadStopped
    from claimcheck.io.fast_csv import fast_columns

    head = b"claim_id,line_number,procedure_code,date_of_service,payer\n"
    row = b"C1,1,99213,2026-03-10,Acme\n"
    body = head + row * 4
    data = body + b"C2,1," + b"9" * (194 - len(body)) + "\u00a0,2026-03-10,Acme\n".encode()
    assert data[199:201] == b"\xc2\xa0"  # the first read of 200 bytes cuts it in two
    path = tmp_path / "claims.csv"
    path.write_bytes(data + b"C3,1,99213,2026-03-10,\xff\n" + row * 20)
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(ReadStopped):
        list(FastReader(path, fast_columns(path) or [], block_bytes=200).batches())
    assert unraisable == []
    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 200)
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv", "--rows", "line")
    assert fast == _check(
        path, tmp_path / "careful.csv", "--format", "csv", "--rows", "line", "--columns", "claimcheck"
    )
    assert unraisable == []


def test_characters_cut_by_every_read_reach_arrow_whole(tmp_path: Path) -> None:
    from claimcheck.io.batch.reader import FastReader
    from claimcheck.io.fast_csv import fast_columns

    path = tmp_path / "claims.csv"
    rows = "".join(f"C{i},1,99213,2026-03-10,Ac\u00e9\u4e2d\U0001f600me{'x' * (i % 7)}\n" for i in range(2_000))
    path.write_text("claim_id,line_number,procedure_code,date_of_service,payer\n" + rows, encoding="utf-8")
    for block in (97, 200, 1_000):
        batches = list(FastReader(path, fast_columns(path) or [], block_bytes=block).batches())
        assert sum(batch.num_rows for batch in batches) == 2_000
        assert batches[-1].column("payer")[-1].as_py() == f"Ac\u00e9\u4e2d\U0001f600me{'x' * (1_999 % 7)}"


def test_a_worker_ends_once_the_run_that_started_it_is_killed() -> None:
    """``kill -9`` of a run leaves its workers to the fork server; each watches the run and ends."""
    run = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    watch = f"from claimcheck.io.workers import _exit_without; _exit_without({run.pid})"
    worker = subprocess.Popen([sys.executable, "-c", watch], cwd=ROOT)
    time.sleep(0.5)
    assert worker.poll() is None  # the run is alive: the worker stays
    run.kill()
    run.wait()
    assert worker.wait(timeout=10) == 1


def test_a_worker_ends_while_its_killed_run_waits_to_be_reaped() -> None:
    """A caller that reads the run's output to its end before reaping it (``subprocess.run`` with
    ``capture_output``) keeps the killed run a zombie; the workers, which hold that output too,
    waited for it to vanish, and both sides waited for ever."""
    run = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    watch = f"from claimcheck.io.workers import _exit_without; _exit_without({run.pid})"
    worker = subprocess.Popen([sys.executable, "-c", watch], cwd=ROOT)
    time.sleep(0.5)
    assert worker.poll() is None
    run.kill()  # and not reaped: a zombie until the end of the test
    try:
        assert worker.wait(timeout=10) == 1
    finally:
        run.wait()


def test_workers_interrupted_while_starting_are_shut_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C or SIGTERM while the workers start: the pool never reached the run, which could not
    shut it down; a worker half started then printed a traceback (its queue's semaphore gone
    with the run) or idled on, holding the run's stderr."""
    from concurrent.futures import ProcessPoolExecutor

    from claimcheck.io.workers import RulesSpec, start_pool

    submitted: list[object] = []
    shut: list[bool] = []
    submit, shutdown = ProcessPoolExecutor.submit, ProcessPoolExecutor.shutdown

    def interrupted(self: ProcessPoolExecutor, *args: object, **kwargs: object) -> object:
        if submitted:
            raise KeyboardInterrupt
        submitted.append(submit(self, *args, **kwargs))  # type: ignore[arg-type]
        return submitted[-1]

    def recorded(self: ProcessPoolExecutor, wait: bool = True, **kwargs: bool) -> None:
        shut.append(wait)
        shutdown(self, wait=wait, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", interrupted)
    monkeypatch.setattr(ProcessPoolExecutor, "shutdown", recorded)
    with pytest.raises(KeyboardInterrupt):
        start_pool(2, RulesSpec())
    assert shut == [True]


def test_a_worker_leaves_ctrl_c_to_the_run() -> None:
    """Ctrl-C signals the whole process group; the run stops the workers, which print nothing."""
    script = (
        "import os, signal; from claimcheck.io.workers import RulesSpec, _start_worker; "
        "_start_worker(RulesSpec.of(), os.getpid()); print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr


def test_a_rules_spec_takes_one_ptp_file_as_load_rules_does(tmp_path: Path) -> None:
    from claimcheck.io.workers import RulesSpec

    one = tmp_path / "ccipra-v323r0-f1.txt"
    assert RulesSpec.of(ptp=str(one)).ptp == RulesSpec.of(ptp=one).ptp == RulesSpec.of(ptp=[one]).ptp == (str(one),)


def test_a_value_in_a_column_past_the_layouts_last_modifier_or_dx_is_a_warning_on_both_roads(tmp_path: Path) -> None:
    # modifier_6 and dx_26 are past the columns the layout reads: their values were lost
    # without a word, where the X12 reader warns on a fifth modifier in SV101-7.
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,modifier_1,modifier_5,Modifier_6,dx_25,dx_26\n"
        "C1,1,99213,I10,2026-03-10,25,,59,,E11.9\n"
        "C1,2,99213,I10,2026-03-11,,,,,\n"
        "C2,1,99213,I10,2026-03-10,,,, ,\n"
    )
    fast = _finding_rows_on_both_roads(path, tmp_path)
    rows = list(csv.DictReader(io.StringIO(fast.decode())))
    warned = [(r["claim_id"], r["line_number"], r["status"], r["subject"], r["message"]) for r in rows]
    warned = [row for row, r in zip(warned, rows, strict=True) if r["rule_id"] == "input.not_checked"]
    assert [row[:4] for row in warned] == [("C1", "1", "warn", "Modifier_6"), ("C1", "1", "warn", "dx_26")]
    assert all(" is not read" in row[4] and row[4].endswith("(claims.csv line 2)") for row in warned)
    assert not any("59" in row[4] or "E11" in row[4] for row in warned)  # the column, not its value
    # validate_batch (and so Spark) warns of them too.
    from claimcheck.io.batch import validate_batch

    batch = pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            strings_can_be_null=False,
            column_types={name: pa.string() for name in path.read_text().splitlines()[0].split(",")},
        ),
    )
    found = validate_batch(batch, as_of="2026-11-22").to_pylist()
    assert [(r["line_number"], r["subject"]) for r in found if r["rule_id"] == "input.not_checked"] == [
        (1, "Modifier_6"),
        (1, "dx_26"),
    ]


def test_a_claim_field_that_differs_on_a_later_row_of_the_claim_is_an_input_finding(tmp_path: Path) -> None:
    # A claim takes its patient and payer from its first row; a later row that said otherwise
    # was not looked at, and its value lost without a word.
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,patient_sex,patient_birth_date,payer\n"
        "C1,1,99213,I10,2026-03-10,F,1960-01-01,Acme\n"
        "C1,2,99214,I10,2026-03-10,f,19600101,Acme\n"  # the same values, written otherwise
        "C1,3,99215,I10,2026-03-10,M,1961-01-01,\n"  # an empty cell says nothing
        "C2,1,99213,I10,2026-03-10,,,\n"
        "C2,2,99214,I10,2026-03-10,,,Other\n"
    )
    fast = _finding_rows_on_both_roads(path, tmp_path)
    found = [
        (r["claim_id"], r["line_number"], r["status"], r["subject"], r["message"])
        for r in csv.DictReader(io.StringIO(fast.decode()))
        if r["rule_id"] == "input.field"
    ]
    assert [row[:4] for row in found] == [
        ("C1", "3", "fail", "patient_sex"),
        ("C1", "3", "fail", "patient_birth_date"),
        ("C2", "2", "fail", "payer"),
    ]
    assert found[0][4] == (
        "patient_sex differs from the claim's first row (claims.csv line 2), whose value the claim is checked "
        "with (claims.csv line 4)"
    )
    assert not any(value in row[4] for row in found for value in ("1961", "Other", " M "))  # no values


def test_a_payer_written_in_other_capitals_on_a_later_row_is_not_a_different_payer(tmp_path: Path) -> None:
    # No rule reads the payer and the report does not show it: ACME and Acme on two rows of one
    # claim name one payer, and failing the second line for it blocked a claim for nothing.
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,payer\n"
        "C1,1,99213,I10,2026-03-10,ACME Health\n"
        "C1,2,99214,I10,2026-03-10,Acme  health\n"
        "C1,3,99215,I10,2026-03-10,Other\n"
    )
    fast = _finding_rows_on_both_roads(path, tmp_path)
    found = [
        (r["line_number"], r["subject"])
        for r in csv.DictReader(io.StringIO(fast.decode()))
        if r["rule_id"] == "input.field"
    ]
    assert found == [("3", "payer")]
    table = pa.table({name: [row[i] for row in _PAYER_ROWS] for i, name in enumerate(_PAYER_COLUMNS)})
    batch_found = [
        (r["line_number"], r["subject"]) for r in validate_batch(table).to_pylist() if r["rule_id"] == "input.field"
    ]
    assert batch_found == [(3, "payer")]


_PAYER_COLUMNS = ("claim_id", "line_number", "procedure_code", "diagnosis_codes", "date_of_service", "payer")
_PAYER_ROWS = (
    ("C1", "1", "99213", "I10", "2026-03-10", "ACME Health"),
    ("C1", "2", "99214", "I10", "2026-03-10", "Acme  health"),
    ("C1", "3", "99215", "I10", "2026-03-10", "Other"),
)
