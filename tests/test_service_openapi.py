"""The scrubbing service: the OpenAPI document (bodies, bearer scheme, the documented claim) and
requests generated from it, none of which may get a server error."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")

import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

import claimcheck
from claimcheck.io.readers import READERS
from claimcheck.service import create_app
from claimcheck.service.schemas import ClaimIn
from tests.conftest import AS_OF
from tests.service_app import (
    AUTH,
    CLAIM,
    client_fixture,  # noqa: F401 (the client fixture)
    make_settings,
)

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


def test_the_openapi_document_describes_the_bodies_and_the_bearer_scheme(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/v1/claims:validate"]["post"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]
    assert {"$ref": "#/components/schemas/ClaimIn"} in request["anyOf"]
    assert {"type": "array", "items": {"$ref": "#/components/schemas/ClaimIn"}, "maxItems": 1000} in request["anyOf"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReportOut")
    assert operation["security"] == [{"HTTPBearer": []}]
    assert {"401", "413", "422"} <= set(operation["responses"])
    assert {"401", "413", "422"} <= set(document["paths"]["/v1/x12:validate"]["post"]["responses"])
    assert document["components"]["schemas"]["ClaimIn"]["examples"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_the_documented_claim_takes_the_25_diagnoses_of_an_institutional_line() -> None:
    # The schema said at most 12 (an 837P claim's), so clients generated from it refused 837I
    # claims the service checks without an input finding.
    codes = ["I70.213", "I25.10", "R07.9", "I10", "E11.9"] * 5
    line = {**CLAIM["lines"][0], "diagnosis_codes": codes}
    claim = {**CLAIM, "lines": [line]}
    report = claimcheck.validate(claim, as_of=AS_OF)
    assert not [f for f in report.lines[0].findings if f.check.value == "input"]
    ClaimIn.model_validate(claim)


# --- fuzzing from the OpenAPI document -------------------------------------------------------------

# An 837 is text: let schemathesis send its generated strings as it does for text/plain.
schemathesis.serializer.alias("application/edi-x12", "text/plain")
fuzzed_schema: schemathesis.BaseSchema = schemathesis.openapi.from_asgi("/openapi.json", create_app(make_settings()))
if "x12" not in READERS:
    # Its 501 is deliberate until the X12 reader lands, and not_a_server_error counts any 5xx.
    fuzzed_schema = fuzzed_schema.exclude(path="/v1/x12:validate")


@fuzzed_schema.parametrize()
@hypothesis_settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case: Any) -> None:
    case.call_and_validate(headers=AUTH, checks=[not_a_server_error])
