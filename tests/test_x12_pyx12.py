"""X12 837 strict reading with pyx12: where each TR3 issue goes (line, claim, subscriber loop,
transaction), the segment it names, versions without a map, and messages without element values."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from claimcheck.errors import ClaimCheckError
from claimcheck.io.readers.x12 import read_x12_strict, tokens
from claimcheck.io.readers.x12_validate import validate_with_pyx12
from tests.x12_inputs import FIXTURES, SAMPLES, fixture_text, problems, write


# TR3 validation with pyx12.
def test_strict_reading_puts_each_tr3_issue_where_it_falls(tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    assert not any(ln.problems for c in read_x12_strict(FIXTURES / "professional.837") for ln in c.lines)
    text = fixture_text().replace("SV1*HC:0711T:GN*100*UN", "SV1*HC:0711T:GN*100*ZZ")
    text = text.replace("CLM*P002*300***11:B:1*Y*A", "CLM*P002*300***11:B:1*Y*Q")
    lines = [ln for c in read_x12_strict(write(tmp_path, "tr3.837", text)) for ln in c.lines]
    assert [problems(ln) for ln in lines] == [
        [],
        [
            "tr3 segment 27 (SV1): (…) is not a valid code for Unit or Basis for Measurement Code (SV103)",
            # The plain reader sees this one too (as it sees SE counts), in its own words.
            "units is not checked: SV103 at segment 27 says ZZ, not UN (units) or MJ (minutes), so what SV104 "
            "counts is unknown",
        ],
        ["tr3 segment 42 (CLM): (…) is not a valid code for Assignment or Plan Participation Code (CLM07)"],
    ]


def test_strict_reading_puts_transaction_issues_on_every_line(tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    for line in (ln for c in read_x12_strict(FIXTURES / "bad_se_count.837") for ln in c.lines):
        assert "tr3 segment 47 (SE): SE count of 44 for SE02=0105 is wrong. I count 45" in problems(line)


def test_a_tr3_issue_in_a_subscriber_loop_goes_only_to_the_claims_under_it(tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    # Segment 34 is the DMG of the second subscriber (HL 3), whose patient (HL 4) has claim P002.
    text = fixture_text().replace("DMG*D8*19500101*M", "DMG*D8*19500101*Q")
    lines = [ln for c in read_x12_strict(write(tmp_path, "dmg.837", text)) for ln in c.lines]
    assert [problems(ln) for ln in lines] == [
        [],
        [],
        ["tr3 segment 34 (DMG): (…) is not a valid code for Subscriber Gender Code (DMG03)"],
    ]


def test_a_tr3_issue_in_a_loop_without_claims_goes_once_on_the_transaction(tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    subscriber = (
        "HL*5*1*22*0~SBR*P**GRP100******CI~NM1*IL*1*ROE*RON****MI*M3~DMG*D8*19500101*Q~NM1*PR*2*ACME*****PI*ACME01~"
    )
    text = fixture_text().replace("SE*45*0101~", subscriber + "SE*50*0101~")
    for line in (ln for c in read_x12_strict(write(tmp_path, "no_claim.837", text)) for ln in c.lines):
        assert problems(line) == ["tr3 segment 50 (DMG): (…) is not a valid code for Subscriber Gender Code (DMG03)"]


def test_something_missing_is_placed_before_where_pyx12_noticed_it(tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    text = fixture_text().replace("NM1*IL*1*ROE*RICHARD****MI*MEM0002~\n", "").replace("SE*45*", "SE*44*")
    lines = [ln for c in read_x12_strict(write(tmp_path, "missing.837", text)) for ln in c.lines]
    assert not lines[0].problems and not lines[1].problems
    assert 'tr3 before segment 34: Mandatory loop "Subscriber Name" (2010BA) missing' in problems(lines[2])


def test_transaction_wide_tr3_issues_are_one_finding_per_line(tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    text = (
        fixture_text()
        .replace("CC0001*20260315*1200*CH", "CC0001*20260315*1200*ZZ")
        .replace("PRV*BI*PXC", "PRV*BI*ZZ")
        .replace("BILLING*****46*CC0001", "BILLING*****ZZ*CC0001")
        .replace("SE*45*", "SE*46*")  # and pyx12's SE count error, in the same count
    )
    lines = [ln for c in read_x12_strict(write(tmp_path, "header.837", text)) for ln in c.lines]
    for line in lines:
        envelope, finding = problems(line)
        assert envelope == "envelope SE01 at segment 47 says 46 segments but transaction 0101 has 45"
        assert finding.startswith("tr3 4 TR3 errors outside the transaction's claims")
        assert finding.count("; ") == 3 and finding.endswith("; and 1 more")  # three quoted
        assert "segment 4 (BHT)" in finding


@pytest.mark.parametrize("name", ["ims__x12_many_claims.txt", "ims__x12_complex.txt", "oopf__MedicaidExample.txt"])
def test_tr3_issues_name_the_segment_at_their_position(name: str) -> None:
    pytest.importorskip("pyx12")
    path = SAMPLES / "x12-837p" / name
    if not path.exists():
        pytest.skip(f"{path} is absent")
    ids = {segment.position: segment.id for segment in tokens.iter_segments(path)}
    issues = validate_with_pyx12(path)
    assert issues and any(issue.missing for issue in issues) == (name != "ims__x12_many_claims.txt")
    for issue in issues:
        assert issue.segment_id == ("" if issue.missing else ids[issue.segment_position])


def test_many_claims_strict_keeps_each_tr3_issue_with_its_own_claim() -> None:
    pytest.importorskip("pyx12")
    path = SAMPLES / "x12-837p" / "ims__x12_many_claims.txt"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    # Each subscriber HL of this file holds one claim of one line, so every issue quoted on a
    # line must lie between the HL before the line and the next HL.
    hls = [segment.position for segment in tokens.iter_segments(path) if segment.id == "HL"]
    lines = [ln for c in read_x12_strict(path) for ln in c.lines]
    assert len(lines) == 820
    for line in lines:
        position = int(line.location["segment"])
        start = max(hl for hl in hls if hl < position)
        end = min([hl for hl in hls if hl > position] or [sys.maxsize])
        tr3 = [p.message for p in line.problems if p.field == "tr3"]
        assert sum(message.startswith("410 TR3 errors") for message in tr3) == 1
        quoted = [int(m.split()[1]) for m in tr3 if m.startswith("segment ")]
        assert quoted and all(start <= at < end for at in quoted)


def test_pyx12_reads_what_the_reader_reads_bom_and_indentation_included() -> None:
    pytest.importorskip("pyx12")
    assert validate_with_pyx12(FIXTURES / "bom_crlf_indented.837") == []
    assert validate_with_pyx12(FIXTURES / "institutional.837") == []


def test_tr3_validation_is_unavailable_for_versions_pyx12_has_no_map_for(tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    path = write(tmp_path, "a2.837", fixture_text().replace("005010X222A1", "005010X222A2"))
    (issue,) = validate_with_pyx12(path)
    assert (issue.segment_position, issue.segment_id) == (2, "GS")
    assert "TR3 validation is unavailable for GS08 version 005010X222A2" in issue.message


def test_pyx12_messages_do_not_quote_element_values(tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    text = (
        fixture_text()
        .replace("N4*SPRINGFIELD*IL*627010001", "N4*SPRINGFIELD*IL*6270")
        .replace("N3*12 ELM", "N9*12 ELM")
    )
    messages = [issue.message for issue in validate_with_pyx12(write(tmp_path, "values.837", text))]
    assert messages and not any("6270" in m or "ELM" in m for m in messages)


def test_missing_pyx12_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "pyx12" or m.startswith("pyx12.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyx12", None)  # makes "import pyx12" raise ImportError
    with pytest.raises(ClaimCheckError, match=r"pip install 'claimcheck\[x12\]'"):
        validate_with_pyx12(FIXTURES / "professional.837")


def test_a_file_pyx12_cannot_walk_is_reported_not_raised(tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    path = write(
        tmp_path, "no_gs.837", "".join(ln for ln in fixture_text().splitlines(True) if not ln.startswith("GS*"))
    )
    claims = list(read_x12_strict(path))
    assert [c.claim_id for c in claims] == ["P001", "P002", None]
    assert "tr3 pyx12 failed on this file (IndexError), so it was not TR3-validated" in problems(claims[0].lines[0])
    assert problems(claims[-1].lines[0]) == ["envelope GE at segment 47 has no GS before it"]
