"""The progress bar shows only on a terminal, after a delay, and never changes what is yielded."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from claimcheck.cli import main
from claimcheck.io.progress import RunProgress, progress_bar, with_progress
from tests.conftest import AS_OF, ROOT


def test_silent_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()
    assert list(with_progress(range(1000), Console(file=stream, force_terminal=False), delay=0)) == list(range(1000))
    assert stream.getvalue() == ""


def test_shown_on_a_terminal_after_the_delay() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=100)
    assert list(with_progress(range(2000), console, delay=0)) == list(range(2000))
    assert "lines checked" in stream.getvalue()


def test_quiet_and_the_text_summary() -> None:
    result = CliRunner().invoke(main, ["check", str(ROOT / "fixtures" / "demo" / "claims.csv"), "--quiet"])
    assert result.exit_code == 1
    assert "top failing rules:" in result.stdout and result.stderr == ""


def test_the_batch_bar_shows_lines_and_the_time_left_on_a_terminal() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=120)
    progress = RunProgress(total_bytes=1000)
    with progress_bar(progress, console, delay=0):
        progress.advance(25_000, 500)
        progress.advance(25_000, 1000)
    shown = stream.getvalue()
    assert "lines checked" in shown and "lines/s" in shown and "%" in shown
    assert progress.listeners == []


def test_the_batch_bar_is_silent_off_a_terminal() -> None:
    stream = io.StringIO()
    progress = RunProgress(total_bytes=10)
    with progress_bar(progress, Console(file=stream, force_terminal=False), delay=0):
        progress.advance(10, 10)
    assert stream.getvalue() == ""


def test_the_bytes_done_follow_the_rows_handed_out_not_arrows_read_ahead(tmp_path: Path) -> None:
    from benchmarks.generate import generate

    from claimcheck.io.batch.reader import FastReader
    from claimcheck.io.fast_csv import fast_eligible

    path = generate(tmp_path / "claims.csv", 30_000, seed=5)
    names = fast_eligible(path, None, None, "compiled")
    assert names is not None
    reader, rows, size = FastReader(path, names, block_bytes=64 << 10), 0, path.stat().st_size
    seen = []
    for batch in reader.batches():
        rows += batch.num_rows
        seen.append((rows / 30_000, reader.bytes_done / size))
    assert len(seen) > 10 and seen[-1] == (1.0, 1.0)
    assert all(abs(by_rows - by_bytes) < 0.05 for by_rows, by_bytes in seen)  # Arrow read 4+ blocks ahead


def test_check_files_counts_the_bytes_of_claimcheck_csv_for_the_time_left(tmp_path: Path) -> None:
    from benchmarks.generate import generate

    import claimcheck
    from claimcheck.io.files import check_files, input_progress

    first, second = generate(tmp_path / "a.csv", 40_000, seed=3), generate(tmp_path / "b.csv", 10_000, seed=4)
    progress = input_progress([first, second], None, None, "compiled")
    assert progress.total_bytes == first.stat().st_size + second.stat().st_size
    seen: list[int] = []
    progress.listeners.append(lambda state: seen.append(state.bytes_done))
    lines = check_files([first, second], rules=claimcheck.load_rules(), progress=progress)
    assert sum(1 for _ in with_progress(lines, progress=progress)) == 50_000
    assert progress.bytes_done == progress.total_bytes
    assert len(set(seen)) >= 3 and min(seen) < first.stat().st_size  # it moved during the run


def test_the_bytes_done_do_not_run_ahead_of_the_lines_written(tmp_path: Path) -> None:
    # A block's bytes were counted before its lines went out (to a json or text report): the
    # bar stood at 19% with 2,500 lines of 150,000 done.
    from benchmarks.generate import generate

    import claimcheck
    from claimcheck.io.files import check_files, input_progress

    path = generate(tmp_path / "claims.csv", 60_000, seed=8)
    progress = input_progress([path], None, None, "compiled")
    seen: list[tuple[int, int]] = []
    progress.listeners.append(lambda state: seen.append((state.lines, state.bytes_done)))
    lines = check_files([path], rules=claimcheck.load_rules(), progress=progress)
    assert sum(1 for _ in with_progress(lines, progress=progress)) == 60_000
    assert progress.bytes_done == progress.total_bytes
    assert all(done / progress.total_bytes <= lines / 60_000 + 0.02 for lines, done in seen)


def test_other_readers_leave_the_total_unknown(tmp_path: Path) -> None:
    from claimcheck.io.files import input_progress

    claims = tmp_path / "claims.jsonl"
    claims.write_text('{"claim_id": "C1", "lines": []}\n', encoding="utf-8")
    assert input_progress([ROOT / "fixtures" / "demo" / "claims.csv", claims], None, None, "compiled").total_bytes == 0


@pytest.mark.parametrize("variable", ["FORCE_COLOR", "TTY_COMPATIBLE"])
def test_silent_on_a_log_file_even_where_rich_is_told_to_act_as_a_terminal(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CI jobs set FORCE_COLOR for coloured logs; rich then takes any stream for a terminal and
    # the bar's frames (cursor codes and all) filled the job's log.
    monkeypatch.setenv(variable, "1")
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    progress = RunProgress(total_bytes=10)
    with progress_bar(progress, delay=0):
        progress.advance(10, 10)
    assert list(with_progress(range(1000), delay=0)) == list(range(1000))
    assert log.getvalue() == ""


def test_the_report_pipeline_shows_a_percentage_only_when_every_file_counts_its_bytes(tmp_path: Path) -> None:
    # The per-line readers say nothing until a file ends: with a total, a JSONL run's bar sat
    # at "0%" with no time left for the whole run, then jumped to 100%.
    from claimcheck.io.batch.pipeline import RulesSpec, encoded_reports

    claims = tmp_path / "claims.jsonl"
    claims.write_text('{"claim_id": "C1", "lines": [{"line_number": 1, "procedure_code": "99213"}]}\n', "utf-8")
    demo = ROOT / "fixtures" / "demo" / "claims.csv"
    for files, total in (([claims], 0), ([demo, claims], 0), ([demo], demo.stat().st_size)):
        progress = RunProgress()
        chunks = encoded_reports(files, spec=RulesSpec(), as_of=AS_OF, output_format="csv", progress=progress)
        assert sum(lines for _, lines, _ in chunks) > 0
        assert progress.total_bytes == total


def test_with_workers_the_bytes_done_follow_the_blocks_checked_not_those_handed_out(tmp_path: Path) -> None:
    from benchmarks.generate import generate

    from claimcheck.io.batch.pipeline import encoded_reports
    from claimcheck.io.workers import RulesSpec, start_pool

    path = generate(tmp_path / "claims.csv", 150_000, seed=7)  # ~11 MB: several 2 MB blocks
    total_lines, size = 150_000, path.stat().st_size
    progress = RunProgress(total_bytes=size)
    seen: list[tuple[float, float]] = []
    progress.listeners.append(lambda state: seen.append((state.lines / total_lines, state.bytes_done / size)))
    spec = RulesSpec.of()
    chunks = encoded_reports(
        [path],
        spec=spec,
        as_of=AS_OF,
        output_format="csv",
        rows="line",
        jobs=2,
        progress=progress,
        pool=start_pool(2, spec),
    )
    for _ in chunks:
        pass
    during = [(lines, done) for lines, done in seen if 0 < lines < 1]
    assert len(during) >= 3 and progress.lines == total_lines
    # Five blocks (10 MB of 11) went out before the first came back: the bar showed ~90% done.
    assert all(done - lines < 0.2 for lines, done in during), during


def test_after_arrow_stops_the_bytes_done_go_on_at_the_bytes_a_line_took(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.generate import generate

    from claimcheck.io.batch.pipeline import encoded_reports
    from claimcheck.io.workers import RulesSpec

    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 64 << 10)
    lines = generate(tmp_path / "claims.csv", 30_000, seed=9).read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "wrong_width.csv"
    path.write_text("".join([*lines[:6_000], "C9,1,too,few\n", *lines[6_000:]]), encoding="utf-8")
    size = path.stat().st_size
    progress = RunProgress(total_bytes=size)
    seen: list[float] = []
    progress.listeners.append(lambda state: seen.append(state.bytes_done / size))
    for _ in encoded_reports(
        [path], spec=RulesSpec.of(), as_of=AS_OF, output_format="csv", rows="line", jobs=1, progress=progress
    ):
        pass
    assert progress.lines == 30_001 and seen[-1] == 1.0
    # Arrow stopped a fifth of the way in; the per-line reader's 20,000-line chunk moved the bar on.
    assert any(0.3 < done < 0.99 for done in seen) and seen == sorted(seen), seen
