"""FHIR input: references that cannot resolve where the Claim is, contained resources that
share an id, a Bundle that is one page of several, and NDJSON lines that are no object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.io import readers
from claimcheck.io.files import validate_file
from claimcheck.io.readers.fhir import read_fhir
from tests.conftest import AS_OF
from tests.fhir_inputs import fhir_registered, fixture, problems, write  # noqa: F401 (a fixture)

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")

_NPI = [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}]


def _lone_claim_by_urn() -> dict[str, Any]:
    """The professional fixture with its patient, provider, insurer and diagnosis given as
    Bundle entries (urn:uuid / urn:oid), as a Bundle's Claim taken out of its Bundle has them."""
    claim = fixture("claim-professional.json")
    del claim["contained"]
    claim["patient"] = {"reference": "urn:uuid:0b9a5b4e-6f3a-4e0e-9a55-3c1c0f1e2d01"}
    claim["insurer"] = {"reference": "urn:oid:2.16.840.1.113883.3.1"}
    claim["insurance"][0]["coverage"] = {"reference": "Coverage/9"}
    claim["careTeam"][0]["provider"] = {"reference": "urn:uuid:0b9a5b4e-6f3a-4e0e-9a55-3c1c0f1e2d02"}
    claim["diagnosis"].append({"sequence": 2, "diagnosisReference": {"reference": "urn:uuid:3"}})
    claim["item"][0]["diagnosisSequence"] = [1, 2]
    return claim


_NO_BUNDLE = "refers to a Bundle entry (a urn:uuid or urn:oid reference), but the Claim is not in a Bundle"


def test_a_urn_reference_of_a_claim_in_no_bundle_is_reported_as_a_dangling_bundle_reference_is(
    tmp_path: Path,
) -> None:
    # A urn:uuid names a Bundle entry and nothing else; a lone Claim's resolved to nothing
    # without a word, though the same reference missing from a Bundle is reported.
    claim = _lone_claim_by_urn()
    (read,) = read_fhir(write(tmp_path, claim))
    assert [(p.field, p.message) for p in read.problems] == [
        ("patient", f"{_NO_BUNDLE}, so sex and birth date are unknown"),
        ("payer", f"is unknown: insurer {_NO_BUNDLE}"),
    ]
    (line,) = read.lines
    assert problems(line) == [
        ("diagnosis", f"sequence 2 {_NO_BUNDLE}"),
        ("rendering_npi", f"is unknown: careTeam 1 {_NO_BUNDLE}"),
    ]
    assert "0b9a5b4e" not in repr(read)  # the reference is not echoed
    # A server's reference (Coverage/9 above, Patient/1 here) is still nobody's business here.
    claim["patient"] = {"reference": "Patient/1"}
    claim["careTeam"][0]["provider"] = {"reference": "Practitioner/1", "identifier": _NPI[0]}
    (read,) = read_fhir(write(tmp_path, claim))
    assert [p.field for p in read.problems] == ["payer"]
    assert [field for field, _ in problems(read.lines[0])] == ["diagnosis"]


def test_a_urn_reference_in_ndjson_or_a_json_array_is_reported_and_one_in_its_bundle_resolves(
    tmp_path: Path,
) -> None:
    claim = _lone_claim_by_urn()
    path = tmp_path / "Claim.ndjson"
    path.write_text(json.dumps(claim) + "\n" + json.dumps({**claim, "id": "C2"}) + "\n", encoding="utf-8")
    array = tmp_path / "slurped.json"
    array.write_text(json.dumps([claim]), encoding="utf-8")
    for read in (*read_fhir(path), *read_fhir(array)):
        assert [p.field for p in read.problems] == ["patient", "payer"]
    patient = {"fullUrl": claim["patient"]["reference"], "resource": {"resourceType": "Patient", "gender": "male"}}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": claim}, patient]}
    (read,) = read_fhir(write(tmp_path, bundle))
    assert read.header is not None and read.header.patient_sex == "M"
    assert [(p.field, p.message) for p in read.problems] == [
        ("payer", "is unknown: insurer refers to a resource that is not in the Bundle")
    ]


@pytest.mark.usefixtures("fhir_registered")
def test_a_urn_reference_of_a_lone_claim_is_an_input_finding(tmp_path: Path, ruleset: claimcheck.RuleSet) -> None:
    report = validate_file(write(tmp_path, _lone_claim_by_urn()), rules=ruleset, as_of=AS_OF, input_format="fhir")
    (result,) = report.to_dict()["lines"]
    found = {(f["rule_id"], f["subject"], f["status"]) for f in result["findings"] if f["check"] == "input"}
    assert found == {
        ("input.field", "patient", "fail"),
        ("input.field", "payer", "fail"),
        ("input.field", "rendering_npi", "fail"),
        ("input.field", "diagnosis", "fail"),
    }


def test_contained_resources_sharing_an_id_are_reported_and_the_first_is_read(tmp_path: Path) -> None:
    # The last of them was read without a word: which one "#patient" names is anyone's guess.
    claim = fixture("claim-professional.json")
    male = {"resourceType": "Patient", "id": "patient", "gender": "male"}
    device = {"resourceType": "Device", "id": "radiologist"}
    claim["contained"] += [male, device, {**male, "gender": "other"}]
    (read,) = read_fhir(write(tmp_path, claim))
    assert read.header is not None and read.header.patient_sex == "F"
    assert [(p.field, p.message, p.unchecked) for p in read.problems] == [
        (
            "contained",
            "contained[0], contained[2] and contained[4] have one id; each contained resource needs its own, "
            "so a reference to it reads the first",
            False,
        ),
        (
            "contained",
            "contained[1] and contained[3] have one id; each contained resource needs its own, "
            "so a reference to it reads the first",
            False,
        ),
    ]
    assert read.lines[0].line is not None and read.lines[0].line.rendering_npi == "1234567893"
    assert "radiologist" not in repr(read.problems)  # ids are the sender's text


def _page(claims: list[dict[str, Any]], *relations: str) -> dict[str, Any]:
    links = [
        {"relation": relation, "url": f"https://fhir.example/Claim?patient=Jane&page={n}"}
        for n, relation in enumerate(relations)
    ]
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": 40,
        "link": links,
        "entry": [{"fullUrl": f"https://fhir.example/Claim/{c['id']}", "resource": c} for c in claims],
    }


_ONE_PAGE = (
    "has a next page: the Bundle is one page of several, and only its Claims are checked here; "
    "fetch every page (follow each page's next link) to check the Claims on the others"
)


def test_a_searchset_page_with_a_next_link_says_once_that_only_this_page_was_read(tmp_path: Path) -> None:
    # A search's first page read as if it were all there was: the other pages' Claims were
    # never checked, and nothing said they exist.
    claim = fixture("claim-professional.json")
    claims = [claim, {**claim, "id": "FX-PRO-2"}]
    first, second = read_fhir(write(tmp_path, _page(claims, "self", "next")))
    assert [(p.field, p.message, p.unchecked) for p in first.problems] == [("Bundle.link", _ONE_PAGE, True)]
    assert not second.problems
    assert "Jane" not in repr(first.problems)  # the search URL may hold what was searched for
    # The last page (no next), and a Bundle without links, say nothing.
    for bundle in (_page(claims, "self", "previous"), {**_page(claims), "link": None}):
        assert not any(read.problems for read in read_fhir(write(tmp_path, bundle)))


def test_each_page_bundle_of_ndjson_says_it_once_even_when_its_first_entry_is_unreadable(tmp_path: Path) -> None:
    claim = fixture("claim-professional.json")
    broken = {**_page([claim, {**claim, "id": "FX-PRO-2"}], "next")}
    broken["entry"].insert(0, None)
    path = tmp_path / "pages.ndjson"
    path.write_text("\n".join(json.dumps(b) for b in (_page([claim | {"id": "P1"}], "next"), broken)) + "\n")
    assert readers.detect_format(path) == "fhir"
    read = list(read_fhir(path))
    assert [(r.lines[0].origin, [p.field for p in r.problems]) for r in read] == [
        ("pages.ndjson line 1 entry 0 Claim/P1 item 1", ["Bundle.link"]),
        ("pages.ndjson line 2 entry 0", ["Bundle.link"]),
        ("pages.ndjson line 2 entry 1 Claim/FX-PRO-1 item 1", []),
        ("pages.ndjson line 2 entry 2 Claim/FX-PRO-2 item 1", []),
    ]


@pytest.mark.usefixtures("fhir_registered")
def test_a_page_of_search_results_is_a_warning_not_a_failure(tmp_path: Path, ruleset: claimcheck.RuleSet) -> None:
    claim = fixture("claim-professional.json")
    claim["item"][0]["modifier"] = []  # GN fails 0711T's profile; the page notice alone is left
    path = write(tmp_path, _page([claim], "next"))
    (result,) = validate_file(path, rules=ruleset, as_of=AS_OF, input_format="fhir").to_dict()["lines"]
    assert result["status"] == "warn"
    (notice,) = [f for f in result["findings"] if f["status"] != "pass"]
    assert (notice["rule_id"], notice["subject"]) == ("input.not_checked", "Bundle.link")


@pytest.mark.parametrize("value", ["null", "[]", "7", '"Claim"', "true"])
def test_an_ndjson_line_that_is_no_json_object_says_so(tmp_path: Path, value: str) -> None:
    # A null line was "not a FHIR resource (it has no resourceType)", as if an object lacked one.
    claim = fixture("claim-professional.json")
    path = tmp_path / "Claim.ndjson"
    path.write_text(json.dumps(claim) + "\n" + value + "\n", encoding="utf-8")
    _, read = read_fhir(path)
    assert [(line.origin, problems(line)) for line in read.lines] == [
        ("Claim.ndjson line 2", [("resource", "is not a JSON object, so no FHIR resource can be read from it")])
    ]
