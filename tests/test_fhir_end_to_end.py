"""FHIR input end to end: validate_file on our fixtures (0711T with GN, a partly broken Bundle, two
claims, anesthesia minutes) and JSON arrays whose items are no FHIR shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.io.readers.fhir import read_fhir
from tests.fhir_inputs import (
    FIXTURES,
    check,
    fhir_registered,  # noqa: F401 (a fixture)
    fixture,
    lines_of,
    problems,
    write,
)

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")


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
