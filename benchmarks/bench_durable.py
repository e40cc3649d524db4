"""Print lines per second for checking with the compiled executor and with durable-rules.

One generated file (default 20,000 lines: durable is slow), read and parsed once; then, in the
same run, every claim is checked by each executor with the shipped rules (``--mue`` adds a CMS
MUE file). Reading and parsing are not timed. Also says whether both gave the same results.

    python -m benchmarks.bench_durable [--lines N] [--mue fixtures/ncci/mue_sample.csv]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import claimcheck
from benchmarks.generate import generate
from claimcheck.engine.run import check_claim
from claimcheck.io.readers import read_claims

AS_OF = date(2026, 11, 22)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--mue", type=Path, default=None, help="a CMS MUE file to load with the rules")
    arguments = parser.parse_args()

    # Imported here so that a missing extra is reported as the ClaimCheckError it raises.
    from claimcheck.engine.durable import DurableExecutor

    rules = claimcheck.load_rules(mue=arguments.mue) if arguments.mue else claimcheck.load_rules()
    with tempfile.TemporaryDirectory() as folder:
        claims = list(read_claims(generate(Path(folder) / "claims.csv", arguments.lines)))
    lines = sum(len(claim.lines) for claim in claims)
    check_claim(claims[0], rules, AS_OF)  # warm the lazily loaded code sets before timing

    start = time.perf_counter()
    compiled = [check_claim(claim, rules, AS_OF) for claim in claims]
    compiled_seconds = time.perf_counter() - start
    rss_before = _peak_rss_mb()

    start = time.perf_counter()
    executor = DurableExecutor(rules)
    build_seconds = time.perf_counter() - start
    start = time.perf_counter()
    durable = [executor.check_claim(claim, AS_OF) for claim in claims]
    durable_seconds = time.perf_counter() - start

    compiled_speed, durable_speed = lines / compiled_seconds, lines / durable_seconds
    same = all([r.to_dict() for r in a] == [r.to_dict() for r in b] for a, b in zip(compiled, durable, strict=True))
    print(f"{lines:,} lines in {len(claims):,} claims; rules {rules.version}{' + MUE' if arguments.mue else ''}")
    print(f"compiled executor: {compiled_seconds:8.2f} s  {compiled_speed:10,.0f} lines/s")
    build = f"(+ {build_seconds:.2f} s to build)"
    print(f"durable executor:  {durable_seconds:8.2f} s  {durable_speed:10,.0f} lines/s  {build}")
    print(f"ratio (compiled / durable speed): {compiled_speed / durable_speed:.1f}x")
    print(f"identical line results: {'yes' if same else 'NO'}")
    print(f"peak RSS: {rss_before:.0f} MB before durable, {_peak_rss_mb():.0f} MB after")


if __name__ == "__main__":
    main()
