"""``--output`` targets that are not plain files: devices and pipes are written to, links followed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.cli_runs import AS_OF, FAIL, GOOD, claims_csv, invoke


def _read_fifo_in_background(fifo: Path) -> tuple[threading.Thread, list[bytes]]:
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, received


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
@pytest.mark.parametrize("output_format", ["csv", "json", "jsonl"])
def test_a_named_pipe_gets_the_report_and_stays_a_pipe(tmp_path: Path, output_format: str) -> None:
    claims = claims_csv(tmp_path, GOOD, FAIL)
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    reader, received = _read_fifo_in_background(fifo)
    result = invoke("check", claims, "--format", output_format, "-o", fifo, *AS_OF)
    reader.join(timeout=30)
    assert result.exit_code == 1, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    expected = invoke("check", claims, "--format", output_format, *AS_OF).stdout_bytes
    assert received == [expected]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.csv", "report.pipe"]


def test_a_link_keeps_pointing_at_the_new_report(tmp_path: Path) -> None:
    claims = claims_csv(tmp_path, GOOD)
    reports = tmp_path / "reports"
    reports.mkdir()
    real = reports / "today.csv"
    real.write_text("yesterday's report\n", encoding="utf-8")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    result = invoke("check", claims, "--format", "csv", "-o", link, *AS_OF)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_text(encoding="utf-8").startswith("claim_id,line_number,")
    assert [p.name for p in reports.iterdir()] == ["today.csv"]


def test_a_dangling_link_names_what_was_given(tmp_path: Path) -> None:
    link = tmp_path / "latest.csv"
    link.symlink_to(tmp_path / "gone" / "report.csv")
    result = invoke("check", claims_csv(tmp_path, GOOD), "--format", "csv", "-o", link, *AS_OF)
    assert result.exit_code == 2
    assert "latest.csv" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="needs /dev/stdout")
def test_dev_stdout_on_a_pipe_gets_the_report(tmp_path: Path) -> None:
    # realpath turns /dev/stdout on a pipe into /proc/N/fd/pipe:[...], a path that does not
    # exist: the report went to a temporary file there and the run failed.
    claims = claims_csv(tmp_path, GOOD)
    command = [sys.executable, "-m", "claimcheck.cli", "check", str(claims), "--format", "csv", *AS_OF]
    expected = subprocess.run(command, capture_output=True, check=True).stdout
    done = subprocess.run([*command, "-o", "/dev/stdout"], capture_output=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected


@pytest.mark.parametrize("output_format", ["text", "csv", "parquet"])
def test_a_loop_of_links_is_refused_and_left_alone(tmp_path: Path, output_format: str) -> None:
    # realpath hands a loop back as it is, and the rename replaced the link with the report.
    loop, other = tmp_path / "loop", tmp_path / "other"
    loop.symlink_to(other)
    other.symlink_to(loop)
    result = invoke("check", claims_csv(tmp_path, GOOD), "--format", output_format, "-o", loop, *AS_OF)
    assert result.exit_code == 2
    assert "loop: cannot write the report" in result.stderr and "symbolic links" in result.stderr
    assert "Traceback" not in result.stderr
    assert loop.is_symlink() and os.readlink(loop) == str(other)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.csv", "loop", "other"]


@pytest.mark.parametrize("output_format", ["text", "csv"])
def test_a_path_under_a_file_is_one_message_not_a_traceback(tmp_path: Path, output_format: str) -> None:
    # The temporary name's clean-up, unlink under a file, raised NotADirectoryError over the
    # error it was cleaning up after: a traceback and exit status 1, which reads as "lines fail".
    claims = claims_csv(tmp_path, GOOD)
    result = invoke("check", claims, "--format", output_format, "-o", claims / "report.csv", *AS_OF)
    assert result.exit_code == 2
    assert "claims.csv/report.csv': " in result.stderr and "claims.csv is not a folder" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="needs /dev/stdout")
@pytest.mark.parametrize("output_format", ["csv", "text"])
def test_dev_stdout_closed_early_stops_the_report_quietly_as_standard_output_does(
    tmp_path: Path, output_format: str
) -> None:
    # Written in place, a closed pipe was 'cannot write the report (Broken pipe)' and status 2,
    # where '| head' on standard output ends quietly with 141.
    rows = [FAIL.replace("C3,", f"C{n},") for n in range(1, 3_000)]
    command = [sys.executable, "-m", "claimcheck.cli", "check", str(claims_csv(tmp_path, *rows))]
    process = subprocess.Popen(
        [*command, "--format", output_format, "-o", "/dev/stdout", *AS_OF, "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=120) == 141
    assert process.stderr.read() == b""
