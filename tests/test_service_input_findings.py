"""The scrubbing service: claims with bad fields, unknown or repeated keys and lone surrogates get input
findings, and an unexpected error is a JSON 500 with nothing of the claim."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")


import claimcheck
from claimcheck.service import create_app
from claimcheck.service.logs import JsonFormatter
from tests.conftest import AS_OF
from tests.service_app import (
    AUTH,
    CLAIM,
    SECRET_CLAIM_ID,
    VALIDATE,
    client_fixture,  # noqa: F401 (the client fixture)
    make_settings,
)

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


def test_a_claim_with_bad_fields_gets_200_with_input_findings(client: TestClient) -> None:
    bad = {"claim_id": "C9", "patient_sex": "X", "lines": [{"line_number": "one", "procedure_code": 7}, "a line"]}
    response = client.post(VALIDATE, json=[bad, {"lines": "none"}], headers=AUTH)
    assert response.status_code == 200
    lines = response.json()["lines"]
    assert len(lines) == 3
    assert all(line["status"] == "fail" for line in lines)
    assert all(any(f["check"] == "input" for f in line["findings"]) for line in lines)


def test_a_key_that_no_field_reads_is_an_input_warning_as_in_a_json_claims_file(
    client: TestClient, tmp_path: Path
) -> None:
    # A misspelt key ("modifier", "patient_gender") was dropped without a word: the line passed with
    # its GN modifier unchecked, where `claimcheck check claims.json` warns of the key.
    claim = {**CLAIM, "patient_gender": "F", "lines": [{**CLAIM["lines"][0], "modifier": ["GN"]}]}
    response = client.post(VALIDATE, json=claim, headers=AUTH)
    (line,) = response.json()["lines"]
    unread = [(f["rule_id"], f["status"], f["subject"]) for f in line["findings"] if f["check"] == "input"]
    assert unread == [("input.not_checked", "warn", "patient_gender"), ("input.not_checked", "warn", "modifier")]
    assert line["status"] == "warn"
    claims_file = tmp_path / "claims.json"
    claims_file.write_text(json.dumps(claim), encoding="utf-8")
    from_file = claimcheck.validate_file(claims_file, as_of=AS_OF).to_dict()
    # The file's messages add where the line is in it: " (claims.json [0] lines[0])".
    file_message = [f["message"].removesuffix(" (claims.json [0] lines[0])") for f in from_file["lines"][0]["findings"]]
    assert [f["message"] for f in line["findings"]] == file_message
    assert [f["rule_id"] for f in line["findings"]] == [f["rule_id"] for f in from_file["lines"][0]["findings"]]


def test_a_key_given_twice_is_an_input_warning_as_in_a_json_claims_file(client: TestClient) -> None:
    # json.loads keeps the last of two "modifiers"; another reader of the same body takes the first.
    line = '{"line_number": 1, "procedure_code": "0711T", "modifiers": ["26"], "date_of_service": "2026-03-10"'
    body = '{"claim_id": "C1", "claim_id": "C2", "lines": [' + line + ', "modifiers": ["GN"]}]}'
    response = client.post(VALIDATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 200
    (line_report,) = response.json()["lines"]
    repeated = [(f["rule_id"], f["subject"], f["message"]) for f in line_report["findings"] if f["check"] == "input"]
    assert repeated == [
        ("input.not_checked", "claim_id", "claim_id is given 2 times in one object, so its value is not checked"),
        ("input.not_checked", "modifiers", "modifiers is given 2 times in one object, so its value is not checked"),
    ]


def test_a_lone_surrogate_in_a_claim_comes_back_escaped_not_as_a_500(client: TestClient) -> None:
    body = b'{"claim_id": "C\\ud800", "lines": [{"line_number": 1, "procedure_code": "0711T"}]}'
    response = client.post(VALIDATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 200
    assert b'"claim_id":"C\\ud800"' in response.content


def test_an_unexpected_error_is_a_json_500_with_the_request_id_and_nothing_of_the_claim(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError(SECRET_CLAIM_ID)

    monkeypatch.setattr("claimcheck.service.routes.validate_many", broken)
    caplog.set_level(logging.INFO)
    with TestClient(create_app(make_settings()), raise_server_exceptions=False) as client:
        response = client.post(VALIDATE, json=CLAIM, headers=AUTH)
    # It was Starlette's text/plain "Internal Server Error", without the id the access log gives.
    assert response.status_code == 500 and response.headers["content-type"] == "application/json"
    request_id = response.headers["X-Request-Id"]
    assert response.json() == {"detail": f"internal error; the service log has request {request_id}"}
    assert SECRET_CLAIM_ID not in response.text
    records = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    (error,) = [r for r in records if r["message"] == "internal error"]
    assert error["request_id"] == request_id and error["error"]["type"] == "KeyError"
    assert not any(SECRET_CLAIM_ID in json.dumps(r) for r in records)
