"""Time ``load_ptp`` on a generated 1.5M-row practitioner PTP file, and 1M ``in_force`` lookups.

The file has the CMS layout (copyright lines, two-line header, tab-separated rows sorted by
column 1 then column 2, CRLF), with plausible codes, dates, indicators and rationales. Target:
well under 10 s to load and under 400 MB peak RSS. Run ``python -m benchmarks.bench_ptp_load``.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from claimcheck.refdata.ncci import load_ptp

RATIONALES = (
    "CPT Manual or CMS manual coding instructions",
    "Misuse of column two code with column one code",
    "Standards of medical / surgical practice",
    "Mutually exclusive procedures",
    "More extensive procedure",
    "CPT separate procedure definition",
    "Gender-specific procedures",
    "HCPCS/CPT procedure code definition",
    "Laboratory panel",
    "Deleted/Not Valid code",
    "Anesthesia service included in surgical procedure",
    "Sequential procedure",
)
PREAMBLE = (
    "CPT only copyright 2025 American Medical Association. All rights reserved.",
    "",
    "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale",
    "\t\tprior to 1996\tDate\tDate *=no data\t0=not allowed 1=allowed 9=not applicable\t",
)
QUARTERS = tuple(f"{year}{month}01" for year in range(1996, 2027) for month in ("01", "04", "07", "10"))
LOOKUPS = 1_000_000
QUERY_DAY = date(2026, 11, 2)


def _code_pool(rng: random.Random, size: int) -> list[str]:
    """CPT Category I most of all, then Category III (T) and HCPCS Level II codes, sorted as CMS sorts them."""
    codes: set[str] = set()
    while len(codes) < size:
        kind = rng.random()
        if kind < 0.80:
            codes.add(f"{rng.randint(10004, 99499)}")
        elif kind < 0.90:
            codes.add(f"{rng.randint(1, 999):04d}T")
        else:
            codes.add(f"{rng.choice('ACEGJLQ')}{rng.randint(0, 9999):04d}")
    return sorted(codes)


def _rows(rng: random.Random, count: int) -> Iterator[tuple[str, str, str, str, str, str, str]]:
    column1_pool = _code_pool(rng, 12_000)
    column2_pool = _code_pool(rng, 18_000)
    produced = 0
    for first in column1_pool:
        if produced >= count:
            return
        wanted = min(rng.randint(1, 2 * count // len(column1_pool)), count - produced)
        for second in sorted(rng.sample(column2_pool, wanted)):
            if second == first or produced >= count:
                continue
            start = rng.randrange(len(QUARTERS) - 8)
            effective = QUARTERS[start]
            prior = "*" if effective == "19960101" else ""
            rationale = rng.choice(RATIONALES)
            roll = rng.random()
            if roll < 0.04:  # deleted the day it took effect
                yield first, second, prior, effective, effective, "9", rationale
                produced += 1
            elif roll < 0.24:  # deleted later; a third of those added again
                deletion = QUARTERS[rng.randrange(start + 1, len(QUARTERS) - 4)]
                yield first, second, prior, effective, deletion, rng.choice("01"), rationale
                produced += 1
                if rng.random() < 0.33 and produced < count:
                    yield first, second, "", deletion, "*", rng.choice("01"), rationale
                    produced += 1
            else:
                yield first, second, prior, effective, "*", "1" if rng.random() < 0.7 else "0", rationale
                produced += 1


def generate(path: Path, count: int, seed: int = 2026) -> list[tuple[str, str]]:
    """Write the file; return a sample of its pairs to look up."""
    rng = random.Random(seed)
    sample: list[tuple[str, str]] = []
    with path.open("w", encoding="ascii", newline="") as out:
        out.write("\r\n".join(PREAMBLE) + "\r\n")
        batch: list[str] = []
        for row in _rows(rng, count):
            batch.append("\t".join(row))
            if rng.random() < 0.05:
                sample.append((row[0], row[1]))
            if len(batch) == 50_000:
                out.write("\r\n".join(batch) + "\r\n")
                batch.clear()
        out.write("\r\n".join(batch) + "\r\n" if batch else "")
    return sample


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB elsewhere


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_500_000)
    arguments = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ccipra-v323r0-f1.txt"
        start = time.perf_counter()
        sample = generate(path, arguments.rows)
        print(f"generated {path.name}: {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - start:.1f} s")
        rss_before = _peak_rss_mb()

        start = time.perf_counter()
        table = load_ptp(path)
        seconds = time.perf_counter() - start
        rss_after = _peak_rss_mb()

    codes = [code for pair in sample for code in pair]
    # Half the lookups hit a pair in the table, half pair two codes that are in it but not together.
    queries = [rng.choice(sample) if index % 2 else (rng.choice(codes), rng.choice(codes)) for index in range(LOOKUPS)]
    start = time.perf_counter()
    found = sum(table.in_force(first, second, QUERY_DAY) is not None for first, second in queries)
    lookup_seconds = time.perf_counter() - start

    print(f"rows loaded:            {len(table):>12,}  (table version {table.info.version})")
    print(f"load_ptp:               {seconds:12.2f} s   {len(table) / seconds:12,.0f} rows/s")
    print(f"peak RSS:               {rss_after:12.0f} MB  (before loading: {rss_before:.0f} MB)")
    print(f"{LOOKUPS:,} in_force:     {lookup_seconds:12.2f} s   {lookup_seconds / LOOKUPS * 1e6:12.2f} µs each")
    print(f"                        {found:>12,} found in force on {QUERY_DAY}")


if __name__ == "__main__":
    main()
