"""Query parameters the service does not know, or gets twice, are a 422 naming them, on every route."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi")

from claimcheck.service import Settings, create_app

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

KEY = "query-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
CLAIM: dict[str, Any] = {
    "claim_id": "C1",
    "lines": [{"line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10"}],
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(api_keys=(KEY,)))) as test_client:
        yield test_client


def test_an_unknown_parameter_gets_422_naming_it_and_the_ones_taken(client: TestClient) -> None:
    response = client.post("/v1/claims:validate?strict=1", json=CLAIM, headers=AUTH)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["type"] == "query_unknown"
    assert error["loc"] == ["query", "strict"]
    assert error["ctx"] == {"allowed": ["as_of"]}
    assert "'strict'" in error["msg"] and "as_of" in error["msg"]


def test_a_misspelt_parameter_is_told_the_one_it_resembles(client: TestClient) -> None:
    # Silently ignored, ?asof= ran the checks as of today, not the day asked for.
    response = client.post("/v1/claims:validate?asof=2026-01-01", json=CLAIM, headers=AUTH)
    (error,) = response.json()["detail"]
    assert (response.status_code, error["loc"]) == (422, ["query", "asof"])
    assert "did you mean 'as_of'?" in error["msg"]


def test_the_x12_endpoint_names_both_its_parameters(client: TestClient) -> None:
    response = client.post("/v1/x12:validate?file_name=a.837", content=b"ISA", headers=AUTH)
    (error,) = response.json()["detail"]
    assert response.status_code == 422
    assert error["ctx"] == {"allowed": ["as_of", "filename"]}
    assert "did you mean 'filename'?" in error["msg"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/rules"),
        ("POST", "/v1/rules:reload"),
        ("GET", "/metrics"),
        ("GET", "/healthz"),
        ("GET", "/openapi.json"),
        ("GET", "/"),
    ],
)
def test_a_route_without_parameters_refuses_any(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, f"{path}?verbose=true", headers=AUTH)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["ctx"] == {"allowed": []}
    assert "takes no query parameters" in error["msg"]


def test_a_parameter_given_twice_gets_422_rather_than_one_chosen_in_silence(client: TestClient) -> None:
    response = client.post("/v1/claims:validate?as_of=2026-01-01&as_of=2026-06-01", json=CLAIM, headers=AUTH)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["type"], error["loc"]) == ("query_repeated", ["query", "as_of"])


def test_every_problem_of_the_query_is_listed_and_the_body_is_not_read(client: TestClient) -> None:
    body = b"[" * 10 + b"not json"
    response = client.post("/v1/claims:validate?a=1&b=2", content=body, headers=AUTH)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["query", "a"], ["query", "b"]]


def test_known_parameters_and_an_empty_query_are_taken(client: TestClient) -> None:
    assert client.post("/v1/claims:validate?as_of=2026-03-11", json=CLAIM, headers=AUTH).status_code == 200
    assert client.post("/v1/claims:validate?", json=CLAIM, headers=AUTH).status_code == 200


def test_a_long_parameter_name_is_not_echoed_whole(client: TestClient) -> None:
    name = "x" * 5000
    response = client.post(f"/v1/claims:validate?{name}=1", json=CLAIM, headers=AUTH)
    assert response.status_code == 422
    assert len(json.dumps(response.json())) < 1000


def test_without_a_key_the_query_is_not_judged(client: TestClient) -> None:
    assert client.post("/v1/claims:validate?strict=1", json=CLAIM).status_code == 401


def test_the_openapi_document_says_unknown_parameters_are_refused(client: TestClient) -> None:
    description = client.get("/openapi.json").json()["info"]["description"]
    assert "query parameter" in description


def test_a_parameter_in_other_case_is_told_the_one_it_means(client: TestClient) -> None:
    response = client.post("/v1/claims:validate?AS_OF=2026-01-01", json=CLAIM, headers=AUTH)
    (error,) = response.json()["detail"]
    assert "did you mean 'as_of'?" in error["msg"]
