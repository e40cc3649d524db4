"""JSON text to Python values, with every way the text can be unreadable reported as one error."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["BadJson", "KeyedTwice", "object_with_repeats", "parse_json"]

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


class KeyedTwice(dict[str, Any]):
    """A JSON object that gave some key more than once: ``json.loads`` keeps the last value, and
    ``repeated_keys`` says which keys (with how many times each) so a reader can say the others
    were not read, rather than check a value some other reader of the file would not take."""

    repeated_keys: dict[str, int]


def object_with_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``'s ``object_pairs_hook``: the object as a dict, a ``KeyedTwice`` when a key repeats."""
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    counts: dict[str, int] = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    keyed = KeyedTwice(value)
    keyed.repeated_keys = {key: count for key, count in counts.items() if count > 1}
    return keyed


def parse_json(text: str) -> Any:
    """``json.loads``, with lone surrogates replaced by U+FFFD as undecodable bytes are elsewhere,
    and objects that repeat a key marked (``KeyedTwice``)."""
    try:
        value = json.loads(text, object_pairs_hook=object_with_repeats)
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
        pairs = [(_without_lone_surrogates(key), _without_lone_surrogates(item)) for key, item in value.items()]
        cleaned = object_with_repeats(pairs)
        if isinstance(value, KeyedTwice):
            repeats = {_without_lone_surrogates(key): count for key, count in value.repeated_keys.items()}
            cleaned = KeyedTwice(cleaned)
            cleaned.repeated_keys = {**repeats, **getattr(cleaned, "repeated_keys", {})}
        return cleaned
    return value
