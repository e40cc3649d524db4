"""Print lines per second for ``claimcheck.validate`` over a generated file (default 1M lines).

Reported in one run, on the same file: reading and parsing alone (the floor for this path), then
reading, parsing and checking with the shipped rules, through the library API.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import claimcheck
from benchmarks.generate import generate
from claimcheck.io.readers import read_claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    arguments = parser.parse_args()
    rules = claimcheck.load_rules()
    with tempfile.TemporaryDirectory() as folder:
        path = generate(Path(folder) / "claims.csv", arguments.lines)
        size_mb = path.stat().st_size / 1e6

        start = time.perf_counter()
        parsed_lines = sum(len(claim.lines) for claim in read_claims(path))
        read_seconds = time.perf_counter() - start

        start = time.perf_counter()
        report = claimcheck.validate_many(read_claims(path), rules=rules)
        total_seconds = time.perf_counter() - start

    lines = len(report.lines)
    assert lines == parsed_lines == arguments.lines
    check_seconds = total_seconds - read_seconds
    print(f"file: {lines:,} lines, {size_mb:.0f} MB CSV")
    print(f"read + parse only:           {read_seconds:8.1f} s  {lines / read_seconds:10,.0f} lines/s")
    print(f"validate (read+parse+check): {total_seconds:8.1f} s  {lines / total_seconds:10,.0f} lines/s")
    print(f"checking alone (difference): {check_seconds:8.1f} s  {lines / check_seconds:10,.0f} lines/s")
    print("lines by status:", report.counts())


if __name__ == "__main__":
    main()
