"""JSON request bodies, read as JSON whatever their Content-Type, and a 422 pointing into any
body that cannot be read.

FastAPI parses a body as JSON only when its Content-Type says so; anything else reaches the
endpoint as bytes and fails validation with a misleading "Input should be a valid list".
Billing systems and curl often send no Content-Type, text/plain or curl's form default, so on a
``JsonBodyRoute`` the body decides, as it does for an 837: JSON is read, anything else is a 422.

FastAPI turns a ``json.JSONDecodeError`` into a 422 ``json_invalid`` whose ``loc`` is
``["body", offset]``, but any other error from ``json.loads`` into a bare 400. Three kinds of
malformed JSON raise something else: invalid UTF-8 (``UnicodeDecodeError``), nesting deeper than
the interpreter's stack (``RecursionError``) and an integer of more than 4,300 digits
(``ValueError``). ``parse_json`` raises each as a ``JSONDecodeError`` at the offset it found.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from claimcheck.io.readers.json_text import object_with_repeats

__all__ = ["CLIENT_CLOSED_REQUEST", "JsonBodyRoute", "charset_of", "parse_json", "refuse_unreadable_media"]

CLIENT_CLOSED_REQUEST = 499  # nginx's status for a client that went away before it was answered

# Read as the body, a form upload starts with its boundary: the claims would be told "Expecting
# value" at offset 0, and an 837 that it "does not start with an ISA segment" though it does.
_FORM_UPLOAD = "send the file as the request body itself (curl --data-binary @FILE), not as a form upload (curl -F)"

_INLINE_BYTES = 65536
_SHOWN_CHARSET = 40  # characters of a declared charset said back
_X12_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*ISA")
# A string, or a bracket or number outside one: enough to find where a body goes wrong. A string
# left open runs to the end: were it required to close, each quote inside it (an escaped one too)
# would start another search to the end of the body, and a body of them would take hours.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]|-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?')


def parse_json(body: bytes, charset: str | None = None) -> Any:
    """``json.loads(body)``; raises ``json.JSONDecodeError`` for every body that is not JSON it can read.

    JSON is UTF-8 (or UTF-16/32, which ``json`` tells by the bytes). A body that is not, and whose
    Content-Type declares a ``charset`` (.NET's Encoding.Default and Java's text/plain default send
    windows-1252 or ISO-8859-1, and say so), is read in that charset; a body that is valid UTF-8 is
    read as UTF-8 whatever it declares, since that is what it is.
    """
    try:
        return json.loads(body, object_pairs_hook=object_with_repeats)
    except UnicodeDecodeError as exc:
        text = _in_declared_charset(body, charset)
        if text is not None:
            # Lone surrogates (unicode_escape can make them) come back as not valid UTF-8: a 422.
            return parse_json(text.encode("utf-8", "surrogatepass"))
        # The offset in characters, as FastAPI gives it for syntax errors; the bytes before it decode.
        offset = len(exc.object[: exc.start].decode(exc.encoding, "surrogatepass"))
        raise json.JSONDecodeError(_not_decoded(exc.encoding, charset), _text(body), offset) from None
    except RecursionError:
        text = _text(body)
        offset, depth = _deepest(text)
        raise json.JSONDecodeError(
            f"arrays and objects nested too deeply to read ({depth} levels)", text, offset
        ) from None
    except ValueError as exc:  # JSONDecodeError is a ValueError too: only the digit limit is caught here
        if isinstance(exc, json.JSONDecodeError):
            if _X12_START.match(body):  # "Expecting value" would not tell the caller what went wrong
                raise json.JSONDecodeError(
                    "an X12 837, not JSON: send it to /v1/x12:validate", exc.doc, exc.pos
                ) from None
            raise
        text = _text(body)
        offset = _long_integer(text)
        raise json.JSONDecodeError("an integer with too many digits to read", text, offset) from None


def _in_declared_charset(body: bytes, charset: str | None) -> str | None:
    if charset is None:
        return None
    try:
        name = codecs.lookup(charset).name
        # UTF-8 has failed, and json reads UTF-16 and UTF-32 by itself; the escape codecs are no
        # charset: they would read the JSON's own backslash escapes a second time.
        return None if name.startswith("utf") or "escape" in name else body.decode(name)
    except (LookupError, UnicodeError, ValueError):
        return None


def _not_decoded(encoding: str, charset: str | None) -> str:
    problem = f"not valid {encoding.upper()}"
    if charset is None:
        return f"{problem} (a body in another charset says so: Content-Type: application/json; charset=windows-1252)"
    return f"{problem}, nor {charset[:_SHOWN_CHARSET]!r} as its Content-Type declares"


def charset_of(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type header, unquoted; None when it has none."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"'):
            return value.strip().strip('"')
    return None


def _text(body: bytes) -> str:
    return body.decode(json.detect_encoding(body), "replace")


def _deepest(text: str) -> tuple[int, int]:
    """The offset of the first bracket at the deepest nesting of ``text``, and that depth."""
    depth = deepest = offset = 0
    for token in _TOKEN.finditer(text):
        kind = token.group()[0]
        if kind in "[{":
            depth += 1
            if depth > deepest:
                deepest, offset = depth, token.start()
        elif kind in "]}":
            depth -= 1
    return offset, deepest


def _long_integer(text: str) -> int:
    """The offset of the first integer outside a string that ``int()`` refuses as too long."""
    limit = sys.get_int_max_str_digits()
    for token in _TOKEN.finditer(text):
        digits = token.group().lstrip("-")
        if digits.isdigit() and len(digits) > limit:
            return token.start()
    return 0


def refuse_unreadable_media(headers: Headers) -> None:
    """Raises a 415 for a body that cannot be read as sent, whatever it holds: compressed (its
    Content-Encoding was ignored, so gzipped claims were "not valid UTF-8") or a form upload."""
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding not in {"", "identity"}:
        detail = (
            f"the body is compressed (Content-Encoding: {encoding}), which this service does not read: send it plain"
        )
        raise HTTPException(415, detail, headers={"Accept-Encoding": "identity"})  # RFC 7694
    if headers.get("content-type", "").partition(";")[0].strip().lower() == "multipart/form-data":
        raise HTTPException(415, _FORM_UPLOAD)


class _JsonBodyRequest(Request):
    @property
    def headers(self) -> Headers:
        """The request's headers, with a JSON Content-Type: FastAPI reads the body as JSON only then."""
        others = [(name, value) for name, value in self.scope["headers"] if name != b"content-type"]
        return Headers(raw=[*others, (b"content-type", b"application/json")])

    async def body(self) -> bytes:
        body = await super().body()
        # Only blanks: the "missing" body an empty one is (the 837 endpoint too says "is empty"),
        # not "Expecting value" at their end.
        return b"" if body.isspace() else body

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            declared = Headers(scope=self.scope).get("content-type", "")  # as sent, not as headers says
            charset = charset_of(declared)
            # Finding where a big body goes wrong is a Python loop over its tokens (2-3 s for 5 MB
            # of brackets): in a thread, the event loop goes on answering other requests meanwhile.
            if len(body) <= _INLINE_BYTES:
                self._json = parse_json(body, charset)
            else:
                self._json = await run_in_threadpool(parse_json, body, charset)
        return self._json


class JsonBodyRoute(APIRoute):
    """A route whose body is read as JSON, by ``parse_json``, whatever its Content-Type."""

    def get_route_handler(self) -> Any:
        handle = super().get_route_handler()

        async def handle_with_parse_json(request: Request) -> Response:
            refuse_unreadable_media(request.headers)
            try:
                response: Response = await handle(_JsonBodyRequest(request.scope, request.receive))
            except HTTPException as exc:
                # FastAPI makes a 400 "error parsing the body" of a client that hung up mid-body.
                if isinstance(exc.__cause__, ClientDisconnect):
                    raise exc.__cause__ from None
                raise
            return response

        return handle_with_parse_json
