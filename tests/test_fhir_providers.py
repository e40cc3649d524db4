"""FHIR input: who rendered a line (care team, else the billing provider), and references that
resolve to a resource of another type than the element allows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from claimcheck.io.readers.fhir import read_fhir
from tests.fhir_inputs import fixture, lines_of, problems, write

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")

_NUCC = "http://nucc.org/provider-taxonomy"
_ROLE = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"


def _without_care_team() -> dict[str, Any]:
    """The professional fixture with no care team: Claim.provider (#radiologist, NPI 1234567893)
    is the billing provider."""
    data = fixture("claim-professional.json")
    del data["careTeam"]
    del data["item"][0]["careTeamSequence"]
    return data


def test_a_line_no_care_team_member_renders_is_rendered_by_the_billing_provider_as_in_x12(tmp_path: Path) -> None:
    # As the X12 reader takes the billing provider (2010AA) when neither 2420A nor 2310B names a
    # rendering one, Claim.provider renders a line whose care team names no one; its NPI and
    # taxonomy went unread, so the NPI and specialty checks passed the line over.
    data = _without_care_team()
    data["contained"][1]["qualification"] = [{"code": {"coding": [{"system": _NUCC, "code": "2085R0202X"}]}}]
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and not parsed.problems
    assert (parsed.line.rendering_npi, parsed.line.rendering_taxonomy) == ("1234567893", "2085R0202X")
    # A team in which no one renders (an assistant only) and an item pointing at no one: the same.
    assistant = {"sequence": 1, "provider": {"reference": "#nobody"}, "role": {"coding": [{"code": "assist"}]}}
    data["careTeam"] = [assistant]
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and parsed.line.rendering_npi == "1234567893" and not parsed.problems


def test_the_billing_provider_renders_only_lines_that_name_no_care_team_member(tmp_path: Path) -> None:
    data = _without_care_team()
    data["item"][0]["careTeamSequence"] = [3]  # names one the Claim lacks: said, not guessed
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and parsed.line.rendering_npi is None
    assert problems(parsed) == [("rendering_npi", "is unknown: the Claim has no careTeam 3")]


def test_a_billing_provider_reference_that_misses_is_said_as_a_care_team_ones_is(tmp_path: Path) -> None:
    data = _without_care_team()
    data["provider"] = {"reference": "#billing"}
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and parsed.line.rendering_npi is None
    assert problems(parsed) == [
        ("rendering_npi", "is unknown: Claim.provider refers to a contained resource the Claim lacks")
    ]
    data["provider"] = {"reference": "Organization/1"}  # on a server: nothing to say
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and parsed.line.rendering_npi is None and not parsed.problems


def test_a_practitioner_role_without_a_nucc_specialty_gives_its_practitioners_taxonomy(tmp_path: Path) -> None:
    # The NPI was taken from the role's Practitioner when the role had none, the taxonomy not.
    data = fixture("claim-professional.json")
    del data["careTeam"][0]["qualification"]
    data["contained"][1]["qualification"] = [{"code": {"coding": [{"system": _NUCC, "code": "2085R0202X"}]}}]
    data["contained"].append(
        {"resourceType": "PractitionerRole", "id": "r", "practitioner": {"reference": "#radiologist"}}
    )
    data["careTeam"][0]["provider"] = {"reference": "#r"}
    (parsed,) = lines_of(write(tmp_path, data))
    assert parsed.line is not None and not parsed.problems
    assert (parsed.line.rendering_taxonomy, parsed.line.rendering_npi) == ("2085R0202X", "1234567893")


def test_a_reference_to_a_resource_of_another_type_is_said_not_passed_over(tmp_path: Path) -> None:
    # "#radiologist" as the patient gave a claim without sex or birth date, and "#patient" as a
    # provider a line without NPI, without a word.
    data = fixture("claim-professional.json")
    data["patient"] = {"reference": "#radiologist"}
    data["careTeam"][0]["provider"] = {"reference": "#patient"}
    data["insurer"] = {"reference": "#patient"}
    data["insurance"][0]["coverage"] = {"reference": "#patient"}
    data["diagnosis"].append({"sequence": 2, "diagnosisReference": {"reference": "#radiologist"}})
    data["item"][0]["diagnosisSequence"] = [1, 2]
    (claim,) = read_fhir(write(tmp_path, data))
    assert claim.header is not None and claim.header.patient_sex is None
    assert [(p.field, p.message) for p in claim.problems] == [
        ("patient", "refers to a Practitioner, not a Patient, so sex and birth date are unknown"),
        ("payer", "is unknown: insurer refers to a Patient, not an Organization"),
    ]
    (parsed,) = claim.lines
    assert problems(parsed) == [
        ("diagnosis", "sequence 2 refers to a Practitioner, not a Condition"),
        (
            "rendering_npi",
            "is unknown: careTeam 1 refers to a Patient, not a Practitioner, PractitionerRole or Organization",
        ),
    ]
