"""The ``--jobs`` workers: how many a run may have (the cores it may use, a container's CPU quota
too), and how they start."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from claimcheck.io import workers
from tests.conftest import ROOT


def _cgroup(root: Path, v2: str | None = None, v1: tuple[str, str] | None = None) -> Path:
    if v2 is not None:
        (root / "cpu.max").write_text(v2 + "\n")
    if v1 is not None:
        (root / "cpu").mkdir()
        (root / "cpu" / "cpu.cfs_quota_us").write_text(v1[0] + "\n")
        (root / "cpu" / "cpu.cfs_period_us").write_text(v1[1] + "\n")
    return root


@pytest.mark.parametrize(
    ("v2", "v1", "cpus"),
    [
        ("200000 100000", None, 2),  # a pod limited to 2 CPUs
        ("150000 100000", None, 2),  # 1.5 CPUs: a second worker still gets half a core
        ("50000 100000", None, 1),
        ("max 100000", None, None),  # no quota
        (None, ("300000", "100000"), 3),  # cgroup v1
        (None, ("-1", "100000"), None),
        (None, None, None),  # no cgroup files: not Linux, or not mounted
        ("garbage", None, None),
    ],
)
def test_a_cpu_quota_is_read_from_cgroup_v2_or_v1(
    v2: str | None, v1: tuple[str, str] | None, cpus: int | None, tmp_path: Path
) -> None:
    assert workers.quota_cpus(_cgroup(tmp_path, v2, v1)) == cpus


def test_the_default_is_the_cores_the_process_may_run_on_within_its_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    # A container limited to 2 CPUs on a 64-core node started 64 workers, each loading the rules
    # (100+ MB): past the container's memory limit, for no more CPU time than 2.
    monkeypatch.setattr("os.sched_getaffinity", lambda _pid: set(range(64)), raising=False)
    monkeypatch.setattr(workers, "quota_cpus", lambda *_args: 2)
    assert workers.default_jobs() == 2
    assert workers.usable_jobs(8) == 2
    monkeypatch.setattr(workers, "quota_cpus", lambda *_args: None)
    assert workers.default_jobs() == 64
    monkeypatch.setattr(workers, "quota_cpus", lambda *_args: 128)
    assert workers.default_jobs() == 64


_FIRST_INSTRUCTIONS = """
import signal

# Run again in each worker (as __mp_main__), before it runs anything of claimcheck's.
AT_START = signal.getsignal(signal.SIGINT)


def at_start():
    return "ignored" if AT_START == signal.SIG_IGN else str(AT_START)


if __name__ == "__main__":
    from claimcheck.io.workers import RulesSpec, start_pool

    pool = start_pool(2, RulesSpec())
    print(pool.submit(at_start).result())
    pool.shutdown()
"""


@pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="needs a fork server")
def test_the_workers_ignore_ctrl_c_from_their_first_instruction(tmp_path: Path) -> None:
    # Ctrl-C in a terminal reaches the whole process group: the workers ignored it only once
    # their initializer ran, after a second of importing Arrow, and one still starting printed
    # "Exception in initializer" and a KeyboardInterrupt traceback. In a new process: the fork
    # server of this one may have started already.
    script = tmp_path / "first_instructions.py"
    script.write_text(_FIRST_INSTRUCTIONS)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ignored"
