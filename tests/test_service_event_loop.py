"""The scrubbing service: what runs on the event loop and what is moved off it (reading a big bad body,
checking and encoding a big request or an 837 report)."""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")


import claimcheck
from tests.conftest import AS_OF
from tests.service_app import (
    AUTH,
    CLAIM,
    VALIDATE,
    _checked_on_the_loop,
    client_fixture,  # noqa: F401 (the client fixture)
    x12_body_fixture,  # noqa: F401 (the x12_body fixture)
)

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("body", "reader"),
    [(b"[" * 100_000, "_deepest"), (b'{"units": [' + b"1," * 50_000 + b"9" * 5000 + b"]}", "_long_integer")],
    ids=["nested", "long integer"],
)
def test_a_big_body_that_cannot_be_read_is_searched_off_the_event_loop(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, body: bytes, reader: str
) -> None:
    # Finding where 5 MB of such JSON goes wrong took the event loop 2-3 s, for every request.
    from claimcheck.service import json_body

    on_loop: list[bool] = []
    search = getattr(json_body, reader)

    def spy(text: str) -> Any:
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:
            on_loop.append(False)
        return search(text)

    monkeypatch.setattr(json_body, reader, spy)
    response = client.post(VALIDATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "json_invalid"
    assert on_loop == [False]


def test_a_small_claim_is_checked_on_the_event_loop(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    on_loop = _checked_on_the_loop(monkeypatch)
    assert client.post(VALIDATE, json=CLAIM, headers=AUTH).status_code == 200
    assert on_loop == [True, True]


@pytest.mark.parametrize(
    "claims",
    [
        # One line, but long lists: a few MB of it held the loop (and /healthz) for seconds.
        {**CLAIM, "lines": [{**CLAIM["lines"][0], "modifiers": ["26"] * 5000}]},
        # Checked in a thread, but its 1,000-claim report was encoded on the loop.
        [CLAIM] * 1000,
    ],
    ids=["one line with long lists", "1,000 claims"],
)
def test_a_big_request_is_checked_and_encoded_off_the_event_loop(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, claims: Any
) -> None:
    on_loop = _checked_on_the_loop(monkeypatch)
    response = client.post(VALIDATE, json=claims, headers=AUTH)
    assert response.status_code == 200
    assert on_loop == [False, False]
    expected = claimcheck.validate_many(claims if isinstance(claims, list) else [claims], as_of=AS_OF).to_dict()
    assert response.content == json.dumps(expected, separators=(",", ":")).encode("ascii")


def test_an_837_report_is_encoded_off_the_event_loop(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, x12_body: bytes
) -> None:
    on_loop = _checked_on_the_loop(monkeypatch)
    response = client.post("/v1/x12:validate", content=x12_body, headers={**AUTH, "Content-Type": "text/plain"})
    assert response.status_code == 200
    assert on_loop == [False, False]
