"""A rule pack of one's own: where it is (--rules and load_rules given the wrong path, links), and
what 'rules show' and the findings make of its values and sources."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import claimcheck
from claimcheck.cli import main
from claimcheck.errors import RuleFileError
from claimcheck.rules.loader import shipped_pack_path
from tests.rule_pack_edits import replace_once


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(shipped_pack_path(), tmp_path / "my-rules"))


def _refused(pack: Path) -> RuleFileError:
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    return caught.value


def test_rules_given_a_file_on_the_command_line_names_the_pack_directory(pack: Path) -> None:
    """It was click's usage text and "Directory '…/pack.yaml' is a file.", which left the user to
    work out that --rules takes the directory holding pack.yaml."""
    result = CliRunner().invoke(main, ["rules", "list", "--rules", str(pack / "pack.yaml")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"claimcheck: error: {pack / 'pack.yaml'}: is a file, not a rule pack directory (a directory"
        f" holding pack.yaml); the pack is its directory, {pack}\n"
    )


def test_rules_show_gives_the_source_of_an_entry_a_pack_cites_from_elsewhere(pack: Path) -> None:
    """A payer's policy cited for one modifier was in findings but not in 'rules show', which gave
    the profile's document only: the author could not check the edit took."""
    profile = pack / "procedures" / "0711T.yaml"
    seed = "source: {document: 000_5ab7308402be0f6e.txt, section: Coding Specifications}"
    replace_once(
        profile,
        "reason: the document gives laterality limited applicability for this service\n    " + seed,
        "reason: Acme denies laterality on 0711T\n    source: {document: acme-policy.pdf, section: p. 4}",
    )
    table = "source: {document: 000_5ab7308402be0f6e.txt, section: Coding Specifications (taxonomy table)}"
    replace_once(
        profile,
        "note: 213E00000X is Podiatrist\n    " + table,
        "note: 213E00000X is Podiatrist\n    source: {document: acme-network.pdf, section: radiology}",
    )
    shown = CliRunner().invoke(main, ["rules", "show", "0711T", "--rules", str(pack)], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    row = next(line for line in shown.stdout.splitlines() if "Acme denies laterality" in line)
    assert "acme-policy.pdf / p. 4" in row
    seeded = next(line for line in shown.stdout.splitlines() if "│ GN " in line)
    assert "000_5ab7308402be0f6e.txt / Coding Specifications" in seeded
    specialty = next(line for line in shown.stdout.splitlines() if "│ 2086S0129X " in line)
    assert "acme-network.pdf / radiology" in specialty
    diagnosis = next(line for line in shown.stdout.splitlines() if "│ I96 " in line)
    assert "000_5ab" not in diagnosis  # the diagnoses all cite the profile's document
    # Where every entry cites the profile's document, as in the shipped pack, the column is left out.
    shipped = CliRunner().invoke(main, ["rules", "show", "0711T"], env={"COLUMNS": "300"})
    assert "Coding Specifications" not in shipped.stdout


def test_a_custom_pack_s_sources_and_version_reach_the_findings(pack: Path) -> None:
    profile, diagnosis = pack / "procedures" / "0711T.yaml", pack / "general" / "diagnosis.yaml"
    seed = "source: {document: 000_5ab7308402be0f6e.txt, section: Coding Specifications}"
    replace_once(
        profile,
        "status: warn\n    meaning: Left side\n"
        "    reason: the document gives laterality limited applicability for this service\n    " + seed,
        "status: fail\n    meaning: Left side\n    reason: Acme denies laterality on 0711T\n"
        "    source: {document: acme-policy.pdf, section: p. 4}",
    )
    replace_once(diagnosis, "section: SV107 diagnosis code pointer}", "section: Acme companion guide 2.3}")
    replace_once(pack / "pack.yaml", "version: 2026.11.1", "version: acme-7")
    line = {"line_number": 1, "procedure_code": "0711T", "modifiers": ["LT"], "date_of_service": "2026-03-10"}
    report = claimcheck.validate({"claim_id": "C1", "lines": [line]}, rules=claimcheck.load_rules(pack))
    found = {finding.rule_id: finding for finding in report.lines[0].findings}
    modifier, required = found["modifier.profile"], found["diagnosis.required"]
    assert modifier.status is claimcheck.Status.FAIL and "Acme denies laterality" in modifier.message
    assert modifier.source is not None and required.source is not None
    assert (modifier.source.document, modifier.source.section, modifier.source.version, modifier.source.table) == (
        "acme-policy.pdf",
        "p. 4",
        "acme-7",
        "procedures/0711T.yaml",
    )
    assert (required.source.section, required.source.table) == ("Acme companion guide 2.3", "general/diagnosis.yaml")
    assert report.to_dict()["summary"]["rules_version"] == "acme-7"


def test_a_rule_file_that_is_a_broken_link_says_where_it_points(pack: Path) -> None:
    """ls lists it, so 'cannot read the file (No such file or directory)' puzzled."""
    profile = pack / "procedures" / "0711T.yaml"
    profile.unlink()
    profile.symlink_to("../../shared-profiles/0711T.yaml")
    error = _refused(pack)
    assert (error.file, error.line) == (str(profile), None)
    assert error.problem == "is a link to ../../shared-profiles/0711T.yaml, which does not exist"


def test_a_rule_file_that_is_a_link_to_a_file_is_read(pack: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "0711T.yaml"
    shared.parent.mkdir()
    (pack / "procedures" / "0711T.yaml").rename(shared)
    (pack / "procedures" / "0711T.yaml").symlink_to(shared)
    assert "0711T" in claimcheck.load_rules(pack).profiles


def test_a_folder_holding_the_pack_one_level_down_names_it(tmp_path: Path) -> None:
    """'cp -rL rules my-rules' into an existing my-rules makes my-rules/rules: pack.yaml was only 'missing'."""
    outer = tmp_path / "my-rules"
    shutil.copytree(shipped_pack_path(), outer / "rules")
    error = _refused(outer)
    assert (
        error.problem
        == f"missing: a rule pack needs pack.yaml listing its files ({outer / 'rules'} holds one: pass that)"
    )


def test_a_folder_inside_the_pack_names_the_pack(pack: Path) -> None:
    error = _refused(pack / "general")
    assert error.problem == f"missing: a rule pack needs pack.yaml listing its files (the pack is {pack})"


def test_rules_show_of_a_rule_gives_its_params_as_the_pack_writes_them(pack: Path) -> None:
    """An edited params block (a pair added to modifier.26_tc) did not show anywhere but in findings."""
    replace_once(pack / "general" / "modifier.yaml", '- ["26", TC]', '- ["26", TC]\n        - [LT, RT]')
    shown = CliRunner().invoke(main, ["rules", "show", "modifier.26_tc", "--rules", str(pack)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "params:\n  pairs:\n    - [26, TC]\n    - [LT, RT]\n" in shown.stdout
    pairs = CliRunner().invoke(main, ["rules", "show", "pair.ptp", "--rules", str(pack)], env={"COLUMNS": "400"})
    assert "  bypass_modifiers: [59, XE, XS, XP, XU, 24," in pairs.stdout
    assert "    - {column1: 0710T, column2: [0711T, 0712T, 0713T], modifier_indicator: 0, effective:" in pairs.stdout
    bare = CliRunner().invoke(main, ["rules", "show", "diagnosis.required", "--rules", str(pack)])
    assert "params" not in bare.stdout


def test_rules_after_an_equals_sign_expands_the_home_folder(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shell leaves '~' alone in '--rules=~/my-rules' (as --code-set=icd10cm=~/x, which is expanded)."""
    monkeypatch.setenv("HOME", str(pack.parent))
    result = CliRunner().invoke(main, ["rules", "list", "--rules=~/my-rules"])
    assert result.exit_code == 0, result.stderr
    assert f"({pack})" in result.stdout.splitlines()[0]


def test_a_rule_file_given_for_the_pack_names_the_pack(pack: Path) -> None:
    """Only pack.yaml named its directory; a profile or general file given for --rules did not."""
    error = _refused(pack / "procedures" / "0711T.yaml")
    assert error.problem == f"is a file, not a rule pack directory (a directory holding pack.yaml); the pack is {pack}"
