"""Whole files through the batch engine: read, check and encode batch by batch, on all cores.

A CSV file in the claimcheck layout takes the fast road (Arrow's reader, the batch engine,
``--jobs`` worker processes); every other file, and the rest of a CSV file from the first
block Arrow's reader refuses, takes the per-line road. Both give the same findings, and the
report keeps input order whatever the number of jobs.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa

from claimcheck.engine.ruleset import RuleSet, load_rules
from claimcheck.engine.run import check_claims, check_claims_with
from claimcheck.errors import ClaimCheckError
from claimcheck.io.batch import check_batch, line_results
from claimcheck.io.batch.encode import Encoded, encode_batch, encode_lines, ipc_bytes, read_ipc
from claimcheck.io.batch.no_pandas import skip_pandas_lookup
from claimcheck.io.batch.reader import PHYSICAL_LINE, FastReader, ReadStopped
from claimcheck.io.batch.spool import spool
from claimcheck.io.fast_csv import fast_eligible
from claimcheck.io.progress import RunProgress
from claimcheck.io.readers import read_claims
from claimcheck.io.readers.csv_reader import read_csv
from claimcheck.io.readers.layouts import ColumnLayout
from claimcheck.models.report import LineResult

__all__ = ["RulesSpec", "default_jobs", "encoded_reports", "fast_results"]

_LINES_PER_CHUNK = 20_000
# Smaller files are checked in the parent: starting workers would cost more than they save.
_PARALLEL_BYTES = 8 << 20


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class RulesSpec:
    """How a worker process loads the run's rules: the same arguments ``load_rules`` took."""

    path: str | None = None
    code_sets: tuple[tuple[str, Any], ...] = ()
    ptp: tuple[str, ...] = ()
    mue: str | None = None

    @classmethod
    def of(
        cls,
        path: str | os.PathLike[str] | None = None,
        code_sets: Mapping[str, str] | None = None,
        ptp: Iterable[str | os.PathLike[str]] = (),
        mue: str | os.PathLike[str] | None = None,
    ) -> RulesSpec:
        """The spec for ``load_rules(path, code_sets=..., ptp=..., mue=...)``, with paths as text."""
        return cls(
            str(path) if path is not None else None,
            tuple(sorted((code_sets or {}).items())),
            tuple(str(p) for p in ptp),
            str(mue) if mue is not None else None,
        )

    def load(self) -> RuleSet:
        return load_rules(self.path, code_sets=dict(self.code_sets) or None, ptp=list(self.ptp) or None, mue=self.mue)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _origin(batch: pa.RecordBatch, name: str) -> Callable[[int], str]:
    lines = batch.column(PHYSICAL_LINE).to_numpy()
    return lambda row: f"{name} line {int(lines[row])}"


def _chunks(items: Iterable[LineResult], size: int = _LINES_PER_CHUNK) -> Iterator[list[LineResult]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _rest_per_line(path: Path, stopped: ReadStopped, rules: RuleSet, as_of: date) -> Iterator[LineResult]:
    """The lines of ``path`` after those Arrow's reader delivered, read and checked line by line."""
    return check_claims(read_csv(path, skip_rows=stopped.rows_done), rules, as_of)


def fast_results(path: Path, names: list[str], rules: RuleSet, as_of: date) -> Iterator[LineResult]:
    """The line results of ``path`` (whose header is ``names``) by the fast road, and by the
    per-line road from wherever Arrow's reader stops."""
    reader = FastReader(path, names)
    try:
        for batch in reader.batches():
            lines, found, _ = check_batch(batch, rules, as_of, _origin(batch, path.name))
            yield from line_results(lines, found)
    except ReadStopped as stopped:
        yield from _rest_per_line(path, stopped, rules, as_of)


# -- encoded reports, on one core or several ------------------------------------------------

_worker_rules: RuleSet | None = None
_worker_error: ClaimCheckError | None = None


def _start_worker(spec: RulesSpec) -> None:
    global _worker_rules, _worker_error
    skip_pandas_lookup()
    try:
        _worker_rules = spec.load()
    except ClaimCheckError as error:  # the parent loads the same rules and reports it
        _worker_error = error


def _start_pool(jobs: int, spec: RulesSpec) -> ProcessPoolExecutor:
    """Worker processes from a fork server, each loading the rules itself.

    Not plain fork: a process that has run Arrow has threads, and a child forked from
    it can hang for ever on a lock one of them held (seen in the test suite).
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(spec,))
    for _ in range(jobs):  # the pool starts a worker per task submitted: start them all now
        pool.submit(_started)
    return pool


def _started() -> None:
    pass


def _check_encoded(
    payload: bytes, name: str, as_of: date, output_format: str, rows: str, spool_dir: str | None
) -> Encoded:
    if _worker_rules is None:
        raise _worker_error or ClaimCheckError("the worker has no rules")
    batch = read_ipc(payload)
    lines, found, text = check_batch(batch, _worker_rules, as_of, _origin(batch, name))
    pieces, count, by_status = encode_batch(lines, found, text, output_format, rows)
    if spool_dir:
        try:
            return [spool(pieces, spool_dir)], count, by_status
        except OSError:  # a full or vanished temporary directory: the pipe still works
            pass
    return pieces, count, by_status


def _result(future: Future[Encoded]) -> Encoded:
    try:
        return future.result()
    except BrokenProcessPool:
        raise ClaimCheckError(
            "a --jobs worker process stopped before it finished (out of memory?); try fewer --jobs"
        ) from None


@dataclass
class _Run:
    rules: RuleSet | None
    spec: RulesSpec
    as_of: date
    output_format: str
    rows: str
    jobs: int
    progress: RunProgress
    offset: int = 0  # input bytes of the files done
    pool: ProcessPoolExecutor | None = None
    spool_dir: str | None = None  # where workers leave report text (not Parquet's Arrow rows)

    def pool_for(self, path: Path) -> ProcessPoolExecutor | None:
        """Workers for a file big enough to repay starting them (each loads the rules)."""
        if self.pool is None and self.jobs > 1 and _size(path) >= _PARALLEL_BYTES:
            self.pool = _start_pool(self.jobs, self.spec)
            if self.output_format != "parquet":
                with contextlib.suppress(OSError):  # no temporary directory: results come by pipe
                    self.spool_dir = tempfile.mkdtemp(prefix="claimcheck-")
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.spool_dir is not None:
            shutil.rmtree(self.spool_dir, ignore_errors=True)

    def fast(self, path: Path, names: list[str]) -> Iterator[Encoded]:
        assert self.rules is not None
        reader = FastReader(path, names)
        pending: deque[Future[Encoded]] = deque()
        pool = self.pool_for(path)
        try:
            for batch in reader.batches():
                if pool is None:
                    lines, found, text = check_batch(batch, self.rules, self.as_of, _origin(batch, path.name))
                    done = encode_batch(lines, found, text, self.output_format, self.rows)
                    self.progress.advance(done[1], self.offset + reader.bytes_read)
                    yield done
                    continue
                job = (ipc_bytes(batch), path.name, self.as_of, self.output_format, self.rows, self.spool_dir)
                pending.append(pool.submit(_check_encoded, *job))
                while len(pending) > 2 * self.jobs:  # bounded: memory stays flat
                    done = _result(pending.popleft())
                    self.progress.advance(done[1], self.offset + reader.bytes_read)
                    yield done
        except ReadStopped as stopped:
            yield from self._drain(pending, reader)
            yield from self.encoded_lines(_rest_per_line(path, stopped, self.rules, self.as_of))
            return
        yield from self._drain(pending, reader)

    def _drain(self, pending: deque[Future[Encoded]], reader: FastReader) -> Iterator[Encoded]:
        while pending:
            done = _result(pending.popleft())
            self.progress.advance(done[1], self.offset + reader.bytes_read)
            yield done

    def encoded_lines(self, results: Iterable[LineResult]) -> Iterator[Encoded]:
        for chunk in _chunks(results):
            done = encode_lines(chunk, self.output_format, self.rows)
            self.progress.advance(done[1])
            yield done


def encoded_reports(
    paths: Iterable[Path],
    *,
    rules: RuleSet | None = None,
    spec: RulesSpec,
    as_of: date,
    output_format: str,
    rows: str = "finding",
    jobs: int = 1,
    input_format: str | None = None,
    columns: ColumnLayout | None = None,
    x12_strict: bool = False,
    engine: str = "compiled",
    progress: RunProgress | None = None,
) -> Iterator[Encoded]:
    """The report of ``paths`` in ``output_format`` (csv, jsonl, parquet), chunk by chunk, in
    input order; ``jobs`` worker processes check the CSV batches, each loading ``spec``'s rules
    (as the parent does when ``rules`` is None, once the workers are on their way)."""
    files = [Path(p) for p in paths]
    progress = progress or RunProgress()
    progress.total_bytes = progress.total_bytes or sum(_size(p) for p in files)
    eligible = [fast_eligible(path, input_format, columns, engine) for path in files]
    run = _Run(rules, spec, as_of, output_format, rows, jobs, progress)
    try:
        for path in (path for path, names in zip(files, eligible, strict=True) if names is not None):
            if run.pool_for(path) is not None:
                break  # workers start while the parent loads the rules
        if run.rules is None:
            run.rules = spec.load()
        for path, names in zip(files, eligible, strict=True):
            if names is not None:
                yield from run.fast(path, names)
            else:
                claims = read_claims(path, input_format, columns=columns, x12_strict=x12_strict)
                yield from run.encoded_lines(check_claims_with(engine, claims, run.rules, as_of))
            run.offset += _size(path)
            progress.advance(0, run.offset)
    finally:
        run.close()
