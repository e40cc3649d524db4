"""FHIR input: the care team that renders a line: a dangling or conditional reference, a null provider,
and the taxonomy of the provider a member refers to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from claimcheck.io.readers.fhir import read_fhir
from tests.fhir_inputs import fixture, lines_of, problems, write

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")


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
