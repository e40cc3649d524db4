"""CMS NCCI tables: practitioner PTP edits and MUE values, from the layouts CMS publishes."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import claimcheck
from claimcheck.errors import ClaimCheckError, CodeSetError
from claimcheck.refdata.ncci import MueLimit, MueTable, PtpEdit, PtpTable, load_mue, load_ptp

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ncci"
PTP_SAMPLE = FIXTURES / "ptp_sample.txt"
MUE_SAMPLE = FIXTURES / "mue_sample.csv"
SHIPPED_PACK = Path(claimcheck.__file__).parent / "rulepack"

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


@pytest.fixture(scope="module")
def ptp() -> PtpTable:
    return load_ptp(PTP_SAMPLE)


@pytest.fixture(scope="module")
def mue() -> MueTable:
    return load_mue(MUE_SAMPLE)


# --- PTP: the sample -----------------------------------------------------------------------------


def test_ptp_sample_loads_every_data_row_and_skips_preamble_and_two_line_header(ptp: PtpTable) -> None:
    assert len(ptp) == 13
    pairs = [
        ("0710T", "0711T"), ("0710T", "0712T"), ("0710T", "0713T"),
        ("0623T", "0624T"), ("0623T", "0625T"), ("0623T", "0626T"),
        ("75574", "76376"), ("71275", "76377"),
    ]  # fmt: skip
    for first, second in pairs:
        edit = found(ptp.in_force(first, second, date(2026, 11, 2)))
        assert edit.modifier_indicator == 0, (first, second)
    assert not ptp.has_code("Column 1")
    assert not ptp.has_code("CPT")


def test_ptp_edit_carries_every_field_and_where_it_came_from(ptp: PtpTable) -> None:
    edit = found(ptp.in_force("0710T", "0711T", date(2026, 11, 2)))
    assert edit == PtpEdit(
        column1="0710T",
        column2="0711T",
        effective=date(2022, 1, 1),
        deletion=None,
        modifier_indicator=0,
        rationale=CPT_RATIONALE,
        table="ptp_sample.txt",
        line=9,  # 3 copyright lines, 2 header lines, then the 4th row
    )
    assert PTP_SAMPLE.read_text().splitlines()[edit.line - 1].startswith("0710T\t0711T\t")


def test_ptp_modifier_indicator_1_and_pre_1996_rows(ptp: PtpTable) -> None:
    for first in ("71250", "74150"):
        edit = found(ptp.in_force(first, "0721T", date(2026, 11, 2)))
        assert edit.modifier_indicator == 1
        assert edit.rationale == "Misuse of column two code with column one code"
    assert found(ptp.in_force("71275", "71250", date(2000, 1, 1))).effective == date(1996, 1, 1)


def test_ptp_pairs_are_ordered(ptp: PtpTable) -> None:
    assert ptp.in_force("0711T", "0710T", date(2026, 11, 2)) is None
    assert ptp.edits("0711T", "0710T") == ()


def test_ptp_lookups_ignore_case_and_spaces(ptp: PtpTable) -> None:
    assert ptp.in_force(" 0710t", "0711t ", date(2026, 11, 2)) is not None
    assert ptp.has_code(" 0721t ")


def test_ptp_has_code_covers_both_columns(ptp: PtpTable) -> None:
    assert ptp.has_code("0710T")  # column 1 only
    assert ptp.has_code("0713T")  # column 2 only
    assert not ptp.has_code("99213")


def test_ptp_in_force_by_date_deletion_is_the_first_day_out(ptp: PtpTable) -> None:
    edit = ptp.edits("75574", "75571")[0]
    assert (edit.effective, edit.deletion) == (date(2010, 1, 1), date(2015, 1, 1))
    expectations = {
        date(2009, 12, 31): False,  # before effective
        date(2010, 1, 1): True,  # on effective
        date(2014, 12, 31): True,  # last day
        date(2015, 1, 1): False,  # on deletion
        date(2020, 6, 1): False,  # after deletion
    }
    for day, expected in expectations.items():
        assert edit.in_force(day) is expected, day
        assert (ptp.in_force("75574", "75571", day) is not None) is expected, day


def test_ptp_indicator_9_row_deleted_the_day_it_took_effect(ptp: PtpTable) -> None:
    (edit,) = ptp.edits("77011", "0721T")
    assert edit.modifier_indicator == 9
    assert edit.effective == edit.deletion == date(2022, 7, 1)
    assert ptp.in_force("77011", "0721T", date(2022, 7, 1)) is None


def test_ptp_info_without_version_in_name(ptp: PtpTable) -> None:
    assert ptp.info.name == "ptp"
    assert ptp.info.version == "ptp_sample"
    assert ptp.info.path == str(PTP_SAMPLE)
    assert "ptp_sample.txt" in ptp.info.source


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


# --- PTP: against a plain model ------------------------------------------------------------------

_CODES = st.sampled_from(["0710T", "0711T", "71250", "G0463", "99213"])
_DAYS = st.dates(min_value=date(1996, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(_CODES, _CODES, _DAYS, st.one_of(st.none(), st.integers(0, 4000)), st.sampled_from("019")),
        max_size=25,
    ),
    probes=st.lists(st.tuples(_CODES, _CODES, _DAYS), min_size=1, max_size=10),
)
def test_ptp_lookups_match_a_scan_of_the_rows(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str, date, int | None, str]],
    probes: list[tuple[str, str, date]],
) -> None:
    lines = [
        ptp_row(
            a, b, start.strftime("%Y%m%d"), "*" if days is None else (start + timedelta(days)).strftime("%Y%m%d"), i
        )
        for a, b, start, days, i in rows
    ]
    lines.append(ptp_row("0001F", "0002F", "20000101"))  # so that no file is empty
    table = load_ptp(write_ptp(tmp_path_factory.mktemp("ptp") / "ptp.txt", *lines))
    assert len(table) == len(lines)
    for first, second, day in probes:
        matching = [index for index, (a, b, *_) in enumerate(rows) if (a, b) == (first, second)]
        assert [edit.line - FIRST_PTP_LINE for edit in table.edits(first, second)] == sorted(
            matching, key=lambda index: (rows[index][2], index)
        )
        in_force = [edit for edit in table.edits(first, second) if edit.in_force(day)]
        result = table.in_force(first, second, day)
        assert (result is None) == (not in_force)
        if result is not None:
            assert result.effective == max(edit.effective for edit in in_force)
            assert result.in_force(day)


# --- MUE -----------------------------------------------------------------------------------------


def test_mue_sample(mue: MueTable) -> None:
    assert len(mue) == 6
    assert found(mue.get("36415")) == MueLimit(
        code="36415",
        limit=2,
        indicator=3,
        indicator_text="3 Date of Service Edit: Clinical",
        rationale="Clinical: Data",
        table="mue_sample.csv",
        line=7,
    )
    assert MUE_SAMPLE.read_text().splitlines()[6].startswith("36415,")


def test_mue_indicators_and_per_day(mue: MueTable) -> None:
    expected = {"0711T": (2, True), "0721T": (3, True), "75571": (2, True), "77011": (1, False), "99213": (2, True)}
    for code, (indicator, per_day) in expected.items():
        limit = found(mue.get(code))
        assert (limit.indicator, limit.per_day, limit.limit) == (indicator, per_day, 1), code
    assert found(mue.get("77011")).indicator_text == "1 Line Edit"


def test_mue_lookups(mue: MueTable) -> None:
    assert " 0711t " in mue
    assert "0710T" not in mue
    assert 711 not in mue
    assert mue.get("0710T") is None


def test_mue_info(mue: MueTable, tmp_path: Path) -> None:
    assert (mue.info.name, mue.info.version) == ("mue", "mue_sample")
    named = write_mue(
        tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv",
        "99213,1,2 Date of Service Edit: Policy,CMS Policy\n",
    )
    info = load_mue(named).info
    assert info.version == "2026-10-01"
    assert "2026-10-01" in info.label
    assert info.path == str(named)


def test_mue_header_matching_and_preamble(tmp_path: Path) -> None:
    path = tmp_path / "mue.csv"
    path.write_bytes(
        b'"CPT codes, descriptions and other data only are copyright 2025 AMA, All Rights Reserved.",,,\r\n'
        b'"A note that runs\r\nover two lines, with commas"\r\n'
        b"\r\n"
        b" hcpcs/cpt code ,MUE Rationale, PRACTITIONER  SERVICES MUE VALUES,Mue Adjudication Indicator \r\n"
        b"99213,CMS Policy \x96 visits,1,2 Date of Service Edit: Policy\r\n"
        b",,,\r\n"
        b" j1100 ,Clinical: Data,100,3\r\n"
    )
    table = load_mue(path)
    assert len(table) == 2
    visit = found(table.get("99213"))
    assert (visit.limit, visit.indicator, visit.rationale, visit.line) == (1, 2, "CMS Policy – visits", 6)
    drug = found(table.get("J1100"))
    assert (drug.limit, drug.indicator, drug.indicator_text, drug.line) == (100, 3, "3", 8)


def test_mue_header_cell_broken_over_two_lines_as_cms_publishes_it(tmp_path: Path) -> None:
    # The published file quotes its header's first cell with a line break after the slash
    # ("HCPCS/<CR><LF>CPT Code"), after a quoted AMA notice of several lines.
    path = tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"
    path.write_bytes(
        b'"CPT codes, descriptions and other data only are copyright 2025 American Medical Association.\r\n'
        b'All Rights Reserved. Applicable FARS/HHSARS apply.",,,\r\n'
        b'"HCPCS/\r\nCPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"\r\n'
        b'0001U,1,"2 Date of Service Edit: Policy","Code Descriptor / CPT Instruction"\r\n'
        b'36415,2,"3 Date of Service Edit: Clinical","Clinical: Data"\r\n'
    )
    table = load_mue(path)
    assert len(table) == 2
    venipuncture = found(table.get("36415"))
    assert (venipuncture.limit, venipuncture.indicator, venipuncture.line) == (2, 3, 6)


def test_mue_rationale_column_is_optional(tmp_path: Path) -> None:
    path = tmp_path / "mue.csv"
    path.write_text("HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator\n99213,0,1 Line Edit\n")
    limit = found(load_mue(path).get("99213"))
    assert isinstance(limit, MueLimit)
    assert (limit.limit, limit.rationale) == (0, "")


def test_mue_zip_xlsx_and_utf16_files_get_a_clear_error(tmp_path: Path) -> None:
    # CMS publishes the MUE table as a ZIP holding a CSV and an Excel workbook; either the ZIP or
    # the .xlsx passed as --mue was 'no header row' or 'not UTF-8 or Windows-1252 text'.
    archive = tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("MCR_MUE_PractitionerServices_Eff_10-01-2026.csv", MUE_SAMPLE.read_text())
    workbook = tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.xlsx"
    with zipfile.ZipFile(workbook, "w") as zipped:
        zipped.writestr("xl/workbook.xml", "<workbook/>")
    for path in (archive, workbook):
        with pytest.raises(
            CodeSetError, match=r"ZIP archive \(the download from CMS, or an Excel workbook\)"
        ) as caught:
            load_mue(path)
        assert "CSV" in caught.value.problem
    utf16 = tmp_path / "mue.csv"
    utf16.write_text(MUE_SAMPLE.read_text(), encoding="utf-16")
    with pytest.raises(CodeSetError, match="UTF-16"):
        load_mue(utf16)


def test_mue_gzip_file_read_from_a_pipe_and_corrupt_gzip() -> None:
    import subprocess
    import sys

    script = (
        "import gzip, os, sys\n"
        "from claimcheck.refdata.ncci import load_mue\n"
        "read, write = os.pipe()\n"
        "data = gzip.compress(open(sys.argv[1], 'rb').read())\n"
        "if os.fork() == 0:\n"
        "    os.close(read); os.write(write, data); os._exit(0)\n"
        "os.close(write)\n"
        "print(len(load_mue(f'/dev/fd/{read}')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(claimcheck.__file__).parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(MUE_SAMPLE)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.stdout.strip() == str(len(load_mue(MUE_SAMPLE))), done.stderr


def test_mue_corrupt_gzip_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mue.csv.gz"
    path.write_bytes(gzip.compress(MUE_SAMPLE.read_bytes())[:-12])
    with pytest.raises(CodeSetError, match="gzip"):
        load_mue(path)


def test_mue_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CodeSetError, match="file not found") as caught:
        load_mue(tmp_path / "MCR_MUE.csv")
    assert caught.value.file == str(tmp_path / "MCR_MUE.csv")


def test_mue_no_header_or_no_rows(tmp_path: Path) -> None:
    no_header = tmp_path / "a.csv"
    no_header.write_text("Code,Value\n99213,1\n")
    with pytest.raises(CodeSetError, match="no header row"):
        load_mue(no_header)
    with pytest.raises(CodeSetError, match="no MUE rows after the header") as caught:
        load_mue(write_mue(tmp_path / "b.csv"))
    assert caught.value.line == 2
    short = tmp_path / "c.csv"
    short.write_text("HCPCS/CPT Code,MUE Rationale\n99213,x\n")
    with pytest.raises(CodeSetError, match="header lacks column") as caught:
        load_mue(short)
    assert caught.value.line == 1


def test_mue_bad_rows_are_all_reported_with_line_numbers(tmp_path: Path) -> None:
    path = write_mue(
        tmp_path / "mue.csv",
        "99213,1,2 Date of Service Edit: Policy,CMS Policy\n",  # line 3: fine
        "9921,1,2 Date of Service Edit: Policy,CMS Policy\n",  # 4
        "99214,-1,2 Date of Service Edit: Policy,CMS Policy\n",  # 5
        "99215,1.5,2 Date of Service Edit: Policy,CMS Policy\n",  # 6
        "36415,2,4 Date of Service Edit: Other,Clinical: Data\n",  # 7
        "77011,1,Line Edit,Anatomic Consideration\n",  # 8
        "77012,1\n",  # 9
        "99213,2,1 Line Edit,CMS Policy\n",  # 10
        "77013,,1 Line Edit,CMS Policy\n",  # 11
    )
    with pytest.raises(CodeSetError) as caught:
        load_mue(path)
    error = caught.value
    assert (error.file, error.line) == (str(path), 4)
    message = str(error)
    assert message.startswith(f"{path}:4: 8 bad rows: ")
    for expected in (
        "line 4: HCPCS/CPT code '9921' is not a CPT/HCPCS code",
        "line 5: MUE value '-1' is not a whole number",
        "line 6: MUE value '1.5' is not a whole number",
        "line 7: MUE adjudication indicator '4 Date of Service Edit: Other' does not start with 1, 2 or 3",
        "line 8: MUE adjudication indicator 'Line Edit' does not start with 1, 2 or 3",
        "line 9: expected at least 3 fields, found 2",
        "line 10: code 99213 listed twice (first on line 3)",
        "line 11: MUE value '' is not a whole number",
    ):
        assert expected in message


def test_mue_values_of_thousands_of_digits_are_bad_rows_not_a_crash(tmp_path: Path) -> None:
    path = write_mue(
        tmp_path / "mue.csv",
        "99213," + "9" * 5000 + ",2 Date of Service Edit: Policy,CMS Policy\n",  # line 3
        "99214,1," + "2" * 5000 + ",CMS Policy\n",  # line 4
    )
    with pytest.raises(CodeSetError) as caught:
        load_mue(path)
    message = str(caught.value)
    assert "line 3: MUE value '9999" in message and "line 4: MUE adjudication indicator '2222" in message
    assert len(message) < 500


def test_mue_windows_1252_file(tmp_path: Path) -> None:
    path = tmp_path / "mue.csv"
    path.write_bytes(MUE_HEADER.encode() + b"99213,1,1 Line Edit,Policy \x93quoted\x94\n")
    limit = found(load_mue(path).get("99213"))
    assert isinstance(limit, MueLimit)
    assert limit.rationale == "Policy “quoted”"


@pytest.mark.parametrize(
    ("general", "option", "kind"),
    [("pair", "ptp", "ptp_pairs"), ("units", "mue", "mue_units")],
)
def test_a_cms_table_with_no_rule_to_apply_it_is_refused(tmp_path: Path, general: str, option: str, kind: str) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(SHIPPED_PACK, pack)
    (pack / "general" / f"{general}.yaml").unlink()
    manifest = pack / "pack.yaml"
    manifest.write_text(manifest.read_text().replace(f"  - {general}\n", ""))
    tables = {"ptp": PTP_SAMPLE, "mue": MUE_SAMPLE}
    with pytest.raises(
        ClaimCheckError,
        match=f"no {kind} rule, so the CMS {option.upper()} table \\(--{option}\\) would not be applied",
    ):
        claimcheck.load_rules(pack, **{option: tables[option]})
