"""X12 837 HL hierarchy: subscribers, patients and claims under the right parent, unknown level codes,
repeated or left-out HL01s, each transaction counting its own loops."""

from __future__ import annotations

from pathlib import Path

from claimcheck.io.readers.x12 import read_x12
from tests.x12_fixture_edits import FIXTURES, claim_problems, lines_of, professional

# The HL hierarchy (2000A billing provider 20, 2000B subscriber 22, 2000C patient 23).


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
