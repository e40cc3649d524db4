"""FHIR input with bytes that are not UTF-8 (a Latin-1 name, a corrupted transfer).

A Claim holding them keeps its items, each checked and told which elements held the bytes (read
as U+FFFD), as a JSONL claim is (see test_undecodable_bytes): an NDJSON line so was one row
"resource is not UTF-8 text", however many items its Claim had, and a single FHIR JSON file so
was refused whole. The text of the elements is never echoed: it may be patient data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from claimcheck.errors import InputError
from claimcheck.io import readers
from claimcheck.io.readers.fhir import read_fhir
from tests.fhir_inputs import fixture

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")

SAID = "is not UTF-8 text in {} (the bytes that could not be read were replaced)"


def _two_items(claim_id: str) -> dict[str, Any]:
    claim = {**fixture("claim-professional.json"), "id": claim_id}
    claim["item"] = [{**claim["item"][0], "sequence": n} for n in (1, 2)]
    claim["item"][1]["productOrService"] = {"coding": [{"code": "CODE2"}]}
    claim["contained"][0]["name"] = [{"family": "NAMEX"}]
    return claim


def _latin1(claim: dict[str, Any]) -> bytes:
    """The claim's JSON with its second item's code and its patient's name holding a Latin-1 é."""
    return json.dumps(claim).encode().replace(b"CODE2", b"07\xe91T").replace(b"NAMEX", b"Cl\xe9ment")


def _said(claim: Any) -> list[list[tuple[str, str]]]:
    return [[(p.field, p.message) for p in claim.problems if "UTF-8" in p.message] for _ in claim.lines]


def test_an_ndjson_claim_with_bytes_that_are_not_utf8_keeps_its_items(tmp_path: Path) -> None:
    path = tmp_path / "Claim.ndjson"
    good = json.dumps({**fixture("claim-professional.json"), "id": "C1"}).encode()
    path.write_bytes(b"\n".join([good, _latin1(_two_items("C2")), good.replace(b'"C1"', b'"C3"')]) + b"\n")
    first, second, third = read_fhir(path)
    assert [line.line_number for line in second.lines] == [1, 2]
    assert [line.origin for line in second.lines] == [
        "Claim.ndjson line 2 Claim/C2 item 1",
        "Claim.ndjson line 2 Claim/C2 item 2",
    ]
    named = SAID.format("contained[0].name[0].family, item[1].productOrService.coding[0].code")
    assert _said(second) == [[("resource", named)]] * 2
    assert not any("UTF-8" in p.message for claim in (first, third) for p in claim.problems)
    assert (first.claim_id, second.claim_id, third.claim_id) == ("C1", "C2", "C3")


def test_its_items_are_checked_and_nothing_is_echoed(tmp_path: Path) -> None:
    path = tmp_path / "Claim.ndjson"
    path.write_bytes(_latin1(_two_items("C2")) + b"\n" + json.dumps(fixture("claim-professional.json")).encode())
    claim = next(read_fhir(path))
    assert claim.lines[0].procedure_code == "0711T" and not claim.lines[0].problems
    text = " ".join(p.message for p in claim.problems)
    assert "ment" not in text and "07" not in text


def test_an_ndjson_line_with_such_bytes_that_is_not_json_is_still_one_row(tmp_path: Path) -> None:
    path = tmp_path / "Claim.ndjson"
    broken = _latin1(_two_items("C2"))[:-5]
    path.write_bytes(b"\n".join([json.dumps(fixture("claim-professional.json")).encode(), broken]) + b"\n")
    _, unreadable = read_fhir(path)
    (line,) = unreadable.lines
    assert [(p.field, p.message) for p in line.problems] == [("resource", "is not UTF-8 text")]


def test_a_claim_id_with_such_bytes_is_named_as_an_element_too(tmp_path: Path) -> None:
    # An id holding U+FFFD is no FHIR id: the Claim is invalid, and its items still each a row.
    path = tmp_path / "Claim.ndjson"
    claim = json.dumps(_two_items("IDX")).encode().replace(b"IDX", b"C\xe92")
    path.write_bytes(claim + b"\n" + json.dumps(fixture("claim-professional.json")).encode() + b"\n")
    read, _ = read_fhir(path)
    assert len(read.lines) == 2
    assert _said(read)[0] == [("resource", SAID.format("id"))]


def test_a_single_claim_file_with_such_bytes_is_read(tmp_path: Path) -> None:
    path = tmp_path / "claim.json"
    path.write_bytes(_latin1(_two_items("C2")))
    assert readers.detect_format(path) == "fhir"
    (claim,) = read_fhir(path)
    assert [line.origin for line in claim.lines] == ["claim.json Claim/C2 item 1", "claim.json Claim/C2 item 2"]
    named = SAID.format("contained[0].name[0].family, item[1].productOrService.coding[0].code")
    assert _said(claim) == [[("resource", named)]] * 2


def test_a_bundle_names_the_entries_each_claim_refers_to(tmp_path: Path) -> None:
    # The Patient (entry 1) is clean; an entry no Claim refers to feeds no line, so says nothing.
    bundle = fixture("bundle-two-claims.json")
    entries = [entry["resource"] for entry in bundle["entry"]]
    entries[2]["name"] = "PAYERX"  # Organization/payer, which both Claims refer to
    entries[4]["identifier"][0]["system"] = "SYSX"  # Practitioner/rad: by PractitionerRole/rad-role from Claim 1
    entries[6]["item"][1]["productOrService"]["coding"][0]["code"] = "CODEX"
    data = json.dumps(bundle).encode().replace(b"PAYERX", b"Ac\xe9me")
    path = tmp_path / "bundle.json"
    path.write_bytes(data.replace(b"SYSX", b"s\xe9").replace(b"CODEX", b"7\xe91"))
    first, second = read_fhir(path)
    assert _said(first)[0] == [
        ("resource", SAID.format("Bundle.entry[2].resource.name, Bundle.entry[4].resource.identifier[0].system"))
    ]
    named = "item[1].productOrService.coding[0].code, Bundle.entry[2].resource.name, Bundle.entry[4].resource"
    assert _said(second) == [[("resource", SAID.format(f"{named}.identifier[0].system"))]] * len(second.lines)
    assert [line.line_number for line in second.lines] == [1, 2]


def test_many_elements_are_named_up_to_five(tmp_path: Path) -> None:
    claim = _two_items("C2")
    claim["item"] = [{**claim["item"][0], "sequence": n, "productOrService": {"text": "TEXTX"}} for n in range(1, 9)]
    path = tmp_path / "claim.json"
    path.write_bytes(json.dumps(claim).encode().replace(b"TEXTX", b"\xe9"))
    (read,) = read_fhir(path)
    assert len(read.lines) == 8
    named = ", ".join(f"item[{n}].productOrService.text" for n in range(5))
    assert _said(read)[0] == [("resource", SAID.format(f"{named} and 3 more"))]


def test_a_compressed_file_is_still_said_to_be_so(tmp_path: Path) -> None:
    path = tmp_path / "claim.json"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 40)
    with pytest.raises(InputError, match="gzip"):
        list(read_fhir(path))


def test_a_list_of_resources_and_an_ndjson_bundle_line_are_read_alike(tmp_path: Path) -> None:
    bad = _latin1(_two_items("C2"))
    good = json.dumps(fixture("claim-professional.json")).encode()
    listed = tmp_path / "claims.json"
    listed.write_bytes(b"[" + good + b"," + bad + b"]")  # as jq -s writes resources together
    bundles = tmp_path / "Bundle.ndjson"
    bundle = b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": %s}]}'
    bundles.write_bytes(bundle % good + b"\n" + bundle % bad + b"\n")
    named = SAID.format("contained[0].name[0].family, item[1].productOrService.coding[0].code")
    for path in (listed, bundles):
        first, second = read_fhir(path)
        assert not _said(first)[0] and _said(second) == [[("resource", named)]] * 2
