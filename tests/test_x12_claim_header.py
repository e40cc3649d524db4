"""A claim's header (the 2300 loop before its first LX) and a line's 2400 loop on hostile input:
what they hold stays bounded, and a problem repeated item after item is one finding per line."""

from __future__ import annotations

import tracemalloc
from datetime import date
from pathlib import Path

import pytest

import claimcheck
from claimcheck.io.readers.x12 import read_x12
from claimcheck.models.parse import ParsedLine
from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "x12"
PROFESSIONAL, INSTITUTIONAL = "professional.837", "institutional.837"


def fixture_text(name: str = PROFESSIONAL) -> str:
    return (FIXTURES / name).read_text()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def lines_of(path: Path) -> list[ParsedLine]:
    return [line for claim in read_x12(path) for line in claim.lines]


def messages(line: ParsedLine, field: str) -> list[str]:
    return [p.message for p in line.problems if p.field == field]


def test_a_code_repeated_in_hi_is_one_finding_naming_the_first_three(tmp_path: Path) -> None:
    # Each repeat was a finding of its own on every line: an HI of 8,000 repeats on a claim of
    # 999 lines made eight million findings.
    repeats = "*".join(["ABF:I10"] * 40)
    path = write(tmp_path, INSTITUTIONAL, fixture_text(INSTITUTIONAL).replace("HI*ABF:I10~", f"HI*{repeats}~"))
    lines = lines_of(path)
    assert len(lines) == 2
    for line in lines:
        assert messages(line, "hi_diagnoses") == [
            "HI diagnosis 3 repeats diagnosis 2, 4 repeats 2, 5 repeats 2 and 36 more repeat earlier ones; each "
            "code is sent once"
        ]
    assert lines[0].line is not None and lines[0].line.diagnosis_codes == ("R07.89", "I10")


def test_two_repeats_are_named_both(tmp_path: Path) -> None:
    text = fixture_text().replace("HI*ABK:I70213*ABF:I739~", "HI*ABK:I70213*ABF:I739*ABF:I70213*ABF:I739~")
    (line, *_) = lines_of(write(tmp_path, PROFESSIONAL, text))
    assert messages(line, "hi_diagnoses") == ["HI diagnosis 3 repeats diagnosis 1, 4 repeats 2; each code is sent once"]


def test_codes_sent_with_a_decimal_point_are_one_finding(tmp_path: Path) -> None:
    dotted = "*".join(f"ABF:A0{n}.{n}" for n in range(5))
    text = fixture_text(INSTITUTIONAL).replace("HI*ABF:I10~", f"HI*{dotted}*ABJ:R07.1~")
    for line in lines_of(write(tmp_path, INSTITUTIONAL, text)):
        assert messages(line, "hi_diagnoses") == [
            "HI diagnoses 2 (ABF), 3 (ABF), 4 (ABF) and 3 more are sent with a decimal point; the 837 sends "
            "ICD-10-CM codes without it (the TR3 implies the point), and payers reject the claim"
        ]


def test_qualifiers_without_a_code_are_one_finding(tmp_path: Path) -> None:
    text = fixture_text(INSTITUTIONAL).replace("HI*ABF:I10~", "HI*ABF:I10*ABF*ABF:*ABF*ABF~")
    for line in lines_of(write(tmp_path, INSTITUTIONAL, text)):
        assert messages(line, "hi_diagnoses") == [
            "HI diagnoses 3 (ABF), 4 (ABF), 5 (ABF) and 1 more have no code after their qualifier"
        ]


def test_nm1s_without_nm101_are_one_finding_in_the_header_and_one_in_a_line(tmp_path: Path) -> None:
    # Each was a finding of its own; those of the header on every line of the claim.
    text = fixture_text().replace("HI*ABK:I70213*ABF:I739~", "HI*ABK:I70213*ABF:I739~" + "NM1*~" * 5)
    text = text.replace("DTP*472*D8*20260310~", "DTP*472*D8*20260310~" + "NM1**1*X~" * 2)
    first, second, _ = lines_of(write(tmp_path, PROFESSIONAL, text))
    header = "is unknown: NM1s at segments 21, 22, 23 and 2 more have no entity identifier (NM101)"
    assert messages(first, "rendering_npi") == [
        header,
        "is unknown: NM1s at segments 31, 32 have no entity identifier (NM101)",
    ]
    assert messages(second, "rendering_npi") == [header]


def test_nm1s_without_nm101_are_counted_in_flat_memory(tmp_path: Path) -> None:
    # A problem was kept per NM1: 100,000 of them in a header held some 40 MB, on each line.
    text = fixture_text().replace("HI*ABK:I70213*ABF:I739~", "HI*ABK:I70213*ABF:I739~" + "NM1~" * 100_000)
    path = write(tmp_path, PROFESSIONAL, text)
    tracemalloc.start()
    try:
        first, *_ = lines_of(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert messages(first, "rendering_npi") == [
        "is unknown: NM1s at segments 21, 22, 23 and 99997 more have no entity identifier (NM101)"
    ]
    assert peak < 4 << 20, f"{peak / 2**20:.1f} MiB"


def test_one_nm1_without_nm101_is_said_as_before(tmp_path: Path) -> None:
    text = fixture_text().replace("HI*ABK:I70213*ABF:I739~", "HI*ABK:I70213*ABF:I739~NM1~")
    first, *_ = lines_of(write(tmp_path, PROFESSIONAL, text))
    assert messages(first, "rendering_npi") == ["is unknown: NM1 at segment 21 has no entity identifier (NM101)"]


def test_more_hi_codes_than_any_claim_holds_are_counted_not_kept(tmp_path: Path) -> None:
    # Every composite of every HI was kept, and on an 837I every line carried them all: a
    # header of 40 HI segments of 5,000 codes held 200,000 codes, and so did each of the claim's lines.
    from claimcheck.io.readers.x12.diagnoses import MOST_CODES

    hi = "HI*" + "*".join(f"ABF:Z{n:05d}" for n in range(5_000)) + "~\n"
    text = fixture_text(INSTITUTIONAL).replace("HI*ABF:I10~\n", hi * 40)
    path = write(tmp_path, INSTITUTIONAL, text)
    tracemalloc.start()
    try:
        lines = lines_of(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(lines) == 2
    for line in lines:
        assert messages(line, "hi_diagnoses") == [
            f"HI segments hold 200001 diagnosis codes, more than any 837 claim carries: the first {MOST_CODES} "
            f"(to segment 23) are read, the other {200_001 - MOST_CODES} are not; a receiver rejects the claim"
        ]
    assert lines[0].line is not None and len(lines[0].line.diagnosis_codes) == MOST_CODES
    assert peak < 8 << 20, f"{peak / 2**20:.1f} MiB"


def test_a_code_longer_than_x12_allows_is_not_read(tmp_path: Path) -> None:
    # C022-02 is at most 30 characters; a code of 60,000 was handed on, and quoted in the
    # findings of every line of an 837I claim.
    text = fixture_text(INSTITUTIONAL).replace("HI*ABF:I10~", "HI*ABF:I10*ABF:" + "Q" * 60_000 + "~")
    lines = lines_of(write(tmp_path, INSTITUTIONAL, text))
    for line in lines:
        assert messages(line, "hi_diagnoses") == [
            "HI diagnosis 3 (ABF) holds a code longer than the 30 characters X12 allows an industry code (C022-02), "
            "so it is not read"
        ]
    assert lines[0].line is not None and lines[0].line.diagnosis_codes == ("R07.89", "I10")


def test_dates_of_many_qualifiers_in_a_header_are_not_kept(tmp_path: Path) -> None:
    # A DTP of each qualifier was kept, whole, though only 472 and 434 are read.
    dtps = "".join(f"DTP*{n}*D8*{'2' * 2_000}~\n" for n in range(20_000))
    text = fixture_text().replace("HI*ABK:I702~\n", "HI*ABK:I702~\n" + dtps)
    path = write(tmp_path, PROFESSIONAL, text)
    tracemalloc.start()
    try:
        lines = lines_of(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [line.line_number for line in lines] == [1, 2, 1]
    assert lines[2].line is not None and lines[2].line.date_of_service.isoformat() == "2026-03-15"
    assert peak < 8 << 20, f"{peak / 2**20:.1f} MiB"


@pytest.mark.parametrize(("frequency", "warned"), [("8", True), ("7", False), ("1", False)])
def test_a_void_claim_is_checked_as_billed_with_a_warning(frequency: str, warned: bool, tmp_path: Path) -> None:
    text = fixture_text().replace("CLM*P001*200***22:B:1*", f"CLM*P001*200***22:B:{frequency}*")
    claims = list(read_x12(write(tmp_path, PROFESSIONAL, text)))
    said = [(p.field, p.message, p.unchecked) for p in claims[0].problems if p.field == "claim_frequency"]
    expected = (
        "claim_frequency",
        "is 8 (void) in CLM05-3 at segment 19: the claim voids an earlier one, and claimcheck checks its lines as "
        "if it were an original claim",
        True,
    )
    assert said == ([expected] if warned else [])
    assert all(line.line is not None for line in claims[0].lines)
    assert not [p for p in claims[1].problems if p.field == "claim_frequency"]
    # A warning on each of its lines, whose checks still run.
    report = claimcheck.validate_file(tmp_path / PROFESSIONAL, input_format="x12", as_of=date(2026, 11, 23))
    for line in report.lines[:2]:
        said = [f.status.value for f in line.findings if f.rule_id == "input.not_checked"]
        assert said == (["warn"] if warned else [])
        assert any(f.rule_id == "diagnosis.code_set" for f in line.findings)


def test_a_pointer_past_the_codes_read_says_they_are_the_codes_read(tmp_path: Path) -> None:
    # "does not name one of the claim's 100 HI diagnosis codes" was untrue of a claim of 150.
    from claimcheck.io.readers.x12.diagnoses import MOST_CODES

    codes = "*".join(f"ABF:Z{n:03d}" for n in range(MOST_CODES + 50))
    text = fixture_text().replace("HI*ABK:I70213*ABF:I739~", f"HI*ABK:I70213*{codes}~")
    first, *_ = lines_of(write(tmp_path, PROFESSIONAL, text.replace("*22**1:2~", f"*22**1:{MOST_CODES + 20}~")))
    assert messages(first, "diagnosis_pointers") == [
        f"pointer {MOST_CODES + 20} in SV107 at segment 24 does not name one of the {MOST_CODES} HI diagnosis codes "
        f"read (codes past the first {MOST_CODES} are not)"
    ]


def test_tr3_issues_of_a_claim_header_past_fifty_are_counted_on_each_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each TR3 issue of the header was a finding on every line of the claim: N issues x M lines.
    from claimcheck.io.readers import x12_validate
    from claimcheck.io.readers.x12 import read_x12_strict

    issues = [x12_validate.X12Issue(43, "HI", f"odd {n:02d}") for n in range(70)]
    monkeypatch.setattr(x12_validate, "validate_with_pyx12", lambda path: issues)
    claims = list(read_x12_strict(FIXTURES / PROFESSIONAL))
    (line,) = claims[1].lines
    assert messages(line, "tr3") == [
        *(f"segment 43 (HI): odd {n:02d}" for n in range(50)),
        "20 more TR3 errors in the claim before its first LX are counted here, not listed",
    ]
