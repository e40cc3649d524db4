"""Query parameters that no endpoint reads, or that come twice, are a 422 naming them.

Left alone, ``?asof=2026-01-01`` (for ``as_of``) was ignored and the claims were checked as of
today, with a 200 that did not say so; ``?as_of=A&as_of=B`` used B in silence. The check runs
before the body is read, on every route, and answers in FastAPI's 422 shape: one error per
problem, ``loc`` ``["query", name]``, the parameters the route takes in ``ctx.allowed``.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.datastructures import QueryParams
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["QueryCheckMiddleware", "query_parameters"]

_SHOWN_NAME = 60  # characters of an unknown name said back; the rest is "…"


def _names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _names(sub)
    return names


def query_parameters(routes: Iterable[Any], paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The query parameters of each path: those its API routes read, none for the other ``paths``."""
    taken: dict[str, set[str]] = {path: set() for path in paths}
    for route in routes:
        if isinstance(route, APIRoute):
            taken.setdefault(route.path, set()).update(_names(route.dependant))
    return {path: tuple(sorted(names)) for path, names in taken.items()}


def _shown(name: str) -> str:
    return name if len(name) <= _SHOWN_NAME else name[:_SHOWN_NAME] + "…"


def _unknown(name: str, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not allowed:
        msg = f"unknown query parameter {_shown(name)!r}: {path} takes no query parameters"
    else:
        msg = f"unknown query parameter {_shown(name)!r}: {path} takes {', '.join(allowed)}"
        close = difflib.get_close_matches(name.lower(), allowed, n=1, cutoff=0.6)
        if close:
            msg += f"; did you mean {close[0]!r}?"
    return {"type": "query_unknown", "loc": ["query", _shown(name)], "msg": msg, "ctx": {"allowed": list(allowed)}}


def _repeated(name: str, times: int) -> dict[str, Any]:
    msg = f"query parameter {name!r} is given {times} times: give it once"
    return {"type": "query_repeated", "loc": ["query", name], "msg": msg, "ctx": {"times": times}}


def query_errors(query_string: bytes, path: str, allowed: tuple[str, ...]) -> list[dict[str, Any]]:
    names = [name for name, _ in QueryParams(query_string.decode("latin-1")).multi_items()]
    counts = Counter(names)
    errors = []
    for name, times in counts.items():  # in the order they were given
        if name not in allowed:
            errors.append(_unknown(name, path, allowed))
        elif times > 1:
            errors.append(_repeated(name, times))
    return errors


class QueryCheckMiddleware:
    """Answers 422 to a request on a known path whose query names a parameter the path does not
    take, or one twice; an unknown path is left to the router's 404."""

    def __init__(self, app: ASGIApp, parameters: Mapping[str, tuple[str, ...]]) -> None:
        self.app = app
        self.parameters = dict(parameters)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = self.parameters.get(scope["path"]) if scope["type"] == "http" else None
        if allowed is not None and scope.get("query_string"):
            errors = query_errors(scope["query_string"], scope["path"], allowed)
            if errors:
                await JSONResponse({"detail": errors}, status_code=422)(scope, receive, send)
                return
        await self.app(scope, receive, send)
