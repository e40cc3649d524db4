"""A copy of the shipped rule pack for a test to break: the pack fixture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from claimcheck.rules.loader import shipped_pack_path

__all__ = ["pack_fixture"]


@pytest.fixture(name="pack")
def pack_fixture(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), target)
    return target
