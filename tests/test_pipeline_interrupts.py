"""The batch pipeline interrupted: Ctrl-C, SIGTERM, a hangup or SIGKILL leave no report or spooled text
behind, and its workers end with the run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from claimcheck.rules.loader import shipped_pack_path
from tests.conftest import ROOT, use_workers
from tests.pipeline_runs import (
    AS_OF,
    generated_fixture,  # noqa: F401 (the generated fixture)
)


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
