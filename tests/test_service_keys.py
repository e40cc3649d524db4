"""The scrubbing service: starting with API keys or in insecure mode, and who gets in (bearer keys,
401s, constant-time comparison, the endpoints that need no key)."""

from __future__ import annotations

import hmac
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")


from claimcheck.service import ServiceConfigError, Settings, create_app
from claimcheck.service.settings import API_KEYS_ENV, SETTINGS_ENV, load_api_keys
from tests.service_app import (
    AUTH,
    CLAIM,
    KEY,
    OTHER_KEY,
    VALIDATE,
    client_fixture,  # noqa: F401 (the client fixture)
)

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


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
