"""The scrubbing service: 837 bodies on the X12 endpoint: locations into the body, content types, form
uploads and compressed bodies refused, bodies that are no 837."""

from __future__ import annotations

import gzip
import json
import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")


from claimcheck.io.readers import READERS
from claimcheck.service.schemas import ReportOut
from tests.service_app import (
    AUTH,
    CLAIM,
    VALIDATE,
    client_fixture,  # noqa: F401 (the client fixture)
    x12_body_fixture,  # noqa: F401 (the x12_body fixture)
)

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


@pytest.mark.parametrize("media_type", ["text/plain", "application/edi-x12"])
def test_an_837_body_gives_lines_that_point_into_it(client: TestClient, x12_body: bytes, media_type: str) -> None:
    response = client.post("/v1/x12:validate", content=x12_body, headers={**AUTH, "Content-Type": media_type})
    assert response.status_code == 200
    lines = response.json()["lines"]
    assert lines and all("segment" in line["location"] for line in lines)
    ReportOut.model_validate(response.json())


def test_x12_locations_name_the_request_body_or_the_file_name_the_caller_gives(
    client: TestClient, x12_body: bytes
) -> None:
    for query, name in [("", "request body"), ("?filename=batch%201.837", "batch 1.837")]:
        response = client.post(f"/v1/x12:validate{query}", content=x12_body, headers=AUTH)
        assert {line["location"]["file"] for line in response.json()["lines"]} == {name}


@pytest.mark.parametrize("name", ["..", ".", "a/b", "a\\b", "a\x00b", "é" * 101, "", "\x85x", "a\u202eb.837"])
def test_an_x12_file_name_that_is_not_one_gets_422(client: TestClient, x12_body: bytes, name: str) -> None:
    response = client.post("/v1/x12:validate", params={"filename": name}, content=x12_body, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "filename"]


@pytest.mark.parametrize("media_type", [None, "application/octet-stream", "application/x-www-form-urlencoded"])
def test_an_837_is_read_whatever_its_content_type_but_json(
    client: TestClient, x12_body: bytes, media_type: str | None
) -> None:
    headers = AUTH if media_type is None else {**AUTH, "Content-Type": media_type}
    response = client.post("/v1/x12:validate", content=x12_body, headers=headers)
    assert response.status_code == 200 and response.json()["lines"]


def test_the_x12_endpoint_sends_json_to_the_claims_endpoint(client: TestClient, x12_body: bytes) -> None:
    as_json = client.post("/v1/x12:validate", content=x12_body, headers={**AUTH, "Content-Type": "application/json"})
    assert as_json.status_code == 415
    assert "/v1/claims:validate" in as_json.json()["detail"]


@pytest.mark.parametrize("path", [VALIDATE, "/v1/x12:validate"])
def test_a_form_upload_gets_415_saying_to_send_the_file_as_the_body(
    client: TestClient, x12_body: bytes, path: str
) -> None:
    # curl -F file=@batch.837 was told "does not start with an ISA segment" of a file that does,
    # and -F file=@claims.json "Expecting value" at offset 0: the form's boundary came first.
    content = x12_body if "x12" in path else json.dumps(CLAIM).encode()
    response = client.post(path, files={"file": ("batch", content)}, headers=AUTH)
    assert response.status_code == 415
    assert "--data-binary @FILE" in response.json()["detail"]
    assert "415" in client.get("/openapi.json").json()["paths"][path.split("?")[0]]["post"]["responses"]


@pytest.mark.parametrize("path", [VALIDATE, "/v1/x12:validate"])
def test_a_compressed_body_gets_415_asking_for_it_plain(client: TestClient, x12_body: bytes, path: str) -> None:
    # The Content-Encoding was ignored: gzipped claims were "not valid UTF-8" at offset 1, and a
    # gzipped 837 "does not start with an ISA segment".
    content = gzip.compress(x12_body if "x12" in path else json.dumps(CLAIM).encode())
    response = client.post(path, content=content, headers={**AUTH, "Content-Encoding": "gzip"})
    assert response.status_code == 415
    assert response.json()["detail"].startswith("the body is compressed (Content-Encoding: gzip)")
    assert response.headers["Accept-Encoding"] == "identity"  # RFC 7694: what the service reads
    plain = client.post(path, content=gzip.decompress(content), headers={**AUTH, "Content-Encoding": "identity"})
    assert plain.status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not an 837", "the body is not an X12 837 that can be read: does not start with an ISA segment"),
        (b"\x00\x01\xff garbage", "the body is not an X12 837"),
        (b"", "the body is empty"),
        (b" \r\n", "the body is empty"),
    ],
)
def test_a_body_that_is_not_an_837_gets_422_saying_so(
    client: TestClient, x12_body: bytes, body: bytes, message: str
) -> None:
    response = client.post("/v1/x12:validate", content=body, headers={**AUTH, "Content-Type": "text/plain"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body"] and error["msg"].startswith(message)
    assert "claimcheck-" not in error["msg"]  # not the temporary file's path


def test_without_an_x12_reader_the_endpoint_answers_501(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(READERS, "x12", raising=False)
    response = client.post("/v1/x12:validate", content=b"ISA*00*", headers={**AUTH, "Content-Type": "text/plain"})
    assert response.status_code == 501
