"""JSON text to Python values, with every way the text can be unreadable reported as one error."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["BadJson", "parse_json"]

# A \uD800-\uDFFF escape: JSON may spell half of a surrogate pair on its own, which Python keeps
# as a lone surrogate that no UTF-8 report (or terminal) can encode.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BadJson(ValueError):
    """The text is not JSON this reader can take; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse_json(text: str) -> Any:
    """``json.loads``, with lone surrogates replaced by U+FFFD as undecodable bytes are elsewhere."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadJson(f"is not valid JSON ({exc.msg}, column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise BadJson("is not valid JSON this reader can take (nested too deeply)") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise BadJson("is not valid JSON this reader can take (a number too long to read)") from None
    if not _SURROGATE_ESCAPE.search(text):
        return value
    try:
        return _without_lone_surrogates(value)
    except RecursionError:  # json.loads took a depth that this walk, with its own frames, does not
        raise BadJson("is not valid JSON this reader can take (nested too deeply)") from None


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item) for key, item in value.items()}
    return value
