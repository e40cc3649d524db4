"""An --output that is a file of the rule pack the run reads is refused, as one of the claims
files or CMS tables is: the report, renamed over it, replaced a rule file the user wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from claimcheck.cli_output import refuse_replacing_inputs
from claimcheck.rules.loader import shipped_pack_path
from tests.conftest import ROOT

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
AS_OF = ["--as-of", "2026-11-22"]


@pytest.fixture
def my_rules(tmp_path: Path) -> Path:
    return Path(shutil.copytree(shipped_pack_path(), tmp_path / "my-rules"))


def _refused_and_kept(args: list[str], kept: Path) -> str:
    before = kept.read_bytes()
    result = CliRunner().invoke(main, ["check", str(DEMO), *args, "--format", "csv", *AS_OF])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert kept.read_bytes() == before
    return result.stderr


def test_a_report_never_replaces_a_file_of_the_rule_pack(my_rules: Path) -> None:
    rule_file = my_rules / "general" / "pair.yaml"
    stderr = _refused_and_kept(["--rules", str(my_rules), "-o", str(rule_file)], rule_file)
    assert f"--output {rule_file}" in stderr and "--rules" in stderr


def test_a_report_never_replaces_a_rule_file_through_a_link(my_rules: Path, tmp_path: Path) -> None:
    rule_file = my_rules / "procedures" / "0711T.yaml"
    link = tmp_path / "report.csv"
    link.symlink_to(rule_file)
    stderr = _refused_and_kept(["--rules", str(my_rules), "-o", str(link)], rule_file)
    assert "--rules" in stderr


def test_a_report_beside_the_pack_is_written(my_rules: Path, tmp_path: Path) -> None:
    report = my_rules / "report.csv"  # a new file in the pack's folder replaces nothing
    result = CliRunner().invoke(main, ["check", str(DEMO), "--rules", str(my_rules), "-o", str(report), *AS_OF])
    assert result.exit_code == 1, result.output
    assert report.read_bytes().startswith(b"claim_id,")


def test_the_shipped_pack_is_spared_too() -> None:
    rule_file = shipped_pack_path() / "general" / "pair.yaml"
    with pytest.raises(click.UsageError, match="rule pack"):
        refuse_replacing_inputs(rule_file, (DEMO,), ptp=(), mue=None, columns=None, code_sets={}, rules_dir=None)
