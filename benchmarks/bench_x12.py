"""Print lines/s and peak memory of the X12 837 reader on a generated 837P file (default 200 MB).

The file repeats the claims of ``fixtures/x12/professional.837`` with new CLM01 ids, 5,000
claims per ST/SE transaction (the TR3's advice), in one interchange. Each figure comes from its
own child process, so its peak RSS (``ru_maxrss``) is that stage's alone:

- ``read_x12`` over the first 2 MB and over the whole file: equal peaks show memory is flat;
- the engine streaming ``read_x12`` (``check_claims``: results counted, not kept), also flat;
- ``claimcheck.validate_files``, which keeps every line result for its ``Report``, so its peak
  grows with the file (the report, not the reader);
- pyx12's TR3 validation (``validate_with_pyx12``) over the same first 2 MB, for comparison.

Run: ``python -m benchmarks.bench_x12 [--mb 200]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from claimcheck.io.readers.x12 import read_x12
from claimcheck.io.readers.x12.tokens import iter_segments

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "x12" / "professional.837"
CLAIMS_PER_TRANSACTION = 5000
SLICE_MB = 2.0


def generate(path: Path, megabytes: float) -> int:
    """Write an 837P file of about ``megabytes`` MB; return its number of service lines."""
    segments = list(iter_segments(FIXTURE))
    delimiters = segments[0].interchange.delimiters
    ids = [segment.id for segment in segments]
    first_hl, se = ids.index("HL"), ids.index("SE")
    header = segments[: ids.index("ST")]  # ISA, GS
    st_header = segments[ids.index("ST") : first_hl]  # ST, BHT, 1000A/B
    body = segments[first_hl:se]  # the 2000A hierarchy and its claims
    claims_in_body = sum(1 for segment in body if segment.id == "CLM")
    lines_in_body = sum(1 for segment in body if segment.id == "LX")
    hl_in_body = sum(1 for segment in body if segment.id == "HL")

    def text(elements: list[str]) -> str:
        return delimiters.element.join(elements) + delimiters.segment + "\n"

    limit = int(megabytes * 1_000_000)
    written = lines = claims = transactions = 0
    with path.open("w", encoding="ascii", newline="") as out:
        written += out.write("".join(text(s.elements) for s in header))
        while written < limit:
            transactions += 1
            control = f"{transactions:04d}"
            count = len(st_header)
            written += out.write(
                "".join(
                    text([s.id, "837", control, *s.elements[3:]] if s.id == "ST" else s.elements) for s in st_header
                )
            )
            hl_offset = 0  # HL ids count up within a transaction, or pyx12 rejects the copies
            while claims < transactions * CLAIMS_PER_TRANSACTION and written < limit:
                for segment in body:
                    elements = segment.elements
                    if segment.id == "CLM":
                        claims += 1
                        elements = [elements[0], f"C{claims:09d}", *elements[2:]]
                    elif segment.id == "HL":
                        parent = str(int(elements[2]) + hl_offset) if elements[2] else ""
                        elements = [elements[0], str(int(elements[1]) + hl_offset), parent, *elements[3:]]
                    written += out.write(text(elements))
                hl_offset += hl_in_body
                count += len(body)
                lines += lines_in_body
            written += out.write(text(["SE", str(count + 1), control]))
        trailer = [["GE", str(transactions), segments[1].get(6)], ["IEA", "1", segments[0].get(13)]]
        out.write("".join(text(elements) for elements in trailer))
    assert claims % claims_in_body == 0
    return lines


def _read(path: Path) -> int:
    return sum(len(claim.lines) for claim in read_x12(path))


def _engine(path: Path) -> int:
    import claimcheck
    from claimcheck.engine.run import check_claims

    return sum(1 for _ in check_claims(read_x12(path), claimcheck.load_rules()))


def _report(path: Path) -> int:
    import claimcheck
    from claimcheck.io.readers import READERS

    READERS.setdefault("x12", read_x12)  # until the registry names the X12 reader itself
    return len(claimcheck.validate_files([path], input_format="x12").lines)


def _pyx12(path: Path) -> int:
    from claimcheck.io.readers.x12_validate import validate_with_pyx12

    issues = validate_with_pyx12(path)
    assert not issues, issues[:3]
    return sum(1 for segment in iter_segments(path) if segment.id == "LX")


STAGES: dict[str, Callable[[Path], int]] = {"read": _read, "engine": _engine, "report": _report, "pyx12": _pyx12}


def _run_stage(stage: str, path: Path) -> None:
    """Child process: time one stage and print its figures as JSON."""
    start = time.perf_counter()
    lines = STAGES[stage](path)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"lines": lines, "seconds": seconds, "peak_mb": peak_kb / 1024}))


def _measure(stage: str, path: Path) -> dict[str, float]:
    command = [sys.executable, "-m", "benchmarks.bench_x12", "--stage", stage, "--file", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=200.0, help="size of the generated file in MB (default 200)")
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.stage:
        _run_stage(arguments.stage, arguments.file)
        return
    with tempfile.TemporaryDirectory() as folder:
        whole, part = Path(folder) / "claims.837", Path(folder) / "slice.837"
        expected = generate(whole, arguments.mb)
        generate(part, min(SLICE_MB, arguments.mb))
        size = whole.stat().st_size / 1e6
        print(f"file: {size:,.0f} MB 837P, {expected:,} service lines; slice: first {part.stat().st_size / 1e6:.1f} MB")
        rows = [
            ("read_x12, slice", "read", part),
            ("read_x12, whole file", "read", whole),
            ("engine streaming read_x12", "engine", whole),
            ("validate_files (keeps report)", "report", whole),
            ("pyx12 TR3 validation, slice", "pyx12", part),
        ]
        for label, stage, path in rows:
            figures = _measure(stage, path)
            if path is whole:
                assert figures["lines"] == expected, (stage, figures["lines"], expected)
            rate = figures["lines"] / figures["seconds"]
            print(
                f"{label:32s} {figures['lines']:>12,.0f} lines {figures['seconds']:8.1f} s "
                f"{rate:>10,.0f} lines/s   peak RSS {figures['peak_mb']:7.0f} MB"
            )


if __name__ == "__main__":
    main()
