"""The scrubbing service: malformed bodies and queries get a 422 that points at what is wrong (bad
JSON, wrong shapes, an 837 sent to the claims endpoint, as_of that is no date)."""

from __future__ import annotations

import json
import time
import warnings
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")


from tests.service_app import (
    AUTH,
    CLAIM,
    SECRET_CLAIM_ID,
    VALIDATE,
    client_fixture,  # noqa: F401 (the client fixture)
    x12_body_fixture,  # noqa: F401 (the x12_body fixture)
)

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (b'{"claim_id": "C1", "lines": [', ["body", 29]),
        (b"[{}, 42]", ["body", 1]),
        (b'"a claim"', ["body"]),
        (b"null", ["body"]),
    ],
)
def test_malformed_json_or_a_wrong_shape_gets_422_pointing_at_it(
    client: TestClient, body: bytes, loc: list[Any]
) -> None:
    response = client.post(VALIDATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_an_empty_body_gets_422_saying_it_is_empty(client: TestClient) -> None:
    # It was pydantic's "Field required", which does not say what was missing.
    response = client.post(VALIDATE, content=b"", headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body"], "msg": "the body is empty: send one claim object or a list of them"}
        ]
    }


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            b"null",
            {
                "type": "list_type",
                "loc": ["body"],
                "msg": "the body must be one claim object or a list of them, not null",
            },
        ),
        (
            b"42",
            {
                "type": "list_type",
                "loc": ["body"],
                "msg": "the body must be one claim object or a list of them, not a number",
            },
        ),
        (
            json.dumps(json.dumps(CLAIM)).encode(),
            {
                "type": "list_type",
                "loc": ["body"],
                "msg": "the body must be one claim object or a list of them, not a string "
                "(it holds JSON encoded a second time: send that JSON itself)",
            },
        ),
        (b'[{}, "C1"]', {"type": "dict_type", "loc": ["body", 1], "msg": "a claim must be an object, not a string"}),
        (b"[[{}]]", {"type": "dict_type", "loc": ["body", 0], "msg": "a claim must be an object, not a list"}),
    ],
)
def test_a_body_of_another_shape_gets_422_saying_what_it_is(
    client: TestClient, body: bytes, detail: dict[str, Any]
) -> None:
    # It was pydantic's "Input should be a valid list" (though one claim object is taken too) or
    # "a valid dictionary", which did not say what had been sent: a claim JSON-encoded twice, say.
    response = client.post(VALIDATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json() == {"detail": [detail]}
    assert SECRET_CLAIM_ID not in response.text


@pytest.mark.parametrize(
    ("body", "offset", "error"),
    [
        (b'{"claim_id": "C\xff1", "lines": []}', 15, "not valid UTF-8"),
        (b'{"claim_id": "\xc3\xa9", "x": "\xff"}', 24, "not valid UTF-8"),  # characters, not bytes
        (b'{"claim_id": "C1", "lines": ' + b"[" * 5000, 28 + 4999, "nested too deeply"),
        (b'{"claim_id": "1111", "units": ' + b"9" * 5000 + b"}", 30, "too many digits"),
    ],
)
def test_json_the_parser_cannot_read_gets_422_pointing_at_it_not_400(
    client: TestClient, body: bytes, offset: int, error: str
) -> None:
    response = client.post(VALIDATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert detail["type"] == "json_invalid" and detail["loc"] == ["body", offset]
    assert error in detail["ctx"]["error"]


def test_an_unclosed_string_after_deep_nesting_is_found_in_linear_time(client: TestClient) -> None:
    # Each escaped quote of the string began a new try at a string running to the end of the
    # body: 83 KB took 40 s to answer, holding the whole process (5 MB would take days).
    body = b"[" * 3000 + b'"' + b'\\"' * 40_000
    started = time.monotonic()
    response = client.post(VALIDATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert time.monotonic() - started < 5
    (detail,) = response.json()["detail"]
    assert (response.status_code, detail["loc"]) == (422, ["body", 2999])
    assert "nested too deeply" in detail["ctx"]["error"]


@pytest.mark.parametrize("media_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_json_body_is_read_as_json_whatever_its_content_type(client: TestClient, media_type: str | None) -> None:
    headers = AUTH if media_type is None else {**AUTH, "Content-Type": media_type}
    response = client.post(VALIDATE, content=json.dumps(CLAIM).encode(), headers=headers)
    assert response.request.headers.get("content-type") == media_type  # httpx adds none of its own
    assert response.status_code == 200
    assert response.json() == client.post(VALIDATE, json=CLAIM, headers=AUTH).json()


def test_an_837_sent_to_the_claims_endpoint_is_told_where_it_goes(client: TestClient, x12_body: bytes) -> None:
    # It was "Expecting value" at offset 0; the 837 endpoint names this one for JSON (415).
    response = client.post(
        VALIDATE, content=b"\r\n" + x12_body, headers={**AUTH, "Content-Type": "application/edi-x12"}
    )
    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert (detail["type"], detail["loc"]) == ("json_invalid", ["body", 2])
    assert detail["ctx"]["error"] == "an X12 837, not JSON: send it to /v1/x12:validate"


def test_a_body_that_is_not_json_gets_422(client: TestClient) -> None:
    response = client.post(VALIDATE, content=b"claim_id,lines", headers={**AUTH, "Content-Type": "text/csv"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", 0]


@pytest.mark.parametrize(
    "as_of", ["0", "1700000000", "2026-03-10T00:00:00", "20260310", "2026-02-30", "２０２６-03-10"]
)
@pytest.mark.parametrize("path", ["/v1/claims:validate", "/v1/x12:validate"])
def test_as_of_must_be_a_calendar_date(client: TestClient, path: str, as_of: str) -> None:
    response = client.post(path, params={"as_of": as_of}, json=CLAIM, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "as_of"]


def test_a_query_value_error_says_what_is_wrong_in_its_context_too(client: TestClient) -> None:
    (detail,) = client.post(VALIDATE.split("?")[0], params={"as_of": "soon"}, json=CLAIM, headers=AUTH).json()["detail"]
    # The ValueError was encoded as an empty object: "ctx": {"error": {}}.
    assert detail["ctx"] == {"error": "must be a calendar date, YYYY-MM-DD"}
