"""The scrubbing service: access and error logs are JSON with counts and no claim content, and a client
that hangs up is a 499, not an error."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import warnings
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")


from claimcheck.service import create_app
from claimcheck.service.logs import JsonFormatter
from tests.service_app import (
    AUTH,
    CLAIM,
    KEY,
    SECRET_CLAIM_ID,
    SECRET_NPI,
    VALIDATE,
    client_fixture,  # noqa: F401 (the client fixture)
    make_settings,
)

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


def _post_and_hang_up(path: str) -> str:
    """Sends an ASGI request whose client goes away after part of its body; the metrics after it."""
    app = create_app(make_settings())
    incoming = iter([{"type": "http.request", "body": b"ISA*00*", "more_body": True}, {"type": "http.disconnect"}])

    async def receive() -> dict[str, Any]:
        return next(incoming)

    async def send(message: dict[str, Any]) -> None:
        pass  # nobody is listening

    headers = [(b"authorization", f"Bearer {KEY}".encode()), (b"content-length", b"100000")]
    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b""}
    scope |= {"headers": headers, "http_version": "1.1", "scheme": "http", "root_path": ""}
    scope |= {"client": ("127.0.0.1", 9), "server": ("127.0.0.1", 80), "app": app}
    asyncio.run(app(scope, receive, send))
    return str(app.state.service.metrics.render().decode())


# --- logs ------------------------------------------------------------------------------------------


def test_access_logs_are_json_with_counts_and_no_claim_content(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = client.post(VALIDATE, json=CLAIM, headers=AUTH)
    client.post(VALIDATE, content=json.dumps(CLAIM)[:-3], headers={**AUTH, "Content-Type": "application/json"})
    lines = [JsonFormatter().format(record) for record in caplog.records]
    for line in lines:
        assert SECRET_CLAIM_ID not in line and SECRET_NPI not in line and "0711T" not in line and "I70" not in line
    access = [json.loads(line) for line in lines if '"logger": "claimcheck.service.access"' in line]
    assert len(access) == 2
    first = access[0]
    assert first["request_id"] == response.headers["X-Request-Id"]
    assert (first["method"], first["route"], first["status"], first["claims"], first["lines"]) == (
        "POST",
        "/v1/claims:validate",
        200,
        1,
        2,
    )
    assert first["findings"]["fail"] >= 1 and first["latency_ms"] > 0
    assert access[1]["status"] == 422 and access[1]["claims"] == 0


@pytest.mark.parametrize("path", ["/v1/claims:validate", "/v1/x12:validate"])
def test_a_client_that_hangs_up_while_sending_is_logged_as_499_not_as_an_error(
    path: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The 837 endpoint logged an "internal error" with a traceback and counted a 500, and the
    # claims endpoint a 400 "error parsing the body": a dropped connection set off error alerts.
    caplog.set_level(logging.INFO)
    metrics = _post_and_hang_up(path)
    records = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    assert not [r for r in records if r["level"] == "error"]
    (access,) = [r for r in records if r["logger"] == "claimcheck.service.access"]
    assert (access["route"], access["status"]) == (path, 499)
    assert f'claimcheck_http_requests_total{{method="POST",route="{path}",status="499"}} 1.0' in metrics


def test_an_exception_is_logged_without_its_message() -> None:
    try:
        raise KeyError(SECRET_CLAIM_ID)
    except KeyError:
        record = logging.LogRecord("claimcheck.service", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    logged = json.loads(JsonFormatter().format(record))
    assert logged["error"]["type"] == "KeyError"
    assert SECRET_CLAIM_ID not in json.dumps(logged)
