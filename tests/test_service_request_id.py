"""A caller's X-Request-Id is taken as the request's id, so its logs and ours name one request."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi")

from claimcheck.service import Settings, create_app
from claimcheck.service.logs import JsonFormatter

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

KEY = "request-id-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(api_keys=(KEY,))), raise_server_exceptions=False) as test_client:
        yield test_client


def _access_records(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    records = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    return [record for record in records if record["logger"] == "claimcheck.service.access"]


@pytest.mark.parametrize("sent", ["billing-7f3a.42", "0f8fad5b-d9cb-469f-a165-70867728950e", "a" * 128])
def test_a_callers_request_id_is_echoed_and_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture, sent: str
) -> None:
    caplog.set_level(logging.INFO)
    response = client.get("/v1/rules", headers={**AUTH, "X-Request-Id": sent})
    assert response.headers["X-Request-Id"] == sent
    (record,) = _access_records(caplog)
    assert record["request_id"] == sent


def test_a_refused_request_echoes_it_too(client: TestClient) -> None:
    assert client.get("/v1/rules", headers={"X-Request-Id": "abc-1"}).headers["X-Request-Id"] == "abc-1"


@pytest.mark.parametrize("sent", ["", "has space", "a" * 129, "line\tbreak", "semi;colon", "ü-umlaut"])
def test_a_request_id_that_is_no_plain_token_is_replaced_by_the_services_own(client: TestClient, sent: str) -> None:
    # Written into JSON logs and headers: only a short token of safe characters is taken as it is.
    response = client.get("/healthz", headers={"X-Request-Id": sent.encode("utf-8")})
    answered = response.headers["X-Request-Id"]
    assert answered != sent and len(answered) == 32


def test_the_response_carries_one_request_id_header(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-Id": "abc-2"})
    assert response.headers.get_list("X-Request-Id") == ["abc-2"]
