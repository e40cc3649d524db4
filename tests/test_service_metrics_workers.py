"""/metrics of a server with two uvicorn workers: each worker's rules, reloads counted across workers
(POST and SIGHUP), workers that have exited left out, and the exposition still valid."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")

import httpx
from prometheus_client.parser import text_string_to_metric_families

from claimcheck.service import Settings
from claimcheck.service.settings import SETTINGS_ENV
from tests.conftest import ROOT
from tests.test_service_metrics_format import check_exposition
from tests.test_service_reload import _free_port, _wait_until_healthy, break_pack, copy_pack, set_version


def scrape(base: str) -> dict[str, Any]:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    check_exposition(text)
    families = {family.name: family.samples for family in text_string_to_metric_families(text)}
    return {
        "info": sorted(
            (s.labels["pid"], s.labels["rules_version"], s.value) for s in families["claimcheck_rules_info"]
        ),
        "loaded": {s.labels["pid"]: s.value for s in families["claimcheck_rules_loaded_timestamp_seconds"]},
        "reloads": {
            s.labels["outcome"]: s.value
            for s in families["claimcheck_rules_reloads"]
            if s.name == "claimcheck_rules_reloads_total"
        },
    }


def wait_for(base: str, condition: Callable[[dict[str, Any]], bool], timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        metrics = scrape(base)
        if condition(metrics) or time.monotonic() > deadline:
            return metrics
        time.sleep(0.2)


def test_two_workers_report_their_rules_and_count_reloads_once_per_worker(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "rules", "2099.1.0")
    port = _free_port()
    settings = Settings(api_keys=(), insecure_no_auth=True, port=port, rules_dir=pack, workers=2)
    env = {**os.environ, SETTINGS_ENV: settings.to_env()}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # serve makes its own
    code = "from claimcheck.service import Settings, serve; serve(Settings.from_env())"
    with (tmp_path / "stderr.log").open("wb") as log:
        server = subprocess.Popen([sys.executable, "-c", code], env=env, stderr=log, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, server)
        started = wait_for(base, lambda m: len(m["info"]) == 2)
        assert [(version, value) for _, version, value in started["info"]] == [("2099.1.0", 1.0)] * 2
        assert started["reloads"] == {"ok": 0.0, "refused": 0.0}
        first_pids = {pid for pid, _, _ in started["info"]}
        assert set(started["loaded"]) == first_pids

        # One worker checks the pack, then uvicorn replaces both: each replacement counts the reload,
        # and the replaced workers' series go with them.
        set_version(pack, "2099.2.0")
        assert httpx.post(f"{base}/v1/rules:reload", timeout=30).status_code == 200
        reloaded = wait_for(base, lambda m: m["reloads"]["ok"] == 2.0 and len(m["info"]) == 2)
        assert reloaded["reloads"] == {"ok": 2.0, "refused": 0.0}
        assert [(version, value) for _, version, value in reloaded["info"]] == [("2099.2.0", 1.0)] * 2
        pids = {pid for pid, _, _ in reloaded["info"]}
        assert pids.isdisjoint(first_pids) and set(reloaded["loaded"]) == pids

        # SIGHUP with a broken pack: the first replacement cannot load it, and the workers stay.
        break_pack(pack)
        server.send_signal(signal.SIGHUP)
        refused = wait_for(base, lambda m: m["reloads"]["refused"] == 1.0)
        assert refused["reloads"] == {"ok": 2.0, "refused": 1.0}
        assert refused["info"] == reloaded["info"] and refused["loaded"] == reloaded["loaded"]
    finally:
        server.terminate()
        server.wait(timeout=30)


_WORKER = """
import os, shutil, sys
directory, stale = sys.argv[1], sys.argv[2]
if os.path.exists(stale):  # what an earlier process of this pid left (a container's server is pid 1 each time)
    shutil.copy(stale, os.path.join(directory, f"gauge_liveall_{os.getpid()}.db"))
from claimcheck.service.app import app_from_env
metrics = app_from_env().state.service.metrics
if not os.path.exists(stale):
    shutil.copy(os.path.join(directory, f"gauge_liveall_{os.getpid()}.db"), stale)
sys.stdout.write(metrics.render().decode())
"""


def test_a_worker_does_not_report_the_rules_an_earlier_process_of_its_pid_left(tmp_path: Path) -> None:
    directory = tmp_path / "metrics"
    directory.mkdir()
    pack = copy_pack(tmp_path / "rules", "2099.1.0")
    settings = Settings(api_keys=(), insecure_no_auth=True, rules_dir=pack, workers=2)
    env = {**os.environ, SETTINGS_ENV: settings.to_env(), "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    stale = tmp_path / "stale.db"
    subprocess.run([sys.executable, "-c", _WORKER, str(directory), str(stale)], env=env, check=True, cwd=ROOT)
    set_version(pack, "2099.2.0")
    for path in directory.iterdir():
        path.unlink()
    run = subprocess.run(
        [sys.executable, "-c", _WORKER, str(directory), str(stale)],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    families = {family.name: family.samples for family in text_string_to_metric_families(run.stdout)}
    assert [s.labels["rules_version"] for s in families["claimcheck_rules_info"]] == ["2099.2.0"]
