"""FHIR input: Claims and resources that are incomplete or not valid R4 (no date, no items, unknown
resource types, entries that are no object, nested Bundles, deep nesting), reported without their values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from claimcheck.errors import InputError
from claimcheck.io.readers.fhir import read_fhir
from tests.fhir_inputs import fixture, lines_of, problems, write

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")


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
