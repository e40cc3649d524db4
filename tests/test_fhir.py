"""Reading FHIR R4 Claims and Bundles: the public samples, our own fixtures, and end to end."""

from __future__ import annotations

import codecs
import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.errors import ClaimCheckError, InputError
from claimcheck.io import readers
from claimcheck.io.files import validate_file
from claimcheck.io.readers.fhir import looks_like_fhir, read_fhir, resource_type_past_head
from claimcheck.models.parse import ParsedLine
from tests.conftest import AS_OF, ROOT, SHARED

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")

FIXTURES = ROOT / "fixtures" / "fhir"
_ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SAMPLES = SHARED / "samples" / "fhir-claim"


def _samples(invalid: bool) -> list[Any]:
    folder = SAMPLES / "invalid" if invalid else SAMPLES
    if not folder.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{folder} is absent: the shared samples are needed"))]
    return [pytest.param(path, id=path.name) for path in sorted(folder.glob("*.json"))]


def _raw_item_count(path: Path) -> int:
    """Items of every Claim in the file, counted in the raw JSON, independently of the reader."""
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    resources = [data] if data.get("resourceType") == "Claim" else [e.get("resource", {}) for e in data["entry"]]
    return sum(len(r.get("item", [])) for r in resources if r.get("resourceType") == "Claim")


def lines_of(path: Path) -> list[ParsedLine]:
    return [line for claim in read_fhir(path) for line in claim.lines]


def problems(line: ParsedLine) -> list[tuple[str, str]]:
    return [(problem.field, problem.message) for problem in line.problems]


def write(tmp_path: Path, data: Any, name: str = "claim.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture
def fhir_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``input_format="fhir"`` work whether or not the registry has been wired yet."""
    monkeypatch.setitem(readers.READERS, "fhir", read_fhir)


def check(path: Path, ruleset: claimcheck.RuleSet) -> claimcheck.Report:
    return validate_file(path, rules=ruleset, as_of=AS_OF, input_format="fhir")


# --- the public samples --------------------------------------------------------------------------


@pytest.mark.parametrize("path", _samples(invalid=False))
def test_sample_yields_one_line_per_item(path: Path) -> None:
    assert len(lines_of(path)) == _raw_item_count(path)


@pytest.mark.parametrize("path", [p for p in _samples(invalid=False) if p.id is None or p.id.startswith("hl7r4__")])
def test_hl7_examples_read_without_input_problems(path: Path) -> None:
    # The HL7 examples are complete claims (dates, codes): every item becomes a full claim line.
    # Their items' details are coded in local systems (drug cost, frame, lens), not CPT/HCPCS.
    for line in lines_of(path):
        assert line.line is not None and not line.problems, (line.origin, problems(line))


@pytest.mark.parametrize("path", _samples(invalid=True))
def test_invalid_sample_gives_input_error_or_input_problems(path: Path) -> None:
    try:
        lines = lines_of(path)
    except InputError as error:
        assert path.name in str(error)
        return
    assert lines and all(line.problems for line in lines)


def test_stu3_claim_names_resource_and_first_error_path() -> None:
    path = SAMPLES / "invalid" / "stu3__Claim-660152.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the shared samples are needed")
    (line,) = lines_of(path)
    assert line.line is None and line.line_number == 1
    assert problems(line) == [
        ("Claim/660152", "is not a valid FHIR R4 Claim: contained[0].insurer is required (and 47 more problems)")
    ]


def test_dangling_practitioner_in_bundle_is_an_input_problem_on_the_line() -> None:
    path = SAMPLES / "invalid" / "pas__missing_referenced_resource_request_bundle.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the shared samples are needed")
    (claim,) = read_fhir(path)
    assert claim.claim_id == "ReferralAuthorizationExample"
    assert claim.header is not None and claim.header.payer == "MARYLAND CAPITAL INSURANCE COMPANY"
    (line,) = claim.lines
    assert ("rendering_npi", "is unknown: careTeam 1 refers to a Practitioner that is not in the Bundle") in problems(
        line
    )


# --- our fixtures, field by field ----------------------------------------------------------------


def test_professional_claim_fields_and_location() -> None:
    (claim,) = read_fhir(FIXTURES / "claim-professional.json")
    assert claim.claim_id == "FX-PRO-1" and not claim.problems
    assert claim.header is not None
    assert (claim.header.patient_sex, str(claim.header.patient_birth_date), claim.header.payer) == (
        "F",
        "1958-01-01",
        "Acme Health",
    )
    (parsed,) = claim.lines
    assert parsed.problems == () and parsed.line is not None
    assert parsed.line.model_dump(mode="json") == {
        "line_number": 1,
        "procedure_code": "0711T",
        "modifiers": ["GN"],
        "diagnosis_codes": ["I70.213"],
        "rendering_taxonomy": "2085R0202X",
        "rendering_npi": "1234567893",
        "units": 1.0,
        "date_of_service": "2026-03-10",
        "place_of_service": "22",
        "charge": 250.0,  # item.net
    }
    assert parsed.origin == "claim-professional.json Claim/FX-PRO-1 item 1"
    assert parsed.location == {
        "file": "claim-professional.json",
        "resource": "Claim/FX-PRO-1",
        "entry": None,
        "item": 1,
    }


def test_bundle_resolves_patient_payer_and_practitioners_by_id_and_full_url() -> None:
    first, second = read_fhir(FIXTURES / "bundle-two-claims.json")
    assert [first.claim_id, second.claim_id] == ["FX-BUN-1", "FX-BUN-2"]
    for claim in (first, second):
        assert claim.header is not None and not claim.problems
        assert (claim.header.patient_sex, str(claim.header.patient_birth_date)) == ("M", "1949-09-09")
    # Organization/payer resolved by id; the second Claim falls back to the coverage display.
    assert first.header is not None and first.header.payer == "Blue Plan"
    assert second.header is not None and second.header.payer == "Blue Plan Gold"

    lines = [line.line.model_dump(mode="json") for line in (*first.lines, *second.lines) if line.line is not None]
    assert [(ln["procedure_code"], ln["modifiers"], ln["diagnosis_codes"]) for ln in lines] == [
        ("0711T", ["26"], ["I70.213"]),  # written I70213 in the file
        ("75571", ["26"], ["I25.10"]),
        ("77011", ["26"], ["R91.1"]),
    ]
    # PractitionerRole → Practitioner; a urn:uuid fullUrl; a plain Practitioner/id.
    assert [(ln["rendering_npi"], ln["rendering_taxonomy"]) for ln in lines] == [
        ("1234567893", "2085R0202X"),
        ("1678901236", "207RC0000X"),
        ("1234567893", "2085R0202X"),
    ]
    # Items without a service date take Claim.billablePeriod.start; the .html POS system still counts.
    assert [(ln["date_of_service"], ln["place_of_service"]) for ln in lines] == [
        ("2026-03-10", "22"),
        ("2026-02-14", "11"),
        ("2026-02-14", "22"),
    ]
    assert [line.location for line in second.lines] == [
        {"file": "bundle-two-claims.json", "resource": "Claim/FX-BUN-2", "entry": 6, "item": 1},
        {"file": "bundle-two-claims.json", "resource": "Claim/FX-BUN-2", "entry": 6, "item": 2},
    ]
    assert second.lines[1].origin == "bundle-two-claims.json entry 6 Claim/FX-BUN-2 item 2"


@pytest.mark.parametrize("reference", ["Doe, Jane/1958-01-01", "http://srv/Jane Doe 1958/7", "patient/7"])
def test_a_dangling_reference_that_is_no_type_and_id_is_not_echoed(tmp_path: Path, reference: str) -> None:
    # The message named the reference's next-to-last segment as the resource type, whatever
    # it held: "refers to a Doe, Jane that is not in the Bundle".
    claim = {**fixture("claim-professional.json"), "patient": {"reference": reference}}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": claim}]}
    (read,) = read_fhir(write(tmp_path, bundle))
    assert [(p.field, p.message) for p in read.problems] == [
        ("patient", "refers to a resource that is not in the Bundle, so sex and birth date are unknown")
    ]


def test_serviced_period_and_no_diagnosis_sequence() -> None:
    (claim,) = read_fhir(FIXTURES / "claim-serviced-period.json")
    # No Claim.id: the first identifier is the claim id; references to a server are not problems.
    assert claim.claim_id == "FX-PER-1" and not claim.problems
    assert claim.header is not None
    assert (claim.header.patient_sex, claim.header.patient_birth_date, claim.header.payer) == (
        None,
        None,
        "Medicare Part B",
    )
    (parsed,) = claim.lines
    assert parsed.problems == () and parsed.line is not None
    assert parsed.line.model_dump(mode="json") == {
        "line_number": 1,
        "procedure_code": "0721T",  # the CPT coding, though a local one comes first
        "modifiers": ["26"],
        "diagnosis_codes": ["J44.9", "J43.9"],  # all diagnoses in order; ICD-10-CM over SNOMED
        "rendering_taxonomy": "207RP1001X",  # the careTeam member in the primary role
        "rendering_npi": "1456789019",  # from the provider reference's own identifier
        "units": 2.0,
        "date_of_service": "2026-04-02",  # servicedPeriod.start, a dateTime
        "place_of_service": None,
        "charge": None,  # no item.net
    }
    assert parsed.location == {"file": "claim-serviced-period.json", "resource": "Claim", "entry": None, "item": 1}


def test_broken_claim_in_bundle_keeps_the_good_one() -> None:
    broken, good = read_fhir(FIXTURES / "bundle-one-broken-claim.json")
    assert broken.claim_id == "FX-STU3"
    assert [(line.line_number, line.procedure_code, line.line) for line in broken.lines] == [
        (1, None, None),
        (2, None, None),
    ]
    expected = ("Claim/FX-STU3", "is not a valid FHIR R4 Claim: insurance is required (and 6 more problems)")
    assert all(problems(line) == [expected] for line in broken.lines)
    assert broken.lines[1].location == {
        "file": "bundle-one-broken-claim.json",
        "resource": "Claim/FX-STU3",
        "entry": 0,
        "item": 2,
    }
    (line,) = good.lines
    assert good.header is not None and good.header.patient_sex == "U"  # gender "unknown"
    assert line.line is not None and line.problems == ()
    assert (line.line.procedure_code, line.line.diagnosis_codes) == ("0711T", ("I73.9",))


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
        ("diagnosis_codes", "lack diagnosis 1: it is an ICD-9-CM code, which is not supported (only ICD-10-CM)")
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


def test_a_gender_outside_fhirs_codes_is_a_problem_as_a_bad_sex_is_in_csv_and_x12(tmp_path: Path) -> None:
    # fhir.resources takes any code; the reader dropped one it could not map without a word,
    # where CSV, JSON and X12 report a sex other than F, M or U.
    data = fixture("claim-professional.json")
    data["contained"][0]["gender"] = "f"
    (claim,) = read_fhir(write(tmp_path, data))
    assert claim.header is not None and claim.header.patient_sex is None
    assert [(p.field, p.message) for p in claim.problems] == [
        ("patient_sex", "is unknown: Patient.gender is not one of male, female, other, unknown")
    ]


def test_dangling_contained_reference_and_missing_care_team(tmp_path: Path) -> None:
    data = fixture("claim-professional.json")
    data["contained"] = []  # the Patient and Practitioner the Claim refers to as #patient, #radiologist
    data["item"][0]["careTeamSequence"] = [1, 9]
    (claim,) = read_fhir(write(tmp_path, data))
    assert [(p.field, p.message) for p in claim.problems] == [
        ("patient", "refers to a contained resource the Claim lacks, so sex and birth date are unknown")
    ]
    (parsed,) = claim.lines
    assert parsed.line is not None and parsed.line.rendering_npi is None
    assert parsed.line.rendering_taxonomy == "2085R0202X"
    assert problems(parsed) == [
        ("rendering_npi", "is unknown: the Claim has no careTeam 9"),
        ("rendering_npi", "is unknown: careTeam 1 refers to a contained resource the Claim lacks"),
    ]


def test_units_default_and_codes_from_other_systems(tmp_path: Path) -> None:
    data = fixture("claim-professional.json")
    item = data["item"][0]
    del item["quantity"]
    item["productOrService"] = {"coding": [{"system": "http://www.ada.org/cdt", "code": "D0120"}]}
    item["locationCodeableConcept"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/ex-serviceplace"}]}
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None
    # A dental code goes on the line for the rules to judge; a coding without a code is no code.
    assert (parsed.line.procedure_code, parsed.line.units, parsed.line.place_of_service) == ("D0120", 1.0, None)


@pytest.mark.parametrize(
    ("cpt", "icd10cm", "nucc", "npi", "pos"),
    [
        (  # the OIDs, as FHIR converted from C-CDA or v2 writes them
            "urn:oid:2.16.840.1.113883.6.12",
            "urn:oid:2.16.840.1.113883.6.90",
            "urn:oid:2.16.840.1.113883.6.101",
            "urn:oid:2.16.840.1.113883.4.6",
            "urn:oid:2.16.840.1.113883.6.50",
        ),
        (  # https for http and back (THO names HCPCS with http, many senders with https)
            "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
            "https://hl7.org/fhir/sid/icd-10-cm",
            "https://nucc.org/provider-taxonomy",
            "https://hl7.org/fhir/sid/us-npi",
            "http://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
        ),
        (
            "urn:oid:2.16.840.1.113883.6.285",
            "http://hl7.org/fhir/sid/icd-10-cm",
            "http://nucc.org/provider-taxonomy",
            "http://hl7.org/fhir/sid/us-npi",
            "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
        ),
        (  # CMS Blue Button's own URLs for HCPCS and place of service (Synthea and BFD write them)
            "https://bluebutton.cms.gov/resources/codesystem/hcpcs",
            "http://hl7.org/fhir/sid/icd-10-cm",
            "http://nucc.org/provider-taxonomy",
            "http://hl7.org/fhir/sid/us-npi",
            "https://bluebutton.cms.gov/resources/variables/line_place_of_srvc_cd",
        ),
    ],
    ids=["oids", "other-scheme", "hcpcs-oid", "blue-button"],
)
def test_code_systems_by_oid_or_other_scheme_are_the_same_systems(
    tmp_path: Path, cpt: str, icd10cm: str, nucc: str, npi: str, pos: str
) -> None:
    # Only the exact URLs were known: a local or SNOMED coding listed first was taken as the
    # procedure, diagnosis or place of service, and an NPI or taxonomy under its OID was lost.
    data = fixture("claim-professional.json")
    item = data["item"][0]
    item["productOrService"] = {"coding": [{"system": "http://local", "code": "L1"}, {"system": cpt, "code": "0711T"}]}
    item["locationCodeableConcept"] = {
        "coding": [
            {"system": "http://terminology.hl7.org/CodeSystem/ex-serviceplace", "code": "21"},
            {"system": pos, "code": "22"},
        ]
    }
    data["diagnosis"][0]["diagnosisCodeableConcept"] = {
        "coding": [{"system": "http://snomed.info/sct", "code": "443502000"}, {"system": icd10cm, "code": "I70.213"}]
    }
    data["careTeam"][0]["qualification"] = {"coding": [{"system": nucc, "code": "2085R0202X"}]}
    data["contained"][1]["identifier"] = [{"system": npi, "value": "1234567893"}]
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and not parsed.problems
    line = parsed.line
    assert (line.procedure_code, line.diagnosis_codes, line.place_of_service) == ("0711T", ("I70.213",), "22")
    assert (line.rendering_taxonomy, line.rendering_npi) == ("2085R0202X", "1234567893")


@pytest.mark.parametrize("where", ["item", "claim"])
def test_a_period_with_only_an_end_dates_the_line(tmp_path: Path, where: str) -> None:
    # FHIR's Period may leave out its start; the line was "date_of_service is required" though
    # the file dates it.
    data = fixture("claim-professional.json")
    item = data["item"][0]
    del item["servicedDate"]
    if where == "item":
        item["servicedPeriod"] = {"end": "2026-03-09"}
    else:
        data["billablePeriod"] = {"end": "2026-03-09T17:00:00-05:00"}
    (parsed,) = lines_of(write(tmp_path, data))
    assert not parsed.problems and parsed.line is not None
    assert parsed.line.date_of_service.isoformat() == "2026-03-09"


@pytest.mark.parametrize(
    ("where", "said"), [("item", "the item's servicedPeriod"), ("claim", "Claim.billablePeriod")], ids=["item", "claim"]
)
def test_a_period_that_ends_before_it_starts_dates_no_line(tmp_path: Path, where: str, said: str) -> None:
    # Its start was taken as the date without a word, though FHIR's Period requires start <= end
    # (per-1) and the X12 reader reports an RD8 range that ends before it starts.
    data = fixture("claim-professional.json")
    item = data["item"][0]
    del item["servicedDate"]
    period = {"start": "2026-03-12", "end": "2026-03-10T08:00:00-05:00"}
    if where == "item":
        item["servicedPeriod"] = period
        data["billablePeriod"] = {"start": "2026-03-01"}  # not taken for a period that cannot be read
    else:
        data["billablePeriod"] = period
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is None
    assert problems(parsed) == [("date_of_service", f"is unknown: {said} ends before it starts")]
    period["end"] = "2026-03-12T08:00:00Z"  # the same day: a period of hours
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and parsed.line.date_of_service.isoformat() == "2026-03-12"


_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
_HIPPS = "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/ProspMedicareFeeSvcPmtGen/HIPPSCodes"


@pytest.mark.parametrize(
    ("coding", "revenue", "status", "said"),
    [
        ({"system": _ABSENT, "code": "not-applicable"}, "0120", "warn", "is not checked: productOrService is "),
        ({"system": _HIPPS, "code": "HAAA1"}, None, "warn", "is not checked: productOrService holds a HIPPS "),
        ({"system": _ABSENT, "code": "not-applicable"}, None, "fail", "is missing: productOrService is "),
    ],
    ids=["revenue-alone", "hipps", "absent-without-revenue"],
)
def test_an_item_billed_without_a_cpt_or_hcpcs_code_as_the_us_claim_value_set_allows(
    tmp_path: Path, coding: dict[str, str], revenue: str | None, status: str, said: str
) -> None:
    # The US claim product-or-service value set allows data-absent-reason (room and board, billed by
    # revenue code alone) and HIPPS codes; "NOT-APPLICABLE" was read as the procedure code and failed
    # procedure.format, blocking valid inpatient claims, where the 837I's SV201 alone is a warning.
    data = fixture("claim-professional.json")
    item = data["item"][0]
    item["productOrService"] = {"coding": [{"system": "https://clinic.example/local", "code": "RB"}, coding]}
    if revenue:
        item["revenue"] = {"coding": [{"system": "https://www.nubc.org/CodeSystem/RevenueCodes", "code": revenue}]}
    (result,) = claimcheck.validate_file(write(tmp_path, data), input_format="fhir", as_of=AS_OF).lines
    assert (result.procedure_code, result.status.value) == (None, status)
    assert [(f.rule_id, f.subject) for f in result.findings] == [
        ("input.not_checked" if status == "warn" else "input.field", "procedure_code")
    ]
    assert result.findings[0].message.startswith(f"procedure_code {said}")


def test_a_modifier_is_its_cpt_or_hcpcs_coding_as_the_procedure_is(tmp_path: Path) -> None:
    # The first coding of each modifier was taken, whatever its system: a local code listed
    # before the CPT one stood in for the modifier the rules judge.
    data = fixture("claim-professional.json")
    data["item"][0]["modifier"] = [
        {
            "coding": [
                {"system": "https://clinic.example/mods", "code": "PROF"},
                {"system": "http://www.ama-assn.org/go/cpt", "code": "26"},
            ]
        },
        {"coding": [{"system": "https://clinic.example/mods", "code": "LT"}]},  # no CPT coding: kept as written
    ]
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and parsed.line.modifiers == ("26", "LT")


def test_a_modifier_without_a_code_is_an_input_problem_not_dropped(tmp_path: Path) -> None:
    # A modifier given as text only was left out without a word, and the line was judged
    # without it (a 26 or 59 changes what the rules find); a diagnosis without one is reported.
    data = fixture("claim-professional.json")
    data["item"][0]["modifier"] = [{"text": "professional component"}, {"coding": [{"code": "GN"}]}]
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and parsed.line.modifiers == ("GN",)
    assert problems(parsed) == [("modifiers", "lack modifier 1: it has no code")]


@pytest.mark.parametrize("in_bundle", [False, True], ids=["claim", "bundle"])
def test_a_conditional_reference_gives_its_npi_and_is_no_dangling_reference(tmp_path: Path, in_bundle: bool) -> None:
    # Synthea, the usual source of FHIR Claim test data, points at practitioners by search URL
    # ("Practitioner?identifier=<NPI system>|<NPI>"), resolved by the server the file goes to.
    # The NPI in it was lost, and in a Bundle every line failed: "careTeam 1 refers to a
    # resource that is not in the Bundle".
    data = fixture("claim-professional.json")
    data["careTeam"][0]["provider"] = {"reference": "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893"}
    data["insurer"] = {"reference": "Organization?identifier=https://github.com/synthetichealth/synthea|b1c4"}
    document: Any = (
        {"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": data}]} if in_bundle else data
    )
    (claim,) = read_fhir(write(tmp_path, document))
    (parsed,) = claim.lines
    assert not claim.problems and not parsed.problems
    assert parsed.line is not None and parsed.line.rendering_npi == "1234567893"


def test_a_care_team_provider_of_null_is_an_input_problem_not_a_traceback(tmp_path: Path) -> None:
    # fhir.resources lets a required element through as null; reading its NPI raised
    # AttributeError ('NoneType' object has no attribute 'identifier') and ended the run.
    data = fixture("claim-professional.json")
    data["careTeam"][0]["provider"] = None
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and parsed.line.rendering_npi is None
    assert parsed.line.rendering_taxonomy == "2085R0202X"
    assert problems(parsed) == [("rendering_npi", "is unknown: careTeam 1 has no provider")]


def test_the_taxonomy_of_the_provider_a_care_team_member_refers_to(tmp_path: Path) -> None:
    # Without careTeam.qualification the taxonomy was unknown, though the PractitionerRole
    # (specialty) or Practitioner (qualification) it refers to gave it in NUCC codes.
    data = fixture("claim-professional.json")
    del data["careTeam"][0]["qualification"]
    nucc = {
        "coding": [
            {"system": "http://snomed.info/sct", "code": "1"},
            {"system": "http://nucc.org/provider-taxonomy", "code": "2085R0202X"},
        ]
    }
    data["contained"][1]["qualification"] = [{"code": nucc}]
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and parsed.line.rendering_taxonomy == "2085R0202X" and not parsed.problems

    role = {
        "resourceType": "PractitionerRole",
        "id": "r",
        "practitioner": {"reference": "#radiologist"},
        "specialty": [nucc],
    }
    data["contained"][1].pop("qualification")
    data["contained"].append(role)
    data["careTeam"][0]["provider"] = {"reference": "#r"}
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and not parsed.problems
    assert (parsed.line.rendering_taxonomy, parsed.line.rendering_npi) == ("2085R0202X", "1234567893")


def test_item_without_any_date_is_an_input_problem(tmp_path: Path) -> None:
    data = fixture("claim-professional.json")
    del data["item"][0]["servicedDate"]
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is None and parsed.procedure_code == "0711T"
    assert problems(parsed) == [("date_of_service", "is required")]


def test_claim_without_items_yields_one_line(tmp_path: Path) -> None:
    data = fixture("claim-professional.json")
    del data["item"]
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.location == {"file": "claim.json", "resource": "Claim/FX-PRO-1", "entry": None, "item": None}
    assert problems(parsed) == [("item", "is missing: the Claim has no items to check")]


def test_invalid_claim_message_names_path_never_value(tmp_path: Path) -> None:
    data = fixture("claim-professional.json")
    data["created"] = "SECRET 1958-01-01 JANE DOE"
    data["contained"].append({"resourceType": "NotAResource", "id": "x"})
    (parsed,) = lines_of(write(tmp_path, data))
    (field, message), *_ = problems(parsed)
    assert field == "Claim/FX-PRO-1" and "SECRET" not in message and "JANE" not in message
    assert parsed.line_number == 1 and parsed.procedure_code == "0711T"


def test_invalid_claim_message_keeps_the_pattern_it_quotes_as_written(tmp_path: Path) -> None:
    # The whole message was lower-cased, so the id pattern read '^[a-za-z0-9\\-.]+$': upper-case
    # letters seemed not allowed.
    data = fixture("claim-professional.json")
    data["id"] = "FX PRO 1"
    (parsed,) = lines_of(write(tmp_path, data))
    (_, message), *_ = problems(parsed)
    assert message == "is not a valid FHIR R4 Claim: id string should match pattern '^[A-Za-z0-9\\-.]+$'"


def test_an_item_sequence_beyond_positive_int_is_no_line_number(tmp_path: Path) -> None:
    # fhir.resources rejects the Claim; the raw sequence taken as the line number overflowed
    # the csv, jsonl and parquet reports' integer column.
    data = fixture("claim-professional.json")
    data["item"][0]["sequence"] = 99999999999999999999
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line_number is None and parsed.location is not None and parsed.location["item"] is None
    assert "item[0].sequence" in problems(parsed)[0][1]


@pytest.mark.parametrize(
    "broken",
    [
        {"contained": [{"resourceType": "NotAResource", "id": "x"}]},  # fhir.resources: KeyError
        {"gender": "female", "birthDate": "not a date"},  # a ValidationError
    ],
    ids=["unknown-contained-type", "invalid-element"],
)
def test_a_referenced_bundle_resource_fhir_resources_rejects_is_a_problem_of_the_claim(
    broken: dict[str, Any], tmp_path: Path
) -> None:
    # The Claim itself is valid; the Patient entry it refers to is not. That cost the run a
    # KeyError traceback when the Patient held a contained resource of an unknown type.
    claim = fixture("claim-professional.json")
    claim["patient"] = {"reference": "Patient/p1"}
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": claim},
            {"resource": {"resourceType": "Patient", "id": "p1", **broken}},
            {"resource": {**fixture("claim-professional.json"), "id": "FX-PRO-2"}},
        ],
    }
    first, second = read_fhir(write(tmp_path, bundle))
    assert [(p.field, p.message) for p in first.problems] == [
        ("patient", "refers to a Patient in the Bundle that is not valid FHIR R4, so sex and birth date are unknown")
    ]
    assert [line.line_number for line in first.lines] == [1] and first.lines[0].line is not None
    assert second.claim_id == "FX-PRO-2" and not second.problems


def test_ndjson_claims_one_resource_per_line_as_bulk_data_exports_them(tmp_path: Path) -> None:
    # FHIR Bulk Data ($export) writes Claim.ndjson: one resource per line. It was refused as
    # "is not valid JSON (Extra data)". A line that is not JSON is a finding on that line.
    first = fixture("claim-professional.json")
    second = {**fixture("claim-professional.json"), "id": "FX-PRO-2"}
    second["item"] = [{**second["item"][0], "sequence": n} for n in (1, 2)]
    patient = {"resourceType": "Patient", "id": "p9", "gender": "male"}
    text = "\n".join(
        [json.dumps(first), json.dumps(patient), "", '{"resourceType": "Claim", "id": ', json.dumps(second)]
    )
    path = tmp_path / "Claim.ndjson"
    path.write_text(text + "\n", encoding="utf-8")
    assert readers.detect_format(path) == "fhir"
    claims = list(read_fhir(path))
    assert [claim.claim_id for claim in claims] == ["FX-PRO-1", None, "FX-PRO-2"]
    assert [line.location for claim in claims for line in claim.lines] == [
        {"file": "Claim.ndjson", "line": 1, "resource": "Claim/FX-PRO-1", "entry": None, "item": 1},
        {"file": "Claim.ndjson", "line": 4, "resource": None, "entry": None, "item": None},
        {"file": "Claim.ndjson", "line": 5, "resource": "Claim/FX-PRO-2", "entry": None, "item": 1},
        {"file": "Claim.ndjson", "line": 5, "resource": "Claim/FX-PRO-2", "entry": None, "item": 2},
    ]
    assert claims[0].lines[0].line is not None and not claims[0].lines[0].problems
    assert claims[0].lines[0].origin == "Claim.ndjson line 1 Claim/FX-PRO-1 item 1"
    (broken,) = claims[1].lines
    assert broken.line is None and broken.origin == "Claim.ndjson line 4"
    assert problems(broken) == [("resource", "is not valid JSON (Expecting value, column 33)")]
    assert [line.line_number for line in claims[2].lines] == [1, 2]


@pytest.mark.parametrize(
    "padding",
    [b"\x1a", b"\r\n\x1a", b"\n" + b"\x00" * 300, b"\x00\x1a\n\x00"],
    ids=["eof", "crlf-eof", "nuls", "mixed"],
)
@pytest.mark.parametrize("kind", ["claim", "bundle", "ndjson", "one-line ndjson"])
def test_a_dos_end_of_file_mark_or_nul_padding_ends_a_fhir_file(tmp_path: Path, kind: str, padding: bytes) -> None:
    # As the CSV, JSON and X12 readers take it: the .json file was refused as "Extra data", and
    # an NDJSON file got a line that was no JSON.
    claim = fixture("claim-professional.json")
    if kind == "claim":
        text, ids = json.dumps(claim, indent=2), ["FX-PRO-1"]
    elif kind == "bundle":
        text, ids = (FIXTURES / "bundle-two-claims.json").read_text(encoding="utf-8"), ["FX-BUN-1", "FX-BUN-2"]
    elif kind == "ndjson":
        text, ids = json.dumps(claim) + "\n" + json.dumps({**claim, "id": "FX-PRO-2"}) + "\n", ["FX-PRO-1", "FX-PRO-2"]
    else:
        text, ids = json.dumps(claim) + "\n", ["FX-PRO-1"]
    path = tmp_path / ("Claim.ndjson" if "ndjson" in kind else "claim.json")
    path.write_bytes(text.encode() + padding)
    assert readers.detect_format(path) == "fhir"
    claims = list(read_fhir(path))
    assert [claim.claim_id for claim in claims] == ids
    assert not [p for claim in claims for line in claim.lines for p in line.problems if p.field == "resource"]


def test_a_dos_end_of_file_mark_with_data_after_it_is_data_in_fhir(tmp_path: Path) -> None:
    claim = json.dumps(fixture("claim-professional.json"))
    path = tmp_path / "Claim.ndjson"
    path.write_bytes(f"{claim}\n\x1a\n{claim}\n".encode())
    claims = list(read_fhir(path))
    assert [problems(line) for line in claims[1].lines] == [
        [("resource", "is not valid JSON (Expecting value, column 1)")]
    ]
    single = tmp_path / "claim.json"
    single.write_bytes(f"{claim}\x1a{{}}".encode())
    with pytest.raises(InputError, match="Extra data"):
        list(read_fhir(single))


def test_ndjson_whose_first_line_is_cut_off_keeps_the_claims_after_it(tmp_path: Path) -> None:
    # An export cut off in its first line was refused whole, as one broken JSON document
    # ("line 3: Expecting ',' delimiter"): the Claims after it were lost.
    path = tmp_path / "Claim.ndjson"
    path.write_text('{"resourceType": "Claim", "id": \n' + json.dumps(fixture("claim-professional.json")) + "\n")
    broken, claim = read_fhir(path)
    (line,) = broken.lines
    assert line.origin == "Claim.ndjson line 1"
    assert problems(line) == [("resource", "is not valid JSON (Expecting value, column 33)")]
    assert claim.claim_id == "FX-PRO-1" and claim.lines[0].location["line"] == 2


def test_ndjson_cut_off_in_its_first_line_with_a_bad_byte_later_loses_that_line_only(tmp_path: Path) -> None:
    # An export cut off in its first line (split by size) is read from its whole text, and a
    # byte that is not UTF-8 on any one of its lines refused the whole file.
    claim = fixture("claim-professional.json")
    bad = json.dumps({**claim, "id": "C2"}).encode().replace(b'"C2"', b'"C\xe92"')  # Latin-1 é
    lines = [
        b'ue", "code": "primary"}]}]}',
        json.dumps(claim).encode(),
        bad,
        json.dumps({**claim, "id": "C3"}).encode(),
    ]
    path = tmp_path / "Claim.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert readers.detect_format(path) == "fhir"
    cut, first, broken, last = read_fhir(path)
    assert [line.origin for line in cut.lines + broken.lines] == ["Claim.ndjson line 1", "Claim.ndjson line 3"]
    assert problems(broken.lines[0]) == [("resource", "is not UTF-8 text")]
    assert (first.claim_id, last.claim_id, last.lines[0].location["line"]) == ("FX-PRO-1", "C3", 4)


def test_a_document_whose_second_line_is_a_whole_resource_is_still_one_document(tmp_path: Path) -> None:
    # What makes a file NDJSON when its first line is not a resource is read from the whole
    # text, once it is known not to be one JSON document.
    claim = json.dumps(fixture("claim-professional.json"))
    path = tmp_path / "bundle.json"
    path.write_text('{"resourceType": "Bundle", "type": "collection", "entry": [{"resource":\n' + claim + "\n}]}\n")
    (read,) = read_fhir(path)
    assert read.lines[0].location == {
        "file": "bundle.json",
        "resource": "Claim/FX-PRO-1",
        "entry": 0,
        "item": 1,
    }


def test_a_json_array_of_claims_is_read_whole_not_as_ndjson(tmp_path: Path) -> None:
    # Its second line is a whole resource, as NDJSON cut off in its first line has: still one
    # JSON document, whose Claims are read from the array (it was refused whole before arrays of
    # resources were read), not lines of which two ("[" and "]") are no JSON.
    path = tmp_path / "claims.json"
    path.write_text("[\n" + json.dumps(fixture("claim-professional.json")) + "\n]\n")
    (claim,) = read_fhir(path)
    assert claim.claim_id == "FX-PRO-1"
    assert [line.location for line in claim.lines] == [
        {"file": "claims.json", "resource": "Claim/FX-PRO-1", "entry": 0, "item": 1}
    ]
    assert not [problem for line in claim.lines for problem in line.problems]


def test_a_json_array_whose_first_claim_has_its_resource_type_past_the_head_is_still_fhir(tmp_path: Path) -> None:
    # jq -S -s: keys sorted put a big Claim's resourceType after its items, past the 64 KiB head.
    claim = fixture("claim-professional.json")
    claim["item"] = [{**claim["item"][0], "sequence": n} for n in range(1, 400)]
    path = tmp_path / "sorted.json"
    path.write_text(json.dumps([claim, {**claim, "id": "FX-PRO-2"}], sort_keys=True, indent=2), encoding="utf-8")
    assert path.read_text(encoding="utf-8").find('"resourceType": "Claim"') > 65_536
    assert readers.detect_format(path) == "fhir"
    assert len(claimcheck.validate_file(path, as_of=AS_OF).lines) == 798
    ours = tmp_path / "claims.json"
    lines = [{"line_number": n, "procedure_code": "0711T", "note": {"resourceType": "Claim"}} for n in range(900)]
    ours.write_text(json.dumps([{"claim_id": "C1", "lines": lines}, {"resourceType": "Claim"}]), encoding="utf-8")
    assert ours.stat().st_size > 65_536
    assert readers.detect_format(ours) == "json"


def test_a_json_array_of_bundles_says_each_bundle_needs_a_file_of_its_own(tmp_path: Path) -> None:
    # jq -s over Bundle files: refused as "the list holds no Claim resource", with Claims in it.
    bundle = fixture("bundle-two-claims.json")
    path = tmp_path / "bundles.json"
    path.write_text(json.dumps([bundle, bundle]), encoding="utf-8")
    assert readers.detect_format(path) == "fhir"
    lines = [line for claim in read_fhir(path) for line in claim.lines]
    assert [(line.location or {}).get("entry") for line in lines] == [0, 1]
    assert {problems(line)[0][1] for line in lines} == {
        "holds a Bundle with Claims in it, which are not read: give each Bundle a file of its own"
    }


def test_a_json_array_of_fhir_resources_as_jq_slurps_them_is_read_as_fhir(tmp_path: Path) -> None:
    # jq -s writes resources together as an array: it was taken for the JSON claims shape, and
    # each Claim became one row saying claim_id is required, whatever its items.
    claim = fixture("claim-professional.json")
    second = {**claim, "id": "FX-PRO-2", "item": [{**claim["item"][0], "sequence": n} for n in (1, 2)]}
    patient = {"resourceType": "Patient", "id": "p9"}
    for indent in (None, 2):
        path = tmp_path / "slurped.json"
        path.write_text(json.dumps([claim, patient, second, {"claim_id": "C1"}], indent=indent), encoding="utf-8")
        assert readers.detect_format(path) == "fhir"
        lines = [line for claim in readers.read_claims(path) for line in claim.lines]
        assert [(line.location or {}).get("entry") for line in lines] == [0, 2, 2, 3]
        assert [line.line_number for line in lines] == [1, 1, 2, None]
        assert problems(lines[3]) == [("resource", "is not a FHIR resource (it has no resourceType)")]
        assert not [p for line in lines[:3] for p in line.problems]
    ours = tmp_path / "claims.json"
    ours.write_text(json.dumps([{"claim_id": "C1", "lines": [], "note": {"resourceType": "Claim"}}]))
    assert readers.detect_format(ours) == "json"
    patients = tmp_path / "patients.json"
    patients.write_text(json.dumps([patient, patient]))
    with pytest.raises(InputError, match=r"the list holds no Claim resource; it holds Patient \(2\)"):
        list(read_fhir(patients))


@pytest.mark.parametrize("name", ["Claim.ndjson", "Claim.json", "Claim.jsonl"])
@pytest.mark.parametrize("cut", ['ue", "code": "primary"}]}, ', '{"sequence": 1, "provider": {"reference": "#p"}}]}'])
def test_ndjson_cut_off_in_its_first_line_is_detected_as_fhir(tmp_path: Path, name: str, cut: str) -> None:
    # A Bulk Data export split by size (split -b) starts in the middle of a resource. Detection
    # only looked at the first line: the file went to the CSV reader ("missing required
    # column(s)") or to our claims-shape reader ("claim_id is required" on every FHIR Claim).
    claim = fixture("claim-professional.json")
    path = tmp_path / name
    path.write_text(cut + "\n" + "".join(json.dumps({**claim, "id": f"C{n}"}) + "\n" for n in (2, 3)))
    assert readers.detect_format(path) == "fhir"
    broken, second, third = readers.read_claims(path)
    assert broken.lines[0].origin == f"{name} line 1" and broken.lines[0].problems[0].field == "resource"
    assert [(c.claim_id, c.lines[0].location["line"]) for c in (second, third)] == [("C2", 2), ("C3", 3)]


def test_ndjson_is_read_line_by_line_not_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A Bulk Data export runs to gigabytes; it was read into memory whole (and split into a list
    # of lines) before its first Claim was checked: 724 MB peak for a 164 MB file, now 398 MB.
    path = tmp_path / "Claim.ndjson"
    claim = fixture("claim-professional.json")
    path.write_text("".join(json.dumps({**claim, "id": f"C{n}"}) + "\n" for n in range(3)))

    def whole_file(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("an NDJSON file was read whole")

    monkeypatch.setattr(Path, "read_text", whole_file)
    monkeypatch.setattr(Path, "read_bytes", whole_file)
    assert [claim.claim_id for claim in read_fhir(path)] == ["C0", "C1", "C2"]


def test_an_ndjson_line_that_is_not_utf8_costs_that_line_only(tmp_path: Path) -> None:
    # The whole export was refused ("is not UTF-8 text") for one bad byte in one resource.
    claim = fixture("claim-professional.json")
    bad = json.dumps({**claim, "id": "C2"}).encode().replace(b'"C2"', b'"C\xe92"')  # Latin-1 é
    lines = [json.dumps({**claim, "id": "C1"}).encode(), bad, json.dumps({**claim, "id": "C3"}).encode()]
    path = tmp_path / "Claim.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    first, broken, third = read_fhir(path)
    assert (first.claim_id, third.claim_id) == ("C1", "C3")
    assert third.lines[0].location["line"] == 3
    (line,) = broken.lines
    assert line.origin == "Claim.ndjson line 2"
    assert problems(line) == [("resource", "is not UTF-8 text")]


def test_an_ndjson_first_line_that_is_not_utf8_costs_that_line_only(tmp_path: Path) -> None:
    # A bad byte in the first resource refused the whole export ("is not UTF-8 text"): the
    # line-by-line test only looked at the first line, and a line it cannot decode said "no".
    claim = fixture("claim-professional.json")
    bad = json.dumps({**claim, "id": "C1"}).encode().replace(b'"C1"', b'"C\xe91"')  # Latin-1 é
    path = tmp_path / "Claim.ndjson"
    path.write_bytes(b"\n".join([bad, json.dumps({**claim, "id": "C2"}).encode()]) + b"\n")
    broken, second = read_fhir(path)
    (line,) = broken.lines
    assert line.origin == "Claim.ndjson line 1"
    assert problems(line) == [("resource", "is not UTF-8 text")]
    assert second.claim_id == "C2" and second.lines[0].location["line"] == 2
    assert readers.detect_format(path) == "fhir"


def test_ndjson_files_joined_with_cat_keep_the_claim_after_each_bom(tmp_path: Path) -> None:
    # `cat a.ndjson b.ndjson` of exports written with a BOM puts one at the start of a later
    # line; only line 1's was dropped, so that line's Claim was lost ("Unexpected UTF-8 BOM").
    claim = fixture("claim-professional.json")
    path = tmp_path / "Claim.ndjson"
    parts = [codecs.BOM_UTF8 + json.dumps({**claim, "id": f"C{n}"}).encode() + b"\r\n" for n in (1, 2)]
    path.write_bytes(b"".join(parts))
    first, second = read_fhir(path)
    assert (first.claim_id, second.claim_id) == ("C1", "C2")
    assert not second.lines[0].problems and second.lines[0].location["line"] == 2


def test_a_broken_json_document_is_still_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "claim.json"
    pretty = json.dumps(fixture("claim-professional.json"), indent=2)
    path.write_text(pretty[:-2] + "\n")  # its closing brace lost
    with pytest.raises(InputError, match="is not valid JSON"):
        list(read_fhir(path))


def test_resources_pretty_printed_one_after_another_are_said_to_be_so(tmp_path: Path) -> None:
    # `jq . Claim.ndjson > claims.json` writes each resource over many lines, one after another;
    # that was only "line 142: is not valid JSON (Extra data, column 1)".
    claim = fixture("claim-professional.json")
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(claim, indent=2) + "\n" + json.dumps(claim, indent=2) + "\n")
    with pytest.raises(InputError) as caught:
        list(read_fhir(path))
    assert caught.value.line == json.dumps(claim, indent=2).count("\n") + 2
    assert caught.value.problem == (
        "is not valid JSON (Extra data, column 1): more text follows the first JSON value; "
        "NDJSON holds each resource on a line of its own (jq -c)"
    )


def test_ndjson_without_claims_is_said_so(tmp_path: Path) -> None:
    path = tmp_path / "Patient.ndjson"
    path.write_text('{"resourceType": "Patient", "id": "a"}\n{"resourceType": "Patient", "id": "b"}\n')
    with pytest.raises(InputError, match="holds no Claim resource"):
        list(read_fhir(path))
    patients = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient"}}]}
    path.write_text(json.dumps(patients) + "\n" + json.dumps(patients) + "\n")
    with pytest.raises(InputError, match="holds no Claim resource"):
        list(read_fhir(path))


def test_ndjson_of_bundles_reads_each_bundles_claims_against_that_bundle(tmp_path: Path) -> None:
    # One Bundle a line (the Google Cloud Healthcare API's BUNDLE import, request logs of PAS
    # Bundles): every line was one "holds a Bundle" finding, and the items of its Claims were
    # never read or checked.
    claim = fixture("claim-professional.json")
    del claim["contained"]
    claim["patient"] = {"reference": "Patient/pat"}
    claim["careTeam"][0]["provider"] = {"reference": "urn:uuid:doc"}
    doctor = {"resourceType": "Practitioner", "id": "d"}
    npi = [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}]

    def bundle(claims: list[dict[str, Any]], gender: str) -> dict[str, Any]:
        others = [
            {"resource": {"resourceType": "Patient", "id": "pat", "gender": gender}},
            {"fullUrl": "urn:uuid:doc", "resource": {**doctor, "identifier": npi}},
        ]
        return {"resourceType": "Bundle", "type": "collection", "entry": [*others, *[{"resource": c} for c in claims]]}

    two = [{**claim, "id": "B2-1"}, {**claim, "id": "B2-2", "item": [{**claim["item"][0], "sequence": 7}]}]
    text = [
        json.dumps(bundle([{**claim, "id": "B1"}], "male")),
        json.dumps({"resourceType": "Patient", "id": "x"}),
        json.dumps(bundle(two, "female")),
        json.dumps({"resourceType": "Bundle", "entry": {"resource": claim}}),
        json.dumps({"resourceType": "Bundle", "entry": [{"resource": {**claim, "resourceType": "claim"}}]}),
        json.dumps({**claim, "id": "BARE"}),  # its references are not the previous line's Bundle's
    ]
    path = tmp_path / "Bundles.ndjson"
    path.write_text("\n".join(text) + "\n")
    assert readers.detect_format(path) == "fhir"
    first, second, third, broken, misspelt, bare = read_fhir(path)
    assert bare.header is not None and bare.header.patient_sex is None and not bare.problems
    assert [c.claim_id for c in (first, second, third)] == ["B1", "B2-1", "B2-2"]
    assert [c.header.patient_sex for c in (first, second, third) if c.header] == ["M", "F", "F"]
    assert [line.line.rendering_npi for c in (first, second, third) for line in c.lines if line.line] == [
        "1234567893"
    ] * 3
    assert not any(line.problems for c in (first, second, third) for line in c.lines)
    assert [line.location for c in (first, second, third) for line in c.lines] == [
        {"file": "Bundles.ndjson", "line": 1, "resource": "Claim/B1", "entry": 2, "item": 1},
        {"file": "Bundles.ndjson", "line": 3, "resource": "Claim/B2-1", "entry": 2, "item": 1},
        {"file": "Bundles.ndjson", "line": 3, "resource": "Claim/B2-2", "entry": 3, "item": 7},
    ]
    assert third.lines[0].origin == "Bundles.ndjson line 3 entry 3 Claim/B2-2 item 7"
    assert [(line.origin, problems(line)) for line in broken.lines + misspelt.lines] == [
        ("Bundles.ndjson line 4", [("resource", "holds a Bundle whose entry is not a list of entries")]),
        (
            "Bundles.ndjson line 5 entry 0",
            [
                (
                    "resource",
                    "is not a FHIR resource (its resourceType is no FHIR type; they are case-sensitive, as in Claim)",
                )
            ],
        ),
    ]


def test_a_claim_id_given_twice_in_a_file_is_an_input_finding_on_the_second(tmp_path: Path) -> None:
    # The same Claim twice (cat of one export twice, a resubmission) came out as two results
    # that nothing told apart but their place, and were both checked as if distinct.
    claim = fixture("claim-professional.json")
    stu3 = {**claim, "id": "C2", "organization": {"display": "x"}}  # rejected by fhir.resources
    by_identifier = {**claim, "identifier": [{"value": "FX-PRO-1"}]}
    del by_identifier["id"]
    path = tmp_path / "Claim.ndjson"
    path.write_text("\n".join(json.dumps(c) for c in [claim, {**claim, "id": "C2"}, claim, stu3, by_identifier]))
    claims = list(read_fhir(path))
    assert [c.claim_id for c in claims] == ["FX-PRO-1", "C2", "FX-PRO-1", "C2", "FX-PRO-1"]
    said = [[(p.field, p.message) for p in c.problems] for c in claims]
    assert said == [
        [],
        [],
        [("claim_id", "FX-PRO-1 is also the claim id of the Claim at line 1; each Claim in a file needs its own")],
        [("claim_id", "C2 is also the claim id of the Claim at line 2; each Claim in a file needs its own")],
        [("claim_id", "FX-PRO-1 is also the claim id of the Claim at line 1; each Claim in a file needs its own")],
    ]
    assert [len(c.lines) for c in claims] == [1, 1, 1, 1, 1]
    assert claims[2].lines[0].line is not None  # still checked

    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": claim}, {"resource": claim}]}
    first, second = read_fhir(write(tmp_path, bundle))
    assert not first.problems
    assert [p.message for p in second.problems] == [
        "FX-PRO-1 is also the claim id of the Claim at entry 0; each Claim in a file needs its own"
    ]
    path.write_text(json.dumps(claim) + "\n" + json.dumps(bundle) + "\n")
    assert [[p.message.split(";")[0] for p in c.problems] for c in read_fhir(path)] == [
        [],
        ["FX-PRO-1 is also the claim id of the Claim at line 1"],
        ["FX-PRO-1 is also the claim id of the Claim at line 1"],
    ]


def test_claim_ids_are_told_apart_among_thousands() -> None:
    from claimcheck.io.readers.fhir._repeats import SeenIds

    seen = SeenIds()
    assert all(seen.first(f"C{n}", n, None) is None for n in range(20_000))
    assert seen.first("C123", 99_999, None) == (123, None)
    assert seen.first("C19999", None, 4) == (19_999, None)
    assert seen.first("X", None, 3) is None and seen.first("X", 7, 0) == (None, 3)


def test_a_modifier_extension_leaves_the_lines_under_it_not_checked_not_passed(tmp_path: Path) -> None:
    # FHIR's "must understand" extensions (a voided item, a changed arrangement) were ignored:
    # the lines under them passed as if read in full.
    data = fixture("claim-professional.json")
    second = {**data["item"][0], "sequence": 2}
    data["item"][0]["modifierExtension"] = [{"url": "http://example.org/item-void", "valueBoolean": True}]
    code = {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "0711T"}]}
    data["item"][0]["detail"] = [
        {"sequence": 1, "productOrService": code, "modifierExtension": [{"url": "http://example.org/d"}]}
    ]
    data["careTeam"][0]["modifierExtension"] = [{"url": "http://example.org/locum", "valueBoolean": True}]
    data["item"].append(second)
    (claim,) = read_fhir(write(tmp_path, data))
    said = "is not understood: FHIR lets a modifier extension change the meaning of what it sits on"
    assert [(p.field, p.message, p.unchecked) for p in claim.problems] == [
        (
            "modifierExtension",
            f"http://example.org/locum on the Claim's careTeam[0] {said}, and claimcheck checks the Claim's lines "
            "as if it were absent",
            True,
        )
    ]
    first, other = claim.lines
    assert [(p.field, p.message, p.unchecked) for p in first.problems if p.field == "modifierExtension"] == [
        (
            "modifierExtension",
            f"http://example.org/item-void on the item {said}, and claimcheck checks this line as if it were absent",
            True,
        ),
        (
            "modifierExtension",
            f"http://example.org/d on the item's detail[0] {said}, and claimcheck checks this line as if it were "
            "absent",
            True,
        ),
    ]
    assert not [p for p in other.problems if p.field == "modifierExtension"]
    assert first.line is not None and other.line is not None  # still checked, with the warnings beside

    data = fixture("claim-professional.json")
    data["modifierExtension"] = [{"url": "http://example.org/claim-void", "valueBoolean": True}]
    del data["item"]
    (claim,) = read_fhir(write(tmp_path, data))
    assert [p.field for p in claim.problems] == ["modifierExtension"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"status": "entered-in-error"},
            "status",
            "is entered-in-error: the Claim was recorded in error, and claimcheck checks its lines as if it were "
            "active",
        ),
        (
            {"status": "cancelled"},
            "status",
            "is cancelled: the Claim was withdrawn, and claimcheck checks its lines as if it were active",
        ),
        (
            {"implicitRules": "http://example.org/house-rules"},
            "implicitRules",
            "http://example.org/house-rules on the Claim is not understood: FHIR lets implicit rules change what a "
            "resource means, and claimcheck checks the Claim's lines as if there were none",
        ),
        (
            {"contained": [{"resourceType": "Patient", "id": "patient", "implicitRules": "http://example.org/r"}]},
            "implicitRules",
            "http://example.org/r on the Claim's contained[0] is not understood: FHIR lets implicit rules change what "
            "a resource means, and claimcheck checks the Claim's lines as if there were none",
        ),
    ],
)
def test_a_status_that_voids_the_claim_or_implicit_rules_leave_its_lines_not_checked(
    tmp_path: Path, change: dict[str, Any], field: str, message: str
) -> None:
    # Claim.status and implicitRules are modifier elements, as modifierExtension is: a Claim
    # recorded in error or withdrawn (as Bulk exports keep them) was checked and passed as if active.
    (claim,) = read_fhir(write(tmp_path, {**fixture("claim-professional.json"), **change}))
    assert [(p.field, p.message, p.unchecked) for p in claim.problems] == [(field, message, True)]
    assert claim.lines[0].line is not None
    draft = {**fixture("claim-professional.json"), "status": "draft"}  # the claim before it is sent
    assert not next(iter(read_fhir(write(tmp_path, draft)))).problems


def test_a_modifier_element_on_a_bundle_resource_the_claim_reads_is_a_warning(tmp_path: Path) -> None:
    # A Patient or Practitioner of the Bundle under a modifierExtension (or implicitRules) gave
    # the line its sex, birth date or NPI as if read in full; contained ones already said so.
    claim = fixture("claim-professional.json")
    del claim["contained"]
    claim["patient"] = {"reference": "Patient/pat"}
    claim["careTeam"][0]["provider"] = {"reference": "urn:uuid:doc"}
    npi = [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}]
    patient = {"resourceType": "Patient", "id": "pat", "gender": "male", "implicitRules": "http://example.org/r"}
    doctor = {
        "resourceType": "Practitioner",
        "identifier": npi,
        "qualification": [
            {"code": {"text": "MD"}, "modifierExtension": [{"url": "http://example.org/alias", "valueBoolean": True}]}
        ],
    }
    unused = {"resourceType": "Organization", "id": "o", "modifierExtension": [{"url": "http://example.org/u"}]}
    entries = [{"resource": claim}, {"resource": patient}, {"fullUrl": "urn:uuid:doc", "resource": doctor}]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [*entries, {"resource": unused}]}
    (read,) = read_fhir(write(tmp_path, bundle))
    assert [(p.field, p.message, p.unchecked) for p in read.problems] == [
        (
            "implicitRules",
            "http://example.org/r on the Patient the Claim refers to is not understood: FHIR lets it change what "
            "the Patient means, and claimcheck reads the Patient without it",
            True,
        ),
        (
            "modifierExtension",
            "http://example.org/alias on the Practitioner the Claim refers to is not understood: FHIR lets it change "
            "what the Practitioner means, and claimcheck reads the Practitioner without it",
            True,
        ),
    ]
    assert read.lines[0].line is not None and read.lines[0].line.rendering_npi == "1234567893"


@pytest.mark.usefixtures("fhir_registered")
def test_a_modifier_extension_on_the_claim_is_a_warning_on_each_line(
    tmp_path: Path, ruleset: claimcheck.RuleSet
) -> None:
    data = fixture("bundle-two-claims.json")
    claim = next(e["resource"] for e in data["entry"] if e["resource"].get("id") == "FX-BUN-1")
    claim["contained"] = [{"resourceType": "Patient", "id": "p", "modifierExtension": [{"url": "http://x.org/a"}]}]
    results = check(write(tmp_path, data), ruleset).to_dict()["lines"]
    assert [(r["claim_id"], r["status"]) for r in results] == [
        ("FX-BUN-1", "warn"),
        ("FX-BUN-2", "pass"),
        ("FX-BUN-2", "pass"),
    ]
    (finding,) = [f for f in results[0]["findings"] if f["status"] != "pass"]
    assert (finding["check"], finding["rule_id"]) == ("input", "input.not_checked")
    assert finding["message"].startswith(
        "modifierExtension http://x.org/a on the Claim's contained[0] is not understood"
    )


def test_an_item_with_details_is_a_warning_that_they_are_not_checked(tmp_path: Path) -> None:
    # item.detail (a vision claim's lens, a compound's ingredients) was never read, and the
    # item passed as if nothing under it was left unchecked.
    data = fixture("claim-professional.json")
    code = {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "0711T"}]}
    data["item"][0]["detail"] = [{"sequence": n, "productOrService": code} for n in (1, 2)]
    data["item"].append({**data["item"][0], "sequence": 2, "detail": [{"sequence": 1, "productOrService": code}]})
    data["item"].append({**data["item"][0], "sequence": 3, "detail": None})
    first, second, third = lines_of(write(tmp_path, data))
    said = "(sub-lines with CPT/HCPCS codes of their own), and claimcheck checks the item's own code only"
    assert [(p.field, p.message, p.unchecked) for p in first.problems] == [
        ("detail", f"is not checked: the item has 2 details {said}", True)
    ]
    assert [p.message for p in second.problems] == [f"is not checked: the item has 1 detail {said}"]
    assert not third.problems and all(line.line is not None for line in (first, second, third))


def test_details_in_other_code_systems_are_no_warning(tmp_path: Path) -> None:
    # A pharmacy or vision item's details price it (drug cost, markup, lens); no check reads
    # those codes, so they are no reason to warn. One CPT-coded detail among them is.
    data = fixture("claim-professional.json")
    local = {"coding": [{"system": "http://hl7.org/fhir/ex-pharmaservice", "code": "markup"}]}
    cpt = {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "0711T"}]}
    data["item"][0]["detail"] = [{"sequence": 1, "productOrService": local}]
    data["item"].append(
        {
            **data["item"][0],
            "sequence": 2,
            "detail": [{"sequence": 1, "productOrService": local}, {"sequence": 2, "productOrService": cpt}],
        }
    )
    first, second = lines_of(write(tmp_path, data))
    assert not first.problems
    assert [(p.field, p.message) for p in second.problems] == [
        (
            "detail",
            "is not checked: the item has 1 detail (sub-lines with CPT/HCPCS codes of their own), "
            "and claimcheck checks the item's own code only",
        )
    ]


def test_a_contained_resource_of_a_type_r4b_dropped_leaves_a_valid_r4_claim_read(tmp_path: Path) -> None:
    # A valid R4 Claim containing a MedicinalProduct (an R4 type the R4B models lack) was refused
    # whole as "cannot be read by fhir.resources (KeyError)"; a misspelt contained type said no more.
    data = fixture("claim-professional.json")
    data["contained"].append({"resourceType": "MedicinalProduct", "id": "drug"})
    (line,) = lines_of(write(tmp_path, data))
    assert line.line is not None and not line.problems and line.line.rendering_npi == "1234567893"
    data["contained"] = [{"resourceType": "SubstancePolymer", "id": "s"}]
    (claim,) = read_fhir(write(tmp_path, data))  # the references to what it no longer contains are said
    assert claim.lines[0].line is not None and [p.field for p in claim.problems] == ["patient"]
    assert [field for field, _ in problems(claim.lines[0])] == ["rendering_npi"]
    data["contained"] = [*fixture("claim-professional.json")["contained"], {"resourceType": "Patientt", "id": "x"}]
    (line,) = lines_of(write(tmp_path, data))
    assert problems(line) == [
        (
            "Claim/FX-PRO-1",
            "is not a valid FHIR R4 Claim: contained[2] is not a FHIR resource (its resourceType is no FHIR type; "
            "they are case-sensitive, as in Claim)",
        )
    ]


def test_a_resource_whose_resource_type_is_no_fhir_type_is_reported_not_passed_over(tmp_path: Path) -> None:
    # "claim" for "Claim": the line or entry was passed over as some other resource, and its
    # items went unchecked without a word; a lone one was said to hold "a claim resource".
    claim = fixture("claim-professional.json")
    kinds = ("claim", "CLAIM", "Claim ", "", "Clai", "ClaimItem")  # ClaimItem: a part of a Claim, no resource
    misspelt = [{**claim, "id": "C2", "resourceType": kind} for kind in kinds]
    # Other resources are passed over, an R4 one that R4B dropped too.
    others = [{"resourceType": kind, "id": "p"} for kind in ("Patient", "MedicinalProduct", "SubstancePolymer")]
    path = tmp_path / "Claim.ndjson"
    path.write_text("\n".join(json.dumps(value) for value in [claim, *misspelt, *others]) + "\n")
    unknown = "is not a FHIR resource (its resourceType is no FHIR type; they are case-sensitive, as in Claim)"
    first, *rest = read_fhir(path)
    assert first.claim_id == "FX-PRO-1"
    assert [(line.origin, problems(line)) for claim in rest for line in claim.lines] == [
        (f"Claim.ndjson line {number}", [("resource", unknown)]) for number in range(2, 8)
    ]

    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": claim}, {"resource": misspelt[0]}, {"resource": {"id": "x"}}, {"resource": others[0]}],
    }
    first, *rest = read_fhir(write(tmp_path, bundle))
    assert first.claim_id == "FX-PRO-1"
    assert [(line.origin, line.location, problems(line)) for claim in rest for line in claim.lines] == [
        (
            "claim.json entry 1",
            {"file": "claim.json", "resource": None, "entry": 1, "item": None},
            [("resource", unknown)],
        ),
        (
            "claim.json entry 2",
            {"file": "claim.json", "resource": None, "entry": 2, "item": None},
            [("resource", "is not a FHIR resource (it has no resourceType)")],
        ),
    ]

    with pytest.raises(InputError, match=r"it holds no FHIR resource \(its resourceType is no FHIR type"):
        list(read_fhir(write(tmp_path, misspelt[0])))


def test_a_bundle_entry_whose_resource_is_no_json_object_is_reported_not_passed_over(tmp_path: Path) -> None:
    # A resource sent as a JSON string (encoded twice), or an entry that is no object, was passed
    # over as an entry without a resource (a DELETE): a Claim in it went unchecked without a word.
    claim = fixture("claim-professional.json")
    entries = [
        {"resource": claim},
        {"fullUrl": "urn:uuid:1", "resource": json.dumps({**claim, "id": "C2"})},
        {"request": {"method": "DELETE", "url": "Claim/old"}},  # no resource, as FHIR allows
        None,
        [{"resource": claim}],
    ]
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    first, *rest = read_fhir(write(tmp_path, bundle))
    assert first.claim_id == "FX-PRO-1"
    assert [(line.origin, problems(line)) for claim in rest for line in claim.lines] == [
        ("claim.json entry 1", [("resource", "is not a JSON object, so no FHIR resource can be read from it")]),
        ("claim.json entry 3", [("resource", "is not a Bundle entry (a JSON object with the resource in it)")]),
        ("claim.json entry 4", [("resource", "is not a Bundle entry (a JSON object with the resource in it)")]),
    ]
    path = tmp_path / "Bundles.ndjson"
    path.write_text(json.dumps(bundle) + "\n" + json.dumps(claim | {"id": "C9"}) + "\n")
    assert [line.origin for claim in read_fhir(path) for line in claim.lines] == [
        "Bundles.ndjson line 1 entry 0 Claim/FX-PRO-1 item 1",
        "Bundles.ndjson line 1 entry 1",
        "Bundles.ndjson line 1 entry 3",
        "Bundles.ndjson line 1 entry 4",
        "Bundles.ndjson line 2 Claim/C9 item 1",
    ]


def test_a_bundle_entry_that_is_a_bundle_of_claims_is_reported_not_passed_over(tmp_path: Path) -> None:
    # A collection of request Bundles (as Da Vinci PAS test kits keep them): the Claims of the
    # inner Bundles were passed over without a word, or the file said it "holds no Claim".
    claim = fixture("claim-professional.json")
    inner = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": claim}]}
    outer = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": inner}]}
    (read,) = read_fhir(write(tmp_path, outer))
    (line,) = read.lines
    assert line.origin == "claim.json entry 0"
    assert problems(line) == [
        ("resource", "holds a Bundle with Claims in it, which are not read: give each Bundle a file of its own")
    ]
    # A Bundle of Bundles of Bundles (a test kit's folder of collections) passed over the Claims two
    # levels down without a word.
    deeper = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": outer}]}
    (read,) = read_fhir(write(tmp_path, {**deeper, "entry": [{"resource": deeper}]}))
    assert [(line.origin, problems(line)[0][1][:40]) for line in read.lines] == [
        ("claim.json entry 0", "holds a Bundle with Claims in it, which ")
    ]
    patients = {**inner, "entry": [{"resource": {"resourceType": "Patient", "id": "p"}}]}
    outer["entry"] = [{"resource": patients}, {"resource": claim}]  # a Bundle without Claims is another resource
    (read,) = read_fhir(write(tmp_path, outer))
    assert read.claim_id == "FX-PRO-1" and not read.lines[0].problems


def test_deeply_nested_extensions_are_an_input_problem_not_a_recursion_error(tmp_path: Path) -> None:
    data = fixture("claim-professional.json")
    nested: list[Any] = []
    for _ in range(300):
        nested = [{"url": "http://example.org/x", "extension": nested}]
    data["extension"] = nested
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line_number == 1 and parsed.procedure_code == "0711T"
    assert problems(parsed)[0] == (
        "Claim/FX-PRO-1",
        "cannot be read by fhir.resources: its elements are nested too deeply",
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json at all", "is not valid JSON"),
        # An empty file was "line 4: is not valid JSON (Expecting value, column 1)", past its end.
        ("\ufeff\n\n  \n", "is empty: it holds no FHIR resource"),
        ('{"resourceType": "Patient", "id": "p"}', "it holds a Patient resource"),
        ('[{"claim_id": "C1"}]', "it holds no FHIR resource"),
        ('{"resourceType": "Bundle", "entry": {}}', "Bundle.entry: must be a list of entries"),
        ('{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}]}', "holds no Claim"),
    ],
)
def test_unreadable_files_raise_input_error(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "input.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=expected) as caught:
        list(read_fhir(path))
    assert caught.value.file == str(path)


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (lambda text: gzip.compress(text.encode()), "is gzip-compressed"),
        (lambda text: text.encode("utf-16"), "is UTF-16 text"),
    ],
    ids=["gzip", "utf-16"],
)
def test_a_compressed_or_utf16_file_read_as_fhir_says_what_it_is(tmp_path: Path, encode: Any, expected: str) -> None:
    # A Bulk export as downloaded (Claim.ndjson.gz) given with --input-format fhir was only "is
    # not UTF-8 text"; format detection already said what such a file is.
    path = tmp_path / "Claim.ndjson.gz"
    text = "".join(json.dumps({**fixture("claim-professional.json"), "id": f"C{n}"}) + "\n" for n in (1, 2))
    path.write_bytes(encode(text))
    with pytest.raises(InputError, match=expected):
        list(read_fhir(path))


def test_a_file_without_claims_says_what_it_holds_instead(tmp_path: Path) -> None:
    # An ExplanationOfBenefit export (CMS Blue Button, CARIN) given for checking was only "holds
    # no Claim resource", which did not say why a file full of claims data was refused.
    eob = {"resourceType": "ExplanationOfBenefit", "id": "e"}
    kinds = ["ExplanationOfBenefit"] * 3 + ["Patient", "Coverage", "Coverage", "Organization"]
    path = tmp_path / "ExplanationOfBenefit.ndjson"
    path.write_text("".join(json.dumps({"resourceType": kind, "id": "x"}) + "\n" for kind in kinds))
    with pytest.raises(InputError) as caught:
        list(read_fhir(path))
    assert caught.value.problem == (
        "the NDJSON file holds no Claim resource; it holds ExplanationOfBenefit (3), Coverage (2), Patient (1), "
        "and others, and claimcheck reads Claim resources only"
    )
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": eob}, {"resource": eob}]}
    with pytest.raises(InputError) as caught:
        list(read_fhir(write(tmp_path, bundle)))
    assert caught.value.problem == (
        "the Bundle holds no Claim resource; it holds ExplanationOfBenefit (2), and claimcheck reads Claim "
        "resources only"
    )


def test_missing_extra_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fhir.resources.R4B", None)  # makes the import fail
    with pytest.raises(ClaimCheckError, match=r"pip install 'claimcheck\[fhir\]'"):
        list(read_fhir(FIXTURES / "claim-professional.json"))


def test_looks_like_fhir() -> None:
    assert looks_like_fhir('{\n  "resourceType": "Claim",\n  "id": "1"')
    assert looks_like_fhir(' {"resourceType":"Bundle"')
    assert looks_like_fhir('{"id": "1", "resourceType": "Claim"')
    assert not looks_like_fhir('[{"resourceType": "Claim"}]')
    assert looks_like_fhir('{"resourceType": "Patient"}')  # for the FHIR reader to say it is no Claim
    assert not looks_like_fhir('{"claim_id": "C1", "lines": []}')


@pytest.mark.skipif("fhir" not in readers.READERS, reason="the fhir reader is not in the registry yet")
def test_registry_detects_fhir_json() -> None:
    assert readers.detect_format(FIXTURES / "claim-professional.json") == "fhir"
    assert readers.detect_format(FIXTURES / "bundle-two-claims.json") == "fhir"


def _sorted_bundle(copies: int) -> dict[str, Any]:
    """The two-claim Bundle with its Claims copied, as jq -S or sort_keys writes it: every key in
    order, so the Bundle's entry (all of it) comes before its resourceType."""
    bundle = fixture("bundle-two-claims.json")
    claims = [entry for entry in bundle["entry"] if entry["resource"]["resourceType"] == "Claim"]
    others = [entry for entry in bundle["entry"] if entry["resource"]["resourceType"] != "Claim"]
    copied = []
    for number in range(copies):
        for entry in claims:
            resource = {**entry["resource"], "id": f"{entry['resource']['id']}-{number}"}
            copied.append({"resource": resource})
    return {**bundle, "entry": others + copied}


@pytest.mark.parametrize("indent", [None, 2], ids=["compact", "indented"])
def test_a_bundle_whose_resource_type_comes_past_the_head_is_still_fhir(tmp_path: Path, indent: int | None) -> None:
    # Keys sorted put resourceType after a Bundle's entries; past the 64 KiB head the file was taken
    # for the JSON claims shape, and its 300 lines became one row: "claim_id is required".
    path = tmp_path / "sorted.json"
    path.write_text(json.dumps(_sorted_bundle(100), sort_keys=True, indent=indent), encoding="utf-8")
    assert path.stat().st_size > 65_536 and path.read_text(encoding="utf-8").rfind('"resourceType"') > 65_536
    assert readers.detect_format(path) == "fhir"
    assert len(claimcheck.validate_file(path, as_of=AS_OF).lines) == 300


def test_a_long_json_claim_object_without_resource_type_is_still_the_claims_shape(tmp_path: Path) -> None:
    # A key named resourceType deeper in, or in a string, is not the object's own.
    lines = [{"line_number": n, "procedure_code": "0711T", "note": '{"resourceType": "Claim"}'} for n in range(900)]
    claim = {"claim_id": "C1", "lines": lines, "extra": {"resourceType": "Claim"}}
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim), encoding="utf-8")
    assert path.stat().st_size > 65_536
    assert readers.detect_format(path) == "json"


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 1 << 20])
def test_the_resource_type_past_the_head_is_its_own_key_wherever_chunks_cut_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr("claimcheck.io.readers.fhir._lines._CHUNK", chunk)
    documents = [
        {"a": 'x\\"{[', "b\\": ["resourceType", {"resourceType": 1}], "resourceType": "Bundle"},
        {"a": '"resourceType": "Claim"', "b": {"resourceType": "Claim"}},
        {"resourceTypes": 1, "resourceTyp": 2, "c": "\\\\"},
        {"z": "\u00e9\\", "resourceType": "Claim"},
    ]
    found = []
    for number, document in enumerate(documents):
        path = tmp_path / f"{number}.json"
        path.write_text(json.dumps(document) + "\n" + json.dumps({"resourceType": "Claim"}), encoding="utf-8")
        found.append(resource_type_past_head(path))
    assert found == [True, False, False, True]


# --- end to end ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("fhir_registered")
def test_validate_file_fails_gn_on_0711t(ruleset: claimcheck.RuleSet) -> None:
    report = check(FIXTURES / "claim-professional.json", ruleset)
    (result,) = report.to_dict()["lines"]
    assert (result["claim_id"], result["line_number"], result["procedure_code"], result["status"]) == (
        "FX-PRO-1",
        1,
        "0711T",
        "fail",
    )
    assert result["location"] == {
        "file": "claim-professional.json",
        "resource": "Claim/FX-PRO-1",
        "entry": None,
        "item": 1,
    }
    failing = {(f["rule_id"], f["subject"]) for f in result["findings"] if f["status"] == "fail"}
    assert failing == {("modifier.profile", "GN")}
    passing = {f["rule_id"] for f in result["findings"] if f["status"] == "pass"}
    assert {"diagnosis.profile", "specialty.profile", "provider.npi", "place_of_service.code_set"} <= passing


@pytest.mark.usefixtures("fhir_registered")
def test_validate_file_reports_every_line_of_a_partly_broken_bundle(ruleset: claimcheck.RuleSet) -> None:
    report = check(FIXTURES / "bundle-one-broken-claim.json", ruleset)
    results = report.to_dict()["lines"]
    assert [(r["claim_id"], r["line_number"], r["status"]) for r in results] == [
        ("FX-STU3", 1, "fail"),
        ("FX-STU3", 2, "fail"),
        ("FX-GOOD", 1, "pass"),
    ]
    for result in results[:2]:
        assert [(f["check"], f["subject"]) for f in result["findings"]] == [("input", "Claim/FX-STU3")]
        assert "entry 0 Claim/FX-STU3 item" in result["findings"][0]["message"]
    assert results[2]["location"]["entry"] == 2


@pytest.mark.usefixtures("fhir_registered")
def test_validate_file_bundle_two_claims(ruleset: claimcheck.RuleSet) -> None:
    report = check(FIXTURES / "bundle-two-claims.json", ruleset)
    results = report.to_dict()["lines"]
    assert [(r["claim_id"], r["line_number"], r["procedure_code"]) for r in results] == [
        ("FX-BUN-1", 1, "0711T"),
        ("FX-BUN-2", 1, "75571"),
        ("FX-BUN-2", 2, "77011"),
    ]
    assert not any(f["check"] == "input" for r in results for f in r["findings"])
    assert results[0]["status"] == "pass"


@pytest.mark.parametrize(
    ("quantity", "units"),
    [
        ({"value": 45, "unit": "minutes", "system": "http://unitsofmeasure.org", "code": "min"}, 1.0),
        ({"value": 45, "code": "min"}, 1.0),
        ({"value": 0, "system": "http://unitsofmeasure.org", "code": "min"}, 0.0),
        ({"value": 3}, 3.0),
        ({"value": 3, "system": "http://unitsofmeasure.org", "code": "{visit}"}, 3.0),
    ],
)
def test_anesthesia_minutes_are_one_service_as_in_x12(tmp_path: Path, quantity: dict[str, Any], units: float) -> None:
    # A quantity in UCUM minutes was read as that many units, so 45 minutes of anesthesia failed
    # an MUE of 1; X12's SV103 MJ already counts as one service. No minutes (0) stay for the checks.
    data = fixture("claim-professional.json")
    data["item"][0]["quantity"] = quantity
    (line,) = lines_of(write(tmp_path, data))
    assert line.line is not None and line.line.units == units


def test_a_json_array_item_that_is_no_object_or_a_bundle_without_an_entry_list_is_reported_as_such(
    tmp_path: Path,
) -> None:
    # A null in the array was "not a FHIR resource (it has no resourceType)", and a Bundle whose
    # entry is not a list was counted as holding a Bundle: said now as a Bundle entry or NDJSON
    # line is.
    claim = fixture("claim-professional.json")
    path = tmp_path / "slurped.json"
    path.write_text(json.dumps([claim, None, 7, {"resourceType": "Bundle", "entry": 3}]), encoding="utf-8")
    lines = [line for claim in read_fhir(path) for line in claim.lines]
    assert [(line.location or {}).get("entry") for line in lines] == [0, 1, 2, 3]
    not_object = "is not a JSON object, so no FHIR resource can be read from it"
    assert [problems(line) for line in lines[1:]] == [
        [("resource", not_object)],
        [("resource", not_object)],
        [("resource", "holds a Bundle whose entry is not a list of entries")],
    ]
    alone = tmp_path / "bundles.json"
    alone.write_text(json.dumps([{"resourceType": "Bundle", "entry": 3}]), encoding="utf-8")
    lines = [line for claim in read_fhir(alone) for line in claim.lines]
    assert [problems(line) for line in lines] == [[("resource", "holds a Bundle whose entry is not a list of entries")]]
