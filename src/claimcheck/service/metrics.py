"""Prometheus metrics: requests by route and status, latency, claims, lines and findings by status.

Each app gets its own registry, so several apps in one process (tests) do not clash. With
several uvicorn workers each process counts for itself; ``serve`` then sets
``PROMETHEUS_MULTIPROC_DIR`` and a scrape adds up every worker's files, so /metrics reports the
whole server whichever worker answers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from claimcheck.models.finding import Status

__all__ = ["CONTENT_TYPE_LATEST", "MULTIPROC_ENV", "Metrics"]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# A single-claim request takes about a millisecond; a 1,000-claim one can take seconds.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


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

    def render(self) -> bytes:
        """The Prometheus text exposition of this process, or of every worker in multiprocess mode."""
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)
