"""Print how long ``import claimcheck`` takes (target: under 150 ms), next to a bare interpreter.

Each figure is the median of several fresh interpreters started in this run, so the baseline
and the measurement share the machine's state.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

RUNS = 15
STATEMENTS = {
    "python -c pass (baseline)": "pass",
    "import claimcheck": "import claimcheck",
    "from claimcheck import validate": "from claimcheck import validate",
    "claimcheck.load_rules() (shipped pack + code sets)": "import claimcheck; claimcheck.load_rules()",
}


def _median_seconds(statement: str) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    results = {label: _median_seconds(statement) for label, statement in STATEMENTS.items()}
    baseline = results["python -c pass (baseline)"]
    print(f"{'what':<52} {'wall ms':>8} {'over baseline ms':>17}")
    for label, seconds in results.items():
        print(f"{label:<52} {seconds * 1000:8.1f} {(seconds - baseline) * 1000:17.1f}")
    import_ms = (results["import claimcheck"] - baseline) * 1000
    print(f"\nimport claimcheck: {import_ms:.0f} ms over a bare interpreter (target < 150 ms)")


if __name__ == "__main__":
    main()
