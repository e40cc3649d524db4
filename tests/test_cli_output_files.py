"""Where ``claimcheck check`` writes: long output names, no leftovers, never over an input, a missing
directory, a full disk, a closed pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runs import AS_OF, FAIL, GOOD, SRC, claims_csv, invoke


@pytest.mark.parametrize("name", ["r" * 250 + ".json", "é" * 125 + ".json"])
def test_an_output_name_near_the_file_system_limit_is_written(tmp_path: Path, name: str) -> None:
    # Its temporary name (the name, a dot, eight characters and '.part') passed 255 bytes, so the
    # run failed with 'File name too long' for a name the report itself could have.
    target = tmp_path / name
    result = invoke("check", claims_csv(tmp_path, GOOD), "--format", "json", "--output", target, *AS_OF)
    assert result.exit_code == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["lines"] == 1
    assert not list(tmp_path.glob("*.part"))


def test_output_file_is_written_without_leftovers(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "report.json"
    result = invoke("check", claims_csv(tmp_path, GOOD), "--format", "json", "--output", target, *AS_OF)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["summary"]["lines"] == 1
    assert [p.name for p in out_dir.iterdir()] == ["report.json"]
    assert not list(out_dir.glob("*.part")) and not list(out_dir.glob(".*"))


def test_a_report_never_replaces_an_input_file(tmp_path: Path) -> None:
    claims = claims_csv(tmp_path, GOOD)
    before = claims.read_bytes()
    for output in (claims, tmp_path / "." / "claims.csv"):
        result = invoke("check", claims, "--format", "csv", "-o", output, *AS_OF)
        assert result.exit_code == 2
        assert "is one of the FILES checked" in result.stderr
    assert claims.read_bytes() == before


def test_output_into_a_missing_directory_exits_2(tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "report.json"
    result = invoke("check", claims_csv(tmp_path, GOOD), "--format", "json", "--output", target, *AS_OF)
    assert not isinstance(result.exception, OSError), repr(result.exception)
    assert result.exit_code == 2
    assert "no-such-dir" in result.stderr


def _into_a_full_disk(*args: str) -> subprocess.CompletedProcess[str]:
    """``claimcheck ARGS`` with standard output on a device that is always full."""
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "claimcheck.cli", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(SRC)},
            timeout=120,
            check=False,
        )


_FULL_DISK = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


@_FULL_DISK
@pytest.mark.parametrize("output_format", ["text", "json", "csv", "jsonl"])
def test_a_full_disk_behind_standard_output_is_one_message(tmp_path: Path, output_format: str) -> None:
    claims = str(claims_csv(tmp_path, GOOD, FAIL))
    completed = _into_a_full_disk("check", claims, "--format", output_format, *AS_OF, "-q")
    assert completed.returncode == 2
    assert completed.stderr == (
        "claimcheck: error: standard output: cannot write the report (No space left on device)\n"
    )


@_FULL_DISK
@pytest.mark.parametrize(("command", "what"), [(["list"], "the rule list"), (["show", "0711T"], "the rules")])
def test_rules_commands_report_a_full_disk_too(command: list[str], what: str) -> None:
    completed = _into_a_full_disk("rules", *command)
    assert completed.returncode == 2
    assert completed.stderr == f"claimcheck: error: standard output: cannot write {what} (No space left on device)\n"


@pytest.mark.parametrize("output_format", ["csv", "text", "html"])
def test_a_closed_pipe_stops_the_report_quietly(tmp_path: Path, output_format: str) -> None:
    # It ended with click's status 1, which claimcheck uses for "some line fails"; the html page,
    # written in one piece, still did (only failing lines make it long).
    rows = [FAIL.replace("C3,", f"C{n},") for n in range(1, 3_000)]
    command = [
        sys.executable,
        "-m",
        "claimcheck.cli",
        "check",
        str(claims_csv(tmp_path, *rows)),
        "--format",
        output_format,
    ]
    process = subprocess.Popen(
        [*command, *AS_OF, "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=120) == 141  # 128 + SIGPIPE, as the shell has it for grep or cat
    assert process.stderr.read() == b""
