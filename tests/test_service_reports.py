"""The scrubbing service: the reports it answers with, the rules endpoint, request ids and metrics."""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")


import claimcheck
from claimcheck.service.schemas import ReportOut
from tests.conftest import AS_OF
from tests.service_app import (
    AUTH,
    CLAIM,
    VALIDATE,
    client_fixture,  # noqa: F401 (the client fixture)
)

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


# --- reports ---------------------------------------------------------------------------------------


def test_one_claim_or_a_list_gives_the_lines_of_validate_many(client: TestClient) -> None:
    expected = claimcheck.validate_many([CLAIM, CLAIM], as_of=AS_OF).to_dict()
    single = client.post(VALIDATE, json=CLAIM, headers=AUTH).json()
    listed = client.post(VALIDATE, json=[CLAIM, CLAIM], headers=AUTH).json()
    assert listed == expected
    assert single["lines"] == expected["lines"][:2]
    ReportOut.model_validate(listed)  # the documented response model matches what is sent


def test_rules_lists_profiles_code_sets_and_the_version(client: TestClient) -> None:
    rules = claimcheck.load_rules()
    body = client.get("/v1/rules", headers=AUTH).json()
    assert body["rules_version"] == rules.version
    assert body["code_sets"] == rules.code_set_versions()
    assert {"code": "0711T", "title": rules.profiles["0711T"].title} in body["profiles"]


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    first, second = client.get("/healthz"), client.post(VALIDATE, json=CLAIM)
    assert len(first.headers["X-Request-Id"]) == 32
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


def test_metrics_count_requests_latency_and_findings(client: TestClient) -> None:
    findings = client.post(VALIDATE, json=CLAIM, headers=AUTH).json()["lines"]
    fails = sum(f["status"] == "fail" for line in findings for f in line["findings"])
    client.post(VALIDATE, json=CLAIM)
    client.get("/nowhere", headers=AUTH)
    text = client.get("/metrics", headers=AUTH).text
    assert 'claimcheck_http_requests_total{method="POST",route="/v1/claims:validate",status="200"} 1.0' in text
    assert 'claimcheck_http_requests_total{method="POST",route="/v1/claims:validate",status="401"} 1.0' in text
    assert 'claimcheck_http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert 'claimcheck_http_request_duration_seconds_count{route="/v1/claims:validate"} 2.0' in text
    assert 'claimcheck_http_request_duration_seconds_bucket{le="0.001",route="/v1/claims:validate"}' in text
    assert f'claimcheck_findings_total{{status="fail"}} {float(fails)}' in text
    assert "claimcheck_claims_total 1.0" in text
    assert "claimcheck_lines_total 2.0" in text
