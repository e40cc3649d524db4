"""Reports echo claim ids and codes: no response may be kept by a proxy or a browser cache."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi")

from claimcheck.service import Settings, create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

KEY = "cache-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
CLAIM = {"claim_id": "C1", "lines": [{"line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10"}]}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(api_keys=(KEY,)))) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/claims:validate", CLAIM),
        ("POST", "/v1/claims:validate", [1]),
        ("GET", "/v1/rules", None),
        ("GET", "/nowhere", None),
        ("GET", "/healthz", None),
    ],
)
def test_every_response_says_no_store(client: TestClient, method: str, path: str, body: object) -> None:
    response = client.request(method, path, json=body, headers=AUTH)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_refused_request_says_no_store_too(client: TestClient) -> None:
    assert client.post("/v1/claims:validate", json=CLAIM).headers["Cache-Control"] == "no-store"
