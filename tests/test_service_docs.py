"""The service fetches nothing from outside: no CDN-loaded docs pages; the root and 404 point to /openapi.json."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi")

from claimcheck.service import Settings, create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

KEY = "docs-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
_URL = re.compile(rb"(?i)(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}")


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(api_keys=(KEY,)))) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_no_docs_page_that_loads_scripts_from_a_cdn_is_served(client: TestClient, path: str) -> None:
    # In a hospital network the CDN is unreachable and the page was blank.
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert "/openapi.json" in response.json()["detail"]


def test_the_root_names_the_endpoints_and_the_openapi_document_without_a_key(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.json()
    assert body["openapi"] == "/openapi.json"
    assert "POST /v1/claims:validate" in body["endpoints"]
    assert "POST /v1/x12:validate" in body["endpoints"]


def test_an_unknown_path_gets_a_404_pointing_to_the_openapi_document(client: TestClient) -> None:
    response = client.get("/v1/claim:validate", headers=AUTH)
    assert response.status_code == 404
    assert "/openapi.json" in response.json()["detail"]
    # Without a key, a client still learns nothing of the paths.
    assert client.get("/v1/claim:validate").status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/", "/docs", "/redoc", "/docs/oauth2-redirect", "/openapi.json", "/healthz", "/v1/rules", "/metrics", "/x"],
)
def test_no_response_names_an_address_outside_the_service(client: TestClient, path: str) -> None:
    response = client.get(path, headers=AUTH)
    assert not _URL.search(response.content), response.content[:200]
