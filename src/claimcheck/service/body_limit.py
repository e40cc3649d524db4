"""The request body size limit, answered with a 413 whose JSON ``detail`` states the limit.

Starlette's limit (FastAPI's ``max_body_size``) answers a body whose Content-Length is over it
with a text/plain "Content Too Large", and one found too large while read (a chunked upload)
with FastAPI's JSON, neither saying what the limit is. Clients get one answer here, both ways.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimitMiddleware"]


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.detail = f"the request body is larger than this service's limit of {max_bytes:,} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _content_length(scope) > self.max_bytes:
            # Refused before a byte of it is read.
            await JSONResponse({"detail": self.detail}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised in the endpoint reading the body, so FastAPI's handler answers it as JSON.
                    raise HTTPException(413, self.detail)
            return message

        await self.app(scope, receive_within_limit, send)


def _content_length(scope: Scope) -> int:
    value = Headers(scope=scope).get("content-length", "")
    return int(value) if value.isdigit() else 0
