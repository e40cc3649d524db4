"""FHIR input as NDJSON (one resource per line, as Bulk Data exports it): lines cut off, not UTF-8 or
not JSON cost that line only; files joined with cat; NDJSON of Bundles."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from claimcheck.errors import InputError
from claimcheck.io import readers
from claimcheck.io.readers.fhir import read_fhir
from tests.fhir_inputs import fixture, problems

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")


def test_ndjson_claims_one_resource_per_line_as_bulk_data_exports_them(tmp_path: Path) -> None:
    # FHIR Bulk Data ($export) writes Claim.ndjson: one resource per line. It was refused as
    # "is not valid JSON (Extra data)". A line that is not JSON is a finding on that line.
    first = fixture("claim-professional.json")
    second = {**fixture("claim-professional.json"), "id": "FX-PRO-2"}
    second["item"] = [{**second["item"][0], "sequence": n} for n in (1, 2)]
    patient = {"resourceType": "Patient", "id": "p9", "gender": "male"}
    text = "\n".join(
        [json.dumps(first), json.dumps(patient), "", '{"resourceType": "Claim", "id": ', json.dumps(second)]
    )
    path = tmp_path / "Claim.ndjson"
    path.write_text(text + "\n", encoding="utf-8")
    assert readers.detect_format(path) == "fhir"
    claims = list(read_fhir(path))
    assert [claim.claim_id for claim in claims] == ["FX-PRO-1", None, "FX-PRO-2"]
    assert [line.location for claim in claims for line in claim.lines] == [
        {"file": "Claim.ndjson", "line": 1, "resource": "Claim/FX-PRO-1", "entry": None, "item": 1},
        {"file": "Claim.ndjson", "line": 4, "resource": None, "entry": None, "item": None},
        {"file": "Claim.ndjson", "line": 5, "resource": "Claim/FX-PRO-2", "entry": None, "item": 1},
        {"file": "Claim.ndjson", "line": 5, "resource": "Claim/FX-PRO-2", "entry": None, "item": 2},
    ]
    assert claims[0].lines[0].line is not None and not claims[0].lines[0].problems
    assert claims[0].lines[0].origin == "Claim.ndjson line 1 Claim/FX-PRO-1 item 1"
    (broken,) = claims[1].lines
    assert broken.line is None and broken.origin == "Claim.ndjson line 4"
    assert problems(broken) == [("resource", "is not valid JSON (Expecting value, column 33)")]
    assert [line.line_number for line in claims[2].lines] == [1, 2]


def test_ndjson_whose_first_line_is_cut_off_keeps_the_claims_after_it(tmp_path: Path) -> None:
    # An export cut off in its first line was refused whole, as one broken JSON document
    # ("line 3: Expecting ',' delimiter"): the Claims after it were lost.
    path = tmp_path / "Claim.ndjson"
    path.write_text('{"resourceType": "Claim", "id": \n' + json.dumps(fixture("claim-professional.json")) + "\n")
    broken, claim = read_fhir(path)
    (line,) = broken.lines
    assert line.origin == "Claim.ndjson line 1"
    assert problems(line) == [("resource", "is not valid JSON (Expecting value, column 33)")]
    assert claim.claim_id == "FX-PRO-1" and claim.lines[0].location["line"] == 2


def test_ndjson_cut_off_in_its_first_line_with_a_bad_byte_later_loses_that_line_only(tmp_path: Path) -> None:
    # An export cut off in its first line (split by size) is read from its whole text, and a
    # byte that is not UTF-8 on any one of its lines refused the whole file.
    claim = fixture("claim-professional.json")
    bad = json.dumps({**claim, "id": "C2"}).encode().replace(b'"C2"', b'"C\xe92"')  # Latin-1 é
    lines = [
        b'ue", "code": "primary"}]}]}',
        json.dumps(claim).encode(),
        bad,
        json.dumps({**claim, "id": "C3"}).encode(),
    ]
    path = tmp_path / "Claim.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert readers.detect_format(path) == "fhir"
    cut, first, broken, last = read_fhir(path)
    origins = ["Claim.ndjson line 1", "Claim.ndjson line 3 Claim/C\ufffd2 item 1"]
    assert [line.origin for line in cut.lines + broken.lines] == origins
    assert [(p.field, p.message) for p in broken.problems] == [
        ("resource", "is not UTF-8 text in id (the bytes that could not be read were replaced)")
    ]
    assert (first.claim_id, last.claim_id, last.lines[0].location["line"]) == ("FX-PRO-1", "C3", 4)


def test_a_document_whose_second_line_is_a_whole_resource_is_still_one_document(tmp_path: Path) -> None:
    # What makes a file NDJSON when its first line is not a resource is read from the whole
    # text, once it is known not to be one JSON document.
    claim = json.dumps(fixture("claim-professional.json"))
    path = tmp_path / "bundle.json"
    path.write_text('{"resourceType": "Bundle", "type": "collection", "entry": [{"resource":\n' + claim + "\n}]}\n")
    (read,) = read_fhir(path)
    assert read.lines[0].location == {
        "file": "bundle.json",
        "resource": "Claim/FX-PRO-1",
        "entry": 0,
        "item": 1,
    }


@pytest.mark.parametrize("name", ["Claim.ndjson", "Claim.json", "Claim.jsonl"])
@pytest.mark.parametrize("cut", ['ue", "code": "primary"}]}, ', '{"sequence": 1, "provider": {"reference": "#p"}}]}'])
def test_ndjson_cut_off_in_its_first_line_is_detected_as_fhir(tmp_path: Path, name: str, cut: str) -> None:
    # A Bulk Data export split by size (split -b) starts in the middle of a resource. Detection
    # only looked at the first line: the file went to the CSV reader ("missing required
    # column(s)") or to our claims-shape reader ("claim_id is required" on every FHIR Claim).
    claim = fixture("claim-professional.json")
    path = tmp_path / name
    path.write_text(cut + "\n" + "".join(json.dumps({**claim, "id": f"C{n}"}) + "\n" for n in (2, 3)))
    assert readers.detect_format(path) == "fhir"
    broken, second, third = readers.read_claims(path)
    assert broken.lines[0].origin == f"{name} line 1" and broken.lines[0].problems[0].field == "resource"
    assert [(c.claim_id, c.lines[0].location["line"]) for c in (second, third)] == [("C2", 2), ("C3", 3)]


def test_ndjson_is_read_line_by_line_not_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A Bulk Data export runs to gigabytes; it was read into memory whole (and split into a list
    # of lines) before its first Claim was checked: 724 MB peak for a 164 MB file, now 398 MB.
    path = tmp_path / "Claim.ndjson"
    claim = fixture("claim-professional.json")
    path.write_text("".join(json.dumps({**claim, "id": f"C{n}"}) + "\n" for n in range(3)))

    def whole_file(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("an NDJSON file was read whole")

    monkeypatch.setattr(Path, "read_text", whole_file)
    monkeypatch.setattr(Path, "read_bytes", whole_file)
    assert [claim.claim_id for claim in read_fhir(path)] == ["C0", "C1", "C2"]


def test_an_ndjson_line_that_is_not_utf8_costs_that_line_only(tmp_path: Path) -> None:
    # The whole export was refused ("is not UTF-8 text") for one bad byte in one resource.
    claim = fixture("claim-professional.json")
    bad = json.dumps({**claim, "id": "C2"}).encode().replace(b'"C2"', b'"C\xe92"')  # Latin-1 é
    lines = [json.dumps({**claim, "id": "C1"}).encode(), bad, json.dumps({**claim, "id": "C3"}).encode()]
    path = tmp_path / "Claim.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    first, broken, third = read_fhir(path)
    assert (first.claim_id, third.claim_id) == ("C1", "C3")
    assert third.lines[0].location["line"] == 3
    (line,) = broken.lines  # its item, told where the bytes were (see test_fhir_undecodable_bytes)
    assert line.origin == "Claim.ndjson line 2 Claim/C\ufffd2 item 1"
    assert [(p.field, p.message) for p in broken.problems] == [
        ("resource", "is not UTF-8 text in id (the bytes that could not be read were replaced)")
    ]


def test_an_ndjson_first_line_that_is_not_utf8_costs_that_line_only(tmp_path: Path) -> None:
    # A bad byte in the first resource refused the whole export ("is not UTF-8 text"): the
    # line-by-line test only looked at the first line, and a line it cannot decode said "no".
    claim = fixture("claim-professional.json")
    bad = json.dumps({**claim, "id": "C1"}).encode().replace(b'"C1"', b'"C\xe91"')  # Latin-1 é
    path = tmp_path / "Claim.ndjson"
    path.write_bytes(b"\n".join([bad, json.dumps({**claim, "id": "C2"}).encode()]) + b"\n")
    broken, second = read_fhir(path)
    (line,) = broken.lines  # its item, told where the bytes were (see test_fhir_undecodable_bytes)
    assert line.origin == "Claim.ndjson line 1 Claim/C\ufffd1 item 1"
    assert [(p.field, p.message) for p in broken.problems] == [
        ("resource", "is not UTF-8 text in id (the bytes that could not be read were replaced)")
    ]
    assert second.claim_id == "C2" and second.lines[0].location["line"] == 2
    assert readers.detect_format(path) == "fhir"


def test_ndjson_files_joined_with_cat_keep_the_claim_after_each_bom(tmp_path: Path) -> None:
    # `cat a.ndjson b.ndjson` of exports written with a BOM puts one at the start of a later
    # line; only line 1's was dropped, so that line's Claim was lost ("Unexpected UTF-8 BOM").
    claim = fixture("claim-professional.json")
    path = tmp_path / "Claim.ndjson"
    parts = [codecs.BOM_UTF8 + json.dumps({**claim, "id": f"C{n}"}).encode() + b"\r\n" for n in (1, 2)]
    path.write_bytes(b"".join(parts))
    first, second = read_fhir(path)
    assert (first.claim_id, second.claim_id) == ("C1", "C2")
    assert not second.lines[0].problems and second.lines[0].location["line"] == 2


def test_a_broken_json_document_is_still_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "claim.json"
    pretty = json.dumps(fixture("claim-professional.json"), indent=2)
    path.write_text(pretty[:-2] + "\n")  # its closing brace lost
    with pytest.raises(InputError, match="is not valid JSON"):
        list(read_fhir(path))


def test_resources_pretty_printed_one_after_another_are_said_to_be_so(tmp_path: Path) -> None:
    # `jq . Claim.ndjson > claims.json` writes each resource over many lines, one after another;
    # that was only "line 142: is not valid JSON (Extra data, column 1)".
    claim = fixture("claim-professional.json")
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(claim, indent=2) + "\n" + json.dumps(claim, indent=2) + "\n")
    with pytest.raises(InputError) as caught:
        list(read_fhir(path))
    assert caught.value.line == json.dumps(claim, indent=2).count("\n") + 2
    assert caught.value.problem == (
        "is not valid JSON (Extra data, column 1): more text follows the first JSON value; "
        "NDJSON holds each resource on a line of its own (jq -c)"
    )


def test_ndjson_without_claims_is_said_so(tmp_path: Path) -> None:
    path = tmp_path / "Patient.ndjson"
    path.write_text('{"resourceType": "Patient", "id": "a"}\n{"resourceType": "Patient", "id": "b"}\n')
    with pytest.raises(InputError, match="holds no Claim resource"):
        list(read_fhir(path))
    patients = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient"}}]}
    path.write_text(json.dumps(patients) + "\n" + json.dumps(patients) + "\n")
    with pytest.raises(InputError, match="holds no Claim resource"):
        list(read_fhir(path))


def test_ndjson_of_bundles_reads_each_bundles_claims_against_that_bundle(tmp_path: Path) -> None:
    # One Bundle a line (the Google Cloud Healthcare API's BUNDLE import, request logs of PAS
    # Bundles): every line was one "holds a Bundle" finding, and the items of its Claims were
    # never read or checked.
    claim = fixture("claim-professional.json")
    del claim["contained"]
    claim["patient"] = {"reference": "Patient/pat"}
    claim["careTeam"][0]["provider"] = {"reference": "urn:uuid:doc"}
    doctor = {"resourceType": "Practitioner", "id": "d"}
    npi = [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}]

    def bundle(claims: list[dict[str, Any]], gender: str) -> dict[str, Any]:
        others = [
            {"resource": {"resourceType": "Patient", "id": "pat", "gender": gender}},
            {"fullUrl": "urn:uuid:doc", "resource": {**doctor, "identifier": npi}},
        ]
        return {"resourceType": "Bundle", "type": "collection", "entry": [*others, *[{"resource": c} for c in claims]]}

    two = [{**claim, "id": "B2-1"}, {**claim, "id": "B2-2", "item": [{**claim["item"][0], "sequence": 7}]}]
    text = [
        json.dumps(bundle([{**claim, "id": "B1"}], "male")),
        json.dumps({"resourceType": "Patient", "id": "x"}),
        json.dumps(bundle(two, "female")),
        json.dumps({"resourceType": "Bundle", "entry": {"resource": claim}}),
        json.dumps({"resourceType": "Bundle", "entry": [{"resource": {**claim, "resourceType": "claim"}}]}),
        json.dumps({**claim, "id": "BARE"}),  # its references are not the previous line's Bundle's
    ]
    path = tmp_path / "Bundles.ndjson"
    path.write_text("\n".join(text) + "\n")
    assert readers.detect_format(path) == "fhir"
    first, second, third, broken, misspelt, bare = read_fhir(path)
    assert bare.header is not None and bare.header.patient_sex is None and not bare.problems
    assert [c.claim_id for c in (first, second, third)] == ["B1", "B2-1", "B2-2"]
    assert [c.header.patient_sex for c in (first, second, third) if c.header] == ["M", "F", "F"]
    assert [line.line.rendering_npi for c in (first, second, third) for line in c.lines if line.line] == [
        "1234567893"
    ] * 3
    assert not any(line.problems for c in (first, second, third) for line in c.lines)
    assert [line.location for c in (first, second, third) for line in c.lines] == [
        {"file": "Bundles.ndjson", "line": 1, "resource": "Claim/B1", "entry": 2, "item": 1},
        {"file": "Bundles.ndjson", "line": 3, "resource": "Claim/B2-1", "entry": 2, "item": 1},
        {"file": "Bundles.ndjson", "line": 3, "resource": "Claim/B2-2", "entry": 3, "item": 7},
    ]
    assert third.lines[0].origin == "Bundles.ndjson line 3 entry 3 Claim/B2-2 item 7"
    assert [(line.origin, problems(line)) for line in broken.lines + misspelt.lines] == [
        ("Bundles.ndjson line 4", [("resource", "holds a Bundle whose entry is not a list of entries")]),
        (
            "Bundles.ndjson line 5 entry 0",
            [
                (
                    "resource",
                    "is not a FHIR resource (its resourceType is no FHIR type; they are case-sensitive, as in Claim)",
                )
            ],
        ),
    ]
