"""The scrubbing service: request limits: body size, claims and lines per request, and a report that
would repeat a long claim id on every line."""

from __future__ import annotations

import json
import re
import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")


from claimcheck.service import create_app
from tests.service_app import (
    AUTH,
    CLAIM,
    VALIDATE,
    _checked_on_the_loop,
    client_fixture,  # noqa: F401 (the client fixture)
    make_settings,
    x12_body_fixture,  # noqa: F401 (the x12_body fixture)
)

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


# --- limits and malformed input --------------------------------------------------------------------


@pytest.mark.parametrize("path", [VALIDATE, "/v1/x12:validate"])
def test_a_body_over_the_limit_gets_413_stating_it_by_content_length_or_while_read(path: str) -> None:
    stated = {"detail": "the request body is larger than this service's limit of 1,000 bytes"}
    with TestClient(create_app(make_settings(max_body_bytes=1000))) as client:
        big = json.dumps([CLAIM] * 10).encode()
        announced = client.post(path, content=big, headers={**AUTH, "Content-Type": "text/plain"})
        assert (announced.status_code, announced.json()) == (413, stated)
        chunks = iter([big[:600], big[600:]])  # streamed: no Content-Length, counted while read
        streamed = client.post(path, content=chunks, headers={**AUTH, "Content-Type": "text/plain"})
        assert (streamed.status_code, streamed.json()) == (413, stated)
        assert client.post(path, content=big, headers={"Content-Type": "text/plain"}).status_code == 401
        assert client.post(VALIDATE, json=CLAIM, headers=AUTH).status_code == 200


def test_the_default_limit_is_5_mb() -> None:
    assert make_settings().max_body_bytes == 5_000_000


def test_up_to_1000_claims_are_checked_and_1001_get_422(client: TestClient) -> None:
    small = {"claim_id": "C", "lines": [{"line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10"}]}
    response = client.post(VALIDATE, json=[small] * 1001, headers=AUTH)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body"] and error["type"] == "too_long"
    assert "input" not in error  # the claims are not echoed back
    # As the line limit's 422 says it; pydantic's was "List should have at most 1000 items after validation".
    assert error["msg"] == "a request may carry at most 1,000 claims, not 1,001: send them in several requests"
    assert client.post(VALIDATE, json=[small] * 1000, headers=AUTH).json()["summary"]["lines"] == 1000


def test_a_request_of_more_than_100000_lines_gets_422_before_it_is_checked(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each line, even a bare 0, gets a row of findings: 5 MB of "0," made 2.5 million rows, a
    # report of ~800 MB and GBs of memory from one request (1 MB took 15 s and 820 MB).
    from claimcheck.service.schemas import MAX_LINES

    assert MAX_LINES == 100_000
    monkeypatch.setattr("claimcheck.service.routes.MAX_LINES", 10)
    checked = _checked_on_the_loop(monkeypatch)
    claims = [{"claim_id": "C", "lines": [0] * 6}, {"claim_id": "D", "lines": [0] * 5}]
    response = client.post(VALIDATE, json=claims, headers=AUTH)
    assert response.status_code == 422 and checked == []
    (error,) = response.json()["detail"]
    assert (error["type"], error["loc"], error["ctx"]) == ("too_long", ["body"], {"max_lines": 10, "actual_lines": 11})
    assert "at most 10 claim lines" in error["msg"]
    assert client.post(VALIDATE, json=[{"claim_id": "C", "lines": [0] * 10}], headers=AUTH).status_code == 200


def test_a_report_that_would_repeat_a_long_claim_id_on_every_line_gets_422(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, x12_body: bytes
) -> None:
    # Every line of the report repeats its claim id: a 100 KB id on 500 lines answered 50 MB, and
    # 2.5 MB on 100,000 lines would have been 250 GB, from one 3 MB request.
    from claimcheck.service.routes import MAX_ECHOED_IDS

    assert MAX_ECHOED_IDS == 20_000_000
    monkeypatch.setattr("claimcheck.service.routes.MAX_ECHOED_IDS", 1000)
    claim = {"claim_id": "X" * 101, "lines": [0] * 10}
    response = client.post(VALIDATE, json=claim, headers=AUTH)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["type"], error["loc"]) == ("report_too_large", ["body"])
    assert error["ctx"] == {"max_characters": 1000, "characters": 1010}
    assert client.post(VALIDATE, json={**claim, "claim_id": "X" * 100}, headers=AUTH).status_code == 200
    monkeypatch.setattr("claimcheck.service.routes.MAX_ECHOED_IDS", 100_000)
    long_st02 = re.sub(rb"ST\*837\*[^*~]*", b"ST*837*" + b"9" * 50_000, x12_body, count=1)  # on each line's location
    x12 = client.post("/v1/x12:validate", content=long_st02, headers=AUTH)
    assert x12.status_code == 422 and x12.json()["detail"][0]["type"] == "report_too_large"
    assert client.post("/v1/x12:validate", content=x12_body, headers=AUTH).status_code == 200
