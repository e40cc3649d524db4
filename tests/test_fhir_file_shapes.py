"""FHIR input: what a file holds and how it is recognised: JSON arrays of resources, DOS end-of-file
marks, compressed or UTF-16 files, files without claims, and a resourceType far past the head."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.errors import ClaimCheckError, InputError
from claimcheck.io import readers
from claimcheck.io.readers.fhir import looks_like_fhir, read_fhir, resource_type_past_head
from tests.conftest import AS_OF
from tests.fhir_inputs import FIXTURES, fixture, problems, write

pytest.importorskip("fhir.resources", reason="the fhir extra is not installed: pip install 'claimcheck[fhir]'")


def _sorted_bundle(copies: int) -> dict[str, Any]:
    """The two-claim Bundle with its Claims copied, as jq -S or sort_keys writes it: every key in
    order, so the Bundle's entry (all of it) comes before its resourceType."""
    bundle = fixture("bundle-two-claims.json")
    claims = [entry for entry in bundle["entry"] if entry["resource"]["resourceType"] == "Claim"]
    others = [entry for entry in bundle["entry"] if entry["resource"]["resourceType"] != "Claim"]
    copied = []
    for number in range(copies):
        for entry in claims:
            resource = {**entry["resource"], "id": f"{entry['resource']['id']}-{number}"}
            copied.append({"resource": resource})
    return {**bundle, "entry": others + copied}


@pytest.mark.parametrize(
    "padding",
    [b"\x1a", b"\r\n\x1a", b"\n" + b"\x00" * 300, b"\x00\x1a\n\x00"],
    ids=["eof", "crlf-eof", "nuls", "mixed"],
)
@pytest.mark.parametrize("kind", ["claim", "bundle", "ndjson", "one-line ndjson"])
def test_a_dos_end_of_file_mark_or_nul_padding_ends_a_fhir_file(tmp_path: Path, kind: str, padding: bytes) -> None:
    # As the CSV, JSON and X12 readers take it: the .json file was refused as "Extra data", and
    # an NDJSON file got a line that was no JSON.
    claim = fixture("claim-professional.json")
    if kind == "claim":
        text, ids = json.dumps(claim, indent=2), ["FX-PRO-1"]
    elif kind == "bundle":
        text, ids = (FIXTURES / "bundle-two-claims.json").read_text(encoding="utf-8"), ["FX-BUN-1", "FX-BUN-2"]
    elif kind == "ndjson":
        text, ids = json.dumps(claim) + "\n" + json.dumps({**claim, "id": "FX-PRO-2"}) + "\n", ["FX-PRO-1", "FX-PRO-2"]
    else:
        text, ids = json.dumps(claim) + "\n", ["FX-PRO-1"]
    path = tmp_path / ("Claim.ndjson" if "ndjson" in kind else "claim.json")
    path.write_bytes(text.encode() + padding)
    assert readers.detect_format(path) == "fhir"
    claims = list(read_fhir(path))
    assert [claim.claim_id for claim in claims] == ids
    assert not [p for claim in claims for line in claim.lines for p in line.problems if p.field == "resource"]


def test_a_dos_end_of_file_mark_with_data_after_it_is_data_in_fhir(tmp_path: Path) -> None:
    claim = json.dumps(fixture("claim-professional.json"))
    path = tmp_path / "Claim.ndjson"
    path.write_bytes(f"{claim}\n\x1a\n{claim}\n".encode())
    claims = list(read_fhir(path))
    assert [problems(line) for line in claims[1].lines] == [
        [("resource", "is not valid JSON (Expecting value, column 1)")]
    ]
    single = tmp_path / "claim.json"
    single.write_bytes(f"{claim}\x1a{{}}".encode())
    with pytest.raises(InputError, match="Extra data"):
        list(read_fhir(single))


def test_a_json_array_of_claims_is_read_whole_not_as_ndjson(tmp_path: Path) -> None:
    # Its second line is a whole resource, as NDJSON cut off in its first line has: still one
    # JSON document, whose Claims are read from the array (it was refused whole before arrays of
    # resources were read), not lines of which two ("[" and "]") are no JSON.
    path = tmp_path / "claims.json"
    path.write_text("[\n" + json.dumps(fixture("claim-professional.json")) + "\n]\n")
    (claim,) = read_fhir(path)
    assert claim.claim_id == "FX-PRO-1"
    assert [line.location for line in claim.lines] == [
        {"file": "claims.json", "resource": "Claim/FX-PRO-1", "entry": 0, "item": 1}
    ]
    assert not [problem for line in claim.lines for problem in line.problems]


def test_a_json_array_whose_first_claim_has_its_resource_type_past_the_head_is_still_fhir(tmp_path: Path) -> None:
    # jq -S -s: keys sorted put a big Claim's resourceType after its items, past the 64 KiB head.
    claim = fixture("claim-professional.json")
    claim["item"] = [{**claim["item"][0], "sequence": n} for n in range(1, 400)]
    path = tmp_path / "sorted.json"
    path.write_text(json.dumps([claim, {**claim, "id": "FX-PRO-2"}], sort_keys=True, indent=2), encoding="utf-8")
    assert path.read_text(encoding="utf-8").find('"resourceType": "Claim"') > 65_536
    assert readers.detect_format(path) == "fhir"
    assert len(claimcheck.validate_file(path, as_of=AS_OF).lines) == 798
    ours = tmp_path / "claims.json"
    lines = [{"line_number": n, "procedure_code": "0711T", "note": {"resourceType": "Claim"}} for n in range(900)]
    ours.write_text(json.dumps([{"claim_id": "C1", "lines": lines}, {"resourceType": "Claim"}]), encoding="utf-8")
    assert ours.stat().st_size > 65_536
    assert readers.detect_format(ours) == "json"


def test_a_json_array_of_bundles_says_each_bundle_needs_a_file_of_its_own(tmp_path: Path) -> None:
    # jq -s over Bundle files: refused as "the list holds no Claim resource", with Claims in it.
    bundle = fixture("bundle-two-claims.json")
    path = tmp_path / "bundles.json"
    path.write_text(json.dumps([bundle, bundle]), encoding="utf-8")
    assert readers.detect_format(path) == "fhir"
    lines = [line for claim in read_fhir(path) for line in claim.lines]
    assert [(line.location or {}).get("entry") for line in lines] == [0, 1]
    assert {problems(line)[0][1] for line in lines} == {
        "holds a Bundle with Claims in it, which are not read: give each Bundle a file of its own"
    }


def test_a_json_array_of_fhir_resources_as_jq_slurps_them_is_read_as_fhir(tmp_path: Path) -> None:
    # jq -s writes resources together as an array: it was taken for the JSON claims shape, and
    # each Claim became one row saying claim_id is required, whatever its items.
    claim = fixture("claim-professional.json")
    second = {**claim, "id": "FX-PRO-2", "item": [{**claim["item"][0], "sequence": n} for n in (1, 2)]}
    patient = {"resourceType": "Patient", "id": "p9"}
    for indent in (None, 2):
        path = tmp_path / "slurped.json"
        path.write_text(json.dumps([claim, patient, second, {"claim_id": "C1"}], indent=indent), encoding="utf-8")
        assert readers.detect_format(path) == "fhir"
        lines = [line for claim in readers.read_claims(path) for line in claim.lines]
        assert [(line.location or {}).get("entry") for line in lines] == [0, 2, 2, 3]
        assert [line.line_number for line in lines] == [1, 1, 2, None]
        assert problems(lines[3]) == [("resource", "is not a FHIR resource (it has no resourceType)")]
        assert not [p for line in lines[:3] for p in line.problems]
    ours = tmp_path / "claims.json"
    ours.write_text(json.dumps([{"claim_id": "C1", "lines": [], "note": {"resourceType": "Claim"}}]))
    assert readers.detect_format(ours) == "json"
    patients = tmp_path / "patients.json"
    patients.write_text(json.dumps([patient, patient]))
    with pytest.raises(InputError, match=r"the list holds no Claim resource; it holds Patient \(2\)"):
        list(read_fhir(patients))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json at all", "is not valid JSON"),
        # An empty file was "line 4: is not valid JSON (Expecting value, column 1)", past its end.
        ("\ufeff\n\n  \n", "is empty: it holds no FHIR resource"),
        ('{"resourceType": "Patient", "id": "p"}', "it holds a Patient resource"),
        ('[{"claim_id": "C1"}]', "it holds no FHIR resource"),
        ('{"resourceType": "Bundle", "entry": {}}', "Bundle.entry: must be a list of entries"),
        ('{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}]}', "holds no Claim"),
    ],
)
def test_unreadable_files_raise_input_error(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "input.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=expected) as caught:
        list(read_fhir(path))
    assert caught.value.file == str(path)


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (lambda text: gzip.compress(text.encode()), "is gzip-compressed"),
        (lambda text: text.encode("utf-16"), "is UTF-16 text"),
    ],
    ids=["gzip", "utf-16"],
)
def test_a_compressed_or_utf16_file_read_as_fhir_says_what_it_is(tmp_path: Path, encode: Any, expected: str) -> None:
    # A Bulk export as downloaded (Claim.ndjson.gz) given with --input-format fhir was only "is
    # not UTF-8 text"; format detection already said what such a file is.
    path = tmp_path / "Claim.ndjson.gz"
    text = "".join(json.dumps({**fixture("claim-professional.json"), "id": f"C{n}"}) + "\n" for n in (1, 2))
    path.write_bytes(encode(text))
    with pytest.raises(InputError, match=expected):
        list(read_fhir(path))


def test_a_file_without_claims_says_what_it_holds_instead(tmp_path: Path) -> None:
    # An ExplanationOfBenefit export (CMS Blue Button, CARIN) given for checking was only "holds
    # no Claim resource", which did not say why a file full of claims data was refused.
    eob = {"resourceType": "ExplanationOfBenefit", "id": "e"}
    kinds = ["ExplanationOfBenefit"] * 3 + ["Patient", "Coverage", "Coverage", "Organization"]
    path = tmp_path / "ExplanationOfBenefit.ndjson"
    path.write_text("".join(json.dumps({"resourceType": kind, "id": "x"}) + "\n" for kind in kinds))
    with pytest.raises(InputError) as caught:
        list(read_fhir(path))
    assert caught.value.problem == (
        "the NDJSON file holds no Claim resource; it holds ExplanationOfBenefit (3), Coverage (2), Patient (1), "
        "and others, and claimcheck reads Claim resources only"
    )
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": eob}, {"resource": eob}]}
    with pytest.raises(InputError) as caught:
        list(read_fhir(write(tmp_path, bundle)))
    assert caught.value.problem == (
        "the Bundle holds no Claim resource; it holds ExplanationOfBenefit (2), and claimcheck reads Claim "
        "resources only"
    )


def test_missing_extra_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fhir.resources.R4B", None)  # makes the import fail
    with pytest.raises(ClaimCheckError, match=r"pip install 'claimcheck\[fhir\]'"):
        list(read_fhir(FIXTURES / "claim-professional.json"))


def test_looks_like_fhir() -> None:
    assert looks_like_fhir('{\n  "resourceType": "Claim",\n  "id": "1"')
    assert looks_like_fhir(' {"resourceType":"Bundle"')
    assert looks_like_fhir('{"id": "1", "resourceType": "Claim"')
    assert not looks_like_fhir('[{"resourceType": "Claim"}]')
    assert looks_like_fhir('{"resourceType": "Patient"}')  # for the FHIR reader to say it is no Claim
    assert not looks_like_fhir('{"claim_id": "C1", "lines": []}')


@pytest.mark.skipif("fhir" not in readers.READERS, reason="the fhir reader is not in the registry yet")
def test_registry_detects_fhir_json() -> None:
    assert readers.detect_format(FIXTURES / "claim-professional.json") == "fhir"
    assert readers.detect_format(FIXTURES / "bundle-two-claims.json") == "fhir"


@pytest.mark.parametrize("indent", [None, 2], ids=["compact", "indented"])
def test_a_bundle_whose_resource_type_comes_past_the_head_is_still_fhir(tmp_path: Path, indent: int | None) -> None:
    # Keys sorted put resourceType after a Bundle's entries; past the 64 KiB head the file was taken
    # for the JSON claims shape, and its 300 lines became one row: "claim_id is required".
    path = tmp_path / "sorted.json"
    path.write_text(json.dumps(_sorted_bundle(100), sort_keys=True, indent=indent), encoding="utf-8")
    assert path.stat().st_size > 65_536 and path.read_text(encoding="utf-8").rfind('"resourceType"') > 65_536
    assert readers.detect_format(path) == "fhir"
    assert len(claimcheck.validate_file(path, as_of=AS_OF).lines) == 300


def test_a_long_json_claim_object_without_resource_type_is_still_the_claims_shape(tmp_path: Path) -> None:
    # A key named resourceType deeper in, or in a string, is not the object's own.
    lines = [{"line_number": n, "procedure_code": "0711T", "note": '{"resourceType": "Claim"}'} for n in range(900)]
    claim = {"claim_id": "C1", "lines": lines, "extra": {"resourceType": "Claim"}}
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim), encoding="utf-8")
    assert path.stat().st_size > 65_536
    assert readers.detect_format(path) == "json"


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 1 << 20])
def test_the_resource_type_past_the_head_is_its_own_key_wherever_chunks_cut_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr("claimcheck.io.readers.fhir._lines._CHUNK", chunk)
    documents = [
        {"a": 'x\\"{[', "b\\": ["resourceType", {"resourceType": 1}], "resourceType": "Bundle"},
        {"a": '"resourceType": "Claim"', "b": {"resourceType": "Claim"}},
        {"resourceTypes": 1, "resourceTyp": 2, "c": "\\\\"},
        {"z": "\u00e9\\", "resourceType": "Claim"},
    ]
    found = []
    for number, document in enumerate(documents):
        path = tmp_path / f"{number}.json"
        path.write_text(json.dumps(document) + "\n" + json.dumps({"resourceType": "Claim"}), encoding="utf-8")
        found.append(resource_type_past_head(path))
    assert found == [True, False, False, True]
