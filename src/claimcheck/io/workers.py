"""The ``--jobs`` worker processes, startable before the command has imported Arrow and the engine.

Each worker imports those and loads the rules itself (some 0.5 s), so ``claimcheck check``
starts the workers first and does its own imports while they do theirs. Kept free of Arrow,
numpy and the engine for that reason: what the workers run lives in ``io.batch.pipeline``.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimcheck.errors import ClaimCheckError

if TYPE_CHECKING:
    from claimcheck.engine.ruleset import RuleSet

__all__ = [
    "PARALLEL_BYTES",
    "RulesSpec",
    "default_jobs",
    "file_size",
    "quota_cpus",
    "spooling_into",
    "start_pool",
    "usable_jobs",
    "wants_workers",
    "worker_rules",
]

# Smaller files are checked in the parent: starting workers would cost more than they save.
PARALLEL_BYTES = 8 << 20
# How soon a worker notices that the run which started it was killed.
_PARENT_POLL_SECONDS = 1.0


def default_jobs() -> int:
    """All the cores this process may use: those it may run on, fewer when its container's CPU
    quota allows less (a pod limited to 2 CPUs on a 64-core node runs on all 64, 2 at a time)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    quota = quota_cpus()
    return max(1, min(cores, quota)) if quota is not None else cores


_CGROUP = Path("/sys/fs/cgroup")


def quota_cpus(root: Path = _CGROUP) -> int | None:
    """The CPUs the cgroup quota at ``root`` allows (v2 ``cpu.max``, else v1 ``cpu.cfs_quota_us``),
    rounded up; None without a quota. A container sees its own cgroup at ``/sys/fs/cgroup``."""
    try:
        quota, _, period = (root / "cpu.max").read_text().partition(" ")
    except OSError:
        try:
            quota = (root / "cpu" / "cpu.cfs_quota_us").read_text()
            period = (root / "cpu" / "cpu.cfs_period_us").read_text()
        except OSError:
            return None
    try:
        share = int(quota) / int(period)
    except (ValueError, ZeroDivisionError):  # "max", or not what a kernel writes
        return None
    return math.ceil(share) if share > 0 else None


def usable_jobs(asked: int | None) -> int:
    """The number of workers to run for ``--jobs asked`` (None: all cores): no more than the
    cores, since each worker loads the rules (100+ MB) and more of them than cores gain nothing."""
    return min(asked or default_jobs(), default_jobs())


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
        ptp: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] = (),
        mue: str | os.PathLike[str] | None = None,
    ) -> RulesSpec:
        """The spec for ``load_rules(path, code_sets=..., ptp=..., mue=...)``, with paths as text;
        ``ptp`` is one file or several, as ``load_rules`` takes it."""
        if isinstance(ptp, (str, os.PathLike)):  # iterated, one path would be a file per letter
            ptp = [ptp]
        return cls(
            str(path) if path is not None else None,
            tuple(sorted((code_sets or {}).items())),
            tuple(str(p) for p in ptp),
            str(mue) if mue is not None else None,
        )

    def rereadable(self) -> bool:
        """Whether worker processes can read the rule files again: none is a pipe such as
        ``--ptp <(zcat ptp.txt.gz)``, which the run has read already (a worker waited on it for ever)."""
        files = [*self.ptp, *([self.mue] if self.mue else []), *(value for _, value in self.code_sets)]
        return all(os.path.isfile(file) for file in files if isinstance(file, (str, os.PathLike)))

    def load(self) -> RuleSet:
        from claimcheck.engine.ruleset import load_rules

        return load_rules(self.path, code_sets=dict(self.code_sets) or None, ptp=list(self.ptp) or None, mue=self.mue)


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def wants_workers(jobs: int, sizes: Sequence[int], spec: RulesSpec) -> bool:
    """Whether a run of ``jobs`` jobs over files of ``sizes`` bytes starts workers: for a file big
    enough to repay them, when they can load the rules of ``spec``."""
    return jobs > 1 and any(size >= PARALLEL_BYTES for size in sizes) and spec.rereadable()


# -- in the worker processes ------------------------------------------------------------------

_rules: RuleSet | None = None
_error: ClaimCheckError | None = None


def _start_worker(spec: RulesSpec, parent: int) -> None:
    global _rules, _error
    from claimcheck.io.no_pandas import skip_pandas_lookup

    # Ctrl-C reaches the whole process group: the run handles it and shuts the workers down; a
    # worker's own KeyboardInterrupt would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_without, args=(parent,), name="claimcheck-parent-watch", daemon=True).start()

    skip_pandas_lookup()
    try:
        _rules = spec.load()
    except ClaimCheckError as error:  # the parent loads the same rules and reports it
        _error = error
    import claimcheck.io.batch.pipeline  # noqa: F401  (what the worker runs, imported before the first block)


def _started() -> None:
    pass


_spool_dirs: set[str] = set()


def spooling_into(folder: str) -> None:
    """Note the run's spool folder, which this worker removes should the run die without it."""
    _spool_dirs.add(folder)


def _exit_without(parent: int) -> None:
    """End this worker once the run that started it is gone: after a ``kill -9`` of the run no
    one else would, and the worker (a child of the fork server, not of the run) would idle on.
    The report text left for the run in its spool folder goes too: no one else would remove it."""
    while True:
        time.sleep(_PARENT_POLL_SECONDS)
        if _gone(parent):
            for folder in list(_spool_dirs):
                shutil.rmtree(folder, ignore_errors=True)
            os._exit(1)


def _gone(pid: int) -> bool:
    """Whether the process ``pid`` has ended. An ended process that its caller has not reaped yet
    (a zombie) counts as ended: a caller that reads the run's output to its end before reaping it
    would otherwise wait for the workers, which hold that output, while they wait for the run."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # PermissionError: the pid is another user's now
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rpartition(b")")[2].split()[0]
    except (OSError, IndexError):  # no /proc (not Linux): a zombie goes unnoticed until reaped
        return False
    return state in (b"Z", b"X")


def worker_rules() -> RuleSet:
    """The rules this worker process loaded."""
    if _rules is None:
        raise _error or ClaimCheckError("the worker has no rules")
    return _rules


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker ignoring SIGHUP, as it ignores SIGINT and SIGTERM:
    a closed terminal hangs up the whole session, and the run, which ends cleanly on a hangup,
    would find the tracker dead and print its tracebacks. The ignoring is inherited from here."""
    from multiprocessing import resource_tracker

    hangup = getattr(signal, "SIGHUP", None)  # not on Windows
    if hangup is None or threading.current_thread() is not threading.main_thread():
        return
    previous = signal.signal(hangup, signal.SIG_IGN)
    try:
        resource_tracker.ensure_running()
    finally:
        signal.signal(hangup, previous)


def _start_fork_server() -> None:
    """Start multiprocessing's fork server ignoring SIGINT, which the workers it forks inherit:
    they ignore Ctrl-C (the terminal sends it to the whole process group; the run shuts them
    down) from their first instruction, not once their initializer has imported Arrow, a second
    in which a worker starting printed a KeyboardInterrupt traceback. A Ctrl-C meanwhile is
    held for the run, not lost."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, previous)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def start_pool(jobs: int, spec: RulesSpec) -> ProcessPoolExecutor:
    """Worker processes from a fork server, each loading the rules itself.

    Not plain fork: a process that has run Arrow has threads, and a child forked from
    it can hang for ever on a lock one of them held (seen in the test suite).
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    _start_resource_tracker()
    if "forkserver" in methods:
        _start_fork_server()
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(spec, os.getpid()))
    try:
        for _ in range(jobs):  # the pool starts a worker per task submitted: start them all now
            pool.submit(_started)
    except BaseException:
        # Ctrl-C or SIGTERM meanwhile: the run never gets the pool to shut it down, and a worker
        # half started would fail to (a traceback) or idle on, holding the run's stderr.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    return pool
