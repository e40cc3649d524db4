"""Arrow's CSV reader, stopped at a row it refused, must not abort the process at exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli_runs import SRC

HEADER = "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service"

# The reader stops at the refused row (one cell too many) while it reads the next block ahead
# on Arrow's I/O thread, slowed here. That thread then held the reader's last reference, and
# released its Python row handler while the interpreter was exiting: "terminate called without
# an active exception", status 134, after a report that was complete (2 to 3% of `check` runs
# over a small file with such a row).
_SCRIPT = """
import sys, time
from pathlib import Path
from claimcheck.io.batch import reader

read = reader._Counting.readinto
calls = []

def slow(self, buffer):
    calls.append(1)
    if len(calls) > 1:
        time.sleep(0.3)
    return read(self, buffer)

reader._Counting.readinto = slow
path = Path(sys.argv[1])
fast = reader.FastReader(path, path.read_text().splitlines()[0].split(","), block_bytes=1 << 10)
try:
    for _ in fast.batches():
        pass
except reader.ReadStopped:
    print("stopped")
"""


def test_a_reader_stopped_at_a_refused_row_lets_the_process_exit_cleanly(tmp_path: Path) -> None:
    rows = ["C1,1,0711T,I70.213,2026-03-10", "C1,2,0711T,I70.213,2026-03-10,one too many"]
    rows += [f"C{n},1,0711T,I70.213,2026-03-10" for n in range(2, 200)]
    claims = tmp_path / "claims.csv"
    claims.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(claims)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"},
    )
    assert (done.returncode, done.stdout.strip()) == (0, "stopped"), done.stderr
    assert "terminate called" not in done.stderr
