"""Print how long the HTML report takes to open in headless Chromium, for the demo and a large file.

For each report: its size, and the wall time of Chromium loading it and running its script
(``--dump-dom``), next to Chromium loading an empty page in the same run (the browser's own
start-up), so the difference is the page's cost. Target: under 2 s at 1M lines.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import claimcheck
from benchmarks.generate import generate
from claimcheck.io.files import atomic_output
from claimcheck.io.writers.html_writer import write_html

ROOT = Path(__file__).resolve().parent.parent
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _open_seconds(browser: str, page: Path, profile: Path, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
            capture_output=True,
            check=True,
            timeout=120,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _write(report: claimcheck.Report, path: Path) -> Path:
    with atomic_output(path) as stream:
        write_html(report, stream)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    arguments = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("no chromium on this machine (apt-get install chromium)")
    rules = claimcheck.load_rules(mue=ROOT / "fixtures" / "ncci" / "mue_sample.csv")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        blank = work / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title>")
        demo = _write(
            claimcheck.validate_file(ROOT / "fixtures" / "demo" / "claims.csv", rules=rules), work / "demo.html"
        )
        big_csv = generate(work / "big.csv", arguments.lines)
        started = time.perf_counter()
        big = _write(claimcheck.validate_file(big_csv, rules=rules), work / "big.html")
        build_seconds = time.perf_counter() - started
        baseline = _open_seconds(browser, blank, work / "profile")
        print(f"chromium start-up (empty page): {baseline:6.2f} s")
        for label, page in (("demo report", demo), (f"{arguments.lines:,}-line report", big)):
            seconds = _open_seconds(browser, page, work / "profile")
            size = page.stat().st_size / 1e6
            print(f"{label:<24} {size:6.1f} MB  opens in {seconds:5.2f} s  ({seconds - baseline:5.2f} s over start-up)")
        print(f"checking {arguments.lines:,} lines and writing the report took {build_seconds:.0f} s")


if __name__ == "__main__":
    main()
