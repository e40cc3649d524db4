"""Whole files through the batch engine: read, check and encode batch by batch, on all cores.

A CSV file in the claimcheck layout takes the fast road (Arrow's reader, the batch engine,
``--jobs`` worker processes); every other file, and the rest of a CSV file from the first
block Arrow's reader refuses, takes the per-line road. Both give the same findings, and the
report keeps input order whatever the number of jobs.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path

import pyarrow as pa

from claimcheck.engine.ruleset import RuleSet
from claimcheck.engine.run import check_claims, check_claims_with
from claimcheck.errors import ClaimCheckError, InputError
from claimcheck.io import workers
from claimcheck.io.batch import check_batch, line_results
from claimcheck.io.batch.encode import Encoded, encode_batch, encode_lines, ipc_bytes, read_ipc
from claimcheck.io.batch.reader import PHYSICAL_LINE, FastReader, ReadStopped
from claimcheck.io.batch.spool import spool
from claimcheck.io.fast_csv import fast_eligible
from claimcheck.io.progress import RunProgress
from claimcheck.io.readers import read_claims, unreadable_file
from claimcheck.io.readers.csv_reader import read_csv
from claimcheck.io.readers.layouts import ColumnLayout
from claimcheck.io.workers import RulesSpec, default_jobs
from claimcheck.models.report import LineResult

__all__ = ["RulesSpec", "default_jobs", "encoded_reports", "fast_results"]  # RulesSpec, default_jobs: io.workers

# Lines encoded at a time on the per-line road (JSON, JSONL, X12, FHIR input). A chunk's report
# is built whole before it is written: at 20,000 lines a JSONL report of findings held some
# 300 MB at once (peak RSS 618 MB at 300k lines, 821 MB at 1M); at 2,000, 263 MB and 468 MB,
# and faster.
_LINES_PER_CHUNK = 2_000


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


def fast_results(
    path: Path, names: list[str], rules: RuleSet, as_of: date, progress: RunProgress | None = None, offset: int = 0
) -> Iterator[LineResult]:
    """The line results of ``path`` (whose header is ``names``) by the fast road, and by the
    per-line road from wherever Arrow's reader stops. ``progress`` learns the bytes done, from
    ``offset`` (the bytes of the files before this one)."""
    reader = FastReader(path, names)
    try:
        for batch in reader.batches():
            lines, found, _ = check_batch(batch, rules, as_of, _origin(batch, path.name))
            done = offset + reader.bytes_done
            yield from line_results(lines, found)
            # Counted once its lines are out: counted before, a block of some 28,000 lines put
            # the bar's share ahead of its line count (19% at 2,500 lines of 150,000).
            if progress is not None:
                progress.advance(0, done)
    except ReadStopped as stopped:
        yield from _rest_per_line(path, stopped, rules, as_of)


# -- encoded reports, on one core or several ------------------------------------------------


def _check_encoded(
    payload: bytes, name: str, as_of: date, output_format: str, rows: str, spool_dir: str | None
) -> Encoded:
    batch = read_ipc(payload)
    lines, found, text = check_batch(batch, workers.worker_rules(), as_of, _origin(batch, name))
    pieces, count, by_status = encode_batch(lines, found, text, output_format, rows)
    if spool_dir:
        workers.spooling_into(spool_dir)
        try:
            return [spool(pieces, spool_dir)], count, by_status
        except OSError:  # a full or vanished temporary directory: the pipe still works
            pass
    return pieces, count, by_status


def _worker_stopped() -> ClaimCheckError:
    return ClaimCheckError("a --jobs worker process stopped before it finished (out of memory?); try fewer --jobs")


def _result(future: Future[Encoded]) -> Encoded:
    try:
        return future.result()
    except BrokenProcessPool:
        raise _worker_stopped() from None


def _submit(pool: ProcessPoolExecutor, *job: object) -> Future[Encoded]:
    # A worker that died while blocks were still going out breaks the pool here, not only in a
    # result.
    try:
        return pool.submit(_check_encoded, *job)
    except BrokenProcessPool:
        raise _worker_stopped() from None


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
        """Workers, once a file is big enough to repay starting them (each loads the rules)."""
        if self.pool is None and workers.wants_workers(self.jobs, [workers.file_size(path)], self.spec):
            self.pool = workers.start_pool(self.jobs, self.spec)
        if self.pool is not None and self.spool_dir is None and self.output_format != "parquet":
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
        # Each job with the input bytes read when it went out: the bar counts a block once its
        # report is back, not when it was handed to a worker (it ran ahead of the work done).
        pending: deque[tuple[Future[Encoded], int]] = deque()
        pool = self.pool_for(path)
        try:
            for batch in reader.batches():
                if pool is None:
                    lines, found, text = check_batch(batch, self.rules, self.as_of, _origin(batch, path.name))
                    done = encode_batch(lines, found, text, self.output_format, self.rows)
                    self.progress.advance(done[1], self.offset + reader.bytes_done)
                    yield done
                    continue
                job = (ipc_bytes(batch), path.name, self.as_of, self.output_format, self.rows, self.spool_dir)
                pending.append((_submit(pool, *job), reader.bytes_done))
                while len(pending) > 2 * self.jobs:  # bounded: memory stays flat
                    yield self._collect(pending)
        except ReadStopped as stopped:
            yield from self._drain(pending)
            rest = _rest_per_line(path, stopped, self.rules, self.as_of)
            # The per-line reader counts no bytes: go on at the bytes a line took so far, so that
            # the bar does not stand still at the row Arrow refused until the file ends.
            per_line = reader.bytes_done / reader.rows_done if reader.rows_done else 0.0
            start, end = self.offset + reader.bytes_done, self.offset + workers.file_size(path)
            yield from self.encoded_lines(rest, lambda lines: min(end, start + int(lines * per_line)))
            return
        yield from self._drain(pending)

    def _drain(self, pending: deque[tuple[Future[Encoded], int]]) -> Iterator[Encoded]:
        while pending:
            yield self._collect(pending)

    def _collect(self, pending: deque[tuple[Future[Encoded], int]]) -> Encoded:
        future, bytes_done = pending.popleft()
        done = _result(future)
        self.progress.advance(done[1], self.offset + bytes_done)
        return done

    def encoded_lines(
        self, results: Iterable[LineResult], bytes_after: Callable[[int], int] | None = None
    ) -> Iterator[Encoded]:
        """The report of ``results``; ``bytes_after``: the input bytes done after so many lines."""
        lines = 0
        for chunk in _chunks(results):
            done = encode_lines(chunk, self.output_format, self.rows)
            lines += done[1]
            self.progress.advance(done[1], None if bytes_after is None else bytes_after(lines))
            yield done


def _fast_names(
    path: Path,
    input_format: str | None,
    columns: ColumnLayout | None,
    engine: str,
    unreadable: Callable[[InputError], None] | None,
) -> list[str] | None:
    """``fast_eligible``; a file it cannot read, with ``unreadable``, takes the per-line road, which
    reports the error in its turn rather than before the files ahead of it."""
    try:
        return fast_eligible(path, input_format, columns, engine)
    except InputError:
        if unreadable is None:
            raise
        return None


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
    pool: ProcessPoolExecutor | None = None,
    unreadable: Callable[[InputError], None] | None = None,
) -> Iterator[Encoded]:
    """The report of ``paths`` in ``output_format`` (csv, jsonl, parquet), chunk by chunk, in
    input order; ``jobs`` worker processes check the CSV batches, each loading ``spec``'s rules
    (as the parent does when ``rules`` is None, once the workers are on their way). ``pool``:
    workers started already (``workers.start_pool``), which the run shuts down at its end.
    ``unreadable``: as for ``files.check_files``, takes the error of a file that cannot be read
    while the run goes on with the next file."""
    files = [Path(p) for p in paths]
    progress = progress or RunProgress()
    eligible = [_fast_names(path, input_format, columns, engine, unreadable) for path in files]
    if not progress.total_bytes and all(names is not None for names in eligible):
        # Only the fast road counts bytes as it goes (the other readers say nothing until a
        # file ends): without it, lines and lines/s, and no percentage stuck at 0%.
        progress.total_bytes = sum(workers.file_size(p) for p in files)
    run = _Run(rules, spec, as_of, output_format, rows, jobs, progress, pool=pool)
    try:
        for path in (path for path, names in zip(files, eligible, strict=True) if names is not None):
            if run.pool_for(path) is not None:
                break  # workers start while the parent loads the rules
        if run.rules is None:
            run.rules = spec.load()
        for path, names in zip(files, eligible, strict=True):
            try:
                if names is not None:
                    yield from run.fast(path, names)
                else:
                    claims = read_claims(path, input_format, columns=columns, x12_strict=x12_strict)
                    yield from run.encoded_lines(check_claims_with(engine, claims, run.rules, as_of))
            except InputError as exc:
                if unreadable is None:
                    raise
                unreadable(exc)
                yield from run.encoded_lines(check_claims([unreadable_file(exc)], run.rules, as_of))
            run.offset += workers.file_size(path)
            progress.advance(0, run.offset)
    finally:
        run.close()
