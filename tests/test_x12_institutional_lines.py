"""X12 837I (SV2) lines and the procedure composite's qualifier, in 837I and 837P files; unit counts and
bases; HI composites that cannot be read; admitting, reason-for-visit and external-cause diagnoses."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from tests.conftest import AS_OF
from tests.x12_fixture_edits import FIXTURES, HC_LINE, institutional, lines_of, problems, professional

# The qualifier of the procedure composite (SV202-1, SV101-1).


def test_a_hipps_rate_code_is_one_input_finding_naming_sv202_1_not_a_cpt_format_failure(tmp_path: Path) -> None:
    path = institutional(tmp_path, "SV2*0022*HP:1AA1D*500*UN*1~", "snf.837")
    report = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF)
    first, second = report.lines
    # Valid X12 a payer may accept, only not ours to judge: a warning, not a failure.
    assert [f.rule_id for f in first.findings if f.status is not claimcheck.Status.PASS] == ["input.not_checked"]
    assert first.status is claimcheck.Status.WARN
    (finding,) = first.findings
    assert finding.subject == "procedure_code"
    assert "SV202-1 qualifier HP" in finding.message and "HIPPS" in finding.message
    assert "not a CPT/HCPCS code" in finding.message and "segment 27" in finding.message
    assert "revenue code 0022 in SV201" in finding.message
    assert not any(f.rule_id == "procedure.format" for f in first.findings)
    # The other line of the claim, revenue code 0300 alone, is read and left unchecked as before.
    assert [f.rule_id for f in second.findings] == ["input.not_checked"]
    assert (second.line_number, second.status) == (2, claimcheck.Status.WARN)


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        # SV202 holding a qualifier alone is a composite cut short, not a line billed by revenue code.
        ("SV2*0450*HC*500*UN*1~", ["procedure_code is missing: SV202 at segment 27 has no procedure code (revenue"]),
        ("SV2***500*UN*1~", [
            "procedure_code is missing: SV202 at segment 27 has no procedure code",
            "revenue_code is missing: SV201 at segment 27 is empty; every 837I service line needs a revenue code",
        ]),
        # A revenue code is four digits (NUBC): 300 lost its leading zero, and no payer reads it.
        ("SV2*300**500*UN*1~", [
            "procedure_code is missing: SV202 at segment 27 has no procedure code (revenue code 300 in SV201)",
            "revenue_code SV201 at segment 27 is not a revenue code: NUBC revenue codes are four digits",
        ]),
    ],
)  # fmt: skip
def test_only_a_revenue_code_alone_is_left_unchecked(tmp_path: Path, service: str, expected: list[str]) -> None:
    (line, _) = lines_of(institutional(tmp_path, service))
    assert line.line is None and not any(problem.unchecked for problem in line.problems)
    assert len(problems(line)) == len(expected)
    assert all(found.startswith(prefix) for found, prefix in zip(problems(line), expected, strict=True))


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("SV2**HC:99284*500*UN*1~", "revenue_code is missing: SV201 at segment 27 is empty"),
        ("SV2*03OO*HC:99284*500*UN*1~", "revenue_code SV201 at segment 27 is not a revenue code"),
    ],
)
def test_a_line_with_a_procedure_but_no_revenue_code_is_flagged_and_checked(
    tmp_path: Path, service: str, expected: str
) -> None:
    # SV201 is required on every 837I line; a line without one passed without a word.
    path = institutional(tmp_path, service)
    (line, _) = lines_of(path)
    assert line.line is not None and line.line.procedure_code == "99284"
    (problem,) = problems(line)
    assert problem.startswith(expected)
    findings = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF).lines[0].findings
    assert "procedure.format" in [f.rule_id for f in findings]


def test_a_line_billed_by_revenue_code_alone_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    path = institutional(tmp_path, "SV2*0120**500*DA*3~", "room.837")
    report = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF)
    first = report.lines[0]
    assert (first.line_number, first.status) == (1, claimcheck.Status.WARN)
    (finding,) = first.findings
    assert (finding.rule_id, finding.subject) == ("input.not_checked", "procedure_code")
    assert finding.message.startswith(
        "procedure_code is not checked: SV202 at segment 27 is empty: the line bills revenue code 0120 (SV201) alone"
    )


@pytest.mark.parametrize(
    ("qualifier", "meaning"),
    [
        ("ER", "jurisdiction-specific procedure or supply code"),
        ("IV", "Home Infusion EDI Coalition (HIEC) product/service code"),
        ("WK", "Advanced Billing Concepts (ABC) code"),
    ],
)
def test_other_qualifiers_the_837i_allows_say_what_the_code_is(tmp_path: Path, qualifier: str, meaning: str) -> None:
    (line, _) = lines_of(institutional(tmp_path, f"SV2*0450*{qualifier}:99284*500*UN*1~"))
    assert line.line is None
    (message,) = problems(line)
    assert line.problems[0].unchecked
    assert message.startswith(f"procedure_code is not checked: SV202-1 qualifier {qualifier} at segment 27")
    assert meaning in message


def test_a_qualifier_the_837i_does_not_allow_is_reported_not_checked_as_cpt(tmp_path: Path) -> None:
    # The de-identified 837I samples write "XX|99999": 99999 has the form of a CPT code and passed.
    (line, _) = lines_of(institutional(tmp_path, "SV2*0450*XX:99999*500*UN*1~"))
    assert line.line is None and not line.problems[0].unchecked  # a broken file: input.field fails it
    assert problems(line) == [
        "procedure_code is not checked: SV202-1 qualifier XX at segment 27 is not one the 5010 837I allows "
        "(ER, HC, HP, IV, WK), so what SV202-2 holds is unknown; claimcheck checks only CPT/HCPCS codes, "
        "which have qualifier HC (revenue code 0450 in SV201)"
    ]


def test_an_empty_qualifier_is_reported(tmp_path: Path) -> None:
    (line, _) = lines_of(institutional(tmp_path, "SV2*0450*:99284*500*UN*1~"))
    assert line.line is None
    assert problems(line)[0].startswith("procedure_code is not checked: SV202-1 qualifier (empty) at segment 27")


def test_the_837p_qualifiers_are_those_of_the_837p(tmp_path: Path) -> None:
    text = (FIXTURES / "professional.837").read_text()
    text = text.replace("SV1*HC:0711T:26*", "SV1*HP:0711T:26*").replace("SV1*HC:0711T:GN*", "SV1*IV:0711T:GN*")
    path = tmp_path / "p.837"
    path.write_text(text)
    first, second, third = lines_of(path)
    assert problems(first) == [
        "procedure_code is not checked: SV101-1 qualifier HP at segment 24 is not one the 5010 837P allows "
        "(ER, HC, IV, WK), so what SV101-2 holds is unknown; claimcheck checks only CPT/HCPCS codes, "
        "which have qualifier HC"
    ]
    assert problems(second)[0].startswith("procedure_code is not checked: SV101-1 qualifier IV at segment 27")
    assert third.line is not None and not third.problems


# Units: SV204/SV205 (837I), SV103/SV104 (837P).


def test_an_empty_unit_count_is_reported_not_read_as_one_unit(tmp_path: Path) -> None:
    # SV205 is required; left empty, the line was checked as one unit without a word.
    (line, _) = lines_of(institutional(tmp_path, "SV2*0450*HC:99284:25*500*UN*~"))
    assert problems(line) == ["units is missing: SV205 at segment 27 is empty; the TR3 requires the service unit count"]
    assert line.line is not None  # the rest of the line is still checked
    path = professional(tmp_path, ("SV1*HC:0711T:26*100*UN*1*22**1:2~", "SV1*HC:0711T:26*100*UN**22**1:2~"))
    assert problems(lines_of(path)[0]) == [
        "units is missing: SV104 at segment 24 is empty; the TR3 requires the service unit count"
    ]


def test_days_are_a_count_the_837i_allows(tmp_path: Path) -> None:
    (line, _) = lines_of(institutional(tmp_path, "SV2*0450*HC:99284:25*500*DA*3~"))
    assert line.line is not None and line.line.units == 3.0 and not line.problems


@pytest.mark.parametrize(
    ("segment", "basis"), [("SV2*0450*HC:99284:25*500*MJ*30~", "MJ"), ("SV2*0450*HC:99284:25*500*F2*3~", "F2")]
)
def test_a_unit_basis_the_837i_does_not_allow_is_reported(tmp_path: Path, segment: str, basis: str) -> None:
    (line, _) = lines_of(institutional(tmp_path, segment))
    assert problems(line) == [
        f"units is not checked: SV204 at segment 27 says {basis}, not UN (units) or DA (days), so what SV205 "
        "counts is unknown"
    ]


def test_a_unit_basis_the_837p_does_not_allow_is_reported(tmp_path: Path) -> None:
    path = professional(tmp_path, ("SV1*HC:0711T:26*100*UN*1*22**1:2~", "SV1*HC:0711T:26*100*DA*2*22**1:2~"))
    assert problems(lines_of(path)[0]) == [
        "units is not checked: SV103 at segment 24 says DA, not UN (units) or MJ (minutes), so what SV104 "
        "counts is unknown"
    ]


# Diagnoses (HI).


def test_unreadable_hi_composites_name_their_segments(tmp_path: Path) -> None:
    path = institutional(tmp_path, HC_LINE)
    path.write_text(path.read_text().replace("HI*ABK:R0789~", "HI*ABK>R0789~").replace("HI*ABF:I10~", "HI*ABF>I10~"))
    first = lines_of(path)[0]
    assert problems(first) == [
        "diagnosis_codes has 2 HI composite(s) that cannot be read (HI at segments 22, 23): each needs a "
        "qualifier and a code separated by the ISA16 component separator ':'"
    ]


def test_an_hi_composite_without_its_qualifier_is_unreadable_not_passed_over(tmp_path: Path) -> None:
    # HI*:I10 was taken for "another qualifier" and dropped without a word, so the SV107
    # pointers of an 837P, which count the HI codes in order, named the codes after it instead.
    path = institutional(tmp_path, HC_LINE)
    path.write_text(path.read_text().replace("HI*ABF:I10~", "HI*:I10~"))
    assert problems(lines_of(path)[0]) == [
        "diagnosis_codes has 1 HI composite(s) that cannot be read (HI at segment 23): each needs a "
        "qualifier and a code separated by the ISA16 component separator ':'"
    ]


def test_many_unreadable_hi_segments_are_named_up_to_three(tmp_path: Path) -> None:
    path = institutional(tmp_path, HC_LINE)
    many = "HI*ABF>I10~\n" * 5
    path.write_text(path.read_text().replace("HI*ABF:I10~\n", many).replace("SE*29*", "SE*33*"))
    (message,) = problems(lines_of(path)[0])
    assert "has 5 HI composite(s) that cannot be read (HI at segments 23, 24, 25, …)" in message


def test_admitting_reason_for_visit_and_external_cause_diagnoses_are_read_and_checked(tmp_path: Path) -> None:
    # HI*ABJ (admitting), APR (patient's reason for visit) and ABN (external cause of injury) are
    # ICD-10-CM codes of the 837I claim too; they were passed over, so a wrong one went unchecked.
    # An admitting diagnosis that is the principal one is usual, not a code sent twice.
    text = (FIXTURES / "institutional.837").read_text()
    path = tmp_path / "other_dx.837"
    text = text.replace("HI*ABF:I10~", "HI*ABF:I10~HI*ABJ:R0789*APR:R69X*ABN:W010XXA~")
    path.write_text(text.replace("SE*29*0102~", "SE*30*0102~"))
    line = lines_of(path)[0]
    assert line.line is not None and line.line.diagnosis_codes == ("R07.89", "I10", "R69.X", "W01.0XXA")
    assert not [p for p in problems(line) if "diagnos" in p]
    (report_line, *_) = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF).lines
    failed = [f.message for f in report_line.findings if f.rule_id == "diagnosis.code_set" and f.status.value == "fail"]
    assert len(failed) == 1 and failed[0].startswith("R69.X is not in ICD-10-CM")


def test_icd9_admitting_and_reason_for_visit_qualifiers_are_reported(tmp_path: Path) -> None:
    text = (FIXTURES / "institutional.837").read_text()
    path = tmp_path / "icd9_dx.837"
    text = text.replace("HI*ABF:I10~", "HI*ABF:I10~HI*BJ:7865*PR:7865~")
    path.write_text(text.replace("SE*29*0102~", "SE*30*0102~"))
    for line in lines_of(path):
        assert "diagnosis_codes uses ICD-9-CM codes (qualifiers BJ, PR), which are not supported" in problems(line)
