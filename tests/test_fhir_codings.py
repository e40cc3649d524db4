"""FHIR input: codes and values on a line: sex, units, code systems named by OID, service periods,
items without a CPT or HCPCS code, and modifiers."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from claimcheck.io.readers.fhir import read_fhir
from tests.conftest import AS_OF
from tests.fhir_inputs import fixture, lines_of, problems, write

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")


_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
_HIPPS = "https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/ProspMedicareFeeSvcPmtGen/HIPPSCodes"


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
    assert problems(parsed) == [
        ("modifiers", "lack modifier 1: it has no code; the item's other modifiers are checked without it")
    ]
