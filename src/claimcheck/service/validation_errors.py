"""The 422 of a request FastAPI could not validate: pydantic's errors without the ``input`` they
echo (that may be 5 MB of claims, and is patient data), and, for the claims body, messages that
say what was sent in place of claims (its JSON type, never its value)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError

from claimcheck.service.routes import AsciiJSONResponse

__all__ = ["validation_error"]

# The only body FastAPI reads is /v1/claims:validate's (the 837 endpoint reads its own).
_EMPTY_BODY = "the body is empty: send one claim object or a list of them"
_NOT_CLAIMS = "the body must be one claim object or a list of them, not {kind}"
_NOT_A_CLAIM = "a claim must be an object, not {kind}"
_TOO_MANY_CLAIMS = (
    "a request may carry at most {max_length:,} claims, not {actual_length:,}: send them in several requests"
)


async def validation_error(_request: Request, exc: Exception) -> AsciiJSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [_explained(error) for error in exc.errors()]
    return AsciiJSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


def _explained(error: dict[str, Any]) -> dict[str, Any]:
    shown = {key: _context(value) if key == "ctx" else value for key, value in error.items() if key != "input"}
    loc, kind = tuple(error["loc"]), error["type"]
    # pydantic's "Field required", "Input should be a valid list" (one claim object is taken too)
    # and "a valid dictionary" do not say what was sent: a claim JSON-encoded twice, say.
    if kind == "missing" and loc == ("body",):
        shown["msg"] = _EMPTY_BODY
    elif kind == "list_type" and loc == ("body",):
        shown["msg"] = _NOT_CLAIMS.format(kind=_json_kind(error.get("input")))
    elif kind == "dict_type" and len(loc) == 2 and loc[0] == "body":
        shown["msg"] = _NOT_A_CLAIM.format(kind=_json_kind(error.get("input")))
    elif kind == "too_long" and loc == ("body",) and _counted(error.get("ctx")):
        shown["msg"] = _TOO_MANY_CLAIMS.format(**error["ctx"])
    return shown


def _counted(ctx: Any) -> bool:
    return isinstance(ctx, dict) and all(isinstance(ctx.get(key), int) for key in ("max_length", "actual_length"))


def _json_kind(value: Any) -> str:
    """What JSON ``value`` is, said without any of its content."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string" + (
            " (it holds JSON encoded a second time: send that JSON itself)" if _holds_json(value) else ""
        )
    return "an object"


def _holds_json(text: str) -> bool:
    if not text.lstrip().startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def _context(ctx: dict[str, object]) -> dict[str, object]:
    # A validator's ValueError would be encoded as an empty object; its text is what it says.
    return {key: str(value) if isinstance(value, Exception) else value for key, value in ctx.items()}
