"""Per-request bookkeeping: a request id, one JSON access log record and the Prometheus metrics.

The endpoint that checks claims fills the request's ``RequestStats`` (claims, lines, findings by
status); this middleware, outermost, writes them out once the response has been sent. Only
counts are logged, never claim ids, codes or bodies.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claimcheck.models.report import Report
from claimcheck.service.logs import ACCESS_LOGGER
from claimcheck.service.metrics import Metrics

__all__ = ["STATS_KEY", "ObserveMiddleware", "RequestStats", "stats_of"]

STATS_KEY = "claimcheck.stats"
# Clients may send any token as a method; the metrics and logs name only these.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_access_log = logging.getLogger(ACCESS_LOGGER)
# A caller's own X-Request-Id (a UUID, a gateway's trace id) is taken, so that its logs and ours
# name the request alike; only as a short token, since it is written into headers and JSON logs.
_CALLER_ID = re.compile(rb"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            return value.decode("ascii") if _CALLER_ID.fullmatch(value) else uuid.uuid4().hex
    return uuid.uuid4().hex


@dataclass(slots=True)
class RequestStats:
    """What a request checked; zero for requests that check nothing."""

    request_id: str
    claims: int = 0
    lines: int = 0
    findings: Counter[str] = field(default_factory=Counter)

    def record(self, claims: int, report: Report) -> None:
        self.claims = claims
        self.lines = len(report.lines)
        self.findings = Counter(finding.status.value for line in report.lines for finding in line.findings)


def stats_of(scope: Scope) -> RequestStats:
    stats: RequestStats = scope[STATS_KEY]
    return stats


class ObserveMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, routes: Iterable[str]) -> None:
        self.app = app
        self.metrics = metrics
        # Every route is a fixed path, so an exact match names it; anything else is one label, so
        # that scanning for URLs cannot blow up the metrics' cardinality.
        self.routes = frozenset(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        stats = RequestStats(_request_id(scope))
        scope[STATS_KEY] = stats
        status = 500  # what the client gets when the app raises before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = stats.request_id
                # A report echoes claim ids and codes: no proxy or browser may keep it, nor guess
                # that a JSON body is a page to render.
                headers.setdefault("Cache-Control", "no-store")
                headers.setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._write(scope, status, time.perf_counter() - started, stats)

    def _write(self, scope: Scope, status: int, seconds: float, stats: RequestStats) -> None:
        route = scope["path"] if scope["path"] in self.routes else "unmatched"
        method = scope["method"] if scope["method"] in _METHODS else "other"
        self.metrics.observe(method, route, status, seconds, stats.claims, stats.lines, stats.findings)
        fields = {
            "request_id": stats.request_id,
            "method": method,
            "route": route,
            "status": status,
            "latency_ms": round(seconds * 1000, 3),
            "claims": stats.claims,
            "lines": stats.lines,
            "findings": dict(stats.findings),
        }
        _access_log.info("request", extra={"fields": fields})
