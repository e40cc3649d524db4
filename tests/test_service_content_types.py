"""Bodies as billing systems send them: any Content-Type, declared charsets, 837 line endings."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi")

from claimcheck.io.readers import READERS
from claimcheck.service import Settings, create_app
from tests.conftest import ROOT

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

KEY = "content-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
CLAIM: dict[str, Any] = {
    "claim_id": "C1-Peña",
    "payer": "Caja Médica",
    "lines": [{"line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10"}],
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(api_keys=(KEY,)))) as test_client:
        yield test_client


def _post(client: TestClient, body: bytes, content_type: str | None) -> Any:
    headers = dict(AUTH) if content_type is None else {**AUTH, "Content-Type": content_type}
    return client.post("/v1/claims:validate", content=body, headers=headers)


@pytest.mark.parametrize("charset", ["windows-1252", "iso-8859-1", "ISO-8859-1", '"latin1"'])
def test_a_body_in_the_charset_its_content_type_declares_is_read_in_it(client: TestClient, charset: str) -> None:
    # .NET's Encoding.Default and Java's text/plain default send Latin-1 and say so.
    body = json.dumps(CLAIM, ensure_ascii=False).encode("cp1252")
    response = _post(client, body, f"application/json; charset={charset}")
    assert response.status_code == 200, response.text
    assert response.json()["lines"][0]["claim_id"] == "C1-Peña"


def test_a_utf8_body_that_declares_latin1_is_still_read_as_utf8(client: TestClient) -> None:
    # Valid UTF-8 is what JSON is: read as Latin-1 it would turn "ñ" into "Ã±" in silence.
    response = _post(client, json.dumps(CLAIM, ensure_ascii=False).encode(), "text/plain; charset=ISO-8859-1")
    assert response.json()["lines"][0]["claim_id"] == "C1-Peña"


def test_a_body_not_in_utf8_that_declares_no_charset_is_told_how_to(client: TestClient) -> None:
    body = json.dumps(CLAIM, ensure_ascii=False).encode("cp1252")
    response = _post(client, body, "application/json")
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", body.index(b"\xf1")]
    assert "charset" in error["ctx"]["error"]


@pytest.mark.parametrize("charset", ["no-such-charset", "utf-8"])
def test_a_charset_that_does_not_read_the_body_is_a_422_not_a_500(client: TestClient, charset: str) -> None:
    body = json.dumps(CLAIM, ensure_ascii=False).encode("cp1252")
    response = _post(client, body, f"application/json; charset={charset}")
    assert response.status_code == 422
    assert "not valid UTF-8" in response.json()["detail"][0]["ctx"]["error"]


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=UTF-8",
        "application/vnd.api+json",
    ],
)
def test_json_is_read_whatever_the_content_type(client: TestClient, content_type: str | None) -> None:
    response = _post(client, json.dumps(CLAIM).encode(), content_type)
    assert response.status_code == 200


def test_a_utf8_byte_order_mark_is_not_part_of_the_body(client: TestClient) -> None:
    assert _post(client, b"\xef\xbb\xbf" + json.dumps(CLAIM).encode(), "application/json").status_code == 200


def _flat_837() -> tuple[bytes, bytes]:
    raw = (ROOT / "fixtures" / "x12" / "professional.837").read_bytes()
    flat = re.sub(rb"[\r\n]", b"", raw)
    return flat, flat[105:106]  # ISA16, the segment terminator


def _terminated(ending: bytes) -> bytes:
    flat, terminator = _flat_837()
    return flat.replace(terminator, terminator + ending)


@pytest.mark.skipif("x12" not in READERS, reason="no X12 reader in this build")
@pytest.mark.parametrize(
    "body",
    [
        _terminated(b""),
        _terminated(b"\n"),
        _terminated(b"\r\n"),
        _terminated(b"\r"),
        b"\r\n".join(_flat_837()[0][i : i + 80] for i in range(0, len(_flat_837()[0]), 80)),
    ],
    ids=["one-line", "LF", "CRLF", "CR", "wrapped-at-80"],
)
def test_an_837_reads_the_same_whatever_its_line_breaks(client: TestClient, body: bytes) -> None:
    response = client.post("/v1/x12:validate", content=body, headers={**AUTH, "Content-Type": "application/edi-x12"})
    assert response.status_code == 200
    lines = response.json()["lines"]
    assert [(line["claim_id"], line["line_number"], line["location"]["segment"]) for line in lines] == [
        ("P001", 1, 23),
        ("P001", 2, 26),
        ("P002", 1, 44),
    ]


@pytest.mark.parametrize("body", [b"", b"   ", b"\r\n", b"\n\t \n"])
def test_a_body_of_only_blanks_is_empty_as_an_empty_one_is(client: TestClient, body: bytes) -> None:
    # Blanks got "Expecting value" at their end, where the 837 endpoint says "the body is empty".
    response = _post(client, body, "application/json")
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["type"], error["loc"]) == ("missing", ["body"])
    assert error["msg"].startswith("the body is empty")
