"""User mistakes on the command line: each is one clear message and exit status 2, and no file
the run reads or the user meant is lost to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from claimcheck.cli import main
from tests.conftest import ROOT

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
MUE = ROOT / "fixtures" / "ncci" / "mue_sample.csv"
PTP = ROOT / "fixtures" / "ncci" / "ptp_sample.txt"
COLUMNS_MAP = ROOT / "fixtures" / "csv" / "wide_export_columns.yaml"
AS_OF = ["--as-of", "2026-11-22"]


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_usage_error(result: Result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr
    assert result.stdout == ""


def test_mue_given_twice_is_refused_rather_than_one_file_silently_dropped(tmp_path: Path) -> None:
    second = shutil.copy(MUE, tmp_path / "outpatient_mue.csv")
    result = invoke("check", DEMO, "--mue", MUE, "--mue", second, "--format", "json", *AS_OF)
    assert_usage_error(result, "--mue", str(MUE), str(second))


@pytest.mark.parametrize(
    ("option", "source"),
    [("--mue", MUE), ("--ptp", PTP), ("--columns", COLUMNS_MAP), ("--code-set", None)],
)
def test_a_report_never_replaces_a_table_or_map_the_run_reads(tmp_path: Path, option: str, source: Path | None) -> None:
    if source is None:  # a code-set release the user passed: the shipped place-of-service file
        source = next((ROOT / "src" / "claimcheck" / "refdata" / "data").glob("place_of_service_*.csv"))
    kept = Path(shutil.copy(source, tmp_path / source.name))
    before = kept.read_bytes()
    value = f"pos={kept}" if option == "--code-set" else str(kept)
    result = invoke("check", DEMO, option, value, "--format", "csv", "-o", kept, *AS_OF)
    assert_usage_error(result, f"--output {kept}", "read by this run")
    assert kept.read_bytes() == before


@pytest.mark.parametrize("output", ["report/", ""])
def test_an_output_that_names_no_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("check", DEMO, "--format", "json", "-o", output, *AS_OF)
    assert_usage_error(result, "--output")
    assert list(tmp_path.iterdir()) == []  # not a file named "report" in place of the folder asked for


@pytest.mark.parametrize("wanted", ["pair.ptpp", "0711", "not a code"])
def test_rules_show_of_something_that_is_neither_a_rule_id_nor_a_procedure_code(wanted: str) -> None:
    result = invoke("rules", "show", wanted)
    assert_usage_error(result, repr(wanted), "rule id", "procedure code", "pair.ptp")


def test_rules_show_takes_a_rule_id_in_any_case_as_it_takes_a_code() -> None:
    result = invoke("rules", "show", "PAIR.PTP")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("pair.ptp (pair")


def test_check_help_gives_the_exit_statuses() -> None:
    result = invoke("check", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for needle in ("0 ", "1 ", "2 ", "--fail-on", "141", "130", "143 SIGTERM", "129 SIGHUP"):
        assert needle in text
    assert "Exit status" in text
    assert "parquet (needs --output FILE" in text


def test_a_rule_pack_copied_as_a_dangling_link_is_named_as_such(tmp_path: Path) -> None:
    """rules/ in the repository is a relative link: 'cp -r rules my-rules' copies the link."""
    (tmp_path / "my-rules").symlink_to("src/claimcheck/rulepack")
    result = invoke("check", DEMO, "--rules", tmp_path / "my-rules", *AS_OF)
    assert_usage_error(result, "is a link to src/claimcheck/rulepack, which does not exist", "cp -rL")


UNREADABLE = Path("/proc/self/clear_refs")  # write-only: reading it fails, for root too


@pytest.mark.skipif(not UNREADABLE.exists(), reason="needs Linux's /proc/self/clear_refs")
@pytest.mark.parametrize("output_format", ["csv", "parquet", "json"])
def test_a_file_that_cannot_be_opened_among_several_leaves_the_others_checked(
    tmp_path: Path, output_format: str
) -> None:
    report = tmp_path / f"report.{output_format}"
    result = invoke("check", DEMO, UNREADABLE, "--format", output_format, "-o", report, "-q", *AS_OF)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("claimcheck: error: ") == 1 and str(UNREADABLE) in result.stderr
    assert "Traceback" not in result.stderr
    assert report.exists() and report.stat().st_size > 0  # the demo file's lines are in it


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("findings.csv", b"claim_id,line_number"),
        ("report.json", b"{"),
        ("lines.JSONL", b'{"claim_id"'),
        ("report.html", b"<!doctype html>"),
        ("report.parquet", b"PAR1"),
        ("report.txt", b" "),
    ],
)
def test_without_format_the_output_file_name_chooses_it(tmp_path: Path, name: str, starts: bytes) -> None:
    """'-o findings.csv' wrote a rich text table into findings.csv."""
    target = tmp_path / name
    result = invoke("check", DEMO, "-o", target, *AS_OF)
    assert result.exit_code == 1, result.output
    assert target.read_bytes().lower().startswith(starts.lower())


def test_an_explicit_format_wins_over_the_output_file_name(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    result = invoke("check", DEMO, "--format", "json", "-o", target, *AS_OF)
    assert result.exit_code == 1, result.output
    assert target.read_text(encoding="utf-8").startswith("{")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--input-format", "x12", "--columns", "tuva_medical_claim"], "--columns"),
        (["--input-format", "json", "--columns", str(COLUMNS_MAP)], "--columns"),
        (["--input-format", "csv", "--x12-strict"], "--x12-strict"),
        (["--input-format", "fhir", "--x12-strict"], "--x12-strict"),
    ],
)
def test_options_that_contradict_the_input_format_are_refused(args: list[str], needle: str) -> None:
    result = invoke("check", DEMO, *args, *AS_OF)
    assert_usage_error(result, needle, "--input-format")


@pytest.mark.parametrize("output_format", ["csv", "jsonl", "json", "text", "parquet"])
def test_a_single_unreadable_file_writes_nothing_on_standard_output(tmp_path: Path, output_format: str) -> None:
    """The message is on stderr; a CSV header alone on stdout read as an empty, complete report."""
    broken = tmp_path / "export.csv"
    broken.write_text("a,b\n1,2\n", encoding="utf-8")
    for args in (["--rows", "line"] if output_format in ("csv", "jsonl") else [], []):
        to_stdout = ["-o", "-"] if output_format == "parquet" else []  # CliRunner's stdout is no terminal
        result = invoke("check", broken, "--format", output_format, *to_stdout, *args, *AS_OF)
        assert_usage_error(result, f"{broken}:1: missing required column(s)")


def test_rules_show_gives_the_dates_a_rule_or_entry_is_in_force(tmp_path: Path) -> None:
    """An entry that expired showed as a plain 'pass', as if the engine still applied it."""
    pack = Path(shutil.copytree(ROOT / "src" / "claimcheck" / "rulepack", tmp_path / "rules"))
    units = pack / "general" / "units.yaml"
    text = units.read_text(encoding="utf-8")
    units.write_text(
        text.replace("    kind: positive_units\n", "    kind: positive_units\n    effective: 2026-01-01\n")
    )
    profile = pack / "procedures" / "75571.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("    status: pass\n", "    status: pass\n    expires: 2025-12-31\n"))
    shown = invoke("rules", "show", "75571", "--rules", pack)
    assert shown.exit_code == 0, shown.output
    assert "in force" in shown.stdout and "to 2025-12-31" in shown.stdout
    rule = invoke("rules", "show", "units.positive", "--rules", pack)
    assert rule.exit_code == 0, rule.output
    assert "in force: from 2026-01-01" in rule.stdout


@pytest.mark.parametrize(
    ("code", "needles"),
    [
        ("0710T", ["No profile for 0710T", "date.effective", "2022-07-01", "pair.ptp", "0711T 0712T 0713T"]),
        ("0722T", ["pair.addon", "primaries 70450", "date.effective"]),
        ("0711T", ["date.effective", "pair.ptp", "column1 0710T"]),
    ],
)
def test_rules_show_names_the_general_rule_entries_that_name_the_code(code: str, needles: list[str]) -> None:
    """Its effective date, its pair edits, an add-on's primaries: 'only the general rules apply'
    said none of them, for a code those entries are all about."""
    result = CliRunner().invoke(main, ["rules", "show", code], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    for needle in needles:
        assert needle in text, needle


def test_rules_show_of_a_code_no_rule_names_says_so() -> None:
    result = invoke("rules", "show", "99213")
    assert result.exit_code == 0
    assert "No profile for 99213" in result.stdout and "pair.ptp" not in result.stdout


@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_jobs_that_are_no_count_of_workers_are_refused(jobs: str) -> None:
    result = invoke("check", DEMO, "--format", "csv", "--jobs", jobs, *AS_OF)
    assert_usage_error(result, "--jobs", jobs)


def test_check_help_ties_the_batches_on_all_cores_to_the_report_formats_that_take_them() -> None:
    """A json, text or html report of a claimcheck CSV is checked line by line in one process;
    the help said every such CSV was checked in batches on all cores."""
    result = invoke("check", "--help")
    text = " ".join(result.stdout.split())
    assert "For csv, jsonl and parquet reports, CSV files in the claimcheck layout are checked in batches" in text
