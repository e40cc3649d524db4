"""This quarter's CMS files as a billing engineer has them: the PTP release in CMS's own preamble
(AMA notice, 'Column1/Column2 Edits', a header over four lines), the four files joined into one with
`cat`, the MUE table joined the same way or saved from Excel as tab-delimited text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claimcheck.errors import CodeSetError
from claimcheck.refdata.ncci import load_ptp
from tests.ncci_tables import found

# ccipra-v323r0-f1.txt as CMS publishes it: every preamble line padded with tabs to the seven columns.
CMS_PTP_PREAMBLE = (
    "CPT only copyright 2025 American Medical Association.  All rights reserved.\t\t\t\t\t\t\r\n"
    "Column1/Column2 Edits\t\t\t\t\t\t\r\n"
    "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"
    "\t\tprior to 1996\tDate\tDate\t0=not allowed\t\r\n"
    "\t\t\t\t*=no data\t1=allowed\t\r\n"
    "\t\t\t\t\t9=not applicable\t\r\n"
)
F1_ROWS = (
    "0001A\t0591T\t\t20220101\t20231231\t1\tCPT Manual or CMS manual coding instruction\r\n"
    "0001A\t90473\t\t20220101\t20220101\t9\tCPT Manual or CMS manual coding instruction\r\n"
)
F2_ROWS = "13121\t13120\t*\t19960101\t*\t0\tCPT Manual or CMS manual coding instruction\r\n"
MUE_PREAMBLE = (
    '"CPT codes, descriptions and other data only are copyright 2025 American Medical Association.\r\n'
    '\r\nApplicable FARS/DFARS Restrictions Apply.",,,\r\n'
)
MUE_HEADER = '"HCPCS/\r\nCPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\r\n'


def test_ptp_files_joined_with_cat_load_as_the_files_do(tmp_path: Path) -> None:
    # The second file's AMA notice and header were six bad rows.
    joined = tmp_path / "ccipra-v323r0-all.txt"
    joined.write_bytes((CMS_PTP_PREAMBLE + F1_ROWS + CMS_PTP_PREAMBLE + F2_ROWS).encode())
    table = load_ptp(joined)
    assert len(table) == 3
    assert table.info.version == "32.3"
    edit = found(table.in_force("13121", "13120", date(2026, 10, 5)))
    assert (edit.modifier_indicator, edit.deletion, edit.line) == (0, None, 15)
    assert table.in_force("0001A", "90473", date(2022, 1, 1)) is None  # indicator 9, deleted the day it began


def test_a_mistyped_row_after_a_repeated_header_is_still_a_bad_row(tmp_path: Path) -> None:
    joined = tmp_path / "ptp.txt"
    mistyped = "13121\t1312\t\t19960101\t*\t0\tCPT Manual or CMS manual coding instruction\r\n"
    joined.write_bytes((CMS_PTP_PREAMBLE + F1_ROWS + CMS_PTP_PREAMBLE + mistyped).encode())
    with pytest.raises(CodeSetError, match=r"1 bad row: line 15: column 2 '1312'") as caught:
        load_ptp(joined)
    assert caught.value.line == 15


def test_a_text_line_among_the_rows_is_still_a_bad_row(tmp_path: Path) -> None:
    # Only CMS's notice and header are passed over, not any line of words.
    path = tmp_path / "ptp.txt"
    path.write_bytes((CMS_PTP_PREAMBLE + F1_ROWS + "see the f2 file for the rest\t\t\t\t\t\t\r\n").encode())
    with pytest.raises(CodeSetError, match="1 bad row: line 9"):
        load_ptp(path)
