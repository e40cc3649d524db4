"""Paths and methods as an integrating client meets them: trailing slashes, HEAD, OPTIONS, 405."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi")

from claimcheck.service import Settings, create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

KEY = "paths-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
CLAIM: dict[str, Any] = {
    "claim_id": "C1",
    "lines": [{"line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10"}],
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = create_app(Settings(api_keys=(KEY,)))
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def test_a_trailing_slash_is_a_404_naming_the_path_not_a_redirect(client: TestClient) -> None:
    # The 307 sent the claims to an absolute http:// address built from the Host header: behind a
    # TLS-terminating proxy, a client that follows it sends its key and the claims in clear text.
    response = client.post("/v1/claims:validate/", json=CLAIM, headers={**AUTH, "Host": "billing.example"})
    assert response.status_code == 404
    assert "location" not in response.headers
    assert "did you mean /v1/claims:validate?" in response.json()["detail"]
    assert client.get("/v1/rules/", headers=AUTH).status_code == 404


@pytest.mark.parametrize("path", ["/v1/rules", "/metrics", "/openapi.json", "/", "/healthz"])
def test_head_is_answered_wherever_get_is(client: TestClient, path: str) -> None:
    # RFC 9110 9.3.2: a HEAD is a GET without the body; uptime monitors and caches send it.
    got = client.get(path, headers=AUTH)
    response = client.head(path, headers=AUTH)
    assert (response.status_code, response.content) == (200, b"")
    assert response.headers["content-type"] == got.headers["content-type"]


def test_head_without_a_key_gets_401_as_get_does(client: TestClient) -> None:
    assert client.head("/v1/rules").status_code == 401


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/v1/claims:validate", "OPTIONS, POST"),
        ("/v1/x12:validate", "OPTIONS, POST"),
        ("/v1/rules", "GET, HEAD, OPTIONS"),
        ("/v1/rules:reload", "OPTIONS, POST"),
        ("/healthz", "GET, HEAD, OPTIONS"),
    ],
)
def test_options_lists_the_methods_of_a_path(client: TestClient, path: str, allowed: str) -> None:
    response = client.options(path)
    assert response.status_code == 204
    assert response.headers["allow"] == allowed
    assert response.content == b""


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/claims:validate"), ("HEAD", "/v1/x12:validate")])
def test_a_method_a_path_does_not_take_gets_405_saying_which_it_takes(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path, headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == "OPTIONS, POST"
    if method == "GET":
        assert response.json() == {"detail": f"{method} is not allowed on {path}: it takes POST"}


def test_a_delete_of_the_rules_gets_405_listing_get_and_head(client: TestClient) -> None:
    response = client.delete("/v1/rules", headers=AUTH)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.json()["detail"] == "DELETE is not allowed on /v1/rules: it takes GET, HEAD"


def test_head_and_options_are_counted_as_sent(client: TestClient) -> None:
    client.head("/v1/rules", headers=AUTH)
    client.options("/v1/rules")
    text = client.get("/metrics", headers=AUTH).text
    assert 'claimcheck_http_requests_total{method="HEAD",route="/v1/rules",status="200"} 1.0' in text
    assert 'claimcheck_http_requests_total{method="OPTIONS",route="/v1/rules",status="204"} 1.0' in text
