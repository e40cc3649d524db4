"""Hostile and odd X12 input: what a receiver would reject is said clearly, in bounded memory."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from claimcheck.errors import InputError
from claimcheck.io.readers.x12 import read_x12
from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "x12"


def fixture_text(name: str = "professional.837") -> str:
    return (FIXTURES / name).read_text()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def summary(path: Path) -> list[Any]:
    return [(c.claim_id, [(ln.line, ln.problems, ln.location) for ln in c.lines]) for c in read_x12(path)]


def test_a_file_that_never_uses_the_terminator_its_isa_declares_is_refused_naming_it(tmp_path: Path) -> None:
    # The ISA ends in "~", every other segment in a line break: the whole file after the ISA was
    # one segment, held in memory (14 times the file's size) and then "holds no 837 claim".
    isa, rest = fixture_text().split("~\n", 1)
    body = rest.replace("~\n", "\n")
    claims = body[body.index("HL*1") : body.index("SE*")]
    text = isa + "~\n" + body[: body.index("HL*1")] + claims * (3_000_000 // len(claims)) + "SE*1*0101\n"
    with pytest.raises(
        InputError, match=r"segment 2 is longer than 65,536 characters.*terminator '~' its ISA declares"
    ):
        list(read_x12(write(tmp_path, "newlines.837", text)))


@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_an_overlong_segment_is_refused_wherever_the_chunks_fall(
    chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only text still unterminated at a chunk's end was measured: the same file was refused or
    # read depending on where the 1 MiB chunks happened to fall.
    from claimcheck.io.readers.x12 import tokens

    monkeypatch.setattr(tokens, "_CHUNK", chunk)
    path = write(tmp_path, "long.837", fixture_text().replace("PAT*01~", "NTE*ADD*" + "A" * 70_000 + "~PAT*01~"))
    with pytest.raises(InputError, match=r"segment 37 is longer than 65,536 characters"):
        list(read_x12(path))


def test_padding_after_the_iea_is_not_a_runaway_segment(tmp_path: Path) -> None:
    expected = summary(FIXTURES / "professional.837")
    path = write(tmp_path, "professional.837", fixture_text() + "\x00" * (3 << 20))
    assert summary(path) == expected


def test_junk_after_the_iea_is_one_result_row_not_one_per_segment(tmp_path: Path) -> None:
    # Each segment without an identifier after the IEA was a result row of its own: a trailer
    # of junk made thousands of failing rows with no claim beside the file's real lines.
    expected = summary(FIXTURES / "professional.837")
    claims = list(read_x12(write(tmp_path, "professional.837", fixture_text() + "?~" * 1000)))
    assert [(c.claim_id, [ln.line for ln in c.lines]) for c in claims[:-1]] == [
        (claim_id, [line for line, _, _ in lines]) for claim_id, lines in expected
    ]
    (junk,) = claims[-1].lines
    assert [p.message for p in junk.problems] == [
        "segments 50, 51, 52 and 997 more have no X12 segment identifier (two or three capital letters or digits, "
        "a letter first); a receiver rejects the transaction"
    ]
    assert junk.location == {"file": "professional.837", "segment": 50}


def test_segments_without_an_identifier_are_counted_in_flat_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every position was kept to name three of them: 300,000 junk segments held ~12 MB.
    from claimcheck.io.readers.x12 import tokens
    from claimcheck.io.readers.x12.envelope import scan_envelope

    monkeypatch.setattr(tokens, "_CHUNK", 1 << 14)
    text = fixture_text().replace("PAT*01~", "PAT*01~" + "?~" * 300_000)
    path = write(tmp_path, "junk.837", text)
    tracemalloc.start()
    try:
        envelope = scan_envelope(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert any("and 299997 more" in p.message for p in envelope.problems[1])
    assert peak < 4 << 20, f"{peak / 2**20:.1f} MiB"


def test_segments_after_the_iea_are_one_finding_naming_them(tmp_path: Path) -> None:
    # A segment with an identifier after the IEA (a file glued to the tail of another, its ISA
    # lost) was passed over without a word, though a receiver rejects the interchange stream.
    tail = "NM1*IL*1*DOE*JOHN~REF*EA*1~XYZ*1~DTP*472*D8*20260301~"
    claims = list(read_x12(write(tmp_path, "tail.837", fixture_text() + tail)))
    assert [c.claim_id for c in claims] == ["P001", "P002", None]
    (row,) = claims[-1].lines
    assert [p.message for p in row.problems] == [
        "segments 50 (NM1), 51 (REF), 52 (XYZ) and 1 more are outside any interchange (after an IEA, before any "
        "ISA); a receiver rejects them"
    ]
    assert row.location == {"file": "tail.837", "segment": 50}


def test_segments_between_transactions_are_one_finding_unless_a_claim_follows(tmp_path: Path) -> None:
    # A segment between SE and GE (or GE and IEA) was passed over without a word; a claim there
    # says it is outside a transaction itself, so the segments before its CLM are not repeated.
    text = fixture_text().replace("SE*45*0101~\nGE*1*101~", "SE*45*0101~\nNTE*ADD*X~\nREF*EA*1~\nGE*1*101~\nK3*X~")
    claims = list(read_x12(write(tmp_path, "between.837", text)))
    assert [c.claim_id for c in claims] == ["P001", "P002", None, None]
    assert [[p.message for p in c.lines[0].problems] for c in claims[2:]] == [
        ["segments 48 (NTE), 49 (REF) are outside a transaction (ST…SE); a receiver rejects them"],
        ["segment 51 (K3) is outside a transaction (ST…SE); a receiver rejects it"],
    ]
    assert all(not line.problems for claim in claims[:2] for line in claim.lines)


def test_interchange_level_segments_between_isa_and_gs_are_not_strays(tmp_path: Path) -> None:
    # X12's interchange may hold a TA1 (and the rare ISB/ISE) before its first GS.
    ta1 = "TA1*000000099*260315*1200*A*000~\n"
    path = write(tmp_path, "professional.837", fixture_text().replace("GS*", ta1 + "GS*", 1))
    assert [[ln.problems for ln in c.lines] for c in read_x12(path)] == [[(), ()], [()]]


def test_a_small_file_with_another_terminator_than_its_isa_declares_says_so(tmp_path: Path) -> None:
    # Under the 64 KiB refusal, the whole file after the ISA was one segment and the message was
    # only "holds no 837 claim (no CLM segment)", though the file holds two claims.
    isa, rest = fixture_text().split("~\n", 1)
    path = write(tmp_path, "newlines.837", isa + "~\n" + rest.replace("~\n", "\n"))
    with pytest.raises(InputError, match=r"holds no 837 claim \(no CLM segment\): segment 2 has \d+ elements"):
        list(read_x12(path))
    with pytest.raises(InputError, match=r"does it end its segments with the terminator '~' its ISA declares\?"):
        list(read_x12(path))


@pytest.mark.parametrize("name", ["professional.837", "institutional.837"])
def test_an_hi_code_sent_with_its_decimal_point_is_flagged_and_still_checked(name: str, tmp_path: Path) -> None:
    # The 5010 TR3s: "Do not transmit the decimal points in the diagnosis codes"; a dotted code
    # was read as if sent right, so the claim passed the scrub and failed at the payer.
    hi = {"professional.837": "HI*ABK:I70213*ABF:I739~", "institutional.837": "HI*ABF:I10~"}[name]
    dotted = hi.replace("I739", "I73.9").replace("I10", "I10.")
    claim = next(iter(read_x12(write(tmp_path, name, fixture_text(name).replace(hi, dotted)))))
    expected = (
        "HI diagnosis 2 (ABF) is sent with a decimal point; the 837 sends ICD-10-CM codes without it (the TR3 "
        "implies the point), and payers reject the claim"
    )
    for line in claim.lines:
        assert [p.message for p in line.problems if p.field == "hi_diagnoses"] == [expected]
    assert claim.lines[0].line is not None and len(claim.lines[0].line.diagnosis_codes) == 2


@pytest.mark.parametrize("separator", ["\x1c", "\x1d", "\x1e", "\x1f"])
def test_a_control_character_component_separator_is_not_trimmed_off_a_composite(separator: str, tmp_path: Path) -> None:
    # ISA16 may be any character not used in data, and \x1c-\x1f are common; Python counts them
    # as whitespace, so trimming elements with a bare strip() dropped the separator in front of an
    # empty first component and the qualifier was read as the code ("SV101-1 qualifier 0711T").
    text = fixture_text().replace("SV1*HC:0711T:26", "SV1*:0711T:26").replace("HI*ABK:I70213", "HI*:I70213")
    (tmp_path / "colon").mkdir()
    (tmp_path / "control").mkdir()
    colon = summary(write(tmp_path / "colon", "claims.837", text))
    control = summary(write(tmp_path / "control", "claims.837", text.replace(":", separator)))

    def read(claims: list, shown: str) -> list:
        # A message that names the component separator names the file's own.
        return [
            (claim, [(ln, [(p.field, p.message.replace(shown, "':'")) for p in ps]) for ln, ps, _ in lines])
            for claim, lines in claims
        ]

    assert read(control, repr(separator)) == read(colon, "':'")
    # Both read the same way: an HI composite without its qualifier cannot be read.
    assert "HI composite(s) that cannot be read" in str(read(colon, "':'"))


@pytest.mark.parametrize("terminator", ["~", "\n"], ids=["same-terminator", "own-terminator"])
def test_interchanges_that_alternate_delimiters_are_read_in_linear_work(
    terminator: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each ISA whose delimiters differed from the previous interchange's copied the rest of the
    # 1 MiB buffer to parse it and split that rest again: 3,000 interchanges alternating "*" and
    # "|" took 3.4 s against 0.1 s for uniform ones. An ISA is now parsed from a bounded lookahead,
    # and the buffer is scanned once whatever the delimiters.
    from claimcheck.io.readers.x12 import tokens

    star = fixture_text()
    pipe = star.replace("*^*00501*", "*!*00501*").translate(str.maketrans("*:~", "|^" + terminator))
    pairs = 200
    path = write(tmp_path, "alternating.837", (star + pipe) * pairs)
    expected = [
        segment.elements
        for name, text in (("star.837", star), ("pipe.837", pipe))
        for segment in tokens.iter_segments(write(tmp_path, name, text))
    ]
    parsed: list[int] = []
    parse_isa = tokens.parse_isa

    def counting_parse_isa(text: str) -> Any:
        parsed.append(len(text))
        return parse_isa(text)

    monkeypatch.setattr(tokens, "parse_isa", counting_parse_isa)
    assert [segment.elements for segment in tokens.iter_segments(path)] == expected * pairs
    later = parsed[1:]  # the first ISA is parsed from the first chunk read
    assert len(later) <= 2 * (2 * pairs - 1)  # at most twice each: as split, then with its own terminator
    assert max(later) <= tokens._ISA_LOOKAHEAD


def _claim_of(lines: int, tmp_path: Path, name: str = "professional.837") -> Path:
    """The fixture with claim P002 (837P) or the claim (837I) billing ``lines`` service lines, SE counted."""
    text = fixture_text(name)
    if name == "professional.837":
        one = "LX*{}~\nSV1*HC:0711T:22:59*300*UN*2***1~\nDTP*472*D8*20260315~\n"
        head, tail = text.split("LX*1~\nSV1*HC:0711T:22:59", 1)
        tail = tail[tail.index("SE*") :]
    else:
        one = "LX*{}~\nSV2*0450*HC:99284:25*500*UN*1~\n"
        head, rest = text.split("LX*1~", 1)
        tail = rest[rest.index("SE*") :]
    body = head + "".join(one.format(number) for number in range(1, lines + 1))
    st = body.rindex("ST*")
    count = body[st:].count("~") + 1
    control = tail[: tail.index("~")].split("*")[2]
    return write(tmp_path, name, body + f"SE*{count}*{control}~" + tail[tail.index("~") + 1 :])


def _line_count_problems(claims: list[Any]) -> list[list[str]]:
    return [[p.message for p in ln.problems if p.field == "lines"] for c in claims for ln in c.lines]


def test_a_claim_of_more_lines_than_any_837_allows_is_handed_on_in_bounded_blocks(tmp_path: Path) -> None:
    # The whole CLM loop was held until its end: a claim of millions of LX loops held them all.
    # Every line still yields one result, in order, and says why its claim-wide edits are partial.
    claims = list(read_x12(_claim_of(2_500, tmp_path)))
    assert [c.claim_id for c in claims] == ["P001", "P002", "P002", "P002"]
    assert [len(c.lines) for c in claims[1:]] == [999, 999, 502]
    assert [ln.line_number for c in claims[1:] for ln in c.lines] == list(range(1, 2_501))
    said = (
        "are more than 999 in the claim at segment 42, where the 837P allows 50 service lines (2400 loops), so a "
        "receiver rejects the claim; its lines are checked 999 at a time, so the edits across a claim's lines "
        "(pairs, duplicates, units per day, repeated line numbers) do not look from one block into another"
    )
    assert _line_count_problems(claims) == [[]] * 2 + [[said]] * 2_500
    assert all(ln.location and ln.location["claim_id"] == "P002" for c in claims[1:] for ln in c.lines)


def test_an_837p_claim_of_more_than_50_lines_is_flagged_on_each_and_checked_whole(tmp_path: Path) -> None:
    claims = list(read_x12(_claim_of(51, tmp_path)))
    assert [len(c.lines) for c in claims] == [2, 51]
    said = (
        "are 51 in the claim at segment 42, where the 837P allows 50 service lines (2400 loops), so a receiver "
        "rejects the claim"
    )
    assert _line_count_problems(claims) == [[]] * 2 + [[said]] * 51
    assert _line_count_problems(list(read_x12(_claim_of(50, tmp_path)))) == [[]] * 52


def test_an_837i_claim_may_bill_999_lines(tmp_path: Path) -> None:
    claims = list(read_x12(_claim_of(999, tmp_path, "institutional.837")))
    assert [len(c.lines) for c in claims] == [999]
    assert not any(ln.problems for c in claims for ln in c.lines)
    claims = list(read_x12(_claim_of(1_000, tmp_path, "institutional.837")))
    assert [len(c.lines) for c in claims] == [999, 1]
    assert {m for ms in _line_count_problems(claims) for m in ms} == {
        "are more than 999 in the claim at segment 19, where the 837I allows 999 service lines (2400 loops), so a "
        "receiver rejects the claim; its lines are checked 999 at a time, so the edits across a claim's lines "
        "(pairs, duplicates, units per day, repeated line numbers) do not look from one block into another"
    }


def test_tr3_issues_of_a_claim_handed_on_in_blocks_go_where_they_fall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An issue in the claim before its first LX belongs on every line of the claim, each block's.
    from claimcheck.io.readers import x12_validate
    from claimcheck.io.readers.x12 import read_x12_strict

    # P002's CLM is segment 42, its HI 43, then three segments a line: line 999's DTP is 3040,
    # line 1000's LX 3041.
    issues = [
        x12_validate.X12Issue(position, name, "odd") for position, name in ((43, "HI"), (3040, "DTP"), (3041, "LX"))
    ]
    monkeypatch.setattr(x12_validate, "validate_with_pyx12", lambda path: issues)
    claims = list(read_x12_strict(_claim_of(1_500, tmp_path)))
    tr3 = [[p.message for p in ln.problems if p.field == "tr3"] for c in claims[1:] for ln in c.lines]
    header = "segment 43 (HI): odd"
    assert (
        tr3
        == [[header]] * 998
        + [[header, "segment 3040 (DTP): odd"], [header, "segment 3041 (LX): odd"]]
        + [[header]] * 500
    )


def test_padding_before_the_isa_is_dropped_as_it_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Blank and NUL padding before the first ISA was all kept, and stripped again at each chunk read.
    from claimcheck.io.readers.x12 import tokens

    monkeypatch.setattr(tokens, "_CHUNK", 1 << 14)
    expected = summary(FIXTURES / "professional.837")
    path = write(tmp_path, "professional.837", "\x00" * (4 << 20) + "\r\n" + fixture_text())
    tracemalloc.start()
    try:
        first = next(tokens.iter_segments(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert first.id == "ISA"
    assert peak < 1 << 20, f"{peak / 2**20:.1f} MiB"
    assert summary(path) == expected
