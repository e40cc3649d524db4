"""Bearer API keys, checked before the request body is read.

FastAPI reads and parses a body before it runs dependencies, so a key check written as a
dependency would let anyone without a key make the server parse 5 MB of JSON. The check is an
ASGI middleware instead; ``bearer_scheme`` only declares the scheme in the OpenAPI document.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from fastapi.security import HTTPBearer
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["ADMIN_PATHS", "OPEN_PATHS", "ApiKeyMiddleware", "ApiKeys", "bearer_scheme"]

# Liveness probes, the index and the API description (and the paths that point to it) need no
# key; everything else, /metrics included, does.
OPEN_PATHS = frozenset({"/", "/healthz", "/openapi.json", "/docs", "/redoc"})
# Operations that change what the service does for everyone: when admin keys are configured, only
# they may call these (a billing system's key, copied into many hosts' configuration, may not).
ADMIN_PATHS = frozenset({"/v1/rules:reload"})

bearer_scheme = HTTPBearer(auto_error=False, description="An API key given to the service at start.")


class ApiKeys:
    """The accepted keys, compared in constant time."""

    def __init__(self, keys: Iterable[str]) -> None:
        # Bytes, because hmac.compare_digest refuses str holding non-ASCII characters.
        self._keys = tuple(key.encode("utf-8") for key in keys)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def accepts(self, presented: bytes) -> bool:
        """Whether ``presented`` is one of the keys; every key is compared, so the time taken does
        not tell which key, or how much of one, matched."""
        matched = False
        for key in self._keys:
            matched |= hmac.compare_digest(presented, key)
        return matched


_HOW = "send it as 'Authorization: Bearer <API key>'"
_NO_KEY = f"an API key is required: {_HOW}"
# Basic, a bare key, "Bearer" without one: told so, since the caller did send something.
_NOT_BEARER = f"the Authorization header is not a bearer token: {_HOW}"
_WRONG_KEY = "the API key is not valid"
_NOT_ADMIN = "this API key may not reload the rules: that takes one of the service's admin keys"


def _authorization(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            return value
    return None


def _bearer_token(authorization: bytes) -> bytes | None:
    scheme, _, token = authorization.partition(b" ")
    return token.strip() if scheme.lower() == b"bearer" and token.strip() else None


class ApiKeyMiddleware:
    """Answers 401 (with ``WWW-Authenticate: Bearer``) to a request outside ``OPEN_PATHS`` that does
    not carry one of the keys, and 403 to one on ``ADMIN_PATHS`` whose key is not an admin key
    when admin keys are configured; does nothing when no key is configured (``--insecure-no-auth``)."""

    def __init__(self, app: ASGIApp, keys: ApiKeys, admin_keys: ApiKeys | None = None) -> None:
        self.app = app
        self.keys = keys
        self.admin_keys = admin_keys or ApiKeys(())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.keys or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        authorization = _authorization(scope)
        token = _bearer_token(authorization) if authorization is not None else None
        if token is not None:
            # Both sets are always compared, so the time taken does not tell which one a key is in.
            admin = self.admin_keys.accepts(token)
            valid = self.keys.accepts(token) | admin
            if valid and (admin or not self.admin_keys or scope["path"] not in ADMIN_PATHS):
                await self.app(scope, receive, send)
                return
            if valid:
                challenge = 'Bearer error="insufficient_scope"'  # RFC 6750 3.1
                response = JSONResponse(
                    {"detail": _NOT_ADMIN}, status_code=403, headers={"WWW-Authenticate": challenge}
                )
                await response(scope, receive, send)
                return
        # RFC 6750: no error code when no bearer credentials were sent, invalid_token when they were wrong.
        challenge = "Bearer" if token is None else 'Bearer error="invalid_token"'
        if token is not None:
            detail = _WRONG_KEY
        else:
            detail = _NO_KEY if authorization is None else _NOT_BEARER
        response = JSONResponse({"detail": detail}, status_code=401, headers={"WWW-Authenticate": challenge})
        await response(scope, receive, send)
