"""Shared test fixtures: paths, the day of the run, the shipped rule set, ``../shared`` when present."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import claimcheck

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
AS_OF = date(2026, 11, 22)


@pytest.fixture(scope="session")
def ruleset() -> claimcheck.RuleSet:
    return claimcheck.load_rules()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: these tests need the development reference data beside the repo")
    return SHARED
