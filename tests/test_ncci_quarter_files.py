"""This quarter's CMS files as a billing engineer has them: the PTP release in CMS's own preamble
(AMA notice, 'Column1/Column2 Edits', a header over four lines), the four files joined into one with
`cat`, the MUE table joined the same way or saved from Excel as tab-delimited text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from claimcheck.errors import CodeSetError
from claimcheck.refdata.ncci import load_mue, load_ptp
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


def test_mue_tables_joined_with_cat_load_with_the_header_repeated(tmp_path: Path) -> None:
    joined = tmp_path / "mue.csv"
    first = "0001U,1,2 Date of Service Edit: Policy,Code Descriptor / CPT Instruction\r\n"
    second = "99213,0,3 Date of Service Edit: Clinical,Nature of Service/Procedure\r\n"
    joined.write_bytes((MUE_PREAMBLE + MUE_HEADER + first + MUE_PREAMBLE + MUE_HEADER + second).encode())
    table = load_mue(joined)
    assert len(table) == 2
    visit = found(table.get("99213"))
    assert (visit.limit, visit.indicator, visit.line) == (0, 3, 12)


def test_a_second_header_of_another_mue_table_is_refused(tmp_path: Path) -> None:
    joined = tmp_path / "mue.csv"
    hospital = MUE_HEADER.replace("Practitioner Services", "Outpatient Hospital Services")
    row = "0001U,1,2 Date of Service Edit: Policy,Code Descriptor / CPT Instruction\r\n"
    joined.write_bytes((MUE_PREAMBLE + MUE_HEADER + row + MUE_PREAMBLE + hospital + row).encode())
    with pytest.raises(CodeSetError, match="outpatient hospital MUE table") as caught:
        load_mue(joined)
    assert caught.value.line == 11


def test_mue_table_saved_as_tab_delimited_text(tmp_path: Path) -> None:
    # Excel's 'Text (Tab delimited)': the table was 'no header row'.
    path = tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.txt"
    path.write_bytes(
        b'"CPT codes, descriptions and other data only are copyright 2025 American Medical Association."\r\n'
        b'"HCPCS/\r\nCPT Code"\tPractitioner Services MUE Values\tMUE Adjudication Indicator\tMUE Rationale\r\n'
        b"0001U\t1\t2 Date of Service Edit: Policy\tCode Descriptor / CPT Instruction\r\n"
        b'A0021\t0\t"1 Line Edit"\t"Nature of Service, Procedure"\r\n'
    )
    table = load_mue(path)
    assert len(table) == 2
    ambulance = found(table.get("A0021"))
    assert (ambulance.limit, ambulance.indicator, ambulance.rationale) == (0, 1, "Nature of Service, Procedure")
    assert table.info.version == "2026-10-01"


@pytest.mark.parametrize(
    ("written", "indicator", "text"),
    [
        ("1 Line Edit", 1, "1 Line Edit"),
        ("2 Date of Service Edit: Policy", 2, "2 Date of Service Edit: Policy"),
        ("3  Date of Service Edit:  Clinical ", 3, "3 Date of Service Edit: Clinical"),
        ('"2 Date of Service Edit:\r\nPolicy"', 2, "2 Date of Service Edit: Policy"),
        ("2", 2, "2"),
    ],
)
def test_mue_adjudication_indicator_text_variants(tmp_path: Path, written: str, indicator: int, text: str) -> None:
    path = tmp_path / "mue.csv"
    path.write_bytes((MUE_PREAMBLE + MUE_HEADER + f"J1100,0,{written},CMS Policy\r\n").encode())
    limit = found(load_mue(path).get("J1100"))
    assert (limit.limit, limit.indicator, limit.indicator_text) == (0, indicator, text)


def test_anesthesia_codes_that_a_spreadsheet_cut_to_numbers_are_named_with_their_zeros(tmp_path: Path) -> None:
    # Opened in a spreadsheet and saved again, 00100 is 100: the bad row now says what it was.
    ptp = tmp_path / "ccipra-v323r0-f1.txt"
    ptp.write_bytes((CMS_PTP_PREAMBLE + "100\t0591T\t\t20220101\t*\t1\tMisuse of column two code\r\n").encode())
    with pytest.raises(CodeSetError, match=r"column 1 '100' is not a CPT/HCPCS code \(00100 with the zeros"):
        load_ptp(ptp)
    mue = tmp_path / "mue.csv"
    mue.write_bytes((MUE_PREAMBLE + MUE_HEADER + "1967,1,2 Date of Service Edit: Policy,CMS Policy\r\n").encode())
    with pytest.raises(CodeSetError, match=r"'1967' is not a CPT/HCPCS code \(01967 with the zeros"):
        load_mue(mue)
