"""Optional admin keys: when configured, only they may reload the rules; without them any key may, as before."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("fastapi")

from claimcheck.cli import main
from claimcheck.service import create_app
from claimcheck.service.settings import ADMIN_KEYS_ENV, SETTINGS_ENV, ServiceConfigError, Settings, load_api_keys

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

KEY = "billing-key-1"
ADMIN = "operator-key-9"
NO_KEYS = {"CLAIMCHECK_API_KEYS": "", ADMIN_KEYS_ENV: ""}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(api_keys=(KEY,), admin_keys=(ADMIN,)))) as test_client:
        yield test_client


def test_with_admin_keys_an_api_key_may_not_reload_the_rules(client: TestClient) -> None:
    response = client.post("/v1/rules:reload", headers=bearer(KEY))
    assert response.status_code == 403
    assert response.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope"'
    assert "admin key" in response.json()["detail"]


def test_an_admin_key_reloads_and_is_taken_everywhere(client: TestClient) -> None:
    assert client.post("/v1/rules:reload", headers=bearer(ADMIN)).status_code == 200
    assert client.get("/v1/rules", headers=bearer(ADMIN)).status_code == 200
    assert client.get("/v1/rules", headers=bearer(KEY)).status_code == 200
    assert client.post("/v1/rules:reload", headers=bearer("wrong")).status_code == 401


def test_without_admin_keys_any_key_reloads_as_issue_6_says() -> None:
    with TestClient(create_app(Settings(api_keys=(KEY,)))) as plain:
        assert plain.post("/v1/rules:reload", headers=bearer(KEY)).status_code == 200


def test_the_openapi_document_names_the_403_of_reload(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "403" in document["paths"]["/v1/rules:reload"]["post"]["responses"]


def test_admin_keys_without_auth_are_refused() -> None:
    with pytest.raises(ServiceConfigError, match="admin keys"):
        Settings(insecure_no_auth=True, admin_keys=(ADMIN,))


def test_admin_keys_come_from_a_file_or_the_environment(tmp_path: Path) -> None:
    keys = tmp_path / "admin.txt"
    keys.write_text(f"# operators\n{ADMIN}\n", encoding="utf-8")
    assert load_api_keys(keys, {ADMIN_KEYS_ENV: "ignored"}, ADMIN_KEYS_ENV) == (ADMIN,)
    assert load_api_keys(None, {ADMIN_KEYS_ENV: f"{ADMIN}, other"}, ADMIN_KEYS_ENV) == (ADMIN, "other")


def test_workers_read_the_admin_keys_again_and_never_get_them_in_the_settings(tmp_path: Path) -> None:
    keys = tmp_path / "admin.txt"
    keys.write_text(ADMIN, encoding="utf-8")
    settings = Settings(api_keys=(KEY,), admin_keys=(ADMIN,), admin_keys_file=keys)
    text = settings.to_env()
    assert ADMIN not in text and KEY not in text
    again = Settings.from_env({SETTINGS_ENV: text, "CLAIMCHECK_API_KEYS": KEY})
    assert again.admin_keys == (ADMIN,)


def test_serve_names_an_admin_key_file_that_holds_no_key(tmp_path: Path) -> None:
    keys = tmp_path / "admin.txt"
    keys.write_text("# none yet\n", encoding="utf-8")
    env = {**NO_KEYS, "CLAIMCHECK_API_KEYS": KEY}
    result = CliRunner().invoke(main, ["serve", "--admin-keys", str(keys)], env=env)
    assert result.exit_code == 2
    assert f"{keys}: the admin key file holds no key" in result.stderr


def test_serve_help_tells_of_admin_keys() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"], terminal_width=200)
    assert "--admin-keys" in result.output and ADMIN_KEYS_ENV in result.output
