"""837 segments with bytes that are not UTF-8 before the CLM: the billing provider's, the
subscriber's, the payer's and the patient's names and addresses.

A claim's own segments holding such bytes were named on its lines (see test_undecodable_bytes);
those before the claim were read with U+FFFD and nothing said. Each line of each claim they apply
to (the claims under their HL loop) now gets an ``input`` finding naming them by position and
id, never by their text, which is patient data; the rest of the file reads as before.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from claimcheck import load_rules
from claimcheck.engine.run import check_claims
from claimcheck.io.readers import read_claims

AS_OF = datetime.date(2026, 11, 22)
RULES = load_rules()
X12 = Path(__file__).resolve().parent.parent / "fixtures" / "x12" / "professional.837"
SAID = "(the bytes that could not be read were replaced)"


def _lines(path: Path) -> list[tuple[str, str, list[str]]]:
    """(claim id, line number, input messages less their origin) of each line result of ``path``."""
    return [
        (
            str(line.claim_id),
            str(line.line_number),
            [f.message.rsplit(" (claims.837", 1)[0] for f in line.findings if f.check.value == "input"],
        )
        for line in check_claims(read_claims(path), RULES, AS_OF)
    ]


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "claims.837"
    path.write_bytes(data)
    return path


def test_segments_before_the_claim_are_named_on_the_lines_of_the_claims_under_them(tmp_path: Path) -> None:
    data = (
        X12.read_bytes()
        .replace(b"VASCULAR IMAGING", b"VASCULAR IM\xc1GING", 1)  # segment 10, NM1*85: the billing provider
        .replace(b"NM1*IL*1*DOE", b"NM1*IL*1*D\xd6E", 1)  # segment 16: subscriber of claim P001
        .replace(b"N3*12 ELM ST", b"N3*12 \xc9LM ST", 1)  # segment 39: patient of claim P002
    )
    lines = _lines(_write(tmp_path, data))
    assert [(claim_id, number) for claim_id, number, _ in lines] == [("P001", "1"), ("P001", "2"), ("P002", "1")]
    first, second, third = (messages for _, _, messages in lines)
    assert first == second == [f"segments 10 (NM1), 16 (NM1) are not UTF-8 text {SAID}"]
    assert third == [f"segments 10 (NM1), 39 (N3) are not UTF-8 text {SAID}"]
    assert not any("\ufffd" in message or "LM ST" in message for message in first + third)


def test_a_payer_and_a_subscriber_address_are_named_too(tmp_path: Path) -> None:
    data = X12.read_bytes().replace(b"NM1*PR*2*ACME HEALTH PLUS", b"NM1*PR*2*ACME H\xc9ALTH PLUS", 1)
    lines = _lines(_write(tmp_path, data))
    assert [messages for _, _, messages in lines] == [[], [], [f"segment 35 (NM1) is not UTF-8 text {SAID}"]]


def test_a_claim_segment_no_field_reads_is_named_as_the_others(tmp_path: Path) -> None:
    # An NTE (a claim note) holding them was let be: only segments a field is read from were looked at.
    data = (
        X12.read_bytes()
        .replace(b"HI*ABK:I70213*ABF:I739~", b"HI*ABK:I70213*ABF:I739~\nNTE*ADD*N\xc9E~", 1)
        .replace(b"SE*45", b"SE*46")
    )
    lines = _lines(_write(tmp_path, data))
    assert [messages for _, _, messages in lines][:2] == [[f"segment 21 (NTE) is not UTF-8 text {SAID}"]] * 2


def test_many_are_named_in_one_finding(tmp_path: Path) -> None:
    refs = b"~\n".join(b"REF*EI*12345678\xff" for _ in range(5))
    data = X12.read_bytes().replace(b"REF*EI*123456789", refs, 1).replace(b"SE*45", b"SE*49")
    lines = _lines(_write(tmp_path, data))
    assert len(lines) == 3
    assert {tuple(messages) for _, _, messages in lines} == {
        (f"segments 13 (REF), 14 (REF), 15 (REF) and 2 more are not UTF-8 text {SAID}",)
    }


def test_the_claims_of_the_next_transaction_are_not_concerned(tmp_path: Path) -> None:
    text = X12.read_bytes()
    start, end = text.index(b"ST*837"), text.index(b"GE*")
    second = text[start:end].replace(b"ST*837*0101", b"ST*837*0102").replace(b"SE*45*0101", b"SE*45*0102")
    data = text[:end].replace(b"NM1*IL*1*ROE", b"NM1*IL*1*R\xd6E", 1) + second + text[end:].replace(b"GE*1", b"GE*2")
    lines = _lines(_write(tmp_path, data))
    assert len(lines) == 6
    assert [bool(messages) for _, _, messages in lines] == [False, False, True, False, False, False]
