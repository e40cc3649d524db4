"""CMS NCCI tables users download each quarter: practitioner PTP edits and MUE values.

Nothing is read at import; :func:`load_ptp` and :func:`load_mue` read the files they are given::

    ptp = load_ptp(sorted(Path("ncci").glob("ccipra-v323r0-f*.txt")))
    ptp.in_force("0710T", "0711T", date(2026, 11, 2))     # PtpEdit(modifier_indicator=0, ...) or None
    mue = load_mue("MCR_MUE_PractitionerServices_Eff_10-01-2026.csv")
    mue.get("36415")                                       # MueLimit(limit=2, indicator=3, ...) or None
"""

from __future__ import annotations

import os
from pathlib import Path

from claimcheck.errors import CodeSetError
from claimcheck.refdata._ncci_common import open_binary
from claimcheck.refdata._ncci_wrong_files import swapped_problem
from claimcheck.refdata.ncci_mue import MueLimit, MueTable, load_mue
from claimcheck.refdata.ncci_ptp import PtpEdit, PtpTable, load_ptp

__all__ = ["MueLimit", "MueTable", "PtpEdit", "PtpTable", "load_mue", "load_ptp", "swapped_files"]

_HEAD = 1 << 16


def swapped_files(ptp: object, mue: object) -> CodeSetError | None:
    """The error to raise instead of a loader's when ``ptp`` (one file) is an MUE table and ``mue`` a
    PTP file: each loader alone names its own file only, and the fix is to swap the two."""
    if isinstance(ptp, (list, tuple)) and len(ptp) == 1:
        ptp = ptp[0]
    if not (isinstance(ptp, (str, os.PathLike)) and isinstance(mue, (str, os.PathLike))):
        return None
    problem = swapped_problem(Path(os.fspath(ptp)), Path(os.fspath(mue)), _head)
    return None if problem is None else CodeSetError(os.fspath(ptp), problem)


def _head(path: Path) -> bytes:
    try:
        with open_binary(path, str(path)) as handle:
            return handle.read(_HEAD)
    except (CodeSetError, OSError, EOFError):  # a ZIP, a corrupt gzip: no table's text to tell
        return b""
