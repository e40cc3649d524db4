"""Prometheus metrics: requests by route and status, latency, claims, lines and findings by status,
and the rules in service: their versions, when they were loaded, and reloads by outcome.

Each app gets its own registry, so several apps in one process (tests) do not clash. With
several uvicorn workers each process counts for itself; ``serve`` then sets
``PROMETHEUS_MULTIPROC_DIR`` and a scrape adds up every worker's files, so /metrics reports the
whole server whichever worker answers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from claimcheck.models.finding import Status

if TYPE_CHECKING:
    from claimcheck.engine.ruleset import RuleSet

__all__ = ["CONTENT_TYPE_LATEST", "MULTIPROC_ENV", "Metrics"]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# A single-claim request takes about a millisecond; a 1,000-claim one can take seconds.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_RULES_INFO = "claimcheck_rules_info"
# What GET /v1/rules reports; ptp and mue are empty (absent, to Prometheus) without a CMS table.
_RULES_LABELS = ("rules_version", "icd10cm", "nucc", "modifiers", "pos", "ptp", "mue")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "claimcheck_http_requests",
            "HTTP requests answered, by method, route and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "claimcheck_http_request_duration_seconds",
            "Time from receiving a request to sending the last byte of its response, by route.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.claims = Counter("claimcheck_claims", "Claims checked.", registry=self.registry)
        self.lines = Counter("claimcheck_lines", "Claim lines checked.", registry=self.registry)
        self.findings = Counter(
            "claimcheck_findings", "Findings reported, by status.", ["status"], registry=self.registry
        )
        for status in Status:  # so that every status is exported, at 0, before its first finding
            self.findings.labels(status.value)
        self.rules_info = Gauge(
            _RULES_INFO,
            "The rules in service (1), labelled with the versions GET /v1/rules reports; "
            "with several workers, one series per worker (pid).",
            _RULES_LABELS,
            multiprocess_mode="liveall",
            registry=self.registry,
        )
        self.rules_loaded = Gauge(
            "claimcheck_rules_loaded_timestamp_seconds",
            "Unix time at which the rules in service were loaded, at start or by the last reload that "
            "succeeded; with several workers, one series per worker (pid).",
            multiprocess_mode="liveall",
            registry=self.registry,
        )
        self.reloads = Counter(
            "claimcheck_rules_reloads",
            "Reloads of the rules by outcome: ok (put in service; with several workers, one per worker "
            "replaced) or refused (did not load; the rules in service stay).",
            ["outcome"],
            registry=self.registry,
        )
        for outcome in ("ok", "refused"):
            self.reloads.labels(outcome)
        self._info_labels: tuple[str, ...] | None = None

    def observe(
        self, method: str, route: str, status: int, seconds: float, claims: int, lines: int, findings: Mapping[str, int]
    ) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(route).observe(seconds)
        if claims:
            self.claims.inc(claims)
            self.lines.inc(lines)
        for status_name, count in findings.items():
            self.findings.labels(status_name).inc(count)

    def rules_in_service(self, rules: RuleSet) -> None:
        versions = {"rules_version": rules.version, **rules.code_set_versions()}
        labels = tuple(versions.get(name, "") for name in _RULES_LABELS)
        if self._info_labels is not None and labels != self._info_labels:
            self.rules_info.labels(*self._info_labels).set(0)
            self.rules_info.remove(*self._info_labels)
        self.rules_info.labels(*labels).set(1)
        self.rules_loaded.set_to_current_time()
        self._info_labels = labels

    def rules_reloaded(self, ok: bool) -> None:
        self.reloads.labels("ok" if ok else "refused").inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of this process, or of every worker in multiprocess mode."""
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)
