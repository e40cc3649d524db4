"""A mistyped option value on the command line: refused with exit status 2, one message that
names the option and the value, and a "did you mean" when a close allowed value exists."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from claimcheck.cli import main
from tests.conftest import ROOT

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
AS_OF = ["--as-of", "2026-11-22"]


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_refused(result: Result, *needles: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("option", "typed", "meant"),
    [
        ("--format", "jsn", "json"),
        ("--format", "cvs", "csv"),
        ("--fail-on", "warning", "warn"),
        ("--engine", "compile", "compiled"),
        ("--input-format", "fihr", "fhir"),
    ],
)
def test_a_mistyped_choice_suggests_the_value_meant(option: str, typed: str, meant: str) -> None:
    result = invoke("check", DEMO, option, typed, *AS_OF)
    assert_refused(result, option, repr(typed), f"did you mean {meant!r}?")


def test_a_mistyped_rows_value_suggests_the_value_meant() -> None:
    result = invoke("check", DEMO, "--format", "csv", "--rows", "lines", *AS_OF)
    assert_refused(result, "--rows", "did you mean 'line'?")


def test_a_choice_far_from_every_allowed_value_lists_them_without_a_guess() -> None:
    result = invoke("check", DEMO, "--format", "xlsx", *AS_OF)
    assert_refused(result, "--format", "'text', 'json'")
    assert "did you mean" not in result.stderr


@pytest.mark.parametrize(("typed", "starts"), [("JSON", b"{"), ("Csv", b"claim_id,")])
def test_a_choice_is_taken_in_any_case(tmp_path: Path, typed: str, starts: bytes) -> None:
    report = tmp_path / "report.out"
    result = invoke("check", DEMO, "--format", typed, "--fail-on", "NEVER", "-o", report, *AS_OF)
    assert result.exit_code == 0, result.output
    assert report.read_bytes().startswith(starts)


def test_an_unknown_code_set_name_is_refused_with_the_name_meant(tmp_path: Path) -> None:
    release = tmp_path / "icd10cm-order-2027.txt"
    release.write_text("", encoding="utf-8")
    result = invoke("check", DEMO, "--code-set", f"icd10={release}", *AS_OF)
    assert_refused(result, "--code-set", "'icd10'", "did you mean 'icd10cm'?", "nucc")


def test_a_code_set_file_that_does_not_exist_names_the_option(tmp_path: Path) -> None:
    missing = tmp_path / "icd10cm-order-2027.txt"
    result = invoke("check", DEMO, "--code-set", f"icd10cm={missing}", *AS_OF)
    assert_refused(result, "--code-set", str(missing), "does not exist")


def test_a_code_set_given_as_a_directory_is_refused(tmp_path: Path) -> None:
    result = invoke("check", DEMO, "--code-set", f"nucc={tmp_path}", *AS_OF)
    assert_refused(result, "--code-set", str(tmp_path), "is a directory")


def test_a_mistyped_shipped_layout_suggests_the_layout_meant() -> None:
    result = invoke("check", DEMO, "--columns", "tuva", *AS_OF)
    assert_refused(result, "--columns", "'tuva'", "did you mean 'tuva_medical_claim'?")


def test_a_columns_map_file_that_does_not_exist_is_named_missing(tmp_path: Path) -> None:
    missing = tmp_path / "my_columns.yaml"
    result = invoke("check", DEMO, "--columns", missing, *AS_OF)
    assert_refused(result, "--columns", str(missing), "does not exist")


def test_a_columns_map_given_as_a_directory_is_refused(tmp_path: Path) -> None:
    result = invoke("check", DEMO, "--columns", tmp_path, *AS_OF)
    assert_refused(result, "--columns", "is a directory")


@pytest.mark.parametrize(("typed", "meant"), [("pair.ptpx", "pair.ptp"), ("units.mu", "units.mue"), ("0711", "0711T")])
def test_rules_show_of_a_near_miss_suggests_the_rule_or_profile_meant(typed: str, meant: str) -> None:
    result = invoke("rules", "show", typed)
    assert_refused(result, repr(typed), f"did you mean {meant!r}?")


def test_an_impossible_day_is_not_called_a_badly_written_date() -> None:
    result = invoke("check", DEMO, "--as-of", "2026-02-30")
    assert_refused(result, "--as-of", "'2026-02-30'", "no such day")
    assert "not a date written" not in result.stderr


def test_an_output_in_a_folder_that_does_not_exist_is_refused_before_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "reports" / "2026-11"
    result = invoke("check", DEMO, "-o", folder / "report.json", *AS_OF)
    assert_refused(result, "--output", str(folder), "does not exist", "mkdir -p")
    assert not (tmp_path / "reports").exists()


def test_an_output_under_a_file_is_refused(tmp_path: Path) -> None:
    result = invoke("check", DEMO, "-o", DEMO / "report.json", *AS_OF)
    assert_refused(result, "--output", str(DEMO), "is not a folder")


def test_jobs_help_names_its_value_a_count() -> None:
    result = invoke("check", "--help")
    assert "-j, --jobs N" in result.stdout


def test_a_short_output_option_written_with_an_equals_sign_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # click reads '-o=report.json' as the file '=report.json': the report went where no one looked.
    monkeypatch.chdir(tmp_path)
    result = invoke("check", DEMO, "-o=report.json", *AS_OF)
    assert_refused(result, "--output", "'=report.json'", "-o report.json")
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_that_begins_with_an_equals_sign_is_written_when_its_folder_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("check", DEMO, "-o", "./=report.json", "--fail-on", "never", *AS_OF)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "=report.json").read_bytes().startswith(b"{")


def test_a_prefix_of_two_layouts_suggests_neither() -> None:
    result = invoke("check", DEMO, "--columns", "cms", *AS_OF)
    assert_refused(result, "--columns", "'cms'", "cms_carrier, cms_outpatient")
    assert "did you mean" not in result.stderr


def test_a_shipped_layout_name_wins_over_a_folder_of_that_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A checkout of claimcheck beside the claims has a folder named claimcheck.
    (tmp_path / "claimcheck").mkdir()
    monkeypatch.chdir(tmp_path)
    result = invoke("check", DEMO, "--columns", "claimcheck", "--format", "json", "--fail-on", "never", *AS_OF)
    assert result.exit_code == 0, result.output


def test_an_output_after_an_equals_sign_reads_a_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The shell leaves '~' alone in '--output=~/report.json', as in '--rules=~/my-rules', which is expanded.
    monkeypatch.setenv("HOME", str(tmp_path))
    result = invoke("check", DEMO, "--output=~/report.json", "--fail-on", "never", *AS_OF)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.json").read_bytes().startswith(b"{")


@pytest.mark.parametrize(("option", "name"), [("--ptp", "ptp_sample.txt"), ("--mue", "mue_sample.csv")])
def test_a_cms_table_after_an_equals_sign_reads_a_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, name: str
) -> None:
    (tmp_path / name).write_bytes((ROOT / "fixtures" / "ncci" / name).read_bytes())
    monkeypatch.setenv("HOME", str(tmp_path))
    result = invoke("check", DEMO, f"{option}=~/{name}", "--format", "json", "--fail-on", "never", *AS_OF)
    assert result.exit_code == 0, result.output
