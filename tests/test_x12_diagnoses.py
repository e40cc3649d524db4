"""X12 837 diagnoses: HI codes and the line's pointers into them (out of range, a fifth, repeated,
none to point at), codes with spaces, and a diagnosis sent twice."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from tests.conftest import AS_OF
from tests.x12_inputs import fixture_text, lines_of, problems, write


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
