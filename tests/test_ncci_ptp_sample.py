"""CMS NCCI practitioner PTP edits: the sample table loads every row with its fields, and its look-ups
(order, case, dates in force, deletions) match a plain scan of the rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimcheck.refdata.ncci import PtpEdit, PtpTable, load_ptp
from tests.ncci_tables import (
    CPT_RATIONALE,
    FIRST_PTP_LINE,
    PTP_SAMPLE,
    found,
    ptp_fixture,  # noqa: F401 (the ptp fixture)
    ptp_row,
    write_ptp,
)

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
