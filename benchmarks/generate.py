"""Generate claim files in the claimcheck CSV layout with a realistic mix, for benchmarks.

The five profiled codes and common unprofiled ones, 1–4 diagnoses, 0–2 modifiers, 1–4 lines per
claim, and about 2% bad rows (unreadable dates, unknown codes, bad NPIs). Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from claimcheck.io.readers.layouts import LINE_FIELDS

HEADER = ["claim_id", *LINE_FIELDS]
PROCEDURES = ["0711T", "0721T", "0624T", "75571", "77011", "99213", "99214", "71250", "93010", "G0121", "36415"]
MODIFIERS = ["26", "TC", "59", "25", "LT", "RT", "22", "GN", "78", "XS"]
DIAGNOSES = ["I70.213", "I73.9", "I96", "J44.9", "J43.9", "R91.1", "I10", "E11.9", "E78.5", "Z13.6", "I25.10", "Z11.1"]
TAXONOMIES = ["2085R0202X", "2085R0204X", "207RC0000X", "207RP1001X", "207Q00000X", "363AM0700X", "207RH0000X"]
NPIS = ["1234567893", "1987654328", "1456789019", "1678901236", "1122334455"]
POS = ["11", "19", "22", "24"]


def _row(rng: random.Random, claim: int, line: int) -> list[str]:
    row = [
        f"C{claim:08d}",
        str(line),
        rng.choice(PROCEDURES),
        " ".join(rng.sample(MODIFIERS, rng.choice((0, 0, 1, 1, 2)))),
        " ".join(rng.sample(DIAGNOSES, rng.randint(1, 4))),
        rng.choice(TAXONOMIES),
        rng.choice(NPIS),
        "1",
        f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}",
        rng.choice(POS),
    ]
    if rng.random() < 0.02:  # a bad row
        field, value = rng.choice(((8, "03/10/2026"), (2, "9921"), (6, "1234567890"), (4, "R02"), (7, "0")))
        row[field] = value
    return row


def generate(path: Path, lines: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(HEADER)
        written, claim = 0, 0
        while written < lines:
            claim += 1
            for line in range(1, min(rng.randint(1, 4), lines - written) + 1):
                writer.writerow(_row(rng, claim, line))
                written += 1
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    generate(arguments.path, arguments.lines, arguments.seed)
