"""Batch at scale: ``claimcheck check`` on generated files against polars reading and writing them.

For each size (default 1M and 10M lines, in the claimcheck CSV layout, from generate.py), in one
run, every figure a separate process timed end to end (interpreter start included), with the peak
RSS of its largest process. Before each, the file system is synced (not timed), so that one run
does not pay for writing out the report of the run before it. Up to 1M lines each figure is the
median of ``--repeat`` runs (3), for a machine whose speed wanders; at 10M it is one run.

- the baseline: polars reads the file and writes it back out (the practical I/O limit);
- ``claimcheck check --format csv`` (one row per finding) and ``--rows line``, with ``--jobs 1``
  and ``--jobs 2``;
- copying the one-row-per-finding report itself (ten rows a line, some 24 times the input's
  bytes): the I/O that report costs before any checking, against the same baseline;
- polars writing that report's rows (read in first, not timed): what the baseline's own writer
  takes for an output of this size and shape (up to 1M lines: at 10M the report would not fit in
  memory);
- the same rules through ``--engine durable`` on the first ``--durable-lines`` lines (it is far
  too slow for the whole file), as lines per second;
- Spark local[2] (``claimcheck.spark.validate``, written out as CSV), when pyspark and Java are
  there, timed after the session has started.

durable-rules and Spark run for sizes up to 1M lines only.

    python -m benchmarks.bench_batch [--sizes 1000000,10000000] [--repeat 3] [--durable-lines 20000] [--no-spark]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.generate import generate

_TIMED = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "code": code}))
"""
_POLARS = "import polars as pl, sys; pl.read_csv(sys.argv[1], infer_schema=False).write_csv(sys.argv[2])"
_COPY = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])"
_POLARS_WRITE = """
import json, os, resource, sys, time
import polars as pl
frame = pl.read_csv(sys.argv[1], infer_schema=False)
os.sync()
start = time.perf_counter()
frame.write_csv(sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - start,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""
_SPARK = """
import os, sys, time
os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
os.environ["PYSPARK_PYTHON"] = sys.executable
from datetime import date
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
         .config("spark.driver.memory", "4g").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
from claimcheck.spark import validate
start = time.perf_counter()
frame = spark.read.csv(sys.argv[1], header=True, inferSchema=False)
validate(frame, as_of=date(2026, 11, 22)).write.mode("overwrite").csv(sys.argv[2], header=True)
print(time.perf_counter() - start)
"""


# Processes may cache their bytecode, as on a user's machine (some sandboxes switch it off).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _figures(script: str, *args: str) -> dict[str, float]:
    """What the Python ``script``, run on ``args`` after a sync of the file system, prints as JSON."""
    os.sync()
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=_ENV)
    if done.returncode != 0:
        raise SystemExit(f"{args[0] if args else script!r} failed: {done.stderr.strip()[-2000:]}")
    figures = json.loads(done.stdout)
    figures["stderr"] = done.stderr.strip()
    return figures


def _timed_once(command: list[str]) -> dict[str, float]:
    """Wall seconds and the peak RSS of the largest process of ``command``'s tree."""
    figures = _figures(_TIMED, *command)
    # claimcheck runs with --fail-on never: exit status 1 is an error too (an import error
    # exits 1), and a run that wrote no report must not be timed as one that did.
    if figures["code"] != 0:
        raise SystemExit(f"{' '.join(command)} failed with exit code {figures['code']}: {figures['stderr'][-2000:]}")
    return figures


def _median(measure: Callable[[], dict[str, float]], repeat: int, output: Path | None) -> dict[str, float]:
    """The median seconds of ``repeat`` measures and the largest peak RSS; ``output`` is removed
    after each."""
    runs = []
    for _ in range(repeat):
        runs.append(measure())
        if output is not None:
            output.unlink(missing_ok=True)
    return {
        "seconds": statistics.median(run["seconds"] for run in runs),
        "rss_mb": max(run["rss_mb"] for run in runs),
    }


def _timed(command: list[str], repeat: int = 1, output: Path | None = None) -> dict[str, float]:
    """The median wall seconds of ``repeat`` runs of ``command`` and the largest peak RSS."""
    return _median(lambda: _timed_once(command), repeat, output)


def _polars_write(report: Path, out: Path, repeat: int) -> dict[str, float]:
    """The median seconds polars takes to write the rows of ``report`` (read in first, not timed)."""
    return _median(lambda: _figures(_POLARS_WRITE, str(report), str(out)), repeat, out)


def _claimcheck(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("claimcheck")), "check", *args, "--quiet", "--fail-on", "never"]


def _head(path: Path, lines: int, target: Path) -> Path:
    with path.open("rb") as source, target.open("wb") as out:
        for number, line in enumerate(source):
            if number > lines:
                break
            out.write(line)
    return target


def _spark_seconds(path: Path, out: Path) -> float | None:
    if shutil.which("java") is None:
        return None
    try:
        import pyspark  # noqa: F401
    except ModuleNotFoundError:
        return None
    done = subprocess.run([sys.executable, "-c", _SPARK, str(path), str(out)], capture_output=True, text=True, env=_ENV)
    if done.returncode != 0:
        print(f"spark run failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    return float(done.stdout.strip().splitlines()[-1])


def _row(name: str, lines: int, figures: dict[str, float], baseline: float) -> str:
    seconds = figures["seconds"]
    return (
        f"| {name} | {seconds:8.2f} | {lines / seconds:12,.0f} | {seconds / baseline:6.1f}x | "
        f"{figures['rss_mb']:7.0f} |"
    )


# Disk a size needs at its peak: the report (about 1,900 bytes a line) and its copy, plus the input.
_DISK_BYTES_PER_LINE = 2 * 1_900 + 2 * 80


def bench_size(
    lines: int, folder: Path, durable_lines: int, spark: bool, repeat: int, fits_in_memory: bool = True
) -> None:
    needed, free = lines * _DISK_BYTES_PER_LINE, shutil.disk_usage(folder).free
    if free < needed:
        print(
            f"\n{lines:,} lines skipped: needs about {needed / 1e9:,.0f} GB free in {folder}, {free / 1e9:,.0f} GB are"
        )
        return
    path = generate(folder / f"claims_{lines}.csv", lines)
    out = folder / "out"
    size_mb = path.stat().st_size / 1e6
    baseline = _timed([sys.executable, "-c", _POLARS, str(path), str(out)], repeat, out)
    runs: list[tuple[str, dict[str, float]]] = [("polars read + write (baseline)", baseline)]
    for rows in ("finding", "line"):
        for jobs in ("1", "2"):
            args = [str(path), "--format", "csv", "--rows", rows, "--jobs", jobs, "-o", str(out)]
            runs.append((f"check --format csv --rows {rows} --jobs {jobs}", _timed(_claimcheck(*args), repeat, out)))
    report = folder / "report.csv"
    _timed(_claimcheck(str(path), "--format", "csv", "-o", str(report)))
    copy = _timed([sys.executable, "-c", _COPY, str(report), str(out)], repeat, out)
    runs.append((f"copy of that report ({report.stat().st_size / 1e6:,.0f} MB), no checking", copy))
    if fits_in_memory:
        written = _polars_write(report, out, repeat)
        runs.append(("polars writing that report's rows, no checking (read in first, not timed)", written))
    report.unlink()
    each = f"median of {repeat} runs" if repeat > 1 else "one run"
    print(f"\n{lines:,} lines ({size_mb:,.0f} MB CSV), as of 2026-11-22, shipped rules; {each} per figure")
    print("| run | seconds | lines/s | vs baseline | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for name, figures in runs:
        print(_row(name, lines, figures, baseline["seconds"]))
    if durable_lines:
        sample = _head(path, durable_lines, folder / "durable.csv")
        durable = _timed(_claimcheck(str(sample), "--format", "csv", "--engine", "durable", "-o", str(out)), 1, out)
        durable_speed = durable_lines / durable["seconds"]
        best = max(lines / figures["seconds"] for name, figures in runs[1:] if "finding" in name)
        print(
            f"| check --engine durable (first {durable_lines:,} lines) | {durable['seconds']:8.2f} | "
            f"{durable_speed:12,.0f} | | {durable['rss_mb']:7.0f} |"
        )
        print(f"\ncompiled batch engine (one row per finding) / durable-rules: {best / durable_speed:.0f}x lines/s")
    if spark:
        seconds = _spark_seconds(path, folder / "spark_out")
        if seconds is not None:
            print(f"Spark local[2], claimcheck.spark.validate to CSV: {seconds:.1f} s, {lines / seconds:,.0f} lines/s")
    path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated line counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure up to 1M lines (the median is shown)")
    parser.add_argument("--durable-lines", type=int, default=20_000)
    parser.add_argument("--no-spark", action="store_true")
    arguments = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        for lines in (int(size) for size in arguments.sizes.split(",")):
            small = lines <= 1_000_000  # durable-rules and Spark run on the 1M file only
            bench_size(
                lines,
                Path(folder),
                arguments.durable_lines if small else 0,
                small and not arguments.no_spark,
                max(1, arguments.repeat) if small else 1,
                fits_in_memory=small,
            )


if __name__ == "__main__":
    main()
