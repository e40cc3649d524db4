"""The report's temporary file: whatever moment an interrupt lands at, it does not stay behind."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from claimcheck.io import atomic
from claimcheck.io.files import atomic_output

# The interrupts land in claimcheck's code and in the with statement's: one landing inside
# the standard library's own functions may leave a lock of theirs held (tempfile's, for one),
# which is no matter to a run that ends but would hang the rest of this test.
_INTERRUPTIBLE = (atomic.__file__, contextlib.__file__)


def _interrupted_at(opcode: int, target: Path) -> bool:
    """Write a report to ``target``, with Ctrl-C landing before the ``opcode``-th bytecode
    instruction run from the start (where Python raises ``KeyboardInterrupt`` for a signal); a
    run that reaches the report's first write is interrupted there. Whether it landed in time."""
    seen = 0

    def trace(frame: FrameType, _event: str, _arg: Any) -> Any:
        if frame.f_code.co_filename not in _INTERRUPTIBLE:
            return None
        frame.f_trace_opcodes = True
        return each_opcode

    def each_opcode(_frame: FrameType, event: str, _arg: Any) -> Any:
        nonlocal seen
        if event == "opcode":
            seen += 1
            if seen == opcode:
                raise KeyboardInterrupt
        return each_opcode

    sys.settrace(trace)
    try:
        with atomic_output(target) as stream:
            sys.settrace(None)
            stream.write("claim_id,line_number\n")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    finally:
        sys.settrace(None)
    return seen >= opcode


def test_an_interrupt_at_any_instruction_leaves_no_temporary_report(tmp_path: Path) -> None:
    # A signal that came between the creation of the temporary file and the code that removes
    # it on failure (under load, right after the file appeared) left a '.report.csv.*.part'.
    left: list[tuple[int, list[str]]] = []
    opcode = 0
    landed = True
    while landed:
        opcode += 1
        folder = tmp_path / str(opcode)
        folder.mkdir()
        landed = _interrupted_at(opcode, folder / "report.csv")
        if names := sorted(path.name for path in folder.iterdir()):
            left.append((opcode, names))
    assert opcode > 50  # the tracing reached into the opening of the report
    assert not left


def test_the_report_gets_the_permissions_of_any_new_file(tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        with atomic_output(tmp_path / "report.csv") as stream:
            stream.write("claim_id\n")
    finally:
        os.umask(umask)
    assert (tmp_path / "report.csv").stat().st_mode & 0o777 == 0o640


def test_a_report_written_over_another_keeps_its_permissions(tmp_path: Path) -> None:
    # The new report got the umask's 0644 and a report the user had made private (0600: it
    # holds claim ids, NPIs and diagnoses) became readable by everyone; '>' keeps the mode.
    report = tmp_path / "report.csv"
    report.write_text("yesterday\n", encoding="utf-8")
    report.chmod(0o600)
    umask = os.umask(0o022)
    try:
        with atomic_output(report) as stream:
            stream.write("claim_id\n")
    finally:
        os.umask(umask)
    assert report.read_text(encoding="utf-8") == "claim_id\n"
    assert report.stat().st_mode & 0o777 == 0o600
