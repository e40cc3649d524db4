"""X12 837 service lines and claim fields: dates (DTP, RD8 ranges), SV101 modifiers and descriptions,
other payer loops, claims without lines, LX01, birth dates, and anesthesia minutes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.io.readers.x12 import read_x12
from tests.conftest import AS_OF
from tests.x12_inputs import FIXTURES, fixture_text, lines_of, problems, write


def _units_read(tmp_path: Path, billed: str) -> list[Any]:
    billed_in_units = "SV1*HC:0711T:GN*100*UN*1***2~"
    assert billed_in_units in fixture_text()
    text = fixture_text().replace(billed_in_units, f"SV1*HC:0711T:GN*100*{billed}***2~")
    claims = read_x12(write(tmp_path, "minutes.837", text))
    return [(ln.line.units if ln.line else None, [p.field for p in ln.problems]) for c in claims for ln in c.lines]


# Values a line takes from its claim, and what cannot be read.
def test_a_line_without_dtp_takes_the_claim_date(tmp_path: Path) -> None:
    text = (
        fixture_text()
        .replace("HI*ABK:I702~", "DTP*472*D8*20260401~\nHI*ABK:I702~")
        .replace("SV1*HC:0711T:22:59*300*UN*2***1~\nDTP*472*D8*20260315~", "SV1*HC:0711T:22:59*300*UN*2***1~")
    )
    line = lines_of(write(tmp_path, "claim_date.837", text))[-1]
    assert line.line is not None and line.line.date_of_service == date(2026, 4, 1)


def test_missing_or_bad_dates_are_explained_in_x12_terms(tmp_path: Path) -> None:
    text = fixture_text().replace("DTP*472*D8*20260310~", "DTP*472*D8*2026031~").replace("DTP*472*D8*20260315~", "")
    lines = lines_of(write(tmp_path, "dates.837", text.replace("SE*45*", "SE*44*")))
    assert problems(lines[0]) == [
        "date_of_service DTP*472 at segment 25 is not a D8 (CCYYMMDD) or RD8 (CCYYMMDD-CCYYMMDD) date"
    ]
    assert problems(lines[2]) == ["date_of_service is missing: no DTP*472 on the line or the claim"]


def test_rd8_ranges_that_end_before_they_start_or_days_not_in_the_calendar_are_flagged(tmp_path: Path) -> None:
    # An inverted range was read as its start day with nothing said; 20260231 came out as the
    # contract's "must be a real calendar date written YYYY-MM-DD", which is not how an 837 writes it.
    text = (
        fixture_text()
        .replace("DTP*472*RD8*20260311-20260312~", "DTP*472*RD8*20260312-20260311~")
        .replace("DTP*472*D8*20260315~", "DTP*472*D8*20260231~")
        .replace("DMG*D8*19580101*M", "DMG*D8*19580229*M")
    )
    (first, second) = read_x12(write(tmp_path, "ranges.837", text))
    assert first.lines[1].line is None
    assert problems(first.lines[1]) == [
        "date_of_service DTP*472 at segment 28 is an RD8 range that ends before it starts"
    ]
    assert problems(second.lines[0]) == [
        "date_of_service DTP*472 at segment 46 is not a D8 (CCYYMMDD) or RD8 (CCYYMMDD-CCYYMMDD) date"
    ]
    assert [f"{p.field} {p.message}" for p in first.problems] == [
        "patient_birth_date DMG02 at segment 17 is not a D8 (CCYYMMDD) date"
    ]


def test_a_space_inside_an_sv101_modifier_keeps_it_one_modifier_that_fails_as_sent(tmp_path: Path) -> None:
    # "2 6" in SV101-3 became the modifiers 2 and 6, and four such made eight modifiers on a line.
    text = fixture_text().replace("SV1*HC:0711T:26*100", "SV1*HC:0711T:2 6:GN 59*100")
    path = write(tmp_path, "modifier_space.837", text)
    line = lines_of(path)[0]
    assert line.line is not None and line.line.modifiers == ("2 6", "GN 59")
    findings = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF).lines[0].findings
    code_set = [(f.subject, f.status.value) for f in findings if f.rule_id == "modifier.code_set"]
    assert code_set == [("2 6", "fail"), ("GN 59", "fail")]


def test_other_payer_loops_do_not_replace_the_claims_provider_or_payer(tmp_path: Path) -> None:
    cob = "SBR*S*18*******CI~\nNM1*PR*2*OTHER PLAN*****PI*OTH01~\nNM1*82*1~\nDTP*472*D8*19990101~\nLX*1~"
    text = fixture_text().replace("LX*1~", cob, 1)
    (first, _) = read_x12(write(tmp_path, "cob.837", text))
    assert first.header is not None and first.header.payer == "ACME HEALTH"
    line = first.lines[0].line
    assert line is not None and (line.rendering_npi, line.date_of_service) == ("1234567893", date(2026, 3, 10))


def test_a_claim_without_service_lines_still_yields_a_flagged_line(tmp_path: Path) -> None:
    text = fixture_text().replace("LX*1~\nSV1*HC:0711T:22:59*300*UN*2***1~\nDTP*472*D8*20260315~\n", "")
    claims = list(read_x12(write(tmp_path, "no_lx.837", text)))
    assert claims[-1].claim_id == "P002" and len(claims[-1].lines) == 1
    assert [f"{p.field} {p.message}" for p in claims[-1].problems] == [
        "lines is missing: the claim at segment 42 has no service line (2400 LX)"
    ]
    assert claims[-1].lines[0].origin == "no_lx.837 segment 42 (claim P002)"


def test_an_empty_lx01_leaves_lx_out_of_the_location(tmp_path: Path) -> None:
    line = lines_of(write(tmp_path, "empty_lx.837", fixture_text().replace("LX*2~", "LX*~")))[1]
    assert "lx" not in line.location and line.location["segment"] == 26
    assert "line_number is missing: LX at segment 26 has no LX01" in problems(line)
    line = lines_of(write(tmp_path, "no_lx.837", fixture_text().replace("LX*2~\n", "")))[1]
    assert "line_number is missing: SV1 at segment 26 has no LX01" in problems(line)


def test_a_birth_date_that_is_not_d8_is_a_claim_problem(tmp_path: Path) -> None:
    (first, _) = read_x12(write(tmp_path, "dmg.837", fixture_text().replace("DMG*D8*19580101*M", "DMG*D8*580101*M")))
    assert first.header is not None and first.header.patient_birth_date is None
    assert [f"{p.field} {p.message}" for p in first.problems] == [
        "patient_birth_date DMG02 at segment 17 is not a D8 (CCYYMMDD) date"
    ]


def test_anesthesia_minutes_are_one_service_not_units(tmp_path: Path) -> None:
    text = fixture_text().replace("SV1*HC:0711T:GN*100*UN*1***2~", "SV1*HC:0711T:GN*100*MJ*45***2~")
    assert text != fixture_text()
    units = [ln.line.units for c in read_x12(write(tmp_path, "minutes.837", text)) for ln in c.lines if ln.line]
    billed_in_units = [ln.line.units for c in read_x12(FIXTURES / "professional.837") for ln in c.lines if ln.line]
    assert units == billed_in_units  # the 45 minutes read as the one service the UN line billed


@pytest.mark.parametrize(
    ("minutes", "as_units"), [("4X5", "4X5"), ("-45", "-45"), ("0", "0"), ("45.5", "1"), (".5", "1")]
)
def test_anesthesia_minutes_that_are_no_time_are_left_for_the_checks_to_report(
    tmp_path: Path, minutes: str, as_units: str
) -> None:
    # Read as the one service whatever they said, minutes mistyped (4X5) went through without a word.
    assert _units_read(tmp_path, f"MJ*{minutes}") == _units_read(tmp_path, f"UN*{as_units}")


def test_a_fifth_modifier_in_the_description_is_warned_about(tmp_path: Path) -> None:
    # SV101 holds four modifiers (SV101-3 to -6); a fifth lands in SV101-7, the description of a
    # not-otherwise-classified code, which payers do not read as a modifier: it was dropped in silence.
    text = fixture_text().replace("SV1*HC:0711T:22:59*", "SV1*HC:0711T:22:59:XS:GT:76*")
    line = lines_of(write(tmp_path, "five.837", text))[2]
    assert line.line is not None and line.line.modifiers == ("22", "59", "XS", "GT")
    (problem,) = line.problems
    assert problem.unchecked and f"{problem.field} {problem.message}" == (
        "procedure_description SV101-7 at segment 45 holds two characters after four modifiers, like a fifth "
        "modifier; the 837 carries four (SV101-3 to SV101-6) and payers read SV101-7 as a description, not a modifier"
    )
    findings = claimcheck.validate_file(tmp_path / "five.837", input_format="x12", as_of=AS_OF).lines[2].findings
    assert {f.subject for f in findings if f.rule_id == "modifier.code_set"} == {"22", "59", "XS", "GT"}


def test_a_description_after_fewer_modifiers_is_not_warned_about(tmp_path: Path) -> None:
    text = fixture_text().replace("SV1*HC:0711T:22:59*", "SV1*HC:0711T:22:59:::76*")
    assert lines_of(write(tmp_path, "desc.837", text))[2].problems == ()
