"""Characters a person cannot see in a value: zero-width and format characters, a byte-order mark
inside a file, no-break and other Unicode spaces inside a code, control characters.

"0711T\u200b is not a procedure code" shows nothing wrong on any screen, so a value holding one
is refused with its code point and position instead, and never echoed (it may be patient data).
Blanks around a value are no part of it (``str.strip`` trims Unicode blanks as ASCII ones), and
the ASCII blanks (tab, line breaks) keep the meaning they have always had.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

__all__ = ["describe_invisible", "seen", "seen_codes", "without_invisible"]

_ASCII_BLANKS = frozenset("\t\n\v\f\r ")
# Default-ignorable code points outside the format and separator categories: they draw nothing.
_IGNORABLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u3164\uffa0" + "".join(map(chr, range(0xFE00, 0xFE10)))
)
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
# Names people know them by, where Unicode's differs.
_NAMES = {"\ufeff": "byte order mark", "\u00ad": "soft hyphen"}
_SHOWN = 3


def _invisible(character: str) -> bool:
    if character in _ASCII_BLANKS:
        return False
    if character in _IGNORABLE or 0xE0100 <= ord(character) <= 0xE01EF:  # variation selectors
        return True
    return unicodedata.category(character) in _INVISIBLE_CATEGORIES


def _name(character: str) -> str:
    name = _NAMES.get(character) or unicodedata.name(character, "").lower()
    code_point = f"U+{ord(character):04X}"
    return f"{code_point} ({name})" if name else f"{code_point} (a control character)"


def describe_invisible(text: str) -> str | None:
    """What ``text`` holds that cannot be seen, with each character's code point, name and
    position (counted from 1), or None when it holds nothing such; ``text`` itself is not quoted."""
    if text.isascii() and text.isprintable():  # nearly every value: no character looked at
        return None
    found = [(position, character) for position, character in enumerate(text, 1) if _invisible(character)]
    if not found:
        return None
    listed = ", ".join(f"{_name(character)} at position {position}" for position, character in found[:_SHOWN])
    if len(found) > _SHOWN:
        listed += f" and {len(found) - _SHOWN} more"
    kind = "an invisible character" if len(found) == 1 else "invisible characters"
    return f"{kind}: {listed}"


def without_invisible(text: str) -> str:
    """``text`` less the characters no one can see but blanks, for comparing names (the payer)
    that no rule reads: "Ac\u200bme" names the payer "Acme" does."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(character for character in text if character.isspace() or not _invisible(character))


def seen(text: str, code: int | None = None) -> str:
    """``text``, refused when it holds a character no one can see (``describe_invisible``); ``code``
    is its place among the codes of a list field."""
    invisible = describe_invisible(text)
    if invisible is None:
        return text
    raise ValueError(f"holds {invisible}" if code is None else f"holds, in its code {code}, {invisible}")


def seen_codes(split: Callable[[Any], tuple[str, ...]]) -> Callable[[Any], tuple[str, ...]]:
    """``split`` for a line's list field: a code that holds an invisible character is refused,
    with its place (``parse_claim`` then keeps the list's other codes: see ``lists``). Blanks
    between codes separate them, as spaces do, and are not looked at."""

    def read(value: Any) -> tuple[str, ...]:
        codes = split(value)
        for place, code in enumerate(codes, 1):
            seen(code, place)
        return codes

    return read
