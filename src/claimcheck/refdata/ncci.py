"""CMS NCCI tables users download each quarter: practitioner PTP edits and MUE values.

Nothing is read at import; :func:`load_ptp` and :func:`load_mue` read the files they are given::

    ptp = load_ptp(sorted(Path("ncci").glob("ccipra-v323r0-f*.txt")))
    ptp.in_force("0710T", "0711T", date(2026, 11, 2))     # PtpEdit(modifier_indicator=0, ...) or None
    mue = load_mue("MCR_MUE_PractitionerServices_Eff_10-01-2026.csv")
    mue.get("36415")                                       # MueLimit(limit=2, indicator=3, ...) or None
"""

from __future__ import annotations

from claimcheck.refdata.ncci_mue import MueLimit, MueTable, load_mue
from claimcheck.refdata.ncci_ptp import PtpEdit, PtpTable, load_ptp

__all__ = ["MueLimit", "MueTable", "PtpEdit", "PtpTable", "load_mue", "load_ptp"]
