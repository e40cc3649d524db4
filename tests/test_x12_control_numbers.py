"""X12 837 control numbers and other numbers: transaction, group and interchange control numbers used
twice, numbers of thousands of digits, LX01 in other digits, a broken ISA pyx12 stops on, and a claim
without lines keeping its envelope and hierarchy problems."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from tests.conftest import AS_OF
from tests.x12_fixture_edits import FIXTURES, HC_LINE, claim_problems, institutional, lines_of, problems, professional


def _two_transactions(st02: str) -> str:
    text = (FIXTURES / "professional.837").read_text()
    st, ge = text.index("ST*837"), text.index("GE*")
    second = text[st:ge].replace("ST*837*0101*", f"ST*837*{st02}*").replace("SE*45*0101", f"SE*45*{st02}")
    return text[:ge] + second + text[ge:].replace("GE*1*", "GE*2*")


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
