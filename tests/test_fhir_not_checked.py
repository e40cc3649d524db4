"""FHIR input: what leaves lines not checked or warned about: modifier extensions and modifier
elements, a status that voids the claim, implicit rules, and item details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.io.readers.fhir import read_fhir
from tests.fhir_inputs import (
    check,
    fhir_registered,  # noqa: F401 (a fixture)
    fixture,
    lines_of,
    write,
)

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")


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
