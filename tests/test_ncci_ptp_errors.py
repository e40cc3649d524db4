"""CMS NCCI PTP tables that cannot be read: missing files, directories, no data rows, zip and UTF-16
files, and bad rows reported with their line numbers and file."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from claimcheck.errors import CodeSetError
from claimcheck.refdata.ncci import load_ptp
from tests.ncci_tables import FIRST_PTP_LINE, PTP_PREAMBLE, ptp_row, write_ptp

# --- PTP: errors ---------------------------------------------------------------------------------


def test_ptp_missing_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "ccipra-v323r0-f9.txt"
    with pytest.raises(CodeSetError, match="file not found") as caught:
        load_ptp(missing)
    assert caught.value.file == str(missing)


def test_ptp_directory_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(CodeSetError, match="cannot read file") as caught:
        load_ptp(tmp_path)
    assert caught.value.file == str(tmp_path)


@pytest.mark.parametrize("text", ["", PTP_PREAMBLE, "just some text\n\n"])
def test_ptp_file_without_data_rows(tmp_path: Path, text: str) -> None:
    path = tmp_path / "ptp.txt"
    path.write_text(text)
    with pytest.raises(CodeSetError, match="no PTP data rows"):
        load_ptp(path)


def test_ptp_zip_and_utf16_files_get_a_clear_error(tmp_path: Path) -> None:
    archive = tmp_path / "ccipra-v323r0-f1.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("ccipra-v323r0-f1.txt", PTP_PREAMBLE)
    with pytest.raises(CodeSetError, match="ZIP archive"):
        load_ptp(archive)
    utf16 = tmp_path / "ptp.txt"
    utf16.write_text(PTP_PREAMBLE + ptp_row("0710T", "0711T", "20220101"), encoding="utf-16")
    with pytest.raises(CodeSetError, match="UTF-16"):
        load_ptp(utf16)


def test_ptp_bad_rows_are_all_reported_with_line_numbers(tmp_path: Path) -> None:
    path = write_ptp(
        tmp_path / "ptp.txt",
        ptp_row("0710T", "0711T", "20220101"),  # line 5: fine
        ptp_row("0710T", "711T", "20220101"),  # 6
        ptp_row("0710T", "0712T", "20221301"),  # 7
        ptp_row("0710T", "0713T", "20220101", "20210101"),  # 8
        ptp_row("0710T", "0714T", "20220101", indicator="2"),  # 9
        "0710T\t0715T\t\t20220101\r\n",  # 10
        ptp_row("0710T", "0716T", "20220101", "2023"),  # 11
        "0710T\t0717T\tx\t20220101\t*\t0\tR\r\n",  # 12
        "\r\n",  # 13: blank lines are not rows
        ptp_row("0710T", "0718T", "20220101"),  # 14: fine
    )
    with pytest.raises(CodeSetError) as caught:
        load_ptp(path)
    error = caught.value
    assert error.file == str(path)
    assert error.line == 6
    message = str(error)
    assert message.startswith(f"{path}:6: 7 bad rows: ")
    for expected in (
        "line 6: column 2 '711T' is not a CPT/HCPCS code",
        "line 7: effective date '20221301' is not a date",
        "line 8: deletion date 2021-01-01 is before effective date 2022-01-01",
        "line 9: modifier indicator '2' is not 0, 1 or 9",
        "line 10: expected at least 6 tab-separated fields, found 4",
        "line 11: deletion date '2023' is not a date",
        "line 12: 'in existence prior to 1996' 'x' is not * or empty",
    ):
        assert expected in message
    assert "line 5" not in message and "line 13" not in message and "line 14" not in message


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        (ptp_row("0710T", "0711T", "2022-01-01"), "line 5: effective date '2022-01-01' is not a date"),
        ("0710T\t0711T\r\n", "line 5: expected at least 6 tab-separated fields, found 2"),
        (ptp_row("0710", "0711T", "20220101"), "line 5: column 1 '0710' is not a CPT/HCPCS code"),
        (ptp_row("0710T", "0711", "20220101"), "line 5: column 2 '0711' is not a CPT/HCPCS code"),
    ],
)
def test_ptp_bad_first_data_row_is_reported_not_taken_for_preamble(tmp_path: Path, first: str, expected: str) -> None:
    path = write_ptp(tmp_path / "ptp.txt", first, ptp_row("0710T", "0712T", "20220101"))
    with pytest.raises(CodeSetError, match=expected):
        load_ptp(path)


def test_ptp_more_than_ten_bad_rows_lists_the_first_ten(tmp_path: Path) -> None:
    rows = [ptp_row("0710T", f"{number:04d}T", "20220101", indicator="5") for number in range(12)]
    with pytest.raises(CodeSetError) as caught:
        load_ptp(write_ptp(tmp_path / "ptp.txt", *rows))
    message = str(caught.value)
    assert "12 bad rows; the first 10: " in message
    listed = [int(number) for number in re.findall(r"line (\d+):", message)]
    assert listed == list(range(FIRST_PTP_LINE, FIRST_PTP_LINE + 10))
    assert caught.value.line == FIRST_PTP_LINE


def test_ptp_bad_row_in_second_file_names_that_file(tmp_path: Path) -> None:
    first = write_ptp(tmp_path / "f1.txt", ptp_row("0710T", "0711T", "20220101"))
    second = write_ptp(tmp_path / "f2.txt", ptp_row("0710T", "0712T", "20220101"), ptp_row("0710T", "X", "20220101"))
    with pytest.raises(CodeSetError, match="1 bad row: line 6: column 2 'X'") as caught:
        load_ptp([first, second])
    assert (caught.value.file, caught.value.line) == (str(second), FIRST_PTP_LINE + 1)


def test_ptp_bad_byte_in_a_code_is_a_bad_row_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "ptp.txt"
    path.write_bytes(
        PTP_PREAMBLE.encode() + b"0710T\t0711T\t\t20220101\t*\t0\tR\r\n0710T\t07\x9d1T\t\t20220101\t*\t0\tR\r\n"
    )
    with pytest.raises(CodeSetError, match="line 6: column 2 '07\ufffd1T' is not a CPT/HCPCS code"):
        load_ptp(path)


def test_ptp_file_list_problems(tmp_path: Path) -> None:
    with pytest.raises(CodeSetError, match="no PTP files given"):
        load_ptp([])
    path = write_ptp(tmp_path / "ccipra-v323r0-f1.txt", ptp_row("0710T", "0711T", "20220101"))
    with pytest.raises(CodeSetError, match="given twice"):
        load_ptp([path, str(path)])
    older = write_ptp(tmp_path / "ccipra-v322r0-f2.txt", ptp_row("0710T", "0712T", "20220101"))
    with pytest.raises(CodeSetError, match=r"different releases \(32.2, 32.3\)"):
        load_ptp([path, older])
