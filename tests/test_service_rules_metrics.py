"""The scrubbing service's /metrics tell which rules are in service, when they were loaded and how
reloads went (one process; tests/test_service_metrics_workers.py runs several workers)."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from claimcheck.service import create_app
from tests.service_app import AUTH, make_settings
from tests.test_service_reload import break_pack, copy_pack, set_version

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

INFO = "claimcheck_rules_info"
LOADED = "claimcheck_rules_loaded_timestamp_seconds"
RELOADS = "claimcheck_rules_reloads"


def samples(client: TestClient, family: str) -> list[Sample]:
    text = client.get("/metrics", headers=AUTH).text
    return [
        sample for metric in text_string_to_metric_families(text) if metric.name == family for sample in metric.samples
    ]


def reloads(client: TestClient) -> dict[str, float]:
    return {s.labels["outcome"]: s.value for s in samples(client, RELOADS) if s.name == f"{RELOADS}_total"}


def expected_labels(client: TestClient) -> dict[str, str]:
    rules = client.get("/v1/rules", headers=AUTH).json()
    return {"rules_version": rules["rules_version"], **rules["code_sets"]}


def test_the_rules_in_service_are_one_info_series_with_the_versions_of_v1_rules(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "rules", "2099.1.0")
    before = time.time()
    with TestClient(create_app(make_settings(rules_dir=pack))) as client:
        after = time.time()
        (info,) = samples(client, INFO)
        assert info.value == 1.0
        # ptp and mue are empty labels (absent, to Prometheus) when no CMS table is loaded.
        assert {name: value for name, value in info.labels.items() if value} == expected_labels(client)
        assert set(info.labels) == {"rules_version", "icd10cm", "nucc", "modifiers", "pos", "ptp", "mue"}
        (loaded,) = samples(client, LOADED)
        assert before <= loaded.value <= after
        assert reloads(client) == {"ok": 0.0, "refused": 0.0}


def test_a_reload_counts_by_outcome_and_a_refused_one_keeps_the_info_and_the_time(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "rules", "2099.1.0")
    with TestClient(create_app(make_settings(rules_dir=pack))) as client:
        (first,) = samples(client, LOADED)
        set_version(pack, "2099.2.0")
        assert client.post("/v1/rules:reload", headers=AUTH).status_code == 200
        (info,) = samples(client, INFO)  # the old version's series is gone, not left at 1 (or 0)
        assert info.labels["rules_version"] == "2099.2.0" and info.value == 1.0
        (second,) = samples(client, LOADED)
        assert second.value >= first.value
        assert reloads(client) == {"ok": 1.0, "refused": 0.0}

        break_pack(pack)
        assert client.post("/v1/rules:reload", headers=AUTH).status_code == 409
        client.app.state.service.rules.reload_logged()  # as SIGHUP reloads one worker
        assert reloads(client) == {"ok": 1.0, "refused": 2.0}
        assert samples(client, INFO) == [info]
        assert samples(client, LOADED) == [second]
        assert client.get("/v1/rules", headers=AUTH).json()["rules_version"] == "2099.2.0"


def test_versions_with_quotes_backslashes_and_newlines_are_escaped_in_the_labels(tmp_path: Path) -> None:
    pack = copy_pack(tmp_path / "rules", "2099.1.0")
    manifest = pack / "pack.yaml"
    text = manifest.read_text(encoding="utf-8").replace("version: 2099.1.0", r'version: "2099 \\ \"beta\"\nline two"')
    manifest.write_text(text, encoding="utf-8")
    with TestClient(create_app(make_settings(rules_dir=pack))) as client:
        (info,) = samples(client, INFO)
        assert info.labels["rules_version"] == '2099 \\ "beta"\nline two'
