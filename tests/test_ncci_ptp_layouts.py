"""CMS NCCI PTP tables in the layouts found in the wild: line ends, quoting, encodings, gzip (also from a
pipe), several files together, and the version in the file name."""

from __future__ import annotations

import gzip
import os
from datetime import date
from pathlib import Path

import pytest

from claimcheck.errors import CodeSetError
from claimcheck.refdata.ncci import load_ptp
from tests.ncci_tables import CPT_RATIONALE, FIRST_PTP_LINE, PTP_PREAMBLE, found, ptp_row, write_ptp

# --- PTP: layout variations ----------------------------------------------------------------------


def test_ptp_re_added_pair_keeps_every_row(tmp_path: Path) -> None:
    path = write_ptp(
        tmp_path / "ccipra-v323r0-f1.txt",
        ptp_row("0710T", "0711T", "20220101", "20230101", "1"),
        ptp_row("0710T", "0712T", "20220101"),
        ptp_row("0710T", "0711T", "20240101", "*", "0"),
    )
    table = load_ptp(path)
    edits = table.edits("0710T", "0711T")
    assert [(e.effective, e.deletion, e.modifier_indicator, e.line) for e in edits] == [
        (date(2022, 1, 1), date(2023, 1, 1), 1, FIRST_PTP_LINE),
        (date(2024, 1, 1), None, 0, FIRST_PTP_LINE + 2),
    ]
    assert found(table.in_force("0710T", "0711T", date(2022, 6, 1))).modifier_indicator == 1
    assert table.in_force("0710T", "0711T", date(2023, 6, 1)) is None  # the gap between the rows
    assert found(table.in_force("0710T", "0711T", date(2024, 1, 1))).modifier_indicator == 0


def test_ptp_crlf_lf_spaces_and_missing_trailing_fields(tmp_path: Path) -> None:
    path = tmp_path / "ptp.txt"
    path.write_bytes(
        b"CPT only copyright 2025 American Medical Association. All rights reserved.\n"
        b"0710T\t0711T\t\t20220101\t*\t0\tCPT Manual or CMS manual coding instructions\t\t\r\n"
        b" 0710T \t 0712T\t \t 20220101 \t * \t 0 \t  CPT Manual or CMS manual coding instructions \r\n"
        b"\r\n"
        b"0710T\t0713T\t\t20220101\t*\t0\n"
        b"0710T\t0714T\t*\t19960101\t*\t1"
    )
    table = load_ptp(path)
    assert len(table) == 4
    day = date(2026, 11, 2)
    assert found(table.in_force("0710T", "0711T", day)).rationale == CPT_RATIONALE
    assert found(table.in_force("0710T", "0712T", day)).rationale == CPT_RATIONALE
    assert found(table.in_force("0710T", "0713T", day)).rationale == ""
    assert found(table.in_force("0710T", "0713T", day)).line == 5
    assert found(table.in_force("0710T", "0714T", day)).modifier_indicator == 1


@pytest.mark.parametrize("gzipped", [False, True])
def test_ptp_lines_ended_by_carriage_returns_alone(tmp_path: Path, gzipped: bool) -> None:
    # Excel for Mac saves "Tab delimited Text" with CR line ends: the file read as one line and
    # was refused as having "no PTP data rows".
    text = PTP_PREAMBLE + ptp_row("0710T", "0711T", "20220101") + ptp_row("0710T", "0712T", "20220101", "20250101")
    raw = (text.replace("\r\n", "\r") + "0710T\t0713T\t\t2022-01-01\t*\t0\t\r").encode()
    path = tmp_path / "ptp.txt"
    path.write_bytes(gzip.compress(raw) if gzipped else raw)
    with pytest.raises(CodeSetError, match=rf"line {FIRST_PTP_LINE + 2}: effective date '2022-01-01'"):
        load_ptp(path)
    path.write_bytes(gzip.compress(raw[: raw.rindex(b"0710T")]) if gzipped else raw[: raw.rindex(b"0710T")])
    table = load_ptp(path)
    assert len(table) == 2
    assert found(table.in_force("0710T", "0711T", date(2026, 1, 1))).line == FIRST_PTP_LINE
    assert found(table.in_force("0710T", "0712T", date(2024, 1, 1))).rationale == CPT_RATIONALE


def test_ptp_windows_1252_byte_in_rationale(tmp_path: Path) -> None:
    path = tmp_path / "ptp.txt"
    path.write_bytes(PTP_PREAMBLE.encode() + b"0710T\t0711T\t\t20220101\t*\t0\tStandards of medical \x96 surgical\r\n")
    edit = found(load_ptp(path).in_force("0710T", "0711T", date(2026, 1, 1)))
    assert edit.rationale == "Standards of medical – surgical"


def test_ptp_cells_in_double_quotes_are_read_as_their_values(tmp_path: Path) -> None:
    # A PTP file filtered in R (write.table quotes text) or re-saved from a spreadsheet as tab-
    # separated text quotes its cells; the loader said "no PTP data rows" and kept the quotes.
    path = tmp_path / "ptp.txt"
    path.write_bytes(
        b'"Column 1"\t"Column 2"\t"*=in existence prior to 1996"\t"Effective Date"\t"Deletion Date"\t'
        b'"Modifier"\t"PTP Edit Rationale"\r\n'
        b'"0710T"\t"0711T"\t""\t"20220101"\t"*"\t"0"\t"CPT ""separate procedure"" definition"\r\n'
        b'"0710T"\t"0712T"\t"*"\t"19960101"\t"20250101"\t"1"\t"Mutually exclusive procedures"\r\n'
        b'0710T\t0713T\t\t20220101\t*\t0\t"CPT ""separate procedure"" definition"\r\n'
    )
    table = load_ptp(path)
    assert len(table) == 3
    edit = found(table.in_force("0710T", "0711T", date(2026, 1, 1)))
    assert (edit.modifier_indicator, edit.rationale, edit.line) == (0, 'CPT "separate procedure" definition', 2)
    old = found(table.in_force("0710T", "0712T", date(2024, 12, 31)))
    assert (old.modifier_indicator, old.deletion, old.rationale) == (
        1,
        date(2025, 1, 1),
        "Mutually exclusive procedures",
    )
    assert found(table.in_force("0710T", "0713T", date(2026, 1, 1))).rationale == 'CPT "separate procedure" definition'


def test_ptp_utf8_rationale_and_bom_on_a_first_data_row(tmp_path: Path) -> None:
    path = tmp_path / "ptp.txt"
    path.write_bytes("\ufeff0710T\t0711T\t\t20220101\t*\t0\tRègle\r\n".encode())
    table = load_ptp(path)
    assert found(table.in_force("0710T", "0711T", date(2026, 1, 1))).rationale == "Règle"
    assert found(table.in_force("0710T", "0711T", date(2026, 1, 1))).line == 1


def test_ptp_hcpcs_and_category_ii_codes(tmp_path: Path) -> None:
    path = write_ptp(tmp_path / "ptp.txt", ptp_row("G0463", "0001F", "20200101"), ptp_row("J1100", "0001U", "20200101"))
    table = load_ptp(path)
    assert table.in_force("G0463", "0001F", date(2026, 1, 1)) is not None
    assert table.has_code("0001U")


def test_ptp_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "ptp.txt.gz"
    path.write_bytes(gzip.compress((PTP_PREAMBLE + ptp_row("0710T", "0711T", "20220101")).encode()))
    assert len(load_ptp(path)) == 1


def test_ptp_gzip_file_read_from_a_pipe() -> None:
    # --ptp <(curl -s .../ptp.txt.gz): the bytes read to see it is gzip are gone from a pipe,
    # which opened again to decompress it held nothing more ('no PTP data rows').
    import threading

    data = gzip.compress((PTP_PREAMBLE + ptp_row("0710T", "0711T", "20220101")).encode())
    read_end, write_end = os.pipe()

    def write() -> None:
        with os.fdopen(write_end, "wb") as stream:
            stream.write(data)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        assert len(load_ptp(Path(f"/dev/fd/{read_end}"))) == 1
    finally:
        writer.join(5)
        os.close(read_end)


def test_ptp_several_files_load_together(tmp_path: Path) -> None:
    first = write_ptp(tmp_path / "ccipra-v323r0-f1.txt", ptp_row("0623T", "0624T", "20210101"))
    second = write_ptp(
        tmp_path / "ccipra-v323r0-f2.txt",
        ptp_row("71250", "0721T", "20220701", indicator="1"),
        ptp_row("0623T", "0624T", "20100101", "20120101"),
    )
    table = load_ptp([first, str(second)])
    assert len(table) == 3
    assert table.info.version == "32.3"
    assert table.info.label == "CMS NCCI practitioner PTP edits v32.3"
    assert table.info.path.split(os.pathsep) == [str(first), str(second)]
    edit = found(table.in_force("71250", "0721T", date(2026, 1, 1)))
    assert (edit.table, edit.line) == ("ccipra-v323r0-f2.txt", FIRST_PTP_LINE)
    assert [(e.table, e.line) for e in table.edits("0623T", "0624T")] == [
        ("ccipra-v323r0-f2.txt", FIRST_PTP_LINE + 1),
        ("ccipra-v323r0-f1.txt", FIRST_PTP_LINE),
    ]
    assert table.has_code("0624T") and table.has_code("0721T")


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("ccipra-v323r0-f1.txt", "32.3"),
        ("CCIPRA-V320R0-F4.TXT", "32.0"),
        ("ccipra-v321r1-f2.txt", "32.1r1"),
        ("practitioner_edits.txt", "practitioner_edits"),
    ],
)
def test_ptp_version_from_file_name(tmp_path: Path, name: str, version: str) -> None:
    table = load_ptp(write_ptp(tmp_path / name, ptp_row("0710T", "0711T", "20220101")))
    assert table.info.version == version
