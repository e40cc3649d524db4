"""CMS NCCI tables in tests: the PTP and MUE samples, writing a table in CMS's layout, the loaded samples."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pytest

from claimcheck.refdata.ncci import MueTable, PtpTable, load_mue, load_ptp

__all__ = [
    "CPT_RATIONALE",
    "FIRST_PTP_LINE",
    "FIXTURES",
    "MUE_HEADER",
    "MUE_SAMPLE",
    "PTP_PREAMBLE",
    "PTP_SAMPLE",
    "_Found",
    "found",
    "mue_fixture",
    "ptp_fixture",
    "ptp_row",
    "write_mue",
    "write_ptp",
]


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ncci"
PTP_SAMPLE = FIXTURES / "ptp_sample.txt"
MUE_SAMPLE = FIXTURES / "mue_sample.csv"
PTP_PREAMBLE = (
    "CPT only copyright 2025 American Medical Association. All rights reserved.\r\n"
    "\r\n"
    "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"
    "\t\tprior to 1996\tDate\tDate *=no data\t0=not allowed 1=allowed 9=not applicable\t\r\n"
)
FIRST_PTP_LINE = 5  # the line of the first row after PTP_PREAMBLE
MUE_HEADER = "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"
CPT_RATIONALE = "CPT Manual or CMS manual coding instructions"
_Found = TypeVar("_Found")


def found(value: _Found | None) -> _Found:
    assert value is not None
    return value


def ptp_row(first: str, second: str, effective: str, deletion: str = "*", indicator: str = "0", why: str = "") -> str:
    return "\t".join((first, second, "", effective, deletion, indicator, why or CPT_RATIONALE)) + "\r\n"


def write_ptp(path: Path, *rows: str) -> Path:
    path.write_bytes((PTP_PREAMBLE + "".join(rows)).encode())
    return path


def write_mue(
    path: Path, *rows: str, preamble: str = '"CPT only copyright 2025 American Medical Association."\n'
) -> Path:
    path.write_text(preamble + MUE_HEADER + "".join(rows), encoding="utf-8")
    return path


@pytest.fixture(name="ptp", scope="module")
def ptp_fixture() -> PtpTable:
    return load_ptp(PTP_SAMPLE)


@pytest.fixture(name="mue", scope="module")
def mue_fixture() -> MueTable:
    return load_mue(MUE_SAMPLE)
