"""How a caller finds the API: the root lists the endpoints, and every 404 points to /openapi.json.

FastAPI's /docs and /redoc pages load Swagger UI and Redoc from a CDN, and no installed package
ships those scripts: in a hospital network, which reaches nothing outside, the pages were blank.
They are not served; their paths answer a 404 that says where the OpenAPI document is, which
any API tool the caller has (Swagger UI, Redoc, Postman, Insomnia) opens.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

__all__ = ["DOCS_PATHS", "OPENAPI_PATH", "add_discovery"]

OPENAPI_PATH = "/openapi.json"
DOCS_PATHS = ("/docs", "/redoc")
_NO_DOCS = (
    "this service serves no documentation page (it would load its scripts from the internet); "
    f"the API is described by the OpenAPI document at {OPENAPI_PATH}: open it in an API tool "
    "(Swagger UI, Redoc, Postman, Insomnia)"
)


def _endpoints(routes: list[APIRoute]) -> list[str]:
    return [f"{method} {route.path}" for route in routes if route.include_in_schema for method in sorted(route.methods)]


def _not_found_detail(path: str, known: frozenset[str]) -> str:
    stripped = path.rstrip("/")
    hint = f"did you mean {stripped}? " if stripped != path and stripped in known else ""
    return f"there is no endpoint at {path}; {hint}the API is described at {OPENAPI_PATH}"


def add_discovery(app: FastAPI, api_routes: Iterable[Any]) -> dict[str, frozenset[str]]:
    """Adds the root index, the docs pointers and the 404 answer to ``app``, whose endpoints are
    ``api_routes``; returns every path ``app`` now answers, with the methods it takes there."""
    routes = [route for route in api_routes if isinstance(route, APIRoute)]
    endpoints = _endpoints(routes)
    router = APIRouter()

    @router.get("/", tags=["service"], summary="Index")
    async def index() -> dict[str, Any]:
        """The endpoints and where the OpenAPI document is. Needs no API key."""
        return {"service": app.title, "version": app.version, "openapi": OPENAPI_PATH, "endpoints": endpoints}

    async def no_docs() -> JSONResponse:
        return JSONResponse({"detail": _NO_DOCS}, status_code=404)

    for path in DOCS_PATHS:
        router.add_api_route(path, no_docs, methods=["GET"], include_in_schema=False)
    app.include_router(router)
    served: dict[str, frozenset[str]] = {}
    for route in [*routes, *router.routes]:
        if isinstance(route, APIRoute):
            served[route.path] = served.get(route.path, frozenset()) | route.methods
    if app.openapi_url:
        served[app.openapi_url] = frozenset({"GET"})
    known = frozenset(served)

    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return JSONResponse(
            {"detail": _not_found_detail(request.url.path, known)}, status_code=404, headers=exc.headers
        )

    app.add_exception_handler(404, not_found)
    return served
