"""The same claims file given twice among FILES (a glob and its own name, a link beside its
file) is refused: checked twice, every line was in the report twice and counted twice."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from claimcheck.cli import main
from tests.conftest import ROOT

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
JSONL = ROOT / "fixtures" / "json" / "claims.jsonl"
AS_OF = ["--as-of", "2026-11-22"]


def _check(*files: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *map(str, files), "--format", "csv", *AS_OF])
    return result.exit_code, result.stdout, result.stderr


def test_a_file_given_twice_is_refused() -> None:
    code, stdout, stderr = _check(DEMO, JSONL, DEMO)
    assert code == 2 and stdout == ""
    assert f"{DEMO} is given twice among FILES" in stderr and "Traceback" not in stderr


def test_a_link_beside_its_file_is_the_same_file(tmp_path: Path) -> None:
    link = tmp_path / "claims.csv"
    link.symlink_to(DEMO)
    code, stdout, stderr = _check(DEMO, link)
    assert code == 2 and stdout == ""
    assert "given twice" in stderr and str(link) in stderr


def test_two_files_alike_but_distinct_are_both_checked(tmp_path: Path) -> None:
    copy = tmp_path / "claims.csv"
    copy.write_bytes(DEMO.read_bytes())
    code, stdout, _ = _check(DEMO, copy)
    assert code == 1
    alone = _check(DEMO)[1]
    assert len(stdout.splitlines()) == 2 * len(alone.splitlines()) - 1
