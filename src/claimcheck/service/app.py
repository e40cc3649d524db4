"""The ASGI application: ``create_app(settings)`` for tests and ``serve``; ``app_from_env`` for workers."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from uvicorn.config import STARTUP_FAILURE

from claimcheck.errors import ClaimCheckError
from claimcheck.service.auth import ApiKeyMiddleware, ApiKeys
from claimcheck.service.body_limit import BodyLimitMiddleware
from claimcheck.service.discovery import add_discovery
from claimcheck.service.json_body import CLIENT_CLOSED_REQUEST
from claimcheck.service.logs import EVENT_LOGGER
from claimcheck.service.methods import MethodsMiddleware
from claimcheck.service.metrics import Metrics, discard_stale_gauges
from claimcheck.service.observe import STATS_KEY, ObserveMiddleware
from claimcheck.service.query_check import QueryCheckMiddleware, query_parameters
from claimcheck.service.routes import AsciiJSONResponse, ServiceState, router
from claimcheck.service.rules import RulesHolder
from claimcheck.service.settings import RELOADING_ENV, Settings
from claimcheck.service.validation_errors import validation_error

__all__ = ["app_from_env", "create_app"]

_log = logging.getLogger(EVENT_LOGGER)

_DESCRIPTION = """Pre-submission claim scrubbing: send claims in the JSON claims shape, or an 837,
and get the JSON report back. Every endpoint but /, /healthz and /openapi.json needs
`Authorization: Bearer <API key>`. A query parameter that an endpoint does not take, or one given
twice, is a 422 naming it (`loc` `["query", name]`), not ignored."""


async def _internal_error(request: Request, exc: Exception) -> AsciiJSONResponse:
    """A JSON 500 that names the request, whose log records say more: never the error's text, which
    may quote a claim. (Starlette's own is a text/plain "Internal Server Error" without the id.)"""
    stats = request.scope.get(STATS_KEY)
    request_id = stats.request_id if stats is not None else "unknown"
    _log.error("internal error", exc_info=exc, extra={"fields": {"request_id": request_id}})
    detail = f"internal error; the service log has request {request_id}"
    return AsciiJSONResponse({"detail": detail}, status_code=500, headers={"X-Request-Id": request_id})


async def _client_gone(_request: Request, _exc: Exception) -> Response:
    """A client that hung up before its body was read: logged and counted as nginx's 499 "client
    closed request", not as the server's error (a 500) or a bad body (a 400). Nobody reads the answer."""
    return Response(status_code=CLIENT_CLOSED_REQUEST)


@asynccontextmanager
async def _reload_on_sighup(app: FastAPI) -> AsyncIterator[None]:
    loop = asyncio.get_running_loop()
    holder: RulesHolder = app.state.service.rules
    # Loading a pack takes a while and does file I/O: off the event loop.
    loop.add_signal_handler(signal.SIGHUP, lambda: loop.run_in_executor(None, holder.reload_logged))
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGHUP)


def create_app(settings: Settings, *, reloading: bool = False) -> FastAPI:
    """The service app. Loads the rules now, so a broken pack raises here and nothing is served.
    ``reloading``: this app replaces one in service (SIGHUP with several workers), so its load
    counts as a reload in the metrics, refused or not."""
    metrics = Metrics()
    rules = RulesHolder(settings, metrics, reloading=reloading)
    app = FastAPI(
        title="claimcheck",
        version=version("claimcheck"),
        description=_DESCRIPTION,
        lifespan=_reload_on_sighup if settings.reload_on_sighup else None,
        # Swagger UI and Redoc load their scripts from a CDN, which a hospital network does not reach.
        docs_url=None,
        redoc_url=None,
        # Starlette answers /v1/rules/ with a 307 to an absolute URL built from the Host header, on
        # http: behind a TLS proxy a client following it would send its key and claims in clear.
        # A 404 naming the path without the slash tells the caller instead.
        redirect_slashes=False,
    )
    app.state.service = ServiceState(settings, rules, metrics)
    app.include_router(router)
    methods = add_discovery(app, router.routes)
    paths = set(methods)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(ClientDisconnect, _client_gone)
    app.add_exception_handler(Exception, _internal_error)
    # Innermost: judged before the body is read, after the key and size checks.
    app.add_middleware(QueryCheckMiddleware, parameters=query_parameters(router.routes, paths))
    # Inside the key check: a client without a key learns nothing, not even the size limit.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(ApiKeyMiddleware, keys=ApiKeys(settings.api_keys), admin_keys=ApiKeys(settings.admin_keys))
    # Outside the key check: OPTIONS and a 405 tell only what the public OpenAPI document does.
    app.add_middleware(MethodsMiddleware, methods=methods)
    # Added last, so outermost: refused requests get a request id, a log record and metrics too.
    app.add_middleware(ObserveMiddleware, metrics=metrics, routes=paths)
    return app


def app_from_env() -> FastAPI:
    """The app of one uvicorn worker, from the settings ``serve`` put in the environment.

    When the rules (or the key file) cannot be read, as when SIGHUP finds a broken pack, the
    worker logs why and exits with uvicorn's startup-failure status; its supervisor then keeps the
    workers it has. Raising instead would print a multi-line traceback amid the JSON logs.
    """
    discard_stale_gauges()
    try:
        return create_app(Settings.from_env(), reloading=os.environ.get(RELOADING_ENV) == "1")
    except ClaimCheckError as exc:
        _log.error("worker not started", extra={"fields": {"error": str(exc)}})
        raise SystemExit(STARTUP_FAILURE) from None
