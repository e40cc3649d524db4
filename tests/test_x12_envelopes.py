"""X12 837 envelopes: delimiters per interchange, chunk boundaries, the ISA, GS/GE, ST/SE and IEA
counts and control numbers, truncated and damaged files, detection by content, segments without an id."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import claimcheck
from claimcheck.errors import InputError
from claimcheck.io.readers import READERS
from claimcheck.io.readers.x12 import read_x12, tokens
from claimcheck.models.parse import ParsedClaim
from tests.conftest import AS_OF
from tests.x12_inputs import FIXTURES, fixture_text, lines_of, problems, summary, write

# Delimiters, chunks, interchanges.


def redelimit(text: str, element: str, component: str, terminator: str) -> str:
    """The fixture with other delimiters (each a one-for-one swap, so the ISA keeps its length)."""
    return text.translate(str.maketrans("*:~", element + component + terminator))


def test_each_interchange_is_read_with_its_own_delimiters(tmp_path: Path) -> None:
    # ISA11 "^" would clash with the new component separator, so it becomes "!" first; ISA13 and
    # IEA02 change, as a file's interchanges each have their own control number.
    renumbered = fixture_text().replace("*^*00501*", "*!*00501*").replace("000000101", "000000201")
    second = redelimit(renumbered, "|", "^", "\n")
    path = write(tmp_path, "two.837", fixture_text() + second)
    claims = list(read_x12(path))
    first_half = list(read_x12(FIXTURES / "professional.837"))
    assert len(claims) == 4
    assert [c.claim_id for c in claims] == ["P001", "P002", "P001", "P002"]
    for ours, theirs in zip(claims[2:], first_half, strict=True):
        assert [ln.line for ln in ours.lines] == [ln.line for ln in theirs.lines]
        assert all(not ln.problems for ln in ours.lines)
    assert claims[2].lines[0].location is not None and claims[2].lines[0].location["segment"] == 49 + 23


@pytest.mark.parametrize("chunk", [1, 7, 106, 1000])
def test_chunk_boundaries_do_not_change_what_is_read(
    chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [*FIXTURES.glob("*.837"), write(tmp_path, "crlf.837", fixture_text().replace("~\n", "~\r\n"))]
    expected = {path: summary(list(read_x12(path))) for path in files}
    monkeypatch.setattr(tokens, "_CHUNK", chunk)
    for path in files:
        assert summary(list(read_x12(path))) == expected[path], path.name


def test_claims_are_yielded_before_the_file_is_read_to_its_end(tmp_path: Path) -> None:
    path = write(tmp_path, "big.837", fixture_text())
    claims = read_x12(path)
    first = next(claims)
    path.write_text("")  # the claim pass reads on from its own open file
    assert first.claim_id == "P001"


def test_a_file_without_isa_or_empty_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not start with an ISA segment"):
        lines_of(write(tmp_path, "gs.837", fixture_text().split("\n", 1)[1]))
    with pytest.raises(InputError, match="is empty"):
        lines_of(write(tmp_path, "empty.837", " \n"))
    with pytest.raises(InputError, match="no 837 claim"):
        lines_of(write(tmp_path, "noclaim.837", "\n".join([*fixture_text().splitlines()[:7], "SE*5*0101~"])))


def test_isa_with_an_impossible_terminator_is_an_input_error(tmp_path: Path) -> None:
    text = fixture_text().replace("*T*:~", "*T*:X", 1)
    with pytest.raises(InputError, match="segment terminator 'X' is a letter or digit"):
        lines_of(write(tmp_path, "bad.837", text))


@pytest.mark.parametrize("separator", ["A", "0", " "])
def test_isa_with_a_letter_digit_or_space_separator_is_named_as_such(separator: str, tmp_path: Path) -> None:
    isa, rest = fixture_text().split("\n", 1)
    path = write(tmp_path, "sep.837", isa.replace("*", separator) + "\n" + rest)
    with pytest.raises(InputError, match=f"the ISA element separator '{separator}' is a letter, digit or space"):
        lines_of(path)


def test_a_zero_byte_file_read_as_x12_is_empty(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is empty: expected an X12 file starting with an ISA segment"):
        lines_of(write(tmp_path, "empty.837", ""))


# Envelope problems.
def test_ge_and_iea_counts_and_control_numbers_are_checked(tmp_path: Path) -> None:
    text = fixture_text().replace("GE*1*101~", "GE*2*999~").replace("IEA*1*000000101~", "IEA*3*000000999~")
    for line in lines_of(write(tmp_path, "trailers.837", text)):
        assert problems(line) == [
            "envelope GE01 at segment 48 says 2 transactions but group 101 has 1",
            "envelope GE02 control number 999 at segment 48 does not match GS06 101",
            "envelope IEA01 at segment 49 says 3 groups but interchange 000000101 has 1",
            "envelope IEA02 control number 000000999 at segment 49 does not match ISA13 000000101",
        ]


def test_a_truncated_file_flags_its_missing_trailers(tmp_path: Path) -> None:
    text = fixture_text().split("SE*", 1)[0]
    lines = lines_of(write(tmp_path, "cut.837", text))
    assert len(lines) == 3
    assert problems(lines[0]) == [
        "envelope transaction 0101 at segment 3 has no SE trailer",
        "envelope group 101 at segment 2 has no GE trailer",
        "envelope interchange 000000101 at segment 1 has no IEA trailer",
    ]


def test_a_transaction_without_claims_still_reports_its_envelope(tmp_path: Path) -> None:
    empty = "ST*837*0102*005010X222A1~\nBHT*0019*00*X*20260315*1200*CH~\nSE*3*0109~\n"
    text = fixture_text().replace("GE*1*101~", empty + "GE*2*101~")
    claims = list(read_x12(write(tmp_path, "empty_st.837", text)))
    assert [c.claim_id for c in claims] == ["P001", "P002", None]
    (line,) = claims[-1].lines
    assert problems(line) == ["envelope SE02 control number 0109 at segment 50 does not match ST02 0102"]
    assert line.origin == "empty_st.837 segment 48"
    # The row points at the ST, as a claim's rows point at their LX.
    assert line.location == {
        "file": "empty_st.837",
        "interchange": "000000101",
        "group": "101",
        "transaction": "0102",
        "segment": 48,
    }


def test_a_claim_after_its_transactions_se_is_flagged_outside_the_transaction(tmp_path: Path) -> None:
    # The second claim follows SE (a trailer written too early): no receiver takes it as part
    # of the transaction, yet it was read and checked with no word about the envelope.
    segments = fixture_text().split("~\n")
    start = segments.index("HL*3*1*22*1")
    moved = segments[start:-4]  # HL*3 ... the second claim's last DTP, before SE GE IEA
    se = f"SE*{start - 1}*0101"
    text = "~\n".join([*segments[:start], se, *moved, *segments[-3:]])
    lines = lines_of(write(tmp_path, "after_se.837", text))
    assert [(line.location or {}).get("claim_id") for line in lines] == ["P001", "P001", "P002"]
    assert [problems(line) for line in lines[:2]] == [[], []]
    assert problems(lines[2]) == ["envelope CLM at segment 43 is outside a transaction (ST…SE)"]
    assert lines[2].location is not None and "transaction" not in lines[2].location


def test_a_4010_interchange_in_a_5010_file_flags_only_its_claims(tmp_path: Path) -> None:
    old = fixture_text().replace("*00501*000000101*", "*00401*000000201*").replace("005010X222A1", "004010X098A1")
    old = old.replace("000000101", "000000201")
    lines = lines_of(write(tmp_path, "mixed.837", fixture_text() + old))
    assert len(lines) == 6
    assert all(not ln.problems for ln in lines[:3])
    for line in lines[3:]:
        assert any("uses X12 version 4010 (GS08 004010X098A1), which is not supported" in p for p in problems(line))


def test_an_isa12_of_another_version_than_gs08_is_flagged_and_the_claims_read(tmp_path: Path) -> None:
    lines = lines_of(write(tmp_path, "isa12.837", fixture_text().replace("*00501*", "*00401*", 1)))
    assert len(lines) == 3
    for line in lines:
        assert problems(line) == [
            "envelope ISA12 interchange version 00401 (X12 4010) differs from GS08 version 005010X222A1 (X12 5010)"
        ]


def test_wrong_isa_length_is_flagged_and_the_claims_read(tmp_path: Path) -> None:
    text = fixture_text().replace("*00*          *00*", "*00*         *00*", 1)
    lines = lines_of(write(tmp_path, "short_isa.837", text))
    assert [ln.procedure_code for ln in lines] == ["0711T"] * 3
    assert all("ISA segment is 105 characters long where X12 fixes it at 106" in problems(ln)[0] for ln in lines)


def test_x12_files_are_detected_by_content(shared_dir: Path) -> None:
    if "x12" not in READERS:
        pytest.skip("the reader registry does not name the X12 reader yet")
    from claimcheck.io.readers import detect_format

    for path in [FIXTURES / "bom_crlf_indented.837", *(shared_dir / "samples").glob("x12-837*/*.*")]:
        assert detect_format(path) == "x12", path.name
    assert len(claimcheck.validate_file(FIXTURES / "professional.837", as_of=AS_OF).lines) == 3


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, 1300),
            st.integers(0, 3),
            st.sampled_from(["*", ":", "~", "^", "\n", "", "ISA", "é", "²", "X"]),
        ),
        max_size=6,
    )
)
def test_damaged_files_never_raise_anything_but_input_error(edits: list[tuple[int, int, str]], tmp_path: Path) -> None:
    text = fixture_text()
    for at, length, insert in edits:
        text = text[:at] + insert + text[at + length :]
    path = write(tmp_path, "damaged.837", text)
    try:
        claims = list(read_x12(path))
    except InputError:
        return
    assert all(isinstance(claim, ParsedClaim) and claim.lines for claim in claims)


def test_a_segment_without_an_x12_identifier_is_flagged_without_its_text(tmp_path: Path) -> None:
    # A corrupted identifier (NM31 for NM1) was passed over in silence, though a receiver rejects
    # the transaction for it; the segment's text is never quoted, as it may hold the patient's name.
    text = fixture_text().replace("NM1*IL*1*DOE*JOHN", "NM31*IL*1*DOE*JOHN").replace("PAT*01~", "pat*01~")
    lines = lines_of(write(tmp_path, "bad_id.837", text))
    assert [line.line.procedure_code for line in lines if line.line is not None] == ["0711T", "0711T", "0711T"]
    expected = [
        "envelope segments 16, 37 have no X12 segment identifier (two or three capital letters or digits, "
        "a letter first); a receiver rejects the transaction"
    ]
    for line in lines:
        assert [p for p in problems(line) if "identifier" in p] == expected
        assert "DOE" not in " ".join(problems(line))


def test_the_bad_segment_identifiers_of_the_invalid_sample_are_named(shared_dir: Path) -> None:
    path = shared_dir / "samples/x12-837p/invalid/ims__x12_bad_segment_identifier.txt"
    for line in lines_of(path):
        named = [p for p in problems(line) if "X12 segment identifier" in p]
        assert len(named) == 1 and named[0].startswith("envelope segments 6, 11, 20 have no X12 segment identifier")


def test_many_segments_without_an_identifier_make_one_finding(tmp_path: Path) -> None:
    text = fixture_text().replace("PAT*01~", "PAT*01~" + "?~" * 40).replace("SE*45*0101", "SE*85*0101")
    line = lines_of(write(tmp_path, "junk.837", text))[-1]
    assert [p for p in problems(line) if "identifier" in p] == [
        "envelope segments 38, 39, 40 and 37 more have no X12 segment identifier (two or three capital letters "
        "or digits, a letter first); a receiver rejects the transaction"
    ]
