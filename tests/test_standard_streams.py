"""Streams on the command line: ``-`` (standard input), ``/dev/stdin`` and pipes among FILES; ``-o -``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from benchmarks.generate import generate

from tests.cli_runs import AS_OF, FAIL, GOOD, HEADER, claims_csv, invoke
from tests.conftest import use_workers

ROOT = Path(__file__).resolve().parent.parent
X12 = ROOT / "fixtures" / "x12" / "professional.837"


def _claimcheck() -> str:
    return str(Path(sys.executable).with_name("claimcheck"))


def _piped(name: str, claims: Path) -> subprocess.CompletedProcess[bytes]:
    with claims.open("rb") as stream:
        return subprocess.run(
            [_claimcheck(), "check", name, "--format", "csv", *AS_OF], stdin=stream, capture_output=True
        )


@pytest.mark.parametrize("output_format", ["json", "csv", "jsonl", "text"])
def test_standard_input_gives_the_report_of_the_same_file(tmp_path: Path, output_format: str) -> None:
    claims = claims_csv(tmp_path, GOOD, FAIL)
    piped = invoke("check", "-", "--format", output_format, *AS_OF, input=claims.read_bytes())
    named = invoke("check", claims, "--format", output_format, *AS_OF)
    assert piped.exit_code == named.exit_code == 1, piped.stderr
    assert piped.stdout == named.stdout.replace("claims.csv", "stdin")


def test_the_copy_of_standard_input_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    for claims in (f"{HEADER}\n{GOOD}\n", "not,a,claims,file\n"):
        result = invoke("check", "-", "--format", "csv", *AS_OF, input=claims)
        assert result.exit_code in (0, 2), result.stderr
        assert list(scratch.iterdir()) == []


def test_an_837_on_standard_input_is_found_by_its_content() -> None:
    piped = invoke("check", "-", "--format", "json", *AS_OF, input=X12.read_bytes())
    named = invoke("check", X12, "--format", "json", *AS_OF)
    assert piped.exit_code == named.exit_code, piped.stderr
    assert piped.stdout == named.stdout.replace(X12.name, "stdin")
    assert '"lines": 0' not in piped.stdout


def test_messages_name_standard_input_and_its_line(tmp_path: Path) -> None:
    bad_date = "C9,1,0711T,26,I70.213,2085R0202X,1234567893,1,10/03/2026,22"
    piped = invoke("check", "-", "--format", "csv", *AS_OF, input=f"{HEADER}\n{GOOD}\n{bad_date}\n")
    assert piped.exit_code == 1
    assert "(stdin line 3)" in piped.stdout


def test_standard_input_beside_files_keeps_their_order(tmp_path: Path) -> None:
    first = claims_csv(tmp_path, GOOD, name="first.csv")
    piped = invoke("check", first, "-", "--format", "csv", *AS_OF, input=f"{HEADER}\n{FAIL}\n")
    claim_ids = [row.split(",", 1)[0] for row in piped.stdout.splitlines()[1:]]
    assert claim_ids[0] == "C1" and claim_ids[-1] == "C3"


def test_standard_input_with_workers_writes_what_one_job_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_workers(monkeypatch)
    claims = generate(tmp_path / "g.csv", 3_000, seed=5).read_bytes()
    two = invoke("check", "-", "--format", "csv", "--jobs", "2", *AS_OF, input=claims)
    one = invoke("check", "-", "--format", "csv", "--jobs", "1", *AS_OF, input=claims)
    assert two.exit_code in (0, 1), two.stderr
    assert two.stdout == one.stdout and two.stdout.count("\n") > 3_000


def test_an_unreadable_standard_input_is_named_stdin() -> None:
    result = invoke("check", "-", "--format", "json", *AS_OF, input="not,a,claims,file\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("claimcheck: error: stdin:1: missing required column(s)")


@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_an_unreadable_standard_input_among_several_files_is_named_stdin(tmp_path: Path, output_format: str) -> None:
    claims = generate(tmp_path / "g.csv", 20, seed=4)
    result = invoke("check", "-", claims, "--format", output_format, *AS_OF, input="not,a,claims,file\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("claimcheck: error: stdin:1: missing required column(s)"), result.stderr
    assert "claimcheck-" not in result.stderr  # not the temporary copy's path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_among_files_loses_nothing(tmp_path: Path) -> None:
    claims = generate(tmp_path / "g.csv", 2_000, seed=4)
    fifo = tmp_path / "claims.pipe"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as stream:
            stream.write(claims.read_bytes())

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    piped = invoke("check", fifo, "--format", "csv", *AS_OF)
    feeder.join(timeout=30)
    named = invoke("check", claims, "--format", "csv", *AS_OF)
    assert piped.exit_code == named.exit_code, piped.stderr
    assert piped.stdout == named.stdout.replace("(g.csv line", "(claims.pipe line")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_cms_table_from_a_pipe_with_workers_writes_what_one_job_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --ptp <(zcat ...) with --jobs: the run read the pipe, then each worker opened it again to
    # load the rules and waited for ever on a pipe with no writer (or, as /dev/fd/N, crashed).
    use_workers(monkeypatch)
    claims = generate(tmp_path / "g.csv", 3_000, seed=6)
    with claims.open("a", encoding="utf-8") as stream:  # a pair of the table, on one day
        stream.write("Z1,1,71250,,J44.9,2085R0202X,1234567893,1,2026-06-02,22\n")
        stream.write("Z1,2,0721T,,J44.9,2085R0202X,1234567893,1,2026-06-02,22\n")
    table = ROOT / "fixtures" / "ncci" / "ptp_sample.txt"
    (tmp_path / "pipe").mkdir()
    fifo = tmp_path / "pipe" / table.name  # the same name: the findings name the table's file
    os.mkfifo(fifo)
    threading.Thread(target=lambda: fifo.write_bytes(table.read_bytes()), daemon=True).start()
    runs: list[object] = []
    run = threading.Thread(
        target=lambda: runs.append(invoke("check", claims, "--ptp", fifo, "--format", "csv", "--jobs", "2", *AS_OF)),
        daemon=True,
    )
    run.start()
    run.join(timeout=120)
    assert runs, "the run did not end"
    one = invoke("check", claims, "--ptp", table, "--format", "csv", "--jobs", "1", *AS_OF)
    two = runs[0]
    assert two.exit_code == one.exit_code, two.stderr  # type: ignore[attr-defined]
    assert two.stdout == one.stdout and "ptp_sample.txt line" in one.stdout  # type: ignore[attr-defined]


def test_dev_stdin_reads_what_dash_reads(tmp_path: Path) -> None:
    claims = claims_csv(tmp_path, GOOD, FAIL)
    runs = [_piped(name, claims) for name in ("/dev/stdin", "-")]
    assert runs[0].returncode == runs[1].returncode == 1, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.count(b"\n") > 10


def test_an_unreadable_stream_is_named_as_given(tmp_path: Path) -> None:
    fifo = tmp_path / "claims.pipe"
    os.mkfifo(fifo)
    threading.Thread(target=lambda: fifo.write_bytes(b"not,a,claims,file\n"), daemon=True).start()
    result = invoke("check", fifo, "--format", "json", *AS_OF)
    assert result.exit_code == 2
    assert f"{fifo}:1: missing required column(s)" in result.stderr


def test_standard_input_twice_is_a_usage_error() -> None:
    result = invoke("check", "-", "-", input=f"{HEADER}\n{GOOD}\n")
    assert result.exit_code == 2
    assert "'-' (standard input) can be given once" in result.stderr


def test_a_terminal_on_standard_input_is_refused_not_waited_for() -> None:
    pty = pytest.importorskip("pty")
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [_claimcheck(), "check", "-"],
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        for descriptor in (controller, terminal):
            os.close(descriptor)
    assert done.returncode == 2
    assert "standard input ('-') is a terminal here" in done.stderr


def test_a_closed_standard_input_is_refused() -> None:
    done = subprocess.run(
        ["sh", "-c", 'exec "$0" check - <&-', _claimcheck()], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "standard input, which is closed here" in done.stderr


@pytest.mark.parametrize("output_format", ["csv", "json", "text"])
def test_dash_output_is_standard_output(tmp_path: Path, output_format: str) -> None:
    claims = claims_csv(tmp_path, GOOD)
    dashed = invoke("check", claims, "--format", output_format, "-o", "-", *AS_OF)
    plain = invoke("check", claims, "--format", output_format, *AS_OF)
    assert dashed.exit_code == plain.exit_code == 0
    assert dashed.stdout == plain.stdout and dashed.stdout
    assert not (Path.cwd() / "-").exists()


def test_parquet_goes_to_standard_output_only_when_asked(tmp_path: Path) -> None:
    claims = claims_csv(tmp_path, GOOD)
    refused = invoke("check", claims, "--format", "parquet", *AS_OF)
    assert refused.exit_code == 2 and "give --output FILE" in refused.stderr
    piped = invoke("check", claims, "--format", "parquet", "-o", "-", *AS_OF)
    assert piped.exit_code == 0
    assert piped.stdout_bytes[:4] == b"PAR1" and piped.stdout_bytes[-4:] == b"PAR1"


@pytest.mark.parametrize(
    "args",
    [
        ["check", "{claims}", "--format", "text"],
        ["check", "{claims}", "--format", "csv"],
        # Parquet's '-o -' asked whether standard output is a terminal: an AttributeError.
        ["check", "{claims}", "--format", "parquet", "-o", "-"],
        ["rules", "list"],
    ],
)
def test_a_closed_standard_output_is_one_message_and_status_2(tmp_path: Path, args: list[str]) -> None:
    """Started with standard output closed (a service manager, '>&-'): a traceback and status 1."""
    claims = claims_csv(tmp_path, GOOD)
    command = [sys.executable, "-m", "claimcheck.cli", *(str(claims) if a == "{claims}" else a for a in args)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    completed = subprocess.run(
        [*command, *AS_OF] if args[0] == "check" else command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: os.close(1),
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2, completed.stderr
    assert "Traceback" not in completed.stderr
    assert completed.stderr.startswith("claimcheck: error: standard output") and "closed" in completed.stderr


def test_a_process_substitution_is_named_fd_and_its_number(tmp_path: Path) -> None:
    # <(zcat claims.csv.gz) is /dev/fd/63 to the command: findings named it '63 line 20', and a
    # --mue table read so had the release '63' ('mue 63' in the summary).
    import re

    claims = claims_csv(tmp_path, GOOD, "C9,1,0711T,,I73.9,2085R0202X,1234567893,1,2026-13-01,22")
    mue = ROOT / "fixtures" / "ncci" / "mue_sample.csv"
    command = f"'{_claimcheck()}' check <(cat '{claims}') --mue <(cat '{mue}') --format csv {' '.join(AS_OF)}"
    run = subprocess.run(["bash", "-c", command], capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert re.search(r"\(fd\d+ line 3\)", run.stdout), run.stdout
    assert re.search(r",CMS NCCI practitioner MUE values \(fd\d+\),[^,]*,fd\d+,fd\d+ line \d+\n", run.stdout)
    assert not re.search(r"[(,]\d+ line \d", run.stdout)


@pytest.mark.parametrize("output_format", ["csv", "text"])
def test_output_onto_the_file_standard_input_reads_is_refused(tmp_path: Path, output_format: str) -> None:
    # '-' is checked from a copy, which the output was compared with: the report replaced the
    # claims file redirected into the run (`check - -o claims.csv < claims.csv`).
    claims = claims_csv(tmp_path, GOOD, FAIL)
    before = claims.read_bytes()
    with claims.open("rb") as stream:
        done = subprocess.run(
            [_claimcheck(), "check", "-", "--format", output_format, "-o", str(claims), *AS_OF],
            stdin=stream,
            capture_output=True,
            text=True,
        )
    assert done.returncode == 2
    assert f"--output {claims} is one of the FILES checked (standard input)" in done.stderr
    assert "Traceback" not in done.stderr
    assert claims.read_bytes() == before
