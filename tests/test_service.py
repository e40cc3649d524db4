"""The scrubbing service: auth, limits, bad input, reports, rules and reload, metrics, logs, X12, fuzzing."""

from __future__ import annotations

import asyncio
import gzip
import hmac
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")

import httpx
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

import claimcheck
from claimcheck.io.readers import READERS
from claimcheck.models.report import Report
from claimcheck.service import ServiceConfigError, Settings, create_app
from claimcheck.service.logs import JsonFormatter
from claimcheck.service.schemas import ClaimIn, ReportOut
from claimcheck.service.settings import API_KEYS_ENV, SETTINGS_ENV, load_api_keys
from tests.conftest import AS_OF, ROOT, SHARED

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

KEY = "test-key-Jq7w"
OTHER_KEY = "second-key-üñí"  # non-ASCII: hmac.compare_digest refuses such str, so keys are compared as bytes
AUTH = {"Authorization": f"Bearer {KEY}"}
RULEPACK = ROOT / "src" / "claimcheck" / "rulepack"
X12_SAMPLE = SHARED / "samples" / "x12-837p" / "ims__x12_complex.txt"
# Values that must never reach a log: they stand for patient data.
SECRET_CLAIM_ID = "PHI-CLAIM-7731"
SECRET_NPI = "1234567893"

CLAIM: dict[str, Any] = {
    "claim_id": SECRET_CLAIM_ID,
    "patient_sex": "F",
    "patient_birth_date": "1958-01-01",
    "payer": "Acme",
    "lines": [
        {
            "line_number": 1,
            "procedure_code": "0711T",
            "modifiers": ["26"],
            "diagnosis_codes": ["I70.213"],
            "rendering_taxonomy": "2085R0202X",
            "rendering_npi": SECRET_NPI,
            "units": 1,
            "date_of_service": "2026-03-10",
            "place_of_service": "22",
        },
        {"line_number": 2, "procedure_code": "0711T", "modifiers": ["GN"], "date_of_service": "2026-03-10"},
    ],
}
VALIDATE = f"/v1/claims:validate?as_of={AS_OF.isoformat()}"


def make_settings(**options: Any) -> Settings:
    return Settings(api_keys=options.pop("api_keys", (KEY, OTHER_KEY)), **options)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


def copy_pack(destination: Path, version: str) -> Path:
    shutil.copytree(RULEPACK, destination)
    set_version(destination, version)
    return destination


def set_version(pack: Path, version: str) -> None:
    manifest = pack / "pack.yaml"
    text = re.sub(r"(?m)^version: .*$", f"version: {version}", manifest.read_text(encoding="utf-8"), count=1)
    manifest.write_text(text, encoding="utf-8")


def break_pack(pack: Path) -> None:
    (pack / "general" / "modifier.yaml").write_text("kind: [unclosed\n", encoding="utf-8")


# --- starting: keys, insecure mode ---------------------------------------------------------------


def test_without_a_key_the_service_refuses_to_start() -> None:
    with pytest.raises(ServiceConfigError, match="no API key configured"):
        Settings()


def test_insecure_mode_serves_without_keys_on_loopback_only() -> None:
    with TestClient(create_app(Settings(insecure_no_auth=True))) as client:
        assert client.get("/v1/rules").status_code == 200
    with pytest.raises(ServiceConfigError, match=r"only binds to 127\.0\.0\.1; refusing host '0\.0\.0\.0'"):
        Settings(insecure_no_auth=True, host="0.0.0.0")


def test_keys_and_insecure_mode_together_are_refused() -> None:
    with pytest.raises(ServiceConfigError, match="choose one"):
        Settings(api_keys=(KEY,), insecure_no_auth=True)


def test_one_key_given_as_text_is_refused_not_read_as_a_key_per_character() -> None:
    with pytest.raises(TypeError, match=r"api_keys must be a tuple of keys, not one key as text"):
        Settings(api_keys=KEY)


def test_api_keys_come_from_a_file_or_the_environment(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"# service keys\n\n  {KEY}  \n{OTHER_KEY}\n", encoding="utf-8")
    assert load_api_keys(keys_file, {API_KEYS_ENV: "ignored"}) == (KEY, OTHER_KEY)
    assert load_api_keys(None, {API_KEYS_ENV: f" {KEY}, ,{OTHER_KEY}"}) == (KEY, OTHER_KEY)
    assert load_api_keys(None, {}) == ()
    with pytest.raises(ServiceConfigError, match="cannot read the API key file"):
        load_api_keys(tmp_path / "missing", {})


def test_a_byte_order_mark_is_not_part_of_the_first_key(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_bytes(b"\xef\xbb\xbf" + f"{KEY}\r\n\r\n# old key\r\n {OTHER_KEY} \r\n".encode())
    assert load_api_keys(keys_file, {}) == (KEY, OTHER_KEY)
    keys_file.write_bytes(b"\xef\xbb\xbf# keys\n" + KEY.encode())
    assert load_api_keys(keys_file, {}) == (KEY,)


def test_workers_get_the_settings_through_the_environment_and_read_the_keys_themselves(tmp_path: Path) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_text(KEY + "\n", encoding="utf-8")
    settings = Settings.from_options(
        api_keys_file=keys_file, workers=2, port=9000, rules_dir=tmp_path, ptp=(tmp_path / "f1.txt",)
    )
    carried = settings.to_env()
    assert KEY not in carried
    assert Settings.from_env({SETTINGS_ENV: carried}) == settings


# --- auth ------------------------------------------------------------------------------------------


def test_a_request_without_a_key_gets_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.post(VALIDATE, json=CLAIM)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"detail": "an API key is required: send it as 'Authorization: Bearer <API key>'"}


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Basic {KEY}"}, {"Authorization": KEY}, {"Authorization": "Bearer "}, {"X-API-Key": KEY}],
)
def test_a_key_sent_another_way_than_bearer_gets_401_saying_how_to_send_it(
    client: TestClient, headers: dict[str, str]
) -> None:
    # Each was told "an API key is required", though the caller had sent one.
    response = client.get("/v1/rules", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"  # RFC 6750: no error code for another scheme
    assert "'Authorization: Bearer <API key>'" in response.json()["detail"]
    assert KEY not in response.text


@pytest.mark.parametrize("header", [f"Bearer {KEY}x", f"Basic {KEY}", KEY, "Bearer "])
def test_a_wrong_key_gets_401(client: TestClient, header: str) -> None:
    response = client.get("/v1/rules", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("key", [KEY, OTHER_KEY])
def test_any_configured_key_is_accepted(client: TestClient, key: str) -> None:
    token = key.encode("utf-8")  # httpx would encode a str header as ASCII
    assert client.get("/v1/rules", headers={"Authorization": b"Bearer " + token}).status_code == 200


def test_every_key_is_compared_in_constant_time(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[bytes] = []
    compare_digest = hmac.compare_digest

    def spy(presented: bytes, key: bytes) -> bool:
        compared.append(key)
        return compare_digest(presented, key)

    monkeypatch.setattr("claimcheck.service.auth.hmac.compare_digest", spy)
    assert client.get("/v1/rules", headers=AUTH).status_code == 200
    # The first key matched; the second was compared all the same.
    assert compared == [KEY.encode(), OTHER_KEY.encode("utf-8")]


def test_healthz_and_the_openapi_document_need_no_key(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/metrics").status_code == 401


def test_healthz_answers_head_as_health_checks_send_it(client: TestClient) -> None:
    # Load balancers and uptime monitors often probe with HEAD: a 405 reads as "down".
    response = client.head("/healthz")
    assert (response.status_code, response.content) == (200, b"")


# --- limits and malformed input --------------------------------------------------------------------


@pytest.mark.parametrize("path", [VALIDATE, "/v1/x12:validate"])
def test_a_body_over_the_limit_gets_413_stating_it_by_content_length_or_while_read(path: str) -> None:
    stated = {"detail": "the request body is larger than this service's limit of 1,000 bytes"}
    with TestClient(create_app(make_settings(max_body_bytes=1000))) as client:
        big = json.dumps([CLAIM] * 10).encode()
        announced = client.post(path, content=big, headers={**AUTH, "Content-Type": "text/plain"})
        assert (announced.status_code, announced.json()) == (413, stated)
        chunks = iter([big[:600], big[600:]])  # streamed: no Content-Length, counted while read
        streamed = client.post(path, content=chunks, headers={**AUTH, "Content-Type": "text/plain"})
        assert (streamed.status_code, streamed.json()) == (413, stated)
        assert client.post(path, content=big, headers={"Content-Type": "text/plain"}).status_code == 401
        assert client.post(VALIDATE, json=CLAIM, headers=AUTH).status_code == 200


def test_the_default_limit_is_5_mb() -> None:
    assert make_settings().max_body_bytes == 5_000_000


def test_up_to_1000_claims_are_checked_and_1001_get_422(client: TestClient) -> None:
    small = {"claim_id": "C", "lines": [{"line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10"}]}
    response = client.post(VALIDATE, json=[small] * 1001, headers=AUTH)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body"] and error["type"] == "too_long"
    assert "input" not in error  # the claims are not echoed back
    # As the line limit's 422 says it; pydantic's was "List should have at most 1000 items after validation".
    assert error["msg"] == "a request may carry at most 1,000 claims, not 1,001: send them in several requests"
    assert client.post(VALIDATE, json=[small] * 1000, headers=AUTH).json()["summary"]["lines"] == 1000


def test_a_request_of_more_than_100000_lines_gets_422_before_it_is_checked(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each line, even a bare 0, gets a row of findings: 5 MB of "0," made 2.5 million rows, a
    # report of ~800 MB and GBs of memory from one request (1 MB took 15 s and 820 MB).
    from claimcheck.service.schemas import MAX_LINES

    assert MAX_LINES == 100_000
    monkeypatch.setattr("claimcheck.service.routes.MAX_LINES", 10)
    checked = _checked_on_the_loop(monkeypatch)
    claims = [{"claim_id": "C", "lines": [0] * 6}, {"claim_id": "D", "lines": [0] * 5}]
    response = client.post(VALIDATE, json=claims, headers=AUTH)
    assert response.status_code == 422 and checked == []
    (error,) = response.json()["detail"]
    assert (error["type"], error["loc"], error["ctx"]) == ("too_long", ["body"], {"max_lines": 10, "actual_lines": 11})
    assert "at most 10 claim lines" in error["msg"]
    assert client.post(VALIDATE, json=[{"claim_id": "C", "lines": [0] * 10}], headers=AUTH).status_code == 200


def test_a_report_that_would_repeat_a_long_claim_id_on_every_line_gets_422(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, x12_body: bytes
) -> None:
    # Every line of the report repeats its claim id: a 100 KB id on 500 lines answered 50 MB, and
    # 2.5 MB on 100,000 lines would have been 250 GB, from one 3 MB request.
    from claimcheck.service.routes import MAX_ECHOED_IDS

    assert MAX_ECHOED_IDS == 20_000_000
    monkeypatch.setattr("claimcheck.service.routes.MAX_ECHOED_IDS", 1000)
    claim = {"claim_id": "X" * 101, "lines": [0] * 10}
    response = client.post(VALIDATE, json=claim, headers=AUTH)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert (error["type"], error["loc"]) == ("report_too_large", ["body"])
    assert error["ctx"] == {"max_characters": 1000, "characters": 1010}
    assert client.post(VALIDATE, json={**claim, "claim_id": "X" * 100}, headers=AUTH).status_code == 200
    monkeypatch.setattr("claimcheck.service.routes.MAX_ECHOED_IDS", 100_000)
    long_st02 = re.sub(rb"ST\*837\*[^*~]*", b"ST*837*" + b"9" * 50_000, x12_body, count=1)  # on each line's location
    x12 = client.post("/v1/x12:validate", content=long_st02, headers=AUTH)
    assert x12.status_code == 422 and x12.json()["detail"][0]["type"] == "report_too_large"
    assert client.post("/v1/x12:validate", content=x12_body, headers=AUTH).status_code == 200


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (b'{"claim_id": "C1", "lines": [', ["body", 29]),
        (b"[{}, 42]", ["body", 1]),
        (b'"a claim"', ["body"]),
        (b"null", ["body"]),
    ],
)
def test_malformed_json_or_a_wrong_shape_gets_422_pointing_at_it(
    client: TestClient, body: bytes, loc: list[Any]
) -> None:
    response = client.post(VALIDATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_an_empty_body_gets_422_saying_it_is_empty(client: TestClient) -> None:
    # It was pydantic's "Field required", which does not say what was missing.
    response = client.post(VALIDATE, content=b"", headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body"], "msg": "the body is empty: send one claim object or a list of them"}
        ]
    }


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            b"null",
            {
                "type": "list_type",
                "loc": ["body"],
                "msg": "the body must be one claim object or a list of them, not null",
            },
        ),
        (
            b"42",
            {
                "type": "list_type",
                "loc": ["body"],
                "msg": "the body must be one claim object or a list of them, not a number",
            },
        ),
        (
            json.dumps(json.dumps(CLAIM)).encode(),
            {
                "type": "list_type",
                "loc": ["body"],
                "msg": "the body must be one claim object or a list of them, not a string "
                "(it holds JSON encoded a second time: send that JSON itself)",
            },
        ),
        (b'[{}, "C1"]', {"type": "dict_type", "loc": ["body", 1], "msg": "a claim must be an object, not a string"}),
        (b"[[{}]]", {"type": "dict_type", "loc": ["body", 0], "msg": "a claim must be an object, not a list"}),
    ],
)
def test_a_body_of_another_shape_gets_422_saying_what_it_is(
    client: TestClient, body: bytes, detail: dict[str, Any]
) -> None:
    # It was pydantic's "Input should be a valid list" (though one claim object is taken too) or
    # "a valid dictionary", which did not say what had been sent: a claim JSON-encoded twice, say.
    response = client.post(VALIDATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json() == {"detail": [detail]}
    assert SECRET_CLAIM_ID not in response.text


@pytest.mark.parametrize(
    ("body", "offset", "error"),
    [
        (b'{"claim_id": "C\xff1", "lines": []}', 15, "not valid UTF-8"),
        (b'{"claim_id": "\xc3\xa9", "x": "\xff"}', 24, "not valid UTF-8"),  # characters, not bytes
        (b'{"claim_id": "C1", "lines": ' + b"[" * 5000, 28 + 4999, "nested too deeply"),
        (b'{"claim_id": "1111", "units": ' + b"9" * 5000 + b"}", 30, "too many digits"),
    ],
)
def test_json_the_parser_cannot_read_gets_422_pointing_at_it_not_400(
    client: TestClient, body: bytes, offset: int, error: str
) -> None:
    response = client.post(VALIDATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert detail["type"] == "json_invalid" and detail["loc"] == ["body", offset]
    assert error in detail["ctx"]["error"]


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


def test_an_unclosed_string_after_deep_nesting_is_found_in_linear_time(client: TestClient) -> None:
    # Each escaped quote of the string began a new try at a string running to the end of the
    # body: 83 KB took 40 s to answer, holding the whole process (5 MB would take days).
    body = b"[" * 3000 + b'"' + b'\\"' * 40_000
    started = time.monotonic()
    response = client.post(VALIDATE, content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert time.monotonic() - started < 5
    (detail,) = response.json()["detail"]
    assert (response.status_code, detail["loc"]) == (422, ["body", 2999])
    assert "nested too deeply" in detail["ctx"]["error"]


@pytest.mark.parametrize("media_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_json_body_is_read_as_json_whatever_its_content_type(client: TestClient, media_type: str | None) -> None:
    headers = AUTH if media_type is None else {**AUTH, "Content-Type": media_type}
    response = client.post(VALIDATE, content=json.dumps(CLAIM).encode(), headers=headers)
    assert response.request.headers.get("content-type") == media_type  # httpx adds none of its own
    assert response.status_code == 200
    assert response.json() == client.post(VALIDATE, json=CLAIM, headers=AUTH).json()


def test_an_837_sent_to_the_claims_endpoint_is_told_where_it_goes(client: TestClient, x12_body: bytes) -> None:
    # It was "Expecting value" at offset 0; the 837 endpoint names this one for JSON (415).
    response = client.post(
        VALIDATE, content=b"\r\n" + x12_body, headers={**AUTH, "Content-Type": "application/edi-x12"}
    )
    assert response.status_code == 422
    (detail,) = response.json()["detail"]
    assert (detail["type"], detail["loc"]) == ("json_invalid", ["body", 2])
    assert detail["ctx"]["error"] == "an X12 837, not JSON: send it to /v1/x12:validate"


def test_a_body_that_is_not_json_gets_422(client: TestClient) -> None:
    response = client.post(VALIDATE, content=b"claim_id,lines", headers={**AUTH, "Content-Type": "text/csv"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", 0]


@pytest.mark.parametrize(
    "as_of", ["0", "1700000000", "2026-03-10T00:00:00", "20260310", "2026-02-30", "２０２６-03-10"]
)
@pytest.mark.parametrize("path", ["/v1/claims:validate", "/v1/x12:validate"])
def test_as_of_must_be_a_calendar_date(client: TestClient, path: str, as_of: str) -> None:
    response = client.post(path, params={"as_of": as_of}, json=CLAIM, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "as_of"]


def test_a_query_value_error_says_what_is_wrong_in_its_context_too(client: TestClient) -> None:
    (detail,) = client.post(VALIDATE.split("?")[0], params={"as_of": "soon"}, json=CLAIM, headers=AUTH).json()["detail"]
    # The ValueError was encoded as an empty object: "ctx": {"error": {}}.
    assert detail["ctx"] == {"error": "must be a calendar date, YYYY-MM-DD"}


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


# --- reports ---------------------------------------------------------------------------------------


def test_one_claim_or_a_list_gives_the_lines_of_validate_many(client: TestClient) -> None:
    expected = claimcheck.validate_many([CLAIM, CLAIM], as_of=AS_OF).to_dict()
    single = client.post(VALIDATE, json=CLAIM, headers=AUTH).json()
    listed = client.post(VALIDATE, json=[CLAIM, CLAIM], headers=AUTH).json()
    assert listed == expected
    assert single["lines"] == expected["lines"][:2]
    ReportOut.model_validate(listed)  # the documented response model matches what is sent


def _checked_on_the_loop(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records, for each report checked and each encoded, whether it ran on the event loop."""
    on_loop: list[bool] = []

    def running_loop() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def validate_spy(*args: Any, **kwargs: Any) -> Any:
        on_loop.append(running_loop())
        return claimcheck.validate_many(*args, **kwargs)

    summary = Report.summary  # encoding the report asks for it once

    def summary_spy(report: Report) -> dict[str, Any]:
        on_loop.append(running_loop())
        return summary(report)

    monkeypatch.setattr("claimcheck.service.routes.validate_many", validate_spy)
    monkeypatch.setattr(Report, "summary", summary_spy)
    return on_loop


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


# --- reload ----------------------------------------------------------------------------------------


def test_reload_swaps_in_a_new_pack_and_refuses_a_broken_one_with_a_log_record(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pack = copy_pack(tmp_path / "rules", "2099.1.0")
    with TestClient(create_app(make_settings(rules_dir=pack))) as client:
        assert client.get("/v1/rules", headers=AUTH).json()["rules_version"] == "2099.1.0"
        set_version(pack, "2099.2.0")
        reloaded = client.post("/v1/rules:reload", headers=AUTH)
        assert reloaded.status_code == 200 and reloaded.json()["rules_version"] == "2099.2.0"
        assert client.post(VALIDATE, json=CLAIM, headers=AUTH).json()["summary"]["rules_version"] == "2099.2.0"

        break_pack(pack)
        refused = client.post("/v1/rules:reload", headers=AUTH)
        assert refused.status_code == 409
        assert "modifier.yaml" in refused.json()["detail"]
        (logged,) = [r for r in caplog.records if r.getMessage().startswith("rules reload refused")]
        assert json.loads(JsonFormatter().format(logged))["rules_version"] == "2099.2.0"
        assert client.get("/v1/rules", headers=AUTH).json()["rules_version"] == "2099.2.0"
        assert client.post(VALIDATE, json=CLAIM, headers=AUTH).status_code == 200


def test_a_broken_pack_at_start_raises_before_anything_is_served(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "rules", "2099.1.0")
    break_pack(pack)
    with pytest.raises(claimcheck.RuleFileError, match=r"modifier\.yaml"):
        create_app(make_settings(rules_dir=pack))


def test_with_several_workers_reload_asks_the_supervisor_to_replace_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signals: list[tuple[int, int]] = []
    monkeypatch.setattr("claimcheck.service.routes.os.kill", lambda pid, sig: signals.append((pid, sig)))
    pack = copy_pack(tmp_path / "rules", "2099.1.0")
    with TestClient(create_app(make_settings(rules_dir=pack, workers=2))) as client:
        break_pack(pack)
        assert client.post("/v1/rules:reload", headers=AUTH).status_code == 409
        assert signals == []  # a refused pack never reaches the other workers
        shutil.rmtree(pack)
        copy_pack(pack, "2099.2.0")
        assert client.post("/v1/rules:reload", headers=AUTH).status_code == 200
    assert signals == [(os.getppid(), signal.SIGHUP)]


def test_a_worker_that_cannot_load_the_rules_logs_why_and_exits_as_a_startup_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from claimcheck.service.app import app_from_env

    pack = copy_pack(tmp_path / "rules", "2099.1.0")
    break_pack(pack)
    monkeypatch.setenv(SETTINGS_ENV, make_settings(rules_dir=pack, workers=2).to_env())
    monkeypatch.setenv(API_KEYS_ENV, KEY)
    with pytest.raises(SystemExit) as exited:
        app_from_env()
    assert exited.value.code == 3  # uvicorn's STARTUP_FAILURE: its supervisor keeps the old workers
    (record,) = [r for r in caplog.records if r.getMessage() == "worker not started"]
    assert "modifier.yaml" in json.loads(JsonFormatter().format(record))["error"]


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


# --- X12 -------------------------------------------------------------------------------------------


@pytest.fixture
def x12_body() -> bytes:
    if "x12" not in READERS:
        pytest.skip("claimcheck.io.readers has no 'x12' reader yet (READERS lacks it)")
    if not X12_SAMPLE.is_file():
        pytest.skip(f"{X12_SAMPLE} is absent")
    return X12_SAMPLE.read_bytes()


@pytest.mark.parametrize("media_type", ["text/plain", "application/edi-x12"])
def test_an_837_body_gives_lines_that_point_into_it(client: TestClient, x12_body: bytes, media_type: str) -> None:
    response = client.post("/v1/x12:validate", content=x12_body, headers={**AUTH, "Content-Type": media_type})
    assert response.status_code == 200
    lines = response.json()["lines"]
    assert lines and all("segment" in line["location"] for line in lines)
    ReportOut.model_validate(response.json())


def test_x12_locations_name_the_request_body_or_the_file_name_the_caller_gives(
    client: TestClient, x12_body: bytes
) -> None:
    for query, name in [("", "request body"), ("?filename=batch%201.837", "batch 1.837")]:
        response = client.post(f"/v1/x12:validate{query}", content=x12_body, headers=AUTH)
        assert {line["location"]["file"] for line in response.json()["lines"]} == {name}


@pytest.mark.parametrize("name", ["..", ".", "a/b", "a\\b", "a\x00b", "é" * 101, "", "\x85x", "a\u202eb.837"])
def test_an_x12_file_name_that_is_not_one_gets_422(client: TestClient, x12_body: bytes, name: str) -> None:
    response = client.post("/v1/x12:validate", params={"filename": name}, content=x12_body, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "filename"]


@pytest.mark.parametrize("media_type", [None, "application/octet-stream", "application/x-www-form-urlencoded"])
def test_an_837_is_read_whatever_its_content_type_but_json(
    client: TestClient, x12_body: bytes, media_type: str | None
) -> None:
    headers = AUTH if media_type is None else {**AUTH, "Content-Type": media_type}
    response = client.post("/v1/x12:validate", content=x12_body, headers=headers)
    assert response.status_code == 200 and response.json()["lines"]


def test_the_x12_endpoint_sends_json_to_the_claims_endpoint(client: TestClient, x12_body: bytes) -> None:
    as_json = client.post("/v1/x12:validate", content=x12_body, headers={**AUTH, "Content-Type": "application/json"})
    assert as_json.status_code == 415
    assert "/v1/claims:validate" in as_json.json()["detail"]


@pytest.mark.parametrize("path", [VALIDATE, "/v1/x12:validate"])
def test_a_form_upload_gets_415_saying_to_send_the_file_as_the_body(
    client: TestClient, x12_body: bytes, path: str
) -> None:
    # curl -F file=@batch.837 was told "does not start with an ISA segment" of a file that does,
    # and -F file=@claims.json "Expecting value" at offset 0: the form's boundary came first.
    content = x12_body if "x12" in path else json.dumps(CLAIM).encode()
    response = client.post(path, files={"file": ("batch", content)}, headers=AUTH)
    assert response.status_code == 415
    assert "--data-binary @FILE" in response.json()["detail"]
    assert "415" in client.get("/openapi.json").json()["paths"][path.split("?")[0]]["post"]["responses"]


@pytest.mark.parametrize("path", [VALIDATE, "/v1/x12:validate"])
def test_a_compressed_body_gets_415_asking_for_it_plain(client: TestClient, x12_body: bytes, path: str) -> None:
    # The Content-Encoding was ignored: gzipped claims were "not valid UTF-8" at offset 1, and a
    # gzipped 837 "does not start with an ISA segment".
    content = gzip.compress(x12_body if "x12" in path else json.dumps(CLAIM).encode())
    response = client.post(path, content=content, headers={**AUTH, "Content-Encoding": "gzip"})
    assert response.status_code == 415
    assert response.json()["detail"].startswith("the body is compressed (Content-Encoding: gzip)")
    assert response.headers["Accept-Encoding"] == "identity"  # RFC 7694: what the service reads
    plain = client.post(path, content=gzip.decompress(content), headers={**AUTH, "Content-Encoding": "identity"})
    assert plain.status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not an 837", "the body is not an X12 837 that can be read: does not start with an ISA segment"),
        (b"\x00\x01\xff garbage", "the body is not an X12 837"),
        (b"", "the body is empty"),
        (b" \r\n", "the body is empty"),
    ],
)
def test_a_body_that_is_not_an_837_gets_422_saying_so(
    client: TestClient, x12_body: bytes, body: bytes, message: str
) -> None:
    response = client.post("/v1/x12:validate", content=body, headers={**AUTH, "Content-Type": "text/plain"})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body"] and error["msg"].startswith(message)
    assert "claimcheck-" not in error["msg"]  # not the temporary file's path


def test_without_an_x12_reader_the_endpoint_answers_501(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(READERS, "x12", raising=False)
    response = client.post("/v1/x12:validate", content=b"ISA*00*", headers={**AUTH, "Content-Type": "text/plain"})
    assert response.status_code == 501


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


# --- the real server: serve() under uvicorn, SIGHUP --------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_healthy(base: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited while starting"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the server did not become healthy")


def _poll_version(base: str, wanted: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    version = ""
    while time.monotonic() < deadline:
        version = httpx.get(f"{base}/v1/rules", headers=AUTH, timeout=5).json()["rules_version"]
        if version == wanted:
            break
        time.sleep(0.1)
    return version


def test_serve_reloads_on_sighup_and_keeps_the_old_rules_when_the_new_ones_break(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "rules", "2099.1.0")
    port = _free_port()
    settings = Settings(api_keys=(), insecure_no_auth=True, port=port, rules_dir=pack)
    env = {**os.environ, SETTINGS_ENV: settings.to_env()}
    stderr = tmp_path / "stderr.log"
    code = "from claimcheck.service import Settings, serve; serve(Settings.from_env())"
    with stderr.open("wb") as log:
        server = subprocess.Popen([sys.executable, "-c", code], env=env, stderr=log, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, server)
        set_version(pack, "2099.2.0")
        server.send_signal(signal.SIGHUP)
        assert _poll_version(base, "2099.2.0") == "2099.2.0"
        break_pack(pack)
        server.send_signal(signal.SIGHUP)
        time.sleep(1)
        assert httpx.post(f"{base}{VALIDATE}", json=CLAIM, timeout=5).json()["summary"]["rules_version"] == "2099.2.0"
    finally:
        server.terminate()
        server.wait(timeout=15)
    records = [json.loads(line) for line in stderr.read_text(encoding="utf-8").splitlines()]
    refused = [r for r in records if r["message"].startswith("rules reload refused")]
    assert len(refused) == 1 and "modifier.yaml" in refused[0]["error"]
    assert any(r.get("route") == "/v1/claims:validate" for r in records)
    assert not any(SECRET_CLAIM_ID in json.dumps(r) for r in records)


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_refuses_a_broken_pack_before_listening(tmp_path: Path, workers: int) -> None:
    from claimcheck.service import serve

    pack = copy_pack(tmp_path / "rules", "2099.1.0")
    break_pack(pack)
    with pytest.raises(claimcheck.RuleFileError, match=r"modifier\.yaml"):
        serve(make_settings(rules_dir=pack, port=_free_port(), workers=workers))
