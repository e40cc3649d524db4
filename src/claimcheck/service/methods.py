"""HTTP methods as RFC 9110 has them: HEAD wherever GET is, OPTIONS everywhere, and a 405 that
says which methods a path takes.

FastAPI routes answer only the methods they declare: HEAD /v1/rules was a 405 (uptime monitors
and caches probe with HEAD), OPTIONS a 405 too, and a wrong method a bare "Method Not Allowed".
This middleware answers for every known path before the key check: the methods of a path are
in the public OpenAPI document already. Unknown paths are left to the router (401, then 404).
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MethodsMiddleware"]


def _allowed(methods: frozenset[str]) -> frozenset[str]:
    return methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())


class MethodsMiddleware:
    def __init__(self, app: ASGIApp, methods: Mapping[str, frozenset[str]]) -> None:
        self.app = app
        self.methods = {path: _allowed(taken) for path, taken in methods.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = self.methods.get(scope["path"]) if scope["type"] == "http" else None
        method = scope.get("method")
        if allowed is None or (method in allowed and method not in {"HEAD", "OPTIONS"}):
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(allowed))
        if method == "OPTIONS":
            await Response(status_code=204, headers={"Allow": allow})(scope, receive, send)
        elif method == "HEAD" and "HEAD" in allowed:
            await self.app({**scope, "method": "GET"}, receive, _without_body(send))
        else:
            takes = ", ".join(sorted(allowed - {"OPTIONS"}))
            detail = f"{method} is not allowed on {scope['path']}: it takes {takes}"
            await JSONResponse({"detail": detail}, status_code=405, headers={"Allow": allow})(scope, receive, send)


def _without_body(send: Send) -> Send:
    """``send`` for a GET answered as HEAD: its headers (Content-Length too) as they are, no body."""

    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return send_head
