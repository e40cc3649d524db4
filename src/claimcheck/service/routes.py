"""The HTTP endpoints."""

from __future__ import annotations

import json
import os
import signal
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request, Security
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from claimcheck.engine.ruleset import RuleSet
from claimcheck.engine.run import validate_many
from claimcheck.errors import ClaimCheckError, InputError
from claimcheck.io.readers import READERS, read_claims
from claimcheck.models.parse import parse_claim
from claimcheck.models.report import LineResult, Report
from claimcheck.service.auth import bearer_scheme
from claimcheck.service.json_body import JsonBodyRoute, refuse_unreadable_media
from claimcheck.service.metrics import CONTENT_TYPE_LATEST, Metrics
from claimcheck.service.observe import stats_of
from claimcheck.service.params import DEFAULT_X12_NAME, AsOf, X12Name
from claimcheck.service.rules import RulesHolder
from claimcheck.service.schemas import MAX_LINES, ClaimsBody, Detail, HealthOut, ProfileOut, ReportOut, RulesOut
from claimcheck.service.settings import Settings

__all__ = ["AsciiJSONResponse", "ServiceState", "router"]

# Documented for /v1/x12:validate; any Content-Type but JSON is taken, because billing systems
# send none, application/octet-stream or curl's form default, and the reader tells an 837 by content.
X12_MEDIA_TYPES = ("application/edi-x12", "text/plain", "application/octet-stream")
# A request of up to this many lines (a few claims) and bytes is checked on the event loop:
# handing it to a thread costs about as much as checking it, and under load those threads fight
# the loop for the GIL. A bigger one is checked, and its report encoded, in a thread, so that
# /healthz and small requests are still answered while it runs. At 0.15-0.7 ms a line, 20 lines
# hold the loop for 3-14 ms at most; the byte bound keeps out few lines with long lists (a line
# of 5 MB of modifiers took seconds, and its report hundreds of MB).
INLINE_LINES = 20
INLINE_BYTES = 8192
_FINDINGS_AT_ONCE = 100
# Every line of a report repeats its claim id (an 837's locations its envelope ids too): a 2.5 MB id on 100,000
# lines would be a 250 GB report from one request. Real ids are short (X12 CLM01: 38 characters).
MAX_ECHOED_IDS = 20_000_000
_REPORT = {"model": ReportOut, "description": "The JSON report: every input line once, in input order."}


class AsciiJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped. ``"\\ud800"`` is valid JSON, so a claim may
    carry a lone surrogate, which the report echoes and UTF-8 cannot encode; escaped, it goes back
    as it came instead of failing the response."""

    def render(self, content: Any) -> bytes:
        return _ascii_json(content)


def _ascii_json(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def _report_response(report: Report) -> Response:
    """``report.to_dict()`` as ``AsciiJSONResponse`` writes it, encoded a line at a time: one
    ``json.dumps`` of a whole report holds the GIL throughout (0.2 s for 1,000 claims), so the
    event loop could not answer anyone while a thread encoded a big report."""
    _refuse_long_ids(report)
    if sum(len(line.findings) for line in report.lines) <= _FINDINGS_AT_ONCE:
        return AsciiJSONResponse(report.to_dict())  # a claim or two: at once is quicker
    lines = ",".join(_line_json(line) for line in report.lines)
    text = f'{{"summary":{_ascii_json(report.summary()).decode("ascii")},"lines":[{lines}]}}'
    return Response(text.encode("ascii"), media_type="application/json")


def _refuse_long_ids(report: Report) -> None:
    echoed = sum(len(line.claim_id) for line in report.lines if isinstance(line.claim_id, str))
    for line in report.lines:
        if line.location:  # the 837's envelope ids (ST02, GS06...) and claim id; ?filename= is bounded
            echoed += sum(
                len(value) for key, value in line.location.items() if isinstance(value, str) and key != "file"
            )
    if echoed > MAX_ECHOED_IDS:
        msg = (
            f"the report would repeat claim and envelope ids, {echoed:,} characters in all, on its lines: "
            f"more than the {MAX_ECHOED_IDS:,} this service sends; shorten the ids or send fewer lines at once"
        )
        ctx = {"max_characters": MAX_ECHOED_IDS, "characters": echoed}
        raise HTTPException(422, [{"type": "report_too_large", "loc": ["body"], "msg": msg, "ctx": ctx}])


def _line_json(line: LineResult) -> str:
    if len(line.findings) <= _FINDINGS_AT_ONCE:
        return _ascii_json(line.to_dict()).decode("ascii")
    # A line of thousands of modifiers or diagnoses has a finding for each: a finding at a time.
    head = _ascii_json(line.head()).decode("ascii")
    findings = ",".join(_ascii_json(finding.to_dict()).decode("ascii") for finding in line.findings)
    return f'{head[:-1]},"findings":[{findings}]}}'  # to_dict's order: the head's keys, then findings


def _checked(claims: list[dict[str, Any]], rules: RuleSet, as_of: date | None) -> tuple[Report, Response]:
    # Read as a JSON claims file reads them (strict): the body's keys are the contract's, so a
    # misspelt one ("modifier") is an input.not_checked warning, not a field left unchecked in
    # silence as validate() leaves the extra keys of a DataFrame's rows.
    parsed = (parse_claim(claim, strict=True) for claim in claims)
    report = validate_many(parsed, rules=rules, as_of=as_of)
    return report, _report_response(report)


@dataclass(frozen=True, slots=True)
class ServiceState:
    settings: Settings
    rules: RulesHolder
    metrics: Metrics


def _state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


router = APIRouter()
# Security() here only puts the bearer scheme in the OpenAPI document; ApiKeyMiddleware enforces it.
_KEYED: dict[str, Any] = {"dependencies": [Security(bearer_scheme)]}
_UNAUTHORIZED: dict[int | str, dict[str, Any]] = {401: {"model": Detail, "description": "No API key, or a wrong one."}}
_UNREADABLE_MEDIA: dict[int | str, dict[str, Any]] = {
    415: {"model": Detail, "description": "A compressed body (Content-Encoding), or a multipart form upload."}
}
_X12_MEDIA = {
    "model": Detail,
    "description": "A JSON body (claims go to /v1/claims:validate), a compressed one, or a form upload.",
}
_TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": Detail, "description": "The body is larger than the service's limit (--max-body-bytes)."}
}


@router.get("/healthz", response_model=HealthOut, tags=["service"])
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (with its rules loaded, which happens before it listens). Needs no API key."""
    return {"status": "ok"}


async def validate_claims(request: Request, claims: Annotated[ClaimsBody, Body()], as_of: AsOf = None) -> Response:
    """Check one claim, or a list of up to 1,000 with up to 100,000 lines in all, in the JSON claims shape.

    A claim with wrong fields is answered with ``input`` findings on its lines, not with a 422;
    a key that no field reads (``modifier`` for ``modifiers``) with an ``input.not_checked`` warning.
    The body is read as JSON whatever its Content-Type (none, text/plain or a form type too).
    """
    rules = _state(request).rules.current
    # The claims as parse_json read them, which ClaimsBody validated: its dicts are copies, which
    # drop the mark of an object that gave a key twice (see json_text.KeyedTwice).
    body = await request.json()
    claims = [body] if isinstance(body, dict) else body
    lines = sum(len(claim["lines"]) if isinstance(claim.get("lines"), list) else 1 for claim in claims)
    if lines > MAX_LINES:
        msg = f"a request may carry at most {MAX_LINES:,} claim lines, not {lines:,}: send them in several requests"
        error = {
            "type": "too_long",
            "loc": ["body"],
            "msg": msg,
            "ctx": {"max_lines": MAX_LINES, "actual_lines": lines},
        }
        return AsciiJSONResponse({"detail": [error]}, status_code=422)
    if lines <= INLINE_LINES and len(await request.body()) <= INLINE_BYTES:
        report, response = _checked(claims, rules, as_of)
    else:
        report, response = await run_in_threadpool(_checked, claims, rules, as_of)
    stats_of(request.scope).record(len(claims), report)
    return response


router.add_api_route(
    "/v1/claims:validate",
    validate_claims,
    methods=["POST"],
    responses={**_UNAUTHORIZED, **_TOO_LARGE, **_UNREADABLE_MEDIA, 200: _REPORT},
    tags=["claims"],
    route_class_override=JsonBodyRoute,
    **_KEYED,
)


def _is_json(content_type: str) -> bool:
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _check_x12(body: bytes, name: str, rules: RuleSet, as_of: date | None) -> tuple[int, Report, Response]:
    # The X12 reader reads files, in two passes; the body is at most max_body_bytes. The file's
    # name is what the reader reports as each line's location.file.
    with tempfile.TemporaryDirectory(prefix="claimcheck-") as directory:
        path = Path(directory) / name
        path.write_bytes(body)
        claims = list(read_claims(path, "x12"))
    report = validate_many(claims, rules=rules, as_of=as_of)
    return len(claims), report, _report_response(report)


@router.post(
    "/v1/x12:validate",
    responses={**_UNAUTHORIZED, **_TOO_LARGE, 200: _REPORT, 501: {"model": Detail}, 415: _X12_MEDIA},
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "An X12 5010 837P or 837I interchange.",
            "content": {media: {"schema": {"type": "string"}} for media in X12_MEDIA_TYPES},
        }
    },
    tags=["claims"],
    **_KEYED,
)
async def validate_x12(request: Request, as_of: AsOf = None, filename: X12Name = DEFAULT_X12_NAME) -> Response:
    """Check the claims of an 837 body; each line's ``location`` points into the body.

    The body decides whether it is an 837, whatever its Content-Type; only a JSON one (a sign the
    claims were meant for /v1/claims:validate), a compressed one and a form upload are refused (415).
    """
    if "x12" not in READERS:
        raise HTTPException(501, "this build of claimcheck has no X12 reader")
    if _is_json(request.headers.get("content-type", "")):
        raise HTTPException(415, "this endpoint takes an X12 837; send JSON claims to /v1/claims:validate")
    refuse_unreadable_media(request.headers)
    body = await request.body()
    try:
        claims, report, response = await run_in_threadpool(
            _check_x12, body, filename, _state(request).rules.current, as_of
        )
    except InputError as exc:
        # The problem only: str(exc) would name the temporary directory.
        problem = "is empty" if not body.strip() else f"is not an X12 837 that can be read: {exc.problem}"
        error = {"type": "x12_unreadable", "loc": ["body"], "msg": f"the body {problem}"}
        return AsciiJSONResponse({"detail": [error]}, status_code=422)
    stats_of(request.scope).record(claims, report)
    return response


def _rules_out(rules: RuleSet) -> RulesOut:
    profiles = [ProfileOut(code=code, title=profile.title) for code, profile in sorted(rules.profiles.items())]
    return RulesOut(rules_version=rules.version, code_sets=rules.code_set_versions(), profiles=profiles)


@router.get("/v1/rules", response_model=RulesOut, responses=_UNAUTHORIZED, tags=["rules"], **_KEYED)
def rules_info(request: Request) -> RulesOut:
    """The rules in service: version, code-set versions and procedure profiles."""
    return _rules_out(_state(request).rules.current)


@router.post(
    "/v1/rules:reload",
    response_model=RulesOut,
    responses={
        **_UNAUTHORIZED,
        403: {"model": Detail, "description": "Admin keys are configured and this key is not one."},
        409: {"model": Detail},
    },
    tags=["rules"],
    **_KEYED,
)
def reload_rules(request: Request) -> RulesOut:
    """Load the rules again from where they were loaded at start and put them in service.

    A pack that does not load is refused (409, with the rule file's error) and the old rules stay.
    When the service has admin keys (``--admin-keys``, ``CLAIMCHECK_ADMIN_KEYS``) only they may reload (403).
    """
    state = _state(request)
    several = state.settings.workers > 1
    try:
        # With several workers every one is replaced next, and each replacement counts the reload.
        fresh = state.rules.reload(count_success=not several)
    except ClaimCheckError as exc:
        raise HTTPException(409, str(exc)) from None
    if several:
        # This worker has checked the pack; uvicorn's supervisor answers SIGHUP by replacing every
        # worker one by one, each loading the rules afresh, so all of them serve the new pack.
        os.kill(os.getppid(), signal.SIGHUP)
    return _rules_out(fresh)


@router.get(
    "/metrics",
    response_class=Response,
    responses={**_UNAUTHORIZED, 200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
    tags=["service"],
    **_KEYED,
)
def metrics(request: Request) -> Response:
    """Prometheus metrics: requests by route and status, latency, claims, lines, findings by status; the
    rules in service (their versions, when they were loaded) and reloads by outcome."""
    return Response(_state(request).metrics.render(), media_type=CONTENT_TYPE_LATEST)
