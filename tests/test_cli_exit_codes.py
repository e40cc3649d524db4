"""The ``claimcheck`` CLI's exit codes: --fail-on and the statuses behind it, usage errors, unreadable
inputs (alone or among several) and a broken rule pack exit 2 with one message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runs import (
    AS_OF,
    FAIL,
    GOOD,
    SRC,
    WARN,
    WIDE,
    broken_pack,
    check_json,
    claims_csv,
    invoke,
)

# --- exit codes -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "fail_on", "code"),
    [
        ([GOOD], None, 0),
        ([GOOD, FAIL], None, 1),
        ([WARN], None, 0),
        ([WARN], "warn", 1),
        ([GOOD], "warn", 0),
        ([GOOD, FAIL], "never", 0),
        ([FAIL], "fail", 1),
    ],
)
def test_exit_code_follows_fail_on(tmp_path: Path, rows: list[str], fail_on: str | None, code: int) -> None:
    options = ["--fail-on", fail_on] if fail_on else []
    result = invoke("check", claims_csv(tmp_path, *rows), *AS_OF, *options)
    assert result.exit_code == code, result.output + result.stderr


def test_statuses_behind_the_exit_codes(tmp_path: Path) -> None:
    report = check_json(claims_csv(tmp_path, GOOD, WARN, FAIL))
    assert [line["status"] for line in report["lines"]] == ["pass", "warn", "fail"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["check", "no-such-file.csv"], "no-such-file.csv"),
        (["check", "{good}", "--as-of", "22/11/2026"], "22/11/2026"),
        (["check", "{good}", "--as-of", "2026-02-30"], "YYYY-MM-DD"),
        (["check", "{good}", "--format", "xml"], "xml"),
        (["check", "{good}", "--fail-on", "sometimes"], "sometimes"),
        (["check", "{good}", "--code-set", "bogus=x"], "bogus"),
        (["check", "{good}", "--code-set", "icd10cm"], "NAME=FILE"),
        (["check", "{good}", "--code-set", "nucc=a.csv", "--code-set", "nucc=b.csv"], "nucc is given twice"),
        (["rules", "list", "--code-set", "bogus=x"], "bogus"),
        (["check"], "FILES"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], needle: str) -> None:
    good = claims_csv(tmp_path, GOOD)
    result = invoke(*(str(good) if a == "{good}" else a for a in args))
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_unreadable_input_exits_2_and_names_the_file(tmp_path: Path) -> None:
    path = claims_csv(tmp_path, "C1,1,0711T")
    path.write_text("claim_id,line_number\nC1,1\n", encoding="utf-8")
    result = invoke("check", path, *AS_OF)
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert "procedure_code" in result.stderr


def test_broken_rule_pack_exits_2_naming_file_line_key_value_and_allowed(tmp_path: Path) -> None:
    pack, profile, line = broken_pack(tmp_path)
    result = invoke("check", claims_csv(tmp_path, GOOD), "--rules", pack, *AS_OF)
    assert result.exit_code == 2
    message = result.stderr
    assert f"{profile}:{line}" in message
    assert "modifiers[0].status" in message
    assert "maybe" in message
    allowed = message.split("allowed", 1)[1]
    assert all(status in allowed for status in ("pass", "warn", "fail"))
    assert "Traceback" not in message
    assert result.stdout == ""


def test_broken_rule_pack_has_no_traceback_in_a_real_process(tmp_path: Path) -> None:
    pack, profile, line = broken_pack(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    completed = subprocess.run(
        [sys.executable, "-m", "claimcheck.cli", "check", str(claims_csv(tmp_path, GOOD)), "--rules", str(pack)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert f"{profile}:{line}" in completed.stderr
    assert "modifiers[0].status" in completed.stderr


@pytest.mark.parametrize("output_format", ["csv", "json", "text"])
def test_an_unreadable_file_among_several_is_reported_and_the_others_checked(
    tmp_path: Path, output_format: str
) -> None:
    first = claims_csv(tmp_path, GOOD, name="first.csv")
    broken = tmp_path / "broken.json"
    broken.write_text("not json at all", encoding="utf-8")
    no_columns = tmp_path / "no_columns.csv"
    no_columns.write_text("a,b\n1,2\n", encoding="utf-8")
    last = claims_csv(tmp_path, FAIL, name="last.csv")
    report = tmp_path / f"report.{output_format}"
    files = (first, broken, no_columns, last)
    result = invoke("check", *files, "--format", output_format, "-o", report, "--quiet", *AS_OF, env=WIDE)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("claimcheck: error: ") == 2
    assert f"{broken}:1: is not valid JSON" in result.stderr and f"{no_columns}" in result.stderr
    assert "Traceback" not in result.stderr
    text = report.read_text(encoding="utf-8")
    assert "C1" in text and "C3" in text  # the files before and after the unreadable ones
    assert "(broken.json line 1)" in text and "(no_columns.csv line 1)" in text  # a row stands for each


def test_a_single_unreadable_file_leaves_no_report(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("not json at all", encoding="utf-8")
    report = tmp_path / "report.csv"
    result = invoke("check", broken, "--format", "csv", "-o", report, *AS_OF)
    assert result.exit_code == 2 and result.stderr.count("claimcheck: error: ") == 1
    assert not report.exists()
