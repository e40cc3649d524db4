"""Mistakes a billing engineer makes editing a copy of the rule pack: each is named by file, line,
key path, the value as written and what is allowed, on the command line as in the library."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import claimcheck
from claimcheck.cli import main
from claimcheck.errors import RuleFileError
from claimcheck.rules.loader import shipped_pack_path


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(shipped_pack_path(), tmp_path / "my-rules"))


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


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
