"""Shared test fixtures: paths, the day of the run, the shipped rule set, ``../shared`` when present."""

from __future__ import annotations

import csv
import random
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


def spread_lists(source: Path, target: Path, seed: int) -> Path:
    """``source`` with modifiers and diagnoses spread over modifier_N and DX_N columns (some kept
    in the one-cell columns too), with blanks, padding and repeated diagnoses."""
    rng = random.Random(seed)
    with source.open(newline="") as read, target.open("w", newline="") as write:
        rows = csv.DictReader(read)
        writer = csv.writer(write, lineterminator="\n")
        fields = [f for f in rows.fieldnames or [] if f != "diagnosis_codes"]
        writer.writerow([*fields, "Modifier_1", "modifier_2", "modifier_3", *(f"DX_{n}" for n in range(1, 6))])
        for row in rows:
            modifiers, row["modifiers"] = row["modifiers"].split(), ""
            if modifiers and rng.random() < 0.3:  # one in the one-cell column, the rest after it
                row["modifiers"] = modifiers.pop(0)
            dx = row.pop("diagnosis_codes").split()
            if dx and rng.random() < 0.2:
                dx.insert(rng.randrange(len(dx) + 1), rng.choice(dx))  # a diagnosis written twice
            if rng.random() < 0.2:
                dx.insert(rng.randrange(len(dx) + 1), " ")  # a blank cell between two codes
            dx = [f" {code}" if rng.random() < 0.1 else code for code in dx][:5]
            writer.writerow([*(row[f] for f in fields), *(modifiers + [""] * 3)[:3], *(dx + [""] * 5)[:5]])
    return target


def use_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers even for a small file, with blocks small enough that each worker gets several."""
    monkeypatch.setattr("claimcheck.io.workers.PARALLEL_BYTES", 0)
    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 128 << 10)
