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
