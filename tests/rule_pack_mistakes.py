"""Mistakes in a copy of the rule pack, in tests: the copy (the pack fixture) and the RuleFileError its
load gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import claimcheck
from claimcheck.errors import RuleFileError
from claimcheck.rules.loader import shipped_pack_path

__all__ = ["_refused", "pack_fixture"]


@pytest.fixture(name="pack")
def pack_fixture(tmp_path: Path) -> Path:
    return Path(shutil.copytree(shipped_pack_path(), tmp_path / "my-rules"))


def _refused(pack: Path) -> RuleFileError:
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    return caught.value
