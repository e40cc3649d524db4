"""The scrubbing service: reloading the rule pack (endpoint, several workers, SIGHUP under uvicorn) and
refusing a broken pack at start."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")

import httpx

import claimcheck
from claimcheck.service import Settings, create_app
from claimcheck.service.logs import JsonFormatter
from claimcheck.service.settings import API_KEYS_ENV, SETTINGS_ENV
from tests.conftest import ROOT
from tests.service_app import (
    AUTH,
    CLAIM,
    KEY,
    SECRET_CLAIM_ID,
    VALIDATE,
    client_fixture,  # noqa: F401 (the client fixture)
    make_settings,
)

with warnings.catch_warnings():
    # Starlette now prefers httpx2 for its test client; httpx still works and is what we ship with.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient


RULEPACK = ROOT / "src" / "claimcheck" / "rulepack"


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
