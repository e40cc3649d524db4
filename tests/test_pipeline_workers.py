"""The batch pipeline's workers: when they start (not for a small file, one per core), what they import,
and a worker that dies or a report that cannot be written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from tests.conftest import ROOT, use_workers
from tests.pipeline_runs import (
    AS_OF,
    DEMO,
    _check,
    generated_fixture,  # noqa: F401 (the generated fixture)
)


def _worker_dies(*args: object) -> None:
    os._exit(3)


class _BrokenPool:
    """A pool whose worker died before the next block went out: ``submit`` itself refuses."""

    def submit(self, *args: object) -> None:
        from concurrent.futures.process import BrokenProcessPool

        raise BrokenProcessPool("A child process terminated abruptly, the process pool is not usable anymore")

    def shutdown(self, **kwargs: object) -> None:
        pass


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


def test_the_workers_module_starts_workers_without_arrow_or_the_engine() -> None:
    # The command starts its workers before these imports, so that both sides import at once.
    code = (
        "import sys, claimcheck.io.workers, claimcheck.io.fast_csv; "
        "print(sorted(m for m in ('pyarrow', 'numpy', 'claimcheck.engine.ruleset') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_workers_started_early_are_stopped_when_the_report_cannot_be_written(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    use_workers(monkeypatch)
    # /proc takes no new file, for root too: the command line lets the name through (its folder
    # exists) and the report's writer then fails, after the workers started.
    output = Path("/proc/claimcheck-report.csv")
    result = CliRunner().invoke(
        main, ["check", str(generated), "-o", str(output), *AS_OF, "--format", "csv", "-j", "2"]
    )
    assert result.exit_code == 2 and "cannot write the report" in result.stderr
    assert multiprocessing.active_children() == []


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
