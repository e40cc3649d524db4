"""Prometheus metrics: requests by route and status, latency, claims, lines and findings by status,
and the rules in service: their versions, when they were loaded, and reloads by outcome.

Each app gets its own registry, so several apps in one process (tests) do not clash. With
several uvicorn workers each process counts for itself; ``serve`` then sets
``PROMETHEUS_MULTIPROC_DIR`` and a scrape adds up every worker's files, so /metrics reports the
whole server whichever worker answers. Counters sum every worker's file, those of workers that
have exited too; the rules' gauges are each live worker's own (a ``pid`` label), since workers
replaced one at a time, or a crashed one restarted, may hold different rules for a while.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

from claimcheck.models.finding import Status

if TYPE_CHECKING:
    from claimcheck.engine.ruleset import RuleSet

__all__ = ["CONTENT_TYPE_LATEST", "MULTIPROC_ENV", "Metrics", "discard_stale_gauges"]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# A single-claim request takes about a millisecond; a 1,000-claim one can take seconds.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_RULES_INFO = "claimcheck_rules_info"
_RULES_LOADED = "claimcheck_rules_loaded_timestamp_seconds"
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
            _RULES_LOADED,
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
            # A worker's file keeps a removed series at its last value: 0, which render() leaves out.
            self.rules_info.labels(*self._info_labels).set(0)
            self.rules_info.remove(*self._info_labels)
        self.rules_info.labels(*labels).set(1)
        self.rules_loaded.set_to_current_time()
        self._info_labels = labels

    def rules_reloaded(self, ok: bool) -> None:
        self.reloads.labels("ok" if ok else "refused").inc()

    def render(self) -> bytes:
        """The Prometheus text exposition of this process, or of every worker in multiprocess mode."""
        directory = os.environ.get(MULTIPROC_ENV)
        if directory:
            _forget_dead_workers(directory)
            registry = CollectorRegistry()
            registry.register(_RulesInService(MultiProcessCollector(None, directory)))
            return generate_latest(registry)
        return generate_latest(self.registry)


class _RulesInService:
    """Every worker's metrics, without the rules a worker held before its last reload (at 0), and
    without the rules' gauges of a worker yet to load them (at 0), or that could not (and is exiting)."""

    def __init__(self, collector: MultiProcessCollector) -> None:
        self._collector = collector

    def collect(self) -> Iterator[Metric]:
        for metric in self._collector.collect():
            if metric.name in (_RULES_INFO, _RULES_LOADED):
                metric.samples = [sample for sample in metric.samples if sample.value]
            yield metric


def _forget_dead_workers(directory: str) -> None:
    """Drop the rules' gauges of workers that have exited (replaced on SIGHUP, crashed): uvicorn's
    supervisor tells nobody, so their files would report rules no worker holds any more."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return
    pids = {
        os.path.basename(path).rsplit("_", 1)[1][:-3] for path in glob.glob(os.path.join(directory, "gauge_live*_*.db"))
    }
    for pid in pids:
        if pid.isdigit() and not _alive(int(pid)):
            mark_process_dead(int(pid), directory)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process has that pid now: workers run as this one
        return False
    return True


def discard_stale_gauges() -> None:
    """Before a process makes its first metric: drop the gauges an earlier process of the same pid
    left in ``PROMETHEUS_MULTIPROC_DIR`` (a container's server is pid 1 at every start), which the
    new one would otherwise take up and report beside its own."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        mark_process_dead(os.getpid(), directory)
