"""/metrics is valid Prometheus text: HELP and TYPE before each family's samples, escaped labels,
cumulative histogram buckets ending at +Inf that equal _count, and a _sum."""

from __future__ import annotations

import math
import re
from collections import defaultdict

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("schemathesis")

import warnings

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from tests.service_app import AUTH, CLAIM, VALIDATE, client_fixture  # noqa: F401 (the client fixture)

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

_SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)")


def check_exposition(text: str) -> None:
    """Raises AssertionError where ``text`` breaks the Prometheus text format (0.0.4)."""
    assert text.endswith("\n")
    described: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines():
        if line.startswith("# "):
            kind, name = line.split(" ", 3)[1:3]
            assert kind in {"HELP", "TYPE"}, line
            described[name].add(kind)
            continue
        match = _SAMPLE.fullmatch(line)
        assert match, f"not a sample line: {line!r}"
        name = match.group(1)
        family = next((f for f in (name, re.sub(r"_(bucket|count|sum|total)$", "", name)) if f in described), None)
        assert family is not None and described[family] == {"HELP", "TYPE"}, f"{name} has no HELP and TYPE before it"
    for family in text_string_to_metric_families(text):
        if family.type == "histogram":
            _check_histogram(family.name, family.samples)


def _check_histogram(name: str, samples: list) -> None:  # type: ignore[type-arg]
    series: dict[tuple, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # type: ignore[type-arg]
    for sample in samples:
        labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
        series[labels][sample.name.removeprefix(name)].append(sample)
    for labels, parts in series.items():
        buckets = sorted(parts["_bucket"], key=lambda s: float(s.labels["le"]))
        assert buckets and math.isinf(float(buckets[-1].labels["le"])), f"{name}{labels}: no +Inf bucket"
        counts = [bucket.value for bucket in buckets]
        assert counts == sorted(counts), f"{name}{labels}: buckets are not cumulative: {counts}"
        (count,) = parts["_count"]
        (total,) = parts["_sum"]
        assert count.value == counts[-1] and total.value >= 0


def test_the_metrics_of_one_process_are_valid_exposition_text(client: TestClient) -> None:
    client.post(VALIDATE, json=CLAIM, headers=AUTH)
    client.post(VALIDATE, json=[CLAIM] * 30, headers=AUTH)
    client.get("/nowhere", headers=AUTH)
    client.request("BREW", "/v1/rules")
    response = client.get("/metrics", headers=AUTH)
    # prometheus_client's text format (version 1.0.0 reads classic names as 0.0.4 does); Prometheus 3
    # refuses a text/plain without a version unless told a fallback.
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    check_exposition(response.text)
