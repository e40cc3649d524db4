"""Reading X12 5010 837P/837I files: samples written by others, our fixtures, envelopes, pyx12."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import claimcheck
from claimcheck.errors import ClaimCheckError, InputError
from claimcheck.io.readers import READERS
from claimcheck.io.readers.x12 import read_x12, read_x12_strict, tokens
from claimcheck.io.readers.x12_validate import validate_with_pyx12
from claimcheck.models.parse import ParsedClaim, ParsedLine
from tests.conftest import AS_OF, ROOT, SHARED

FIXTURES = ROOT / "fixtures" / "x12"
SAMPLES = SHARED / "samples"
_SAMPLE_DIRS = ("x12-837p", "x12-837i")


def _samples(invalid: bool) -> list[Any]:
    files: list[Any] = sorted(
        path
        for folder in _SAMPLE_DIRS
        for path in (SAMPLES / folder / ("invalid" if invalid else "")).glob("*")
        if path.is_file()
    )
    reason = f"{SAMPLES} is absent: these tests read the shared X12 sample files beside the repo"
    return files or [pytest.param(None, marks=pytest.mark.skip(reason=reason))]


def lines_of(path: Path) -> list[ParsedLine]:
    return [line for claim in read_x12(path) for line in claim.lines]


def problems(line: ParsedLine) -> list[str]:
    return [f"{p.field} {p.message}" for p in line.problems]


def count_lx(path: Path) -> int:
    """LX segments counted without the reader: delimiters at the ISA's fixed positions."""
    text = path.read_bytes().decode("utf-8-sig").lstrip()
    element, terminator = text[3], text[105]
    return sum(1 for segment in text.split(terminator) if segment.strip().split(element)[0] == "LX")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def fixture_text(name: str = "professional.837") -> str:
    return (FIXTURES / name).read_text()


@pytest.fixture
def x12_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """``validate_file`` with ``input_format="x12"``, whether or not the registry names it yet."""
    monkeypatch.setitem(READERS, "x12", read_x12)


# Samples written by others.


@pytest.mark.parametrize("path", _samples(invalid=False), ids=lambda p: getattr(p, "name", "absent"))
def test_each_valid_sample_yields_one_result_per_service_line(path: Path) -> None:
    lines = lines_of(path)
    assert len(lines) == count_lx(path)
    for line in lines:
        assert line.location is not None and line.location["file"] == path.name
        assert line.origin is not None and line.origin.startswith(f"{path.name} segment ")


def test_sample_counts_agree_with_sources_md(shared_dir: Path) -> None:
    expected = {"ims__x12_many_claims.txt": 820, "ims__x12_multiple_transactions.txt": 624,
                "oopf__Example1_2_And_3_Combined.txt": 11, "lfh__two-claims-single-provider.837i": 3}  # fmt: skip
    for name, count in expected.items():
        path = next((shared_dir / "samples").glob(f"x12-837*/{name}"))
        assert len(lines_of(path)) == count


@pytest.mark.parametrize("path", _samples(invalid=True), ids=lambda p: getattr(p, "name", "absent"))
def test_each_invalid_sample_is_refused_clearly_or_flagged_where(path: Path, x12_registered: None) -> None:
    try:
        report = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF)
    except InputError as exc:
        assert str(path) in str(exc) and exc.problem
        return
    flagged = [f for line in report.lines for f in line.findings if f.check is claimcheck.Check.INPUT]
    assert flagged, "a broken file must be refused or flagged"
    assert all(f"{path.name} segment " in f.message for f in flagged)


def test_a_4010_file_is_refused_naming_its_version(shared_dir: Path) -> None:
    path = shared_dir / "samples" / "x12-837p" / "invalid" / "pyx12__4010_simple_837p.txt"
    with pytest.raises(InputError, match=r"X12 4010 file \(GS08 004010X098A1\)"):
        lines_of(path)


def test_icd9_qualifiers_are_reported_not_read_as_icd10(shared_dir: Path) -> None:
    path = shared_dir / "samples" / "x12-837p" / "lfh__demo.example1.837"
    for line in lines_of(path):
        assert line.line is not None and line.line.diagnosis_codes == ()
        assert any("uses ICD-9-CM codes (qualifiers BF, BK), which are not supported" in p for p in problems(line))


def test_valid_claims_in_a_partly_broken_file_are_read(shared_dir: Path) -> None:
    path = shared_dir / "samples" / "x12-837p" / "invalid" / "ims__x12_missing_elements.txt"
    lines = lines_of(path)
    assert [(ln.line_number, ln.procedure_code) for ln in lines] == [(1, "99211"), (2, "478331")]
    assert all(ln.line is not None for ln in lines)


def test_extraction_matches_pyx12_on_what_it_accepts(shared_dir: Path) -> None:
    x12context = pytest.importorskip("pyx12.x12context")
    import pyx12.error_handler
    import pyx12.params

    for path in (shared_dir / "samples" / "x12-837p" / "uhin__837.edi", FIXTURES / "professional.837"):
        theirs = []
        with x12context.X12ContextReader(pyx12.params.params(), pyx12.error_handler.errh_null(), str(path)) as src:
            for node in src.iter_segments("2300"):
                if node.id == "2300":
                    codes = [loop.get_value("SV101-2") for loop in node.select("2400")]
                    theirs.append((node.get_value("CLM01"), codes))
        ours = [(claim.claim_id, [ln.procedure_code for ln in claim.lines]) for claim in read_x12(path)]
        assert ours == theirs and sum(len(codes) for _, codes in ours) == count_lx(path)


# Our fixtures, field by field.


def test_professional_claims_field_by_field() -> None:
    first, second = read_x12(FIXTURES / "professional.837")
    assert first.header is not None and second.header is not None
    assert (first.claim_id, first.header.patient_sex, first.header.patient_birth_date, first.header.payer) == (
        "P001", "M", date(1958, 1, 1), "ACME HEALTH")  # fmt: skip
    one, two = (line.line for line in first.lines)
    assert one is not None and two is not None
    assert one.model_dump() == {
        "line_number": 1, "procedure_code": "0711T", "modifiers": ("26",), "diagnosis_codes": ("I70.213", "I73.9"),
        "rendering_taxonomy": "2085R0202X", "rendering_npi": "1234567893", "units": 1.0,
        "date_of_service": date(2026, 3, 10), "place_of_service": "22", "charge": 100.0,
    }  # fmt: skip
    # LX 2: one SV107 pointer, the 2420A rendering provider, an RD8 period, CLM05-1 as place of service.
    assert (two.modifiers, two.diagnosis_codes, two.rendering_npi, two.rendering_taxonomy) == (
        ("GN",), ("I73.9",), "1987654328", "2085R0204X")  # fmt: skip
    assert (two.date_of_service, two.place_of_service) == (date(2026, 3, 11), "22")
    assert first.lines[1].location == {
        "file": "professional.837", "interchange": "000000101", "group": "101", "transaction": "0101",
        "claim_id": "P001", "lx": 2, "segment": 26,
    }  # fmt: skip
    assert first.lines[1].origin == "professional.837 segment 26 (claim P001, LX 2)"
    # P002: a 2000C patient (not the subscriber), no 2310B, so the billing provider renders.
    assert (second.header.patient_sex, second.header.patient_birth_date, second.header.payer) == (
        "F", date(1961, 5, 20), "ACME HEALTH PLUS")  # fmt: skip
    line = second.lines[0].line
    assert line is not None
    assert (line.modifiers, line.units, line.place_of_service, line.charge) == (("22", "59"), 2.0, "11", 300.0)
    assert (line.rendering_npi, line.rendering_taxonomy) == ("1234567893", "2085R0202X")
    assert all(not ln.problems for claim in (first, second) for ln in claim.lines)


def test_institutional_claim_field_by_field() -> None:
    (claim,) = read_x12(FIXTURES / "institutional.837")
    assert claim.header is not None
    assert (claim.claim_id, claim.header.patient_sex, claim.header.payer) == ("I001", "F", "MEDICARE PART A")
    first, second = claim.lines
    assert first.line is not None
    assert first.line.model_dump() == {
        "line_number": 1, "procedure_code": "99284", "modifiers": ("25",), "diagnosis_codes": ("R07.89", "I10"),
        "rendering_taxonomy": "282N00000X", "rendering_npi": "1497758544", "units": 1.0,
        "date_of_service": date(2026, 3, 2), "place_of_service": None, "charge": 500.0,
    }  # fmt: skip
    # SV2 with a revenue code and no SV202: still a line, left unchecked with a warning on
    # procedure_code. It was failed as a missing procedure code, which the 837I does not require of
    # every line (room and board is billed by revenue code alone).
    assert second.line is None and second.line_number == 2
    assert problems(second) == [
        "procedure_code is not checked: SV202 at segment 30 is empty: the line bills revenue code 0300 (SV201) "
        "alone, which the 837I allows when no HCPCS code applies (inpatient room and board); claimcheck's "
        "line checks start from a CPT/HCPCS code, so none checks this line, its diagnoses, provider and date "
        "included"
    ]
    assert second.problems[0].unchecked
    assert second.location is not None and second.location["segment"] == 29


def test_bom_crlf_and_indentation_are_tolerated() -> None:
    (claim,) = read_x12(FIXTURES / "bom_crlf_indented.837")
    (line,) = claim.lines
    assert line.line is not None and not line.problems
    assert (line.procedure_code, line.line.diagnosis_codes) == ("0711T", ("I70.213", "I73.9"))
    assert line.location == {
        "file": "bom_crlf_indented.837", "interchange": "000000103", "group": "103", "transaction": "0103",
        "claim_id": "P001", "lx": 1, "segment": 23,
    }  # fmt: skip


@pytest.mark.parametrize("padding", ["\x1a", "\x00" * 50, "\r\n\x1a"])
def test_dos_end_of_file_marks_and_nul_padding_are_not_segments(padding: str, tmp_path: Path) -> None:
    # A Ctrl-Z after IEA (DOS end of file) or NULs filling a fixed-size block were read as a segment
    # without an identifier: a failing result row with no claim beside the file's real lines.
    expected = summary(list(read_x12(FIXTURES / "professional.837")))
    path = write(tmp_path, "professional.837", fixture_text() + padding)
    assert summary(list(read_x12(path))) == expected


def test_u_in_isa11_is_not_a_repetition_separator() -> None:
    segments = list(tokens.iter_segments(FIXTURES / "isa11_u.837"))
    assert segments[0].interchange.delimiters.repetition is None
    assert [ln.procedure_code for ln in lines_of(FIXTURES / "isa11_u.837")] == ["0711T"]
    assert not any(ln.problems for ln in lines_of(FIXTURES / "isa11_u.837"))


def test_a_wrong_se_count_is_on_every_line_of_the_transaction_and_claims_are_still_read() -> None:
    lines = lines_of(FIXTURES / "bad_se_count.837")
    assert [ln.procedure_code for ln in lines] == ["0711T"] * 3 and all(ln.line is not None for ln in lines)
    for line in lines:
        assert problems(line) == ["envelope SE01 at segment 47 says 44 segments but transaction 0105 has 45"]


def test_claims_are_checked_end_to_end(x12_registered: None) -> None:
    report = claimcheck.validate_file(FIXTURES / "professional.837", input_format="x12", as_of=AS_OF)
    assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [("P001", 1), ("P001", 2), ("P002", 1)]
    gn = [f for f in report.lines[1].findings if f.rule_id == "modifier.profile" and f.subject == "GN"]
    assert gn and gn[0].status is claimcheck.Status.FAIL
    assert report.lines[1].to_dict()["location"]["segment"] == 26


# Delimiters, chunks, interchanges.


def redelimit(text: str, element: str, component: str, terminator: str) -> str:
    """The fixture with other delimiters (each a one-for-one swap, so the ISA keeps its length)."""
    return text.translate(str.maketrans("*:~", element + component + terminator))


def summary(claims: list[ParsedClaim]) -> list[Any]:
    return [(c.claim_id, [(ln.line, ln.problems, ln.location) for ln in c.lines]) for c in claims]


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


def test_pointers_outside_the_hi_codes_are_flagged(tmp_path: Path) -> None:
    text = fixture_text().replace("SV1*HC:0711T:GN*100*UN*1***2~", "SV1*HC:0711T:GN*100*UN*1***2:5~")
    path = write(tmp_path, "pointers.837", text)
    line = lines_of(path)[1]
    assert line.line is not None and line.line.diagnosis_codes == ("I73.9",)
    assert problems(line) == [
        "diagnosis_pointers pointer 5 in SV107 at segment 27 does not name one of the claim's 2 HI diagnosis codes"
    ]
    # Filed under diagnosis_codes, the bad pointer turned off the line's diagnosis checks, so the
    # code the good pointer names went unchecked.
    findings = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF).lines[1].findings
    assert [f.subject for f in findings if f.rule_id == "diagnosis.code_set"] == ["I73.9"]
    assert [f.subject for f in findings if f.check is claimcheck.Check.INPUT] == ["diagnosis_pointers"]


def test_a_space_inside_an_sv101_modifier_keeps_it_one_modifier_that_fails_as_sent(tmp_path: Path) -> None:
    # "2 6" in SV101-3 became the modifiers 2 and 6, and four such made eight modifiers on a line.
    text = fixture_text().replace("SV1*HC:0711T:26*100", "SV1*HC:0711T:2 6:GN 59*100")
    path = write(tmp_path, "modifier_space.837", text)
    line = lines_of(path)[0]
    assert line.line is not None and line.line.modifiers == ("2 6", "GN 59")
    findings = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF).lines[0].findings
    code_set = [(f.subject, f.status.value) for f in findings if f.rule_id == "modifier.code_set"]
    assert code_set == [("2 6", "fail"), ("GN 59", "fail")]


@pytest.mark.parametrize(("name", "old", "new"), [
    ("professional.837", "ABF:I739~", "ABF~"), ("institutional.837", "HI*ABF:I10~", "HI*ABF~")])  # fmt: skip
def test_an_hi_qualifier_without_a_code_is_flagged_and_the_other_codes_still_checked(
    name: str, old: str, new: str, tmp_path: Path
) -> None:
    # Filed under diagnosis_codes on the lines pointing to it, it turned off the checks of the
    # line's other codes; on an 837I, whose lines carry no pointers, it was not reported at all.
    path = write(tmp_path, name, fixture_text(name).replace(old, new))
    report = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF)
    first = report.lines[0].findings
    (flagged,) = [f for f in first if f.check is claimcheck.Check.INPUT]
    assert (flagged.subject, flagged.status.value) == ("hi_diagnoses", "fail")
    assert flagged.message.startswith("hi_diagnoses HI diagnosis 2 (ABF) has no code after its qualifier (")
    checked = "I70.213" if name == "professional.837" else "R07.89"
    assert [f.subject for f in first if f.rule_id == "diagnosis.code_set"] == [checked]
    if name == "professional.837":  # LX 2 points to that diagnosis only
        assert "diagnosis.required" in [f.rule_id for f in report.lines[1].findings if f.status.value == "fail"]


def test_pointers_of_a_claim_without_hi_codes_say_it_has_none(tmp_path: Path) -> None:
    # "does not name one of the claim's 0 HI diagnosis codes" left the reader to work out that the
    # HI segment, which the 837P requires, is missing.
    path = write(tmp_path, "no_hi.837", fixture_text().replace("HI*ABK:I702~\n", "").replace("SE*45*", "SE*44*"))
    line = lines_of(path)[-1]
    assert problems(line) == [
        "diagnosis_pointers pointer 1 in SV107 at segment 44 names an HI diagnosis, but the claim has no HI "
        "diagnosis codes"
    ]


def test_a_fifth_pointer_is_flagged_and_not_read(tmp_path: Path) -> None:
    # SV107 holds four pointers (SV107-1 to -4); a fifth is no diagnosis the payer reads, and reading
    # it let a supporting code there pass the line's diagnosis checks.
    hi = "HI*ABK:R0789*ABF:R0781*ABF:R0782*ABF:R0783*ABF:I739~"
    text = fixture_text().replace("HI*ABK:I70213*ABF:I739~", hi).replace("**1:2~", "**1:2:3:4:5~")
    path = write(tmp_path, "five_pointers.837", text)
    line = lines_of(path)[0]
    assert line.line is not None and line.line.diagnosis_codes == ("R07.89", "R07.81", "R07.82", "R07.83")
    assert problems(line) == [
        "diagnosis_pointers SV107 at segment 24 holds 5 pointers; the 837P carries at most four (SV107-1 to "
        "SV107-4), so the diagnoses past the fourth are not read"
    ]


def test_a_line_whose_every_pointer_is_out_of_range_has_one_result_saying_so(tmp_path: Path) -> None:
    text = fixture_text().replace("SV1*HC:0711T:26*100*UN*1*22**1:2~", "SV1*HC:0711T:26*100*UN*1*22**7:8~")
    path = write(tmp_path, "pointers.837", text)
    report = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF)
    assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [("P001", 1), ("P001", 2), ("P002", 1)]
    failed = [(f.rule_id, f.subject) for f in report.lines[0].findings if f.status is claimcheck.Status.FAIL]
    assert failed == [
        ("input.field", "diagnosis_pointers"),
        ("input.field", "diagnosis_pointers"),
        ("diagnosis.required", None),
    ]


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


def test_anesthesia_minutes_are_one_service_not_units(tmp_path: Path) -> None:
    text = fixture_text().replace("SV1*HC:0711T:GN*100*UN*1***2~", "SV1*HC:0711T:GN*100*MJ*45***2~")
    assert text != fixture_text()
    units = [ln.line.units for c in read_x12(write(tmp_path, "minutes.837", text)) for ln in c.lines if ln.line]
    billed_in_units = [ln.line.units for c in read_x12(FIXTURES / "professional.837") for ln in c.lines if ln.line]
    assert units == billed_in_units  # the 45 minutes read as the one service the UN line billed


def _units_read(tmp_path: Path, billed: str) -> list[Any]:
    billed_in_units = "SV1*HC:0711T:GN*100*UN*1***2~"
    assert billed_in_units in fixture_text()
    text = fixture_text().replace(billed_in_units, f"SV1*HC:0711T:GN*100*{billed}***2~")
    claims = read_x12(write(tmp_path, "minutes.837", text))
    return [(ln.line.units if ln.line else None, [p.field for p in ln.problems]) for c in claims for ln in c.lines]


@pytest.mark.parametrize(
    ("minutes", "as_units"), [("4X5", "4X5"), ("-45", "-45"), ("0", "0"), ("45.5", "1"), (".5", "1")]
)
def test_anesthesia_minutes_that_are_no_time_are_left_for_the_checks_to_report(
    tmp_path: Path, minutes: str, as_units: str
) -> None:
    # Read as the one service whatever they said, minutes mistyped (4X5) went through without a word.
    assert _units_read(tmp_path, f"MJ*{minutes}") == _units_read(tmp_path, f"UN*{as_units}")


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


def test_a_repeated_pointer_is_flagged_and_its_code_read_once(tmp_path: Path) -> None:
    # SV107 1:1 names one diagnosis twice: the TR3 wants each further pointer to name another
    # diagnosis (X12 RFI 2561), and reading it twice doubled the line's diagnosis findings.
    text = fixture_text().replace("SV1*HC:0711T:26*100*UN*1*22**1:2~", "SV1*HC:0711T:26*100*UN*1*22**1:2:1~")
    path = write(tmp_path, "repeated.837", text)
    line = lines_of(path)[0]
    assert line.line is not None and line.line.diagnosis_codes == ("I70.213", "I73.9")
    findings = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF).lines[0].findings
    checked = [f.subject for f in findings if f.rule_id == "diagnosis.code_set"]
    assert checked == ["I70.213", "I73.9"]  # each once, and still checked
    assert problems(line) == [
        "diagnosis_pointers SV107 at segment 24 repeats pointer 1; each pointer names a different HI diagnosis"
    ]


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


def test_a_diagnosis_sent_twice_in_hi_is_flagged_on_the_claims_lines(tmp_path: Path) -> None:
    # X12 RFI 2561: the TR3 has HI02-HI12 carry additional diagnoses, so a repeat must not be sent
    # and payers reject it; it was read as two diagnoses, doubling the line's diagnosis findings.
    text = fixture_text().replace("HI*ABK:I70213*ABF:I739~", "HI*ABK:I70213*ABF:I739*ABF:I70.213~")
    first, second, _ = lines_of(write(tmp_path, "dx_twice.837", text))
    expected = "hi_diagnoses HI diagnosis 3 repeats diagnosis 1; each code is sent once"
    assert expected in problems(first) and expected in problems(second)
    assert first.line is not None and first.line.diagnosis_codes == ("I70.213", "I73.9")
    findings = claimcheck.validate_file(tmp_path / "dx_twice.837", input_format="x12", as_of=AS_OF).lines[0].findings
    assert [f.subject for f in findings if f.rule_id == "diagnosis.code_set"] == ["I70.213", "I73.9"]


@pytest.mark.parametrize("name", ["professional.837", "institutional.837"])
def test_a_space_inside_an_hi_code_keeps_it_one_code_that_fails_as_sent(name: str, tmp_path: Path) -> None:
    # An HI composite's code is one code whatever it holds: "I70 2" was split on the space into I70
    # and 2, two diagnoses the claim never sent, each with findings of its own.
    text = fixture_text(name).replace("ABK:I70213", "ABK:I70 2").replace("ABK:R0789", "ABK:I70 2")
    path = write(tmp_path, name, text.replace("ABF:I739", "ABF:E11 9").replace("ABF:I10", "ABF:E11 9"))
    line = lines_of(path)[0]
    assert line.line is not None and line.line.diagnosis_codes == ("I70 2", "E11 9")
    findings = claimcheck.validate_file(path, input_format="x12", as_of=AS_OF).lines[0].findings
    code_set = [(f.subject, f.status.value) for f in findings if f.rule_id == "diagnosis.code_set"]
    assert code_set == [("I70 2", "fail"), ("E11 9", "fail")]
    assert any(f.message.startswith("I70 2 is not in ICD-10-CM") for f in findings)


def test_an_837i_diagnosis_sent_twice_is_read_once_principal_first(tmp_path: Path) -> None:
    text = fixture_text("institutional.837").replace("HI*ABF:I10~", "HI*ABF:I10*ABF:R07.89~")
    line = lines_of(write(tmp_path, "dx_twice_i.837", text))[0]
    assert line.line is not None and line.line.diagnosis_codes[:2] == ("R07.89", "I10")
    assert "hi_diagnoses HI diagnosis 3 repeats diagnosis 1; each code is sent once" in problems(line)


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
