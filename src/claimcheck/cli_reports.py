"""Writing ``claimcheck check``'s report once its options are settled: csv, jsonl and parquet
through the batch pipeline (worker processes, ``--jobs``), the other formats line by line in
this process. Both return the run's worst status; the command turns it into the exit code.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from claimcheck.cli_options import load_ruleset
from claimcheck.errors import ClaimCheckError

__all__ = ["RunOptions", "write_batch_report", "write_line_report"]

Unreadable = Callable[[ClaimCheckError], None] | None


@dataclass(frozen=True)
class RunOptions:
    """What every report of a run shares: the rules, the reading options and --quiet."""

    rules_dir: Path | None
    code_sets: dict[str, str]
    ptp: tuple[Path, ...]
    mue: Path | None
    as_of: date | None
    input_format: str | None
    columns: str | None
    x12_strict: bool
    engine: str
    quiet: bool


def write_batch_report(
    files: tuple[Path, ...],
    run: RunOptions,
    *,
    output_format: str,
    rows: str | None,
    jobs: int | None,
    output: Path | None,
    unreadable: Unreadable,
) -> Any:
    """A csv, jsonl or parquet report through the batch pipeline on ``jobs`` cores (all by default)."""
    from claimcheck.io.workers import RulesSpec, usable_jobs

    spec = RulesSpec.of(run.rules_dir, run.code_sets, run.ptp, run.mue)
    cores = usable_jobs(jobs)  # reads the cgroup quota: once
    if jobs is not None and cores < jobs and not run.quiet:
        click.echo(
            f"claimcheck: --jobs {jobs} is more than the {cores} cores this run may use: "
            f"it runs at most {cores} workers",
            err=True,
        )
    pool = None
    try:
        pool = _early_workers(files, spec, cores, run)
        from claimcheck.io.no_pandas import skip_pandas_lookup

        skip_pandas_lookup()
        from claimcheck.io.batch.report import ReportOptions

        options = ReportOptions(
            output_format, rows, cores, run.as_of, run.input_format, run.columns, run.x12_strict, run.engine
        )
        return _write_encoded(files, spec, options, output, run.quiet, pool, unreadable)
    finally:
        if pool is not None:  # the run shut it down already, unless it never began
            pool.shutdown(wait=True, cancel_futures=True)


def write_line_report(
    files: tuple[Path, ...],
    run: RunOptions,
    *,
    output_format: str,
    verbose: bool,
    output: Path | None,
    unreadable: Unreadable,
) -> Any:
    """A text, json or html report, the lines checked one by one in this process."""
    from claimcheck.io.files import atomic_output, check_files, input_progress, standard_output, stream_report
    from claimcheck.io.progress import with_progress
    from claimcheck.io.writers import STREAM_WRITERS
    from claimcheck.io.writers.text_writer import TextStream

    ruleset = load_ruleset(run.rules_dir, run.code_sets, run.ptp, run.mue)
    progress = None if run.quiet else input_progress(files, run.input_format, run.columns, run.engine)
    lines = check_files(
        files,
        rules=ruleset,
        as_of=run.as_of,
        input_format=run.input_format,
        columns=run.columns,
        x12_strict=run.x12_strict,
        engine=run.engine,
        unreadable=unreadable,
        progress=progress,
    )
    if progress is not None:
        lines = with_progress(lines, progress=progress)
    # JSON and HTML are UTF-8 on standard output as in a file; the text table is in the terminal's encoding.
    target = atomic_output(output) if output is not None else standard_output(utf8=output_format != "text")
    with target as stream:
        if output_format == "text":
            text = TextStream(stream, verbose=verbose, plain=output is not None)
            return stream_report(lines, text, ruleset).status
        return stream_report(lines, STREAM_WRITERS[output_format](stream), ruleset).status


def _early_workers(files: tuple[Path, ...], spec: Any, jobs: int, run: RunOptions) -> Any:
    """The ``--jobs`` workers, started before the command imports Arrow and the engine, when the
    run will want them: they do their own imports and load the rules meanwhile."""
    from claimcheck.io.workers import file_size, start_pool, wants_workers

    if run.columns is not None:  # a named layout takes the per-line road
        return None
    sizes = [file_size(path) for path in files if _batch_eligible(path, run.input_format, run.engine)]
    return start_pool(jobs, spec) if wants_workers(jobs, sizes, spec) else None


def _batch_eligible(path: Path, input_format: str | None, engine: str) -> bool:
    from claimcheck.io.fast_csv import fast_eligible

    try:
        return fast_eligible(path, input_format, None, engine) is not None
    except ClaimCheckError:
        # A file that cannot be opened: the run reports it where it reads it, and with several
        # FILES checks the others, rather than stopping here before any.
        return False


def _write_encoded(
    files: tuple[Path, ...],
    spec: Any,
    options: Any,
    output: Path | None,
    quiet: bool,
    pool: Any,
    unreadable: Unreadable,
) -> Any:
    """The report through the batch pipeline, with a progress bar for long runs."""
    from claimcheck.io.batch.report import write_encoded_report
    from claimcheck.io.files import atomic_output, standard_output
    from claimcheck.io.progress import RunProgress, progress_bar

    progress = RunProgress()
    with contextlib.nullcontext() if quiet else progress_bar(progress):
        target = atomic_output(output, binary=True) if output else standard_output(binary=True)
        with target as stream:
            return write_encoded_report(files, spec, options, stream, progress, pool, unreadable)
