"""A list field (modifiers, diagnoses) with one code that cannot be read: that code is reported and
left out, and the list's other codes are checked as usual, on every road.

The code is one holding an invisible character ("I70.213 I10\u2060") or, in a JSON list or
validate(), an item that is not text. The whole list used to be dropped as an unreadable field, so
the line's other codes went unchecked. The input finding now says the other codes are checked
without the bad one, and what depends on the whole list (a diagnosis that supports the procedure,
any diagnosis at all, an ambulance line's origin/destination pair, the count of modifiers) is not
judged from the codes left, as for a field that cannot be read at all: it might be the code left out.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from claimcheck import ClaimLine, load_rules, validate, validate_batch
from claimcheck.engine.run import check_claims
from claimcheck.io.readers import read_claims
from tests.conftest import AS_OF, ROOT
from tests.two_roads import batch_rows, csv_reports_of_both_roads, per_line_rows

RULES = load_rules()
ZWSP, WORD_JOINER = "\u200b", "\u2060"
HEADER = ["claim_id", "line_number", "procedure_code", "modifiers", "diagnosis_codes", "date_of_service"]
CHECKED_WITHOUT = "its other codes are checked without it"

Found = list[tuple[str, str | None, str, str]]


def _line(**fields: Any) -> dict[str, Any]:
    return {"line_number": 1, "procedure_code": "0711T", "date_of_service": "2026-03-10", **fields}


def _validated(*lines: dict[str, Any]) -> Found:
    """(rule id, subject, status, message) of each finding of one claim of ``lines``."""
    report = validate({"claim_id": "C1", "lines": list(lines)}, as_of=AS_OF)
    return [(f.rule_id, f.subject, f.status.value, f.message) for line in report.lines for f in line.findings]


def _rules(found: Found, prefix: str) -> list[tuple[str, str | None, str]]:
    return [(rule, subject, status) for rule, subject, status, _ in found if rule.startswith(prefix)]


def _input(found: Found) -> list[str]:
    return [message for rule, _, _, message in found if rule == "input.field"]


def test_the_other_diagnoses_are_checked_when_one_holds_an_invisible_character() -> None:
    found = _validated(_line(modifiers="26", diagnosis_codes=f"I70.213 I10{WORD_JOINER}"))
    (message,) = _input(found)
    assert message.startswith("diagnosis_codes holds, in its code 2, an invisible character: U+2060")
    assert CHECKED_WITHOUT in message
    assert _rules(found, "diagnosis.") == [
        ("diagnosis.code_set", "I70.213", "pass"),
        ("diagnosis.profile", "I70.213", "pass"),
    ]


def test_a_bad_diagnosis_beside_the_unreadable_one_fails_as_usual() -> None:
    found = _validated(_line(diagnosis_codes=f"I70.2 I10.9 I10{ZWSP}"))
    assert ("diagnosis.code_set", "I10.9", "fail") in _rules(found, "diagnosis.")
    assert ("diagnosis.billable", "I70.2", "fail") in _rules(found, "diagnosis.")


def test_no_supporting_diagnosis_is_not_judged_without_the_code_left_out() -> None:
    # I70.213, the code that supports 0711T, holds the character: "no diagnosis on the line is one
    # the document supports" would send the reader looking for a diagnosis the line has.
    found = _validated(_line(diagnosis_codes=f"I10 I70.213{WORD_JOINER}"))
    assert _rules(found, "diagnosis.") == [("diagnosis.code_set", "I10", "pass")]
    assert [status for rule, _, status, _ in found if rule == "input.field"] == ["fail"]


def test_a_list_whose_only_code_is_left_out_is_not_said_to_be_empty() -> None:
    found = _validated(_line(diagnosis_codes=f"I70.213{WORD_JOINER}"))
    assert _rules(found, "diagnosis.") == []  # no "the line has no diagnosis code"
    (message,) = _input(found)
    assert "code 1" in message and "other codes" not in message


def test_several_codes_left_out_are_each_named() -> None:
    found = _validated(_line(diagnosis_codes=f"I10{ZWSP} I70.213 E78{WORD_JOINER}.5"))
    assert [m.split(",")[1] for m in _input(found)] == [" in its code 1", " in its code 3"]
    assert ("diagnosis.code_set", "I70.213", "pass") in _rules(found, "diagnosis.")


def test_the_other_modifiers_are_checked_when_one_holds_an_invisible_character() -> None:
    found = _validated(_line(modifiers=f"26 5{ZWSP}9", diagnosis_codes="I70.213"))
    (message,) = _input(found)
    assert message.startswith("modifiers holds, in its code 2, an invisible character: U+200B")
    assert CHECKED_WITHOUT in message
    assert _rules(found, "modifier.") == [("modifier.code_set", "26", "pass"), ("modifier.profile", "26", "pass")]
    conflict = _validated(_line(modifiers=f"26 TC 5{ZWSP}9", diagnosis_codes="I70.213"))
    assert ("modifier.26_tc", "26 TC", "fail") in _rules(conflict, "modifier.")


def test_an_ambulance_line_is_not_said_to_lack_the_pair_that_was_left_out() -> None:
    assert _rules(_validated(_line(procedure_code="A0427", modifiers=f"R{ZWSP}H QM")), "modifier.origin") == []
    two = _validated(_line(procedure_code="A0427", modifiers=f"RH HR Q{ZWSP}M"))
    assert _rules(two, "modifier.origin") == [("modifier.origin_destination", "RH HR", "fail")]


def test_the_count_of_modifiers_is_not_judged_without_the_code_left_out() -> None:
    found = _validated(_line(modifiers=f"26 59 76 77 X{ZWSP}S"))
    assert _rules(found, "input.modifier_count") == []


def test_claim_checks_take_a_list_read_in_part_as_not_read() -> None:
    # A bypass modifier (59) left out may be what allows a pair or a repeat: the claim checks judge
    # the line as they judge one whose modifiers cannot be read at all.
    first = _line(modifiers="26", diagnosis_codes="I70.213")
    partial = _validated(first, {**first, "line_number": 2, "modifiers": f"26 5{ZWSP}9"})
    unread = _validated(first, {**first, "line_number": 2, "modifiers": {"not": "a list"}})
    claim_rules = ("pair.", "duplicate.", "units.mue")
    assert [f[:3] for f in partial if f[0].startswith(claim_rules)] == [
        f[:3] for f in unread if f[0].startswith(claim_rules)
    ]


def _ct_then(modifiers: str) -> Found:
    """A CT (71250) and 0721T, a pair its modifier indicator 1 lets a bypass modifier allow."""
    ct = _line(procedure_code="71250", diagnosis_codes="R91.8")
    return _validated(ct, {**ct, "line_number": 2, "procedure_code": "0721T", "modifiers": modifiers})


def test_a_bypass_modifier_read_allows_the_pair_and_none_read_fails_nothing() -> None:
    allowed = [f for f in _ct_then(f"59 X{ZWSP}S") if f[0] == "pair.ptp"]
    assert [(f[2], "allowed by modifier 59 on this line" in f[3]) for f in allowed] == [("pass", True)]
    assert [f for f in _ct_then("GT") if f[0] == "pair.ptp" and f[2] == "fail"]  # the pair fails without one
    assert [f for f in _ct_then(f"X{ZWSP}S GT") if f[0] == "pair.ptp"] == []  # the one left out may be one


@pytest.mark.parametrize(
    ("item", "kind"), [(True, "true or false"), ({"code": "59"}, "an object"), (5.5, "a number that is not whole")]
)
def test_a_list_item_that_is_not_text_is_left_out_and_named(item: Any, kind: str) -> None:
    found = _validated(_line(modifiers=["26", item], diagnosis_codes=["I70.213", item]))
    assert _input(found) == [
        f"modifiers must be text: its code 2 is {kind}; {CHECKED_WITHOUT}",
        f"diagnosis_codes must be text: its code 2 is {kind}; {CHECKED_WITHOUT}",
    ]
    assert ("modifier.code_set", "26", "pass") in _rules(found, "modifier.")
    assert ("diagnosis.profile", "I70.213", "pass") in _rules(found, "diagnosis.")


def test_a_value_that_is_no_list_is_still_unreadable_whole() -> None:
    found = _validated(_line(modifiers={"code": "26"}, diagnosis_codes=5.5))
    assert _input(found) == [
        "modifiers must be text or a list of codes",
        "diagnosis_codes must be text or a list of codes",
    ]


def test_the_model_itself_still_refuses_such_a_list() -> None:
    with pytest.raises(ValueError, match="in its code 2"):
        ClaimLine.model_validate(_line(modifiers=f"26 5{ZWSP}9"))


# --- every format, both roads ---------------------------------------------------------------


def _file_findings(path: Path) -> Found:
    return [
        (f.rule_id, f.subject, f.status.value, f.message)
        for line in check_claims(read_claims(path), RULES, AS_OF)
        for f in line.findings
    ]


def test_json_and_jsonl_files_leave_out_an_item_that_is_not_text(tmp_path: Path) -> None:
    claim = {"claim_id": "C1", "lines": [_line(modifiers=["26", 59.5], diagnosis_codes=["I70.213", None, False])]}
    for path in (tmp_path / "claims.json", tmp_path / "claims.jsonl"):
        path.write_text(json.dumps(claim) + "\n", encoding="utf-8")
        found = _file_findings(path)
        assert [m.split(";")[0] for m in _input(found)] == [
            "modifiers must be text: its code 2 is a number that is not whole",
            "diagnosis_codes must be text: its code 2 is true or false",
        ]
        assert ("diagnosis.profile", "I70.213", "pass") in _rules(found, "diagnosis.")


def test_x12_checks_the_other_codes(tmp_path: Path) -> None:
    text = (ROOT / "fixtures" / "x12" / "professional.837").read_text(encoding="utf-8")
    text = text.replace("HI*ABK:I70213*ABF:I739~", f"HI*ABK:I70213*ABF:I7{ZWSP}39~", 1)
    text = text.replace("SV1*HC:0711T:22:59*", f"SV1*HC:0711T:22:5{ZWSP}9*", 1)
    path = tmp_path / "claims.837"
    path.write_text(text, encoding="utf-8")
    found = _file_findings(path)
    assert any("diagnosis_codes holds, in its code 2" in m and CHECKED_WITHOUT in m for m in _input(found))
    assert any("modifiers holds, in its code 2" in m and CHECKED_WITHOUT in m for m in _input(found))
    assert ("diagnosis.code_set", "I70.213", "pass") in _rules(found, "diagnosis.")
    assert ("modifier.code_set", "22", "pass") in _rules(found, "modifier.")


def test_fhir_checks_the_other_diagnoses(tmp_path: Path) -> None:
    pytest.importorskip("fhir.resources")
    claim = json.loads((ROOT / "fixtures" / "fhir" / "claim-professional.json").read_text(encoding="utf-8"))
    second = copy.deepcopy(claim["diagnosis"][0])
    second["sequence"] = 2
    second["diagnosisCodeableConcept"]["coding"][0]["code"] = f"I10{ZWSP}"
    claim["diagnosis"].append(second)
    claim["item"][0]["diagnosisSequence"] = [1, 2]
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim), encoding="utf-8")
    found = _file_findings(path)
    assert any("diagnosis_codes holds, in its code 2" in m for m in _input(found))
    assert ("diagnosis.profile", "I70.213", "pass") in _rules(found, "diagnosis.")


_ROWS = [
    ["C1", "1", "0711T", "26", f"I70.213 I10{WORD_JOINER}", "2026-03-10"],
    ["C1", "2", "0711T", f"TC 5{ZWSP}9", "I70.213", "2026-03-10"],
    ["C2", "1", "0711T", "26", f"I10 I70.213{WORD_JOINER}", "2026-03-10"],
    ["C3", "1", "0711T", f"26 T{ZWSP}C", f"I70.2{ZWSP} I10.9 I70.213", "2026-03-10"],
    ["C4", "1", "A0427", f"R{ZWSP}H QM", "I10", "2026-03-10"],
    ["C5", "1", "0711T", "26", f"I70.213{ZWSP}", "2026-03-10"],
    ["C5", "2", "0711T", "26", "I70.213", "2026-03-10"],
    ["C6", "1", "71250", "", "R91.8", "2026-03-10"],
    ["C6", "2", "0721T", f"59 X{ZWSP}S", "R91.8", "2026-03-10"],
    ["C7", "1", "71250", "", "R91.8", "2026-03-10"],
    ["C7", "2", "0721T", f"GT X{ZWSP}S", "R91.8", "2026-03-10"],
    ["C8", "1", "0711T", "", "I70.213", "2026-03-10"],
    ["C8", "2", "0711T", f"26 T{ZWSP}C", "I70.213", "2026-03-10"],
]


def _csv(path: Path) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([HEADER, *_ROWS])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_the_batch_road_finds_what_the_per_line_road_finds(tmp_path: Path) -> None:
    path = _csv(tmp_path / "claims.csv")
    per_line = per_line_rows(path, RULES)
    assert batch_rows(path, HEADER, RULES) == per_line
    kept = {(row[0], row[1], row[4], row[7]) for row in per_line}
    assert ("C1", "1", "diagnosis.code_set", "I70.213") in kept
    assert ("C1", "2", "modifier.code_set", "TC") in kept
    assert ("C3", "1", "diagnosis.code_set", "I10.9") in kept


def test_check_writes_the_same_report_on_both_roads(tmp_path: Path) -> None:
    reports = csv_reports_of_both_roads(_csv(tmp_path / "claims.csv"), tmp_path)
    assert reports[0] == reports[1]
    assert CHECKED_WITHOUT.encode() in reports[0]


def test_validate_batch_reads_a_list_column_as_validate_reads_the_list() -> None:
    lines = [
        _line(modifiers=["26", f"5{ZWSP}9"], diagnosis_codes=["I70.213", f"I10{WORD_JOINER}"]),
        {**_line(modifiers=["TC"], diagnosis_codes=[f"I70.213{ZWSP}", "I10"]), "line_number": 2},
    ]
    table = pa.Table.from_pylist([{"claim_id": "C1", **line} for line in lines])
    found = validate_batch(table, as_of=AS_OF).to_pylist()
    batch = [(row["rule_id"], row["subject"], row["status"], row["message"]) for row in found]
    assert batch == _validated(*lines)
    assert ("diagnosis.code_set", "I70.213", "pass", "I70.213 is in ICD-10-CM 2026") in batch


def test_the_durable_executor_gives_the_same_findings() -> None:
    pytest.importorskip("durable", reason="durable-rules is not installed")
    from claimcheck.engine.durable import validate_with_durable

    claims = [
        {"claim_id": "C1", "lines": [_line(modifiers=f"26 5{ZWSP}9", diagnosis_codes=f"I10 I70.213{ZWSP}")]},
        {"claim_id": "C2", "lines": [_line(modifiers=["26", True], diagnosis_codes=f"I70.213 I10{ZWSP}")]},
        {"claim_id": "C3", "lines": [_line(procedure_code="A0427", modifiers=f"R{ZWSP}H QM", diagnosis_codes="I10")]},
        {"claim_id": "C4", "lines": [_line(modifiers=f"26 59 76 77 X{ZWSP}S", diagnosis_codes=f"I10{ZWSP}")]},
        {
            "claim_id": "C5",
            "lines": [
                _line(procedure_code="71250"),
                _line(line_number=2, procedure_code="0721T", modifiers=f"59 X{ZWSP}S"),
            ],
        },
        {
            "claim_id": "C6",
            "lines": [
                _line(procedure_code="71250"),
                _line(line_number=2, procedure_code="0721T", modifiers=f"GT X{ZWSP}S"),
            ],
        },
        {
            "claim_id": "C7",
            "lines": [
                _line(),
                _line(line_number=2, modifiers=f"26 T{ZWSP}C"),
                _line(line_number=3, modifiers=f"2{ZWSP}6"),
            ],
        },
    ]
    durable = validate_with_durable(claims, RULES, AS_OF).to_dict()
    compiled = [validate(claim, rules=RULES, as_of=AS_OF).to_dict()["lines"] for claim in claims]
    assert durable["lines"] == [line for lines in compiled for line in lines]


def _fhir_findings(tmp_path: Path, claim: dict[str, Any]) -> Found:
    pytest.importorskip("fhir.resources")
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim), encoding="utf-8")
    return _file_findings(path)


def _fhir_claim() -> dict[str, Any]:
    claim: dict[str, Any] = json.loads((ROOT / "fixtures" / "fhir" / "claim-professional.json").read_text("utf-8"))
    return claim


def test_fhir_checks_the_other_modifiers_beside_one_without_a_code(tmp_path: Path) -> None:
    claim = _fhir_claim()
    claim["item"][0]["modifier"] = [{"text": "professional component"}, {"coding": [{"code": "GN"}]}]
    found = _fhir_findings(tmp_path, claim)
    assert [m.rsplit(" (", 1)[0] for m in _input(found)] == [
        "modifiers lack modifier 1: it has no code; the item's other modifiers are checked without it"
    ]
    assert ("modifier.code_set", "GN", "pass") in _rules(found, "modifier.")
    claim["item"][0]["modifier"] = [{"text": "professional component"}]
    alone = _fhir_findings(tmp_path, claim)
    assert [m.rsplit(" (", 1)[0] for m in _input(alone)] == ["modifiers lack modifier 1: it has no code"]
    assert _rules(alone, "modifier.") == []


def test_fhir_checks_the_other_diagnoses_beside_an_icd9_one(tmp_path: Path) -> None:
    claim = _fhir_claim()
    icd9 = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-9-cm", "code": "V70.0"}]}
    claim["diagnosis"].insert(0, {"sequence": 2, "diagnosisCodeableConcept": icd9})
    claim["item"][0]["diagnosisSequence"] = [2, 1]
    found = _fhir_findings(tmp_path, claim)
    assert [m.rsplit(" (", 1)[0] for m in _input(found)] == [
        "diagnosis_codes lack diagnosis 2: it is an ICD-9-CM code, which is not supported (only ICD-10-CM); "
        "the item's other diagnoses are checked without it"
    ]
    assert ("diagnosis.profile", "I70.213", "pass") in _rules(found, "diagnosis.")
