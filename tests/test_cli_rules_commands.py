"""``claimcheck rules list`` and ``rules show``: profiles, rule ids (never truncated), the codes and lists
a rule requires, the CMS PTP rows and MUE limits a run would use, and a broken pack."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.cli_runs import SRC, WIDE, broken_pack, invoke

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
