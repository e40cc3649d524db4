"""FHIR input: a line's diagnoses: references to Conditions, diagnosis sequences that are missing,
repeated or out of range, codes with spaces, and ICD-9 or WHO ICD-10 codings beside ICD-10-CM."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from claimcheck.io.readers.fhir import read_fhir
from tests.conftest import AS_OF
from tests.fhir_inputs import fixture, lines_of, problems, write

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")


_ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


# --- mapping details, on variants of the fixtures ------------------------------------------------


def test_diagnosis_reference_is_left_out_with_an_input_problem(tmp_path: Path) -> None:
    data = fixture("claim-professional.json")
    data["diagnosis"].append({"sequence": 2, "diagnosisReference": {"reference": "Condition/c1"}})
    data["item"][0]["diagnosisSequence"] = [1, 2, 3]
    path = write(tmp_path, data)
    (parsed,) = lines_of(path)
    assert parsed.line is not None and parsed.line.diagnosis_codes == ("I70.213",)
    assert problems(parsed) == [
        ("diagnosis", "sequence 2 refers to a Condition instead of giving a code"),
        ("diagnosis_pointers", "diagnosisSequence 3 does not name one of the Claim's 2 diagnoses"),
    ]
    # Filed under diagnosis_codes, a diagnosis without a code turned off the checks of the line's
    # other codes, as an HI qualifier without its code did in X12; I70.213 is still checked.
    (result,) = claimcheck.validate_file(path, input_format="fhir", as_of=AS_OF).lines
    assert [(f.subject, f.status.value) for f in result.findings if f.rule_id == "diagnosis.code_set"] == [
        ("I70.213", "pass")
    ]


def test_a_diagnosis_that_refers_to_a_condition_in_the_claim_or_bundle_is_read_from_its_code(
    tmp_path: Path,
) -> None:
    # R4 lets Claim.diagnosis refer to a Condition rather than code it; one contained in the Claim or
    # in its Bundle was reported as "instead of giving a code" though its code was in the file.
    condition = {
        "resourceType": "Condition",
        "id": "pad",
        "subject": {"reference": "Patient/p"},
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "1"}, {"system": _ICD10CM, "code": "I739"}]},
    }
    claim = fixture("claim-professional.json")
    claim["contained"].append(condition)
    claim["diagnosis"] += [
        {"sequence": 2, "diagnosisReference": {"reference": "#pad"}},
        {"sequence": 3, "diagnosisReference": {"reference": "urn:uuid:c-1"}},
        {"sequence": 4, "diagnosisReference": {"reference": "Condition/gone"}},
    ]
    claim["item"][0]["diagnosisSequence"] = [1, 2, 3, 4]
    in_bundle = {**condition, "id": "other", "code": {"coding": [{"system": _ICD10CM, "code": "R91.1"}]}}
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": claim}, {"fullUrl": "urn:uuid:c-1", "resource": in_bundle}],
    }
    (parsed,) = lines_of(write(tmp_path, bundle))
    assert parsed.line is not None and parsed.line.diagnosis_codes == ("I70.213", "I73.9", "R91.1")
    assert problems(parsed) == [("diagnosis", "sequence 4 refers to a Condition that is not in the Bundle")]


def test_a_diagnosis_without_a_code_leaves_a_line_with_no_other_one_failing_diagnosis_required(
    tmp_path: Path,
) -> None:
    data = fixture("claim-professional.json")
    data["diagnosis"] = [{"sequence": 1, "diagnosisCodeableConcept": {"text": "atherosclerosis, right leg"}}]
    (result,) = claimcheck.validate_file(write(tmp_path, data), input_format="fhir", as_of=AS_OF).lines
    failed = [(f.rule_id, f.subject) for f in result.findings if f.status is claimcheck.Status.FAIL]
    assert failed == [("input.field", "diagnosis"), ("modifier.profile", "GN"), ("diagnosis.required", None)]
    assert result.findings[0].message.startswith("diagnosis sequence 1 has no code (")
    assert "atherosclerosis" not in result.findings[0].message


def test_a_space_inside_a_diagnosis_or_modifier_code_keeps_it_one_code_that_fails_as_sent(tmp_path: Path) -> None:
    # A coding's code is one code whatever it holds: "I70 2" and a modifier "2 6" were handed to the
    # model as lists, split on the space into I70 and 2, 2 and 6, codes the claim never sent, each
    # with findings of its own (I70 even passed diagnosis.code_set).
    data = fixture("claim-professional.json")
    data["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"] = "I70 2"
    data["item"][0]["modifier"] = [{"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "2 6"}]}]
    path = write(tmp_path, data)
    (parsed,) = lines_of(path)
    assert parsed.line is not None
    assert (parsed.line.diagnosis_codes, parsed.line.modifiers) == (("I70 2",), ("2 6",))
    (result,) = claimcheck.validate_file(path, input_format="fhir", as_of=AS_OF).lines
    code_sets = [(f.rule_id, f.subject, f.status.value) for f in result.findings if f.rule_id.endswith(".code_set")]
    assert ("diagnosis.code_set", "I70 2", "fail") in code_sets
    assert ("modifier.code_set", "2 6", "fail") in code_sets
    assert not {"I70", "2", "6"} & {f.subject for f in result.findings}


def test_a_diagnosis_sequence_the_claim_lacks_leaves_the_other_diagnoses_checked(tmp_path: Path) -> None:
    # Filed under diagnosis_codes, a sequence out of range turned off the line's diagnosis checks,
    # so the code its valid sequence names went unchecked; X12 files an SV107 pointer so too.
    data = fixture("claim-professional.json")
    data["item"][0]["diagnosisSequence"] = [1, 5]
    path = write(tmp_path, data)
    (parsed,) = lines_of(path)
    assert parsed.line is not None and parsed.line.diagnosis_codes == ("I70.213",)
    assert problems(parsed) == [
        ("diagnosis_pointers", "diagnosisSequence 5 does not name one of the Claim's 1 diagnoses")
    ]
    (result,) = claimcheck.validate_file(path, input_format="fhir", as_of=AS_OF).lines
    assert [(f.subject, f.status.value) for f in result.findings if f.rule_id == "diagnosis.code_set"] == [
        ("I70.213", "pass")
    ]
    assert [f.subject for f in result.findings if f.check is claimcheck.Check.INPUT] == ["diagnosis_pointers"]


@pytest.mark.parametrize("diagnoses", [True, False], ids=["out-of-range", "claim-has-none"])
def test_an_item_whose_every_diagnosis_sequence_is_out_of_range_has_one_result_saying_so(
    tmp_path: Path, diagnoses: bool
) -> None:
    data = fixture("claim-professional.json")
    data["item"][0]["diagnosisSequence"] = [5, 6]
    if not diagnoses:
        del data["diagnosis"]
    report = claimcheck.validate_file(write(tmp_path, data), input_format="fhir", as_of=AS_OF)
    (result,) = report.lines
    failed = [(f.rule_id, f.subject) for f in result.findings if f.status is claimcheck.Status.FAIL]
    assert failed == [
        ("input.field", "diagnosis_pointers"),
        ("input.field", "diagnosis_pointers"),
        ("modifier.profile", "GN"),
        ("diagnosis.required", None),
    ]
    said = "does not name one of the Claim's 1 diagnoses" if diagnoses else "names a diagnosis, but the Claim has none"
    assert f"diagnosisSequence 5 {said}" in result.findings[0].message


def test_a_diagnosis_sequence_given_twice_is_reported_and_the_first_is_read(tmp_path: Path) -> None:
    # Two Claim.diagnosis entries with sequence 1: the last silently replaced the first, so the line
    # was judged on I73.9 and I70.213 was lost without a word, though an item's sequence cannot tell
    # which it names. Bundle references and X12 HI codes sent twice keep the first, and say so.
    data = fixture("claim-professional.json")
    data["diagnosis"].append(
        {"sequence": 1, "diagnosisCodeableConcept": {"coding": [{"system": _ICD10CM, "code": "I73.9"}]}}
    )
    other = {"sequence": 1, "provider": {"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": "1"}}}
    data["careTeam"].append(other)
    (claim,) = read_fhir(write(tmp_path, data))
    assert [(p.field, p.message) for p in claim.problems] == [
        ("diagnosis", "sequence 1 is given to 2 diagnoses; each needs its own, so items name the first"),
        ("careTeam", "sequence 1 is given to 2 members; each needs its own, so items name the first"),
    ]
    (parsed,) = claim.lines
    assert parsed.line is not None and parsed.line.diagnosis_codes == ("I70.213",)
    assert parsed.line.rendering_npi == "1234567893"


def test_a_diagnosis_sequence_an_item_repeats_is_reported_and_its_code_still_checked(tmp_path: Path) -> None:
    # [1, 1] was read as one code without a word; X12 reports an SV107 pointer given twice so.
    data = fixture("claim-professional.json")
    data["item"][0]["diagnosisSequence"] = [1, 1]
    path = write(tmp_path, data)
    (parsed,) = lines_of(path)
    assert parsed.line is not None and parsed.line.diagnosis_codes == ("I70.213",)
    assert problems(parsed) == [("diagnosis_pointers", "diagnosisSequence repeats 1; each names a different diagnosis")]
    (result,) = claimcheck.validate_file(path, input_format="fhir", as_of=AS_OF).lines
    assert [(f.subject, f.status.value) for f in result.findings if f.rule_id == "diagnosis.code_set"] == [
        ("I70.213", "pass")
    ]


def test_icd9_coded_diagnoses_are_reported_not_read_as_icd10(tmp_path: Path) -> None:
    # ICD-9-CM V70.0 (a routine examination) has the shape of ICD-10-CM V70.0 (a motorcycle
    # rider's injury): read as a code, it was judged as the other one. X12 BK/BF and CSV version
    # flags report ICD-9 as not supported; so does FHIR now. A coding in ICD-10-CM beside it wins.
    data = fixture("claim-professional.json")
    data["diagnosis"] = [
        {
            "sequence": 1,
            "diagnosisCodeableConcept": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-9-cm", "code": "V70.0"}]},
        },
        {
            "sequence": 2,
            "diagnosisCodeableConcept": {
                "coding": [
                    {"system": "http://hl7.org/fhir/sid/icd-9-cm", "code": "440.21"},
                    {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I70.213"},
                ]
            },
        },
    ]
    data["item"][0]["diagnosisSequence"] = [1, 2]
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and parsed.line.diagnosis_codes == ("I70.213",)
    assert problems(parsed) == [
        (
            "diagnosis_codes",
            "lack diagnosis 1: it is an ICD-9-CM code, which is not supported (only ICD-10-CM); "
            "the item's other diagnoses are checked without it",
        )
    ]


def test_an_icd10_cm_coding_wins_over_a_who_icd10_one_listed_before_it(tmp_path: Path) -> None:
    # Both count as diagnosis systems, and the first was taken: WHO's I70.2 stood in for the
    # ICD-10-CM I70.213 beside it, and failed diagnosis.billable as a header the claim never sent.
    data = fixture("claim-professional.json")
    data["diagnosis"][0]["diagnosisCodeableConcept"]["coding"] = [
        {"system": "http://hl7.org/fhir/sid/icd-10", "code": "I70.2"},
        {"system": _ICD10CM, "code": "I70.213"},
    ]
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and parsed.line.diagnosis_codes == ("I70.213",)
