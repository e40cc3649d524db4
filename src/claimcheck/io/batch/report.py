"""The csv, jsonl and parquet reports of whole files, written through the batch pipeline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from claimcheck.engine.day import day_of_run
from claimcheck.errors import InputError
from claimcheck.io.batch.encode import LINE_OBJECTS
from claimcheck.io.batch.pipeline import RulesSpec, default_jobs, encoded_reports
from claimcheck.io.batch.sink import write_encoded
from claimcheck.io.progress import RunProgress
from claimcheck.io.readers.layouts import load_layout
from claimcheck.models.finding import Status

__all__ = ["ReportOptions", "RulesSpec", "write_encoded_report"]


@dataclass(frozen=True)
class ReportOptions:
    """What ``claimcheck check`` was asked for, as far as the report is concerned."""

    output_format: str
    rows: str | None = None  # "finding" or "line"; None: findings, or line objects for jsonl
    jobs: int | None = None  # None: all cores
    as_of: date | str | None = None
    input_format: str | None = None
    columns: str | None = None
    x12_strict: bool = False
    engine: str = "compiled"

    @property
    def row_kind(self) -> str:
        return self.rows or (LINE_OBJECTS if self.output_format == "jsonl" else "finding")


def write_encoded_report(
    files: Sequence[Path],
    spec: RulesSpec,
    options: ReportOptions,
    stream: BinaryIO,
    progress: RunProgress,
    pool: ProcessPoolExecutor | None = None,
    unreadable: Callable[[InputError], None] | None = None,
) -> Status:
    """Check ``files`` against the rules of ``spec`` and write the report to ``stream``; the
    worst line status comes back, for the exit code. ``pool``: workers started already;
    ``unreadable`` takes the error of a file that cannot be read, and the run goes on."""
    chunks = encoded_reports(
        files,
        spec=spec,
        as_of=day_of_run(options.as_of),
        output_format=options.output_format,
        rows=options.row_kind,
        jobs=options.jobs or default_jobs(),
        input_format=options.input_format,
        columns=load_layout(options.columns) if options.columns else None,
        x12_strict=options.x12_strict,
        engine=options.engine,
        progress=progress,
        pool=pool,
        unreadable=unreadable,
    )
    return write_encoded(chunks, options.output_format, options.row_kind, stream).status
