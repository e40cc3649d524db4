"""The ``claimcheck`` command line: exit codes, output formats, rule-pack errors, ``rules`` commands."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from claimcheck.cli import main

SRC = Path(__file__).resolve().parent.parent / "src"
RULEPACK = SRC / "claimcheck" / "rulepack"
HEADER = (
    "claim_id,line_number,procedure_code,modifiers,diagnosis_codes,rendering_taxonomy,rendering_npi,units,"
    "date_of_service,place_of_service"
)
GOOD = "C1,1,0711T,26,I70.213,2085R0202X,1234567893,1,2026-03-10,22"
WARN = "C2,1,0711T,78,I70.213,2085R0202X,1234567893,1,2026-03-10,22"
FAIL = "C3,1,0711T,GN,I70.213,2085R0202X,1234567893,1,2026-03-10,22"
FUTURE = "C4,1,0711T,26,I70.213,2085R0202X,1234567893,1,2026-12-01,22"
AS_OF = ["--as-of", "2026-11-22"]
CSV_OUTPUT_COLUMNS = [
    "claim_id",
    "line_number",
    "procedure_code",
    "line_status",
    "rule_id",
    "check",
    "status",
    "subject",
    "message",
]
WIDE = {"COLUMNS": "250"}


def invoke(*args: str | Path, env: dict[str, str] | None = None, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env, input=input)


def claims_csv(tmp_path: Path, *rows: str, name: str = "claims.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def check_json(*args: str | Path) -> dict:
    result = invoke("check", *args, "--format", "json", *AS_OF)
    assert result.exit_code in (0, 1), result.output + result.stderr
    return json.loads(result.stdout)


def broken_pack(tmp_path: Path) -> tuple[Path, Path, int]:
    """A copy of the shipped pack whose 0711T profile gives modifiers[0] the status ``maybe``."""
    pack = tmp_path / "rules"
    shutil.copytree(RULEPACK, pack)
    profile = pack / "procedures" / "0711T.yaml"
    lines = profile.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, text in enumerate(lines) if re.match(r"\s+status: pass\s*$", text))
    lines[number] = lines[number].replace("status: pass", "status: maybe")
    profile.write_text("".join(lines), encoding="utf-8")
    return pack, profile, number + 1


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


# --- output formats ---------------------------------------------------------------------------------


def test_json_report_shape(tmp_path: Path) -> None:
    report = check_json(claims_csv(tmp_path, GOOD, WARN, FAIL))
    assert set(report) == {"summary", "lines"}
    summary = report["summary"]
    assert {"lines", "pass", "warn", "fail", "rules_version", "code_sets"} <= set(summary)
    assert (summary["lines"], summary["pass"], summary["warn"], summary["fail"]) == (3, 1, 1, 1)
    assert {"icd10cm", "nucc"} <= set(summary["code_sets"])
    line = report["lines"][2]
    assert {"claim_id", "line_number", "procedure_code", "status", "findings"} <= set(line)
    gn = next(f for f in line["findings"] if f["subject"] == "GN" and f["rule_id"] == "modifier.profile")
    assert (gn["check"], gn["status"]) == ("modifier", "fail")
    assert {"rule_id", "message", "source"} <= set(gn)


def test_jsonl_has_one_object_per_input_line(tmp_path: Path) -> None:
    result = invoke("check", claims_csv(tmp_path, GOOD, WARN, FAIL, "C5,1"), "--format", "jsonl", *AS_OF)
    rows = [json.loads(text) for text in result.stdout.splitlines()]
    assert [(r["claim_id"], r["status"]) for r in rows] == [
        ("C1", "pass"),
        ("C2", "warn"),
        ("C3", "fail"),
        ("C5", "fail"),
    ]
    assert all("findings" in r for r in rows)


def test_csv_output_has_one_row_per_finding(tmp_path: Path) -> None:
    path = claims_csv(tmp_path, GOOD, FAIL)
    findings = sum(len(line["findings"]) for line in check_json(path)["lines"])
    result = invoke("check", path, "--format", "csv", *AS_OF)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][: len(CSV_OUTPUT_COLUMNS)] == CSV_OUTPUT_COLUMNS
    assert len(rows) - 1 == findings
    gn = [r for r in rows[1:] if r[7] == "GN" and r[4] == "modifier.profile"]
    assert [(r[0], r[3], r[5], r[6]) for r in gn] == [("C3", "fail", "modifier", "fail")]
    assert {r[0] for r in rows[1:]} == {"C1", "C3"}


def test_text_output_mentions_the_lines_and_summary(tmp_path: Path) -> None:
    result = invoke("check", claims_csv(tmp_path, GOOD, FAIL), *AS_OF, env=WIDE)
    assert result.exit_code == 1
    assert "C3" in result.stdout
    assert "2 lines" in result.stdout


def test_text_output_shows_markup_in_claim_text_as_written(tmp_path: Path) -> None:
    rows = ["[/],1,99213,,I10,,,1,2026-03-10,11", "[bold]C1,1,[/]X,,I10,,,1,2026-03-10,11"]
    result = invoke("check", claims_csv(tmp_path, *rows), *AS_OF, env=WIDE)
    assert result.exit_code == 1, result.output  # 1 for the failing line; a markup error was a traceback
    assert "[bold]C1" in result.stdout and "[/]X" in result.stdout and "2 lines" in result.stdout


def test_text_output_shows_control_characters_in_claim_text_as_escapes(tmp_path: Path) -> None:
    # Printed raw, the input's escape sequences would reach the terminal: retitle it, clear it.
    rows = ["C\x1b]0;title\x07,1,99213,,I10,,,1,2026-03-10,11", "C2,1,\x1b[2J\u202e,,I10,,,1,2026-03-10,11"]
    result = invoke("check", claims_csv(tmp_path, *rows), *AS_OF, env=WIDE)
    assert result.exit_code == 1, result.output
    assert not any(c in result.stdout for c in "\x1b\x07\u202e")
    assert "C\\x1b]0;title\\x07" in result.stdout and "\\x1b[2J\\u202e" in result.stdout


def test_text_output_keeps_the_findings_readable_beside_a_long_claim_id(tmp_path: Path) -> None:
    """A claim id as wide as the page squeezed the findings column to nothing."""
    claim_id = "CLAIM-" + "0123456789" * 12
    report = tmp_path / "report.txt"
    result = invoke("check", claims_csv(tmp_path, FAIL.replace("C3", claim_id, 1)), "-o", report, *AS_OF)
    assert result.exit_code == 1, result.output
    text = report.read_text(encoding="utf-8")
    assert "✗ fail modifier.profile" in text and "status" in text and claim_id[:24] in text
    code = "X" * 120  # not a code: a cell of something else
    result = invoke("check", claims_csv(tmp_path, FAIL.replace("0711T", code, 1)), "-o", report, *AS_OF)
    assert result.exit_code == 1, result.output
    assert "✗ fail procedure.format" in report.read_text(encoding="utf-8")


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


def test_code_set_names_take_any_case_and_a_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 'ICD10CM=' was refused though the message lists icd10cm, and '--code-set=nucc=~/x' looked
    # for a folder named '~' (the shell expands '~' only at the start of a word).
    shipped = SRC / "claimcheck" / "refdata" / "data" / "nucc_taxonomy_251_codes.csv"
    (tmp_path / "nucc.csv").write_bytes(shipped.read_bytes())
    monkeypatch.setenv("HOME", str(tmp_path))
    result = invoke("check", claims_csv(tmp_path, GOOD), "--format", "json", *AS_OF, "--code-set=NUCC=~/nucc.csv")
    assert result.exit_code == 0, result.stderr
    missing = invoke("check", claims_csv(tmp_path, GOOD), "--code-set=Nucc=~/none.csv")
    assert missing.exit_code == 2 and str(tmp_path / "none.csv") in missing.stderr


@pytest.mark.parametrize(("as_of", "status"), [("2026-11-22", "fail"), ("2027-01-01", "pass")])
def test_as_of_decides_the_future_date_check(tmp_path: Path, as_of: str, status: str) -> None:
    result = invoke("check", claims_csv(tmp_path, FUTURE), "--format", "json", "--as-of", as_of)
    (line,) = json.loads(result.stdout)["lines"]
    (future,) = [f for f in line["findings"] if f["rule_id"] == "date.not_future"]
    assert future["status"] == status
    assert result.exit_code == (1 if status == "fail" else 0)


def test_several_files_are_merged_in_order(tmp_path: Path) -> None:
    first = claims_csv(tmp_path, FAIL, GOOD, name="b.csv")
    second = tmp_path / "a.jsonl"
    line = {"line_number": 4, "procedure_code": "77011", "date_of_service": "2026-03-10"}
    second.write_text(json.dumps({"claim_id": "J1", "lines": [line]}) + "\n")
    report = check_json(first, second, claims_csv(tmp_path, WARN, name="c.csv"))
    keys = [(ln["claim_id"], ln["line_number"]) for ln in report["lines"]]
    assert keys == [("C3", 1), ("C1", 1), ("J1", 4), ("C2", 1)]
    assert report["summary"]["lines"] == 4


def test_check_help() -> None:
    result = invoke("check", "--help")
    assert result.exit_code == 0
    for option in ("--format", "--output", "--fail-on", "--as-of", "--rules", "--code-set"):
        assert option in result.stdout


# --- rules list / rules show --------------------------------------------------------------------------


def test_rules_list_mentions_profiles_and_rule_ids() -> None:
    result = invoke("rules", "list", env=WIDE)
    assert result.exit_code == 0
    for code in ("0711T", "0721T", "0624T", "75571", "77011"):
        assert code in result.stdout
    for rule_id in ("modifier.code_set", "diagnosis.profile", "provider.npi", "date.not_future"):
        assert rule_id in result.stdout


def test_rules_list_does_not_truncate_rule_ids_when_piped() -> None:
    """Piped output (no terminal) gets rich's default 80 columns; rule ids must survive it."""
    import claimcheck

    result = invoke("rules", "list", env={"COLUMNS": "80"})
    assert result.exit_code == 0
    rule_ids = [loaded.rule.id for loaded in claimcheck.load_rules().pack.rules]
    missing = [rule_id for rule_id in rule_ids if rule_id not in result.stdout]
    assert missing == []


def test_rules_list_does_not_truncate_rule_ids_on_a_narrow_terminal() -> None:
    """An 80-column terminal: the ids are what 'rules show ID' takes, so they must be whole."""
    import claimcheck
    from claimcheck.cli_rules import print_rule_list
    from claimcheck.io.writers.console import ReportConsole

    buffer = io.StringIO()
    print_rule_list(claimcheck.load_rules(), ReportConsole(file=buffer, width=80))
    rule_ids = [loaded.rule.id for loaded in claimcheck.load_rules().pack.rules]
    assert [rule_id for rule_id in rule_ids if rule_id not in buffer.getvalue()] == []


def test_rules_show_profile() -> None:
    result = invoke("rules", "show", "0711t", env=WIDE)
    assert result.exit_code == 0
    for needle in ("0711T", "GN", "I96", "R02", "2085R0202X"):
        assert needle in result.stdout


def test_rules_show_lists_the_codes_a_document_wrote_for_a_specialty() -> None:
    result = invoke("rules", "show", "0721T", env=WIDE)
    assert result.exit_code == 0
    assert "207RT0000X, 207T00000X" in result.stdout and "('207RT0000X'" not in result.stdout


def test_rules_show_says_what_each_list_requires() -> None:
    """A line has one rendering taxonomy: it must be listed, not "at least one" of several."""
    result = invoke("rules", "show", "0721T", env=WIDE)
    assert result.exit_code == 0
    assert "at least one line diagnosis must be one of these or under a listed header, else warn" in result.stdout
    assert "the rendering taxonomy must be one of these or of a listed classification, else warn" in result.stdout
    assert "at least one must match" not in result.stdout


def test_rules_show_general_rule_by_id() -> None:
    result = invoke("rules", "show", "modifier.code_set", env=WIDE)
    assert result.exit_code == 0
    assert "modifier.code_set" in result.stdout
    assert "modifier" in result.stdout


def test_rules_show_code_without_profile() -> None:
    result = invoke("rules", "show", "99213", env=WIDE)
    assert result.exit_code == 0
    assert "No profile for 99213" in result.stdout


_NCCI = SRC.parent / "fixtures" / "ncci"


def test_rules_show_lists_the_ptp_rows_and_mue_limit_a_run_with_those_files_uses() -> None:
    ptp, mue = _NCCI / "ptp_sample.txt", _NCCI / "mue_sample.csv"
    result = invoke("rules", "show", "0711T", "--ptp", ptp, "--mue", mue, env=WIDE)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    # The pack's entry is still listed; the file's row, which replaces it in a run, is shown too.
    assert "pair.ptp: column1 0710T" in out
    assert re.search(r"0710T\s*│\s*0711T\s*│\s*from 2022-01-01\s*│\s*0\s*│.*│\s*ptp_sample\.txt line 9", out)
    assert "MUE 1 per day (policy)" in out and "mue_sample.csv line 5" in out
    result = invoke("rules", "show", "99213", "--ptp", ptp, "--mue", mue, env=WIDE)
    assert result.exit_code == 0, result.stderr
    assert "no pair names 99213" in result.stdout and "MUE 1 per day (policy)" in result.stdout
    result = invoke("rules", "show", "0722T", "--mue", mue, env=WIDE)
    assert "no MUE for 0722T" in result.stdout and "PTP" not in result.stdout


def test_rules_show_a_cms_rule_names_the_table_a_run_would_load() -> None:
    result = invoke("rules", "show", "pair.ptp", "--ptp", _NCCI / "ptp_sample.txt", env=WIDE)
    assert result.exit_code == 0, result.stderr
    assert "CMS NCCI practitioner PTP edits (ptp_sample): 13 rows" in result.stdout
    result = invoke("rules", "show", "units.mue", "--mue", _NCCI / "mue_sample.csv", env=WIDE)
    assert result.exit_code == 0, result.stderr
    assert ": 6 limits" in result.stdout
    listed = invoke("rules", "list", "--ptp", _NCCI / "ptp_sample.txt", "--mue", _NCCI / "mue_sample.csv", env=WIDE)
    assert listed.exit_code == 0, listed.stderr
    assert "ptp ptp_sample" in listed.stdout and "mue mue_sample" in listed.stdout


@pytest.mark.parametrize("command", [["show", "0711T"], ["list"]])
def test_rules_ptp_and_mue_are_checked_as_check_checks_them(tmp_path: Path, command: list[str]) -> None:
    mue = _NCCI / "mue_sample.csv"
    twice = invoke("rules", *command, "--mue", mue, "--mue", mue)
    assert twice.exit_code == 2 and "give one MUE file" in twice.stderr
    missing = invoke("rules", *command, "--ptp", tmp_path / "nope.txt")
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    bad = tmp_path / "ptp.txt"
    bad.write_text("Column 1\tColumn 2\n71250\t0721T\t\t2022070\t*\t0\n")
    broken = invoke("rules", *command, "--ptp", bad)
    assert broken.exit_code == 2 and "claimcheck: error:" in broken.stderr and "line 2" in broken.stderr


def test_rules_list_with_broken_pack_exits_2(tmp_path: Path) -> None:
    pack, profile, _ = broken_pack(tmp_path)
    result = invoke("rules", "list", "--rules", pack)
    assert result.exit_code == 2
    assert str(profile) in result.stderr


def test_as_of_must_be_written_yyyy_mm_dd() -> None:
    result = invoke("check", SRC.parent / "fixtures" / "demo" / "claims.csv", "--as-of", "20261122")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


@pytest.mark.parametrize("day", ["2099-01-01", "9999-12-31", "2027-01-01"])
@pytest.mark.parametrize("output_format", ["json", "jsonl"])
def test_a_day_of_the_run_past_the_shipped_code_sets_is_run_and_said_on_stderr(day: str, output_format: str) -> None:
    demo = SRC.parent / "fixtures" / "demo" / "claims.csv"
    quiet = invoke("check", demo, "--as-of", day, "--format", output_format, "--quiet")
    said = invoke("check", demo, "--as-of", day, "--format", output_format)
    assert quiet.stderr == "" and quiet.exit_code in (0, 1)
    assert (said.exit_code, said.stdout) == (quiet.exit_code, quiet.stdout)
    assert said.stderr.count("\n") == 1 and said.stderr.startswith("claimcheck: warning: --as-of ")
    assert day in said.stderr and "2026-12-31" in said.stderr and "icd10cm 2026" in said.stderr


def test_a_day_of_the_run_the_shipped_code_sets_cover_says_nothing(tmp_path: Path) -> None:
    demo = SRC.parent / "fixtures" / "demo" / "claims.csv"
    for day in ("2026-11-22", "2026-12-31", "2020-01-01"):
        result = invoke("check", demo, "--as-of", day, "--format", "json")
        assert result.stderr == "", day
    # Only the shipped sets still in use are named; a newer release passed for one leaves it out.
    shipped = SRC / "claimcheck" / "refdata" / "data" / "place_of_service_2026-10-08.csv"
    newer = tmp_path / "place_of_service_2027-01-05.csv"
    newer.write_bytes(shipped.read_bytes())
    result = invoke("check", demo, "--as-of", "2027-02-01", "--format", "json", "--code-set", f"pos={newer}")
    assert "nucc 25.1" in result.stderr and "pos" not in result.stderr


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


def test_text_output_shows_the_bypass_or_repeat_that_let_a_line_pass() -> None:
    demo = RULEPACK.parent.parent.parent / "fixtures" / "demo" / "claims.csv"
    result = invoke("check", demo, *AS_OF, env={"COLUMNS": "400"})
    assert result.exit_code == 1
    assert "is allowed by modifier 59 on this line" in result.stdout  # pair.ptp, indicator 1
    assert "with repeat modifier 76" in result.stdout  # duplicate.line
    assert "is a CPT Category III code" not in result.stdout  # other passes stay counted, not listed


@pytest.mark.parametrize("output_format", ["csv", "parquet"])
def test_flat_reports_name_the_table_each_finding_came_from(tmp_path: Path, output_format: str) -> None:
    ptp = RULEPACK.parent.parent.parent / "fixtures" / "ncci" / "ptp_sample.txt"
    rows = [
        "P1,1,71250,,I10,2085R0202X,1234567893,1,2026-03-10,22",
        "P1,2,0721T,,I10,2085R0202X,1234567893,1,2026-03-10,22",
        # A pair of the pack the file does not list: its finding names the pack's table.
        "P2,1,70450,,I10,2085R0202X,1234567893,1,2026-03-10,22",
        "P2,2,0721T,,I10,2085R0202X,1234567893,1,2026-03-10,22",
    ]
    report = tmp_path / f"report.{output_format}"
    result = invoke("check", claims_csv(tmp_path, *rows), "--ptp", ptp, "--format", output_format, "-o", report, *AS_OF)
    assert result.exit_code == 1, result.output
    if output_format == "csv":
        found = list(csv.DictReader(report.open(encoding="utf-8")))
    else:
        import pyarrow.parquet as pq

        found = pq.read_table(report).to_pylist()
    tables = {row["source_table"] for row in found if row["rule_id"] == "pair.ptp"}
    assert "general/pair.yaml" in tables and any(t.startswith("ptp_sample.txt line ") for t in tables)


def test_the_command_is_the_launcher_which_runs_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import entry_points

    from claimcheck import launch

    (script,) = [point for point in entry_points(group="console_scripts") if point.name == "claimcheck"]
    assert script.value == "claimcheck.launch:run"
    monkeypatch.setattr(sys, "argv", ["claimcheck", "--version"])
    with pytest.raises(SystemExit) as ended:
        launch.run()
    assert ended.value.code == 0


def test_a_ctrl_c_while_the_cli_loads_ends_with_130_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import builtins

    from claimcheck import launch

    real_import = builtins.__import__

    def interrupted(name: str, *args: object, **kwargs: object) -> object:
        if name == "claimcheck.cli":
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    with pytest.raises(SystemExit) as ended:
        launch.run()
    assert ended.value.code == 130
    assert capsys.readouterr().err == "claimcheck: interrupted\n"


def test_python_dash_m_claimcheck_runs_the_cli_on_all_cores(tmp_path: Path) -> None:
    # `python -m claimcheck` is how a user without the venv's bin on PATH runs it, workers included.
    report = tmp_path / "report.csv"
    args = ["check", str(claims_csv(tmp_path, GOOD)), "--format", "csv", "-o", str(report), "--jobs", "2", *AS_OF]
    done = subprocess.run(
        [sys.executable, "-m", "claimcheck", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (
        "python -m claimcheck"
        in subprocess.run(
            [sys.executable, "-m", "claimcheck", "--help"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(SRC)},
            timeout=60,
            check=True,
        ).stdout
    )
    rows = report.read_text().splitlines()
    assert rows[0].startswith("claim_id,line_number,")
    assert {row.split(",")[0] for row in rows[1:]} == {"C1"}
