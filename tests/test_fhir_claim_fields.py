"""FHIR input: our fixture Claims and Bundles read field by field (patient, payer, practitioners, dates,
location), a broken Claim beside a good one, and claim ids given twice in a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimcheck.io.readers.fhir import read_fhir
from tests.fhir_inputs import FIXTURES, fixture, problems, write

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")


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
