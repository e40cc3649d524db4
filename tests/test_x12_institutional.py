"""X12 837I (SV2) lines and the procedure composite's qualifier, in 837I and 837P files."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from claimcheck.io.readers.x12 import read_x12
from claimcheck.models.parse import ParsedLine
from tests.conftest import AS_OF, ROOT

FIXTURES = ROOT / "fixtures" / "x12"
HC_LINE = "SV2*0450*HC:99284:25*500*UN*1~"  # the institutional fixture's first line


def institutional(tmp_path: Path, first_line: str, name: str = "i.837") -> Path:
    text = (FIXTURES / "institutional.837").read_text()
    assert HC_LINE in text
    path = tmp_path / name
    path.write_text(text.replace(HC_LINE, first_line))
    return path


def lines_of(path: Path) -> list[ParsedLine]:
    return [line for claim in read_x12(path) for line in claim.lines]


def problems(line: ParsedLine) -> list[str]:
    return [f"{p.field} {p.message}" for p in line.problems]


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


# The HL hierarchy (2000A billing provider 20, 2000B subscriber 22, 2000C patient 23).


def professional(tmp_path: Path, *edits: tuple[str, str], name: str = "hl.837") -> Path:
    text = (FIXTURES / "professional.837").read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


def claim_problems(path: Path) -> list[tuple[str | None, list[str]]]:
    """Each claim's id and the problems all its lines share (a claim's problems go on every line)."""
    found = []
    for claim in read_x12(path):
        first, *others = [problems(line) for line in claim.lines]
        assert all(other == first for other in others)
        found.append((claim.claim_id, [*(f"{p.field} {p.message}" for p in claim.problems), *first]))
    return found


def test_a_clean_hierarchy_says_nothing() -> None:
    assert claim_problems(FIXTURES / "professional.837") == [("P001", []), ("P002", [])]
    lines = lines_of(FIXTURES / "institutional.837")
    assert lines and not any(p.field == "hierarchy" for line in lines for p in line.problems)


def test_a_subscriber_whose_parent_does_not_exist_is_flagged_on_its_claims_only(tmp_path: Path) -> None:
    path = professional(tmp_path, ("HL*2*1*22*0~", "HL*2*9*22*0~"))
    assert claim_problems(path) == [
        ("P001", ["hierarchy HL 2 at segment 14 names parent 9 in HL02, but no open HL loop before it has HL01 9"]),
        ("P002", []),
    ]
    # The claims are still read and their lines checked.
    assert all(line.line is not None for claim in read_x12(path) for line in claim.lines)


def test_a_parent_that_comes_later_is_no_parent(tmp_path: Path) -> None:
    path = professional(tmp_path, ("HL*2*1*22*0~", "HL*2*3*22*0~"))
    assert claim_problems(path) == [
        ("P001", ["hierarchy HL 2 at segment 14 names parent 3 in HL02, but no open HL loop before it has HL01 3"]),
        ("P002", []),
    ]


def test_a_subscriber_under_a_subscriber_is_flagged_on_the_claims_under_it(tmp_path: Path) -> None:
    # pyx12 accepts this one; the TR3 puts every 2000B loop under a 2000A billing provider.
    path = professional(tmp_path, ("HL*3*1*22*1~", "HL*3*2*22*1~"))
    assert claim_problems(path) == [
        ("P001", []),
        (
            "P002",
            [
                "hierarchy HL 3 at segment 31 is a 2000B subscriber loop under HL 2, a 2000B subscriber loop; "
                "it belongs under a 2000A billing provider loop (HL03 20)"
            ],
        ),
    ]


def test_a_patient_under_the_billing_provider_is_flagged(tmp_path: Path) -> None:
    path = professional(tmp_path, ("HL*4*3*23*0~", "HL*4*1*23*0~"))
    assert claim_problems(path)[1] == (
        "P002",
        [
            "hierarchy HL 4 at segment 36 is a 2000C patient loop under HL 1, a 2000A billing provider loop; "
            "it belongs under a 2000B subscriber loop (HL03 22)"
        ],
    )


def test_a_claim_directly_under_the_billing_provider_is_flagged(tmp_path: Path) -> None:
    path = professional(tmp_path, ("HL*2*1*22*0~\n", ""), ("HL*3*1*22*1~", "HL*2*1*22*1~"), ("HL*4*3*23", "HL*3*2*23"))
    path.write_text(path.read_text().replace("SE*45*", "SE*44*"))
    assert claim_problems(path) == [
        (
            "P001",
            [
                "hierarchy CLM at segment 18 is under HL 1, a 2000A billing provider loop: a claim belongs under "
                "a 2000B subscriber or 2000C patient loop"
            ],
        ),
        ("P002", []),
    ]


def test_a_billing_provider_with_a_parent_or_a_subscriber_without_one_is_flagged(tmp_path: Path) -> None:
    path = professional(tmp_path, ("HL*1**20*1~", "HL*1*5*20*1~"))
    expected = "hierarchy HL 1 at segment 8 is a 2000A billing provider loop, which has no parent, but names 5 in HL02"
    assert claim_problems(path) == [("P001", [expected]), ("P002", [expected])]
    path = professional(tmp_path, ("HL*2*1*22*0~", "HL*2**22*0~"))
    assert claim_problems(path)[0] == (
        "P001",
        [
            "hierarchy HL 2 at segment 14 is a 2000B subscriber loop with no parent in HL02: it belongs under a "
            "2000A billing provider loop (HL03 20)"
        ],
    )


def test_an_unknown_level_code_and_a_repeated_hl01_are_flagged(tmp_path: Path) -> None:
    path = professional(tmp_path, ("HL*2*1*22*0~", "HL*2*1*21*0~"))
    assert claim_problems(path)[0] == (
        "P001",
        [
            "hierarchy HL 2 at segment 14 has level code 21 in HL03, not 20 (2000A billing provider), "
            "22 (2000B subscriber) or 23 (2000C patient)"
        ],
    )
    path = professional(tmp_path, ("HL*3*1*22*1~", "HL*2*1*22*1~"), ("HL*4*3*23*0~", "HL*4*2*23*0~"))
    assert claim_problems(path) == [
        ("P001", []),
        ("P002", ["hierarchy HL 2 at segment 31 should be HL 3: HL01 counts the transaction's HL loops 1, 2, 3…"]),
    ]


def test_each_transaction_counts_its_own_hl_loops(tmp_path: Path) -> None:
    text = (FIXTURES / "professional.837").read_text()
    st = text.index("ST*837")
    se = text.index("GE*")
    second = text[st:se].replace("ST*837*0101*", "ST*837*0102*").replace("SE*45*0101", "SE*45*0102")
    path = tmp_path / "two_st.837"
    path.write_text(text[:se] + second + text[se:].replace("GE*1*", "GE*2*"))
    assert claim_problems(path) == [("P001", []), ("P002", []), ("P001", []), ("P002", [])]


def test_an_hl_left_out_is_reported_once_not_on_every_hl_after_it(tmp_path: Path) -> None:
    path = professional(tmp_path, ("HL*2*1*22*0~", "HL*3*1*22*0~"), ("HL*3*1*22*1~", "HL*4*1*22*1~"))
    path.write_text(path.read_text().replace("HL*4*3*23*0~", "HL*5*4*23*0~"))
    assert claim_problems(path) == [
        ("P001", ["hierarchy HL 3 at segment 14 should be HL 2: HL01 counts the transaction's HL loops 1, 2, 3…"]),
        ("P002", []),
    ]


def test_an_hl01_of_thousands_of_digits_is_reported_not_raised(tmp_path: Path) -> None:
    path = professional(tmp_path, ("HL*2*1*22*0~", f"HL*{'9' * 5000}*1*22*0~"))
    (problem,) = claim_problems(path)[0][1]
    assert problem.startswith("hierarchy HL 999") and problem.endswith(
        "should be HL 2: HL01 counts the transaction's HL loops 1, 2, 3…"
    )


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


# --x12-strict (pyx12).


def test_a_pyx12_stop_on_a_broken_isa_does_not_quote_the_isa(tmp_path: Path) -> None:
    # pyx12 raises "The ISA segment must have 16 elements (<the whole ISA>)": ISA02/ISA04 hold
    # authorization and security information (passwords), which a report must not repeat.
    pytest.importorskip("pyx12")
    from claimcheck.io.readers.x12 import read_x12_strict

    text = (FIXTURES / "professional.837").read_text()
    second = (
        text.replace("ISA*00*          *00*          *", "ISA*01*SECRETPW  *01*PASSWORD12*")
        .replace("*000000101*0*T*:~", "*000000102*T*:~")
        .replace("IEA*1*000000101", "IEA*1*000000102")
    )
    path = tmp_path / "isa15.837"
    path.write_text(text + second)
    messages = [p.message for claim in read_x12_strict(path) for line in claim.lines for p in line.problems]
    stopped = [m for m in messages if m.startswith("pyx12 stopped validating the file")]
    assert stopped and all("The ISA segment must have 16 elements (…)" in m for m in stopped)
    assert not any("SECRETPW" in m or "PASSWORD12" in m or "CLAIMCHECKSUBM" in m for m in messages)


# Where a line sits.


def test_an_lx01_in_other_digits_is_kept_as_written_in_the_location(tmp_path: Path) -> None:
    # "٣" (Arabic-Indic three) passed str.isdecimal and came out as lx 3, a line number the
    # file does not hold; the line number itself is refused as not a whole number.
    path = institutional(tmp_path, HC_LINE)
    path.write_text(path.read_text().replace("LX*1~", "LX*٣~"))
    line = lines_of(path)[0]
    assert line.line_number is None and line.location is not None and line.location["lx"] == "٣"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("LX*1~", "LX*{}~", "line_number"),
        ("SE*45*", "SE*{}*", "envelope SE01 at segment 47 says"),
        ("SV1*HC:0711T:GN*100*UN*1***2~", "SV1*HC:0711T:GN*100*UN*1***{}~", "diagnosis_pointers pointer"),
    ],
)
def test_numbers_of_thousands_of_digits_are_findings_not_tracebacks(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    # int() refuses text of over 4,300 digits with a ValueError, which escaped as a traceback.
    path = professional(tmp_path, (old, new.format("2" * 5000)), name="digits.837")
    report = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF)
    assert len(report.lines) == 3
    messages = [f.message for line in report.lines for f in line.findings if f.rule_id == "input.field"]
    assert any(message.startswith(expected) for message in messages)


# Several transactions and groups.


def _two_transactions(st02: str) -> str:
    text = (FIXTURES / "professional.837").read_text()
    st, ge = text.index("ST*837"), text.index("GE*")
    second = text[st:ge].replace("ST*837*0101*", f"ST*837*{st02}*").replace("SE*45*0101", f"SE*45*{st02}")
    return text[:ge] + second + text[ge:].replace("GE*1*", "GE*2*")


def test_a_transaction_control_number_used_twice_in_a_group_is_flagged_on_the_second(tmp_path: Path) -> None:
    # Receivers take the second transaction for a resubmission of the first and reject it.
    path = tmp_path / "dup_st.837"
    path.write_text(_two_transactions("0101"))
    lines = lines_of(path)
    assert len(lines) == 6 and all(line.line is not None for line in lines)
    assert [problems(line) for line in lines[:3]] == [[], [], []]
    for line in lines[3:]:
        assert problems(line) == [
            "envelope ST02 control number 0101 at segment 48 is also that of the transaction at segment 3 "
            "in group 101; each transaction's must be unique within its group"
        ]
    path.write_text(_two_transactions("0102"))
    assert not any(line.problems for line in lines_of(path))


def test_a_group_control_number_used_twice_in_an_interchange_is_flagged_on_the_second(tmp_path: Path) -> None:
    text = (FIXTURES / "professional.837").read_text()
    gs, iea = text.index("GS*"), text.index("IEA*")
    path = tmp_path / "dup_gs.837"
    path.write_text(text[:iea] + text[gs:iea] + text[iea:].replace("IEA*1*", "IEA*2*"))
    lines = lines_of(path)
    assert len(lines) == 6 and [problems(line) for line in lines[:3]] == [[], [], []]
    for line in lines[3:]:
        assert problems(line) == [
            "envelope GS06 control number 101 at segment 49 is also that of the group at segment 2 in interchange "
            "000000101; each group's must be unique within its interchange"
        ]


def test_an_interchange_control_number_used_twice_in_a_file_is_flagged_on_the_second(tmp_path: Path) -> None:
    # The same interchange sent twice (a batch resubmitted by appending it) said nothing, though a
    # receiver rejects a repeated ISA13 as a duplicate interchange (TA1 note 025).
    text = (FIXTURES / "professional.837").read_text()
    path = tmp_path / "dup_isa.837"
    path.write_text(text + text)
    lines = lines_of(path)
    assert len(lines) == 6 and [problems(line) for line in lines[:3]] == [[], [], []]
    for line in lines[3:]:
        assert problems(line) == [
            "envelope ISA13 control number 000000101 at segment 50 is also that of the interchange at segment 1 in "
            "file dup_isa.837; each interchange's must be unique within its file"
        ]


# A claim without service lines.


def test_a_claim_without_lines_keeps_its_envelope_and_hierarchy_problems(tmp_path: Path) -> None:
    # Problems meant for every line of a claim were put on its lines only: a claim with none
    # lost "outside a transaction" and its HL problems, and its placeholder line said nothing.
    lines_of_p002 = "LX*1~\nSV1*HC:0711T:22:59*300*UN*2***1~\nDTP*472*D8*20260315~\n"
    path = professional(tmp_path, (lines_of_p002, ""), ("HL*4*3*23*0~", "HL*4*9*23*0~"), name="no_lines.837")
    path.write_text(path.read_text().replace("SE*45*", "SE*42*"))
    assert claim_problems(path)[1] == (
        "P002",
        [
            "lines is missing: the claim at segment 42 has no service line (2400 LX)",
            "hierarchy HL 4 at segment 36 names parent 9 in HL02, but no open HL loop before it has HL01 9",
        ],
    )
    text = (FIXTURES / "professional.837").read_text().replace(lines_of_p002, "")
    segments = text.split("~\n")
    start = segments.index("HL*3*1*22*1")
    moved = "~\n".join([*segments[:start], f"SE*{start - 1}*0101", *segments[start:-4], *segments[-3:]])
    path.write_text(moved)
    assert claim_problems(path)[1] == (
        "P002",
        [
            "lines is missing: the claim at segment 43 has no service line (2400 LX)",
            "envelope CLM at segment 43 is outside a transaction (ST…SE)",
        ],
    )


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
