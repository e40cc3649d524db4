"""FHIR input: the public sample Claims and Bundles in ../shared, valid and invalid, read item by item."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from claimcheck.errors import InputError
from claimcheck.io.readers.fhir import read_fhir
from tests.conftest import SHARED
from tests.fhir_inputs import lines_of, problems

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")


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
