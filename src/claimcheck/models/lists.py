"""A line's list field (modifiers, diagnosis codes) read code by code, when it does not read whole.

``ClaimLine`` refuses a list holding a code it cannot read: one with a character no one can see
(``invisible``), or an item of a list that is not text (``true`` in a JSON list). Dropping the
whole list left the line's other codes unchecked, so ``parse_claim`` reads such a list here: the
codes that read are kept, and each one that does not is named by its place in the list (counted
as the model counts it), never by its value. Only lines that failed to validate come here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from claimcheck.models.fields import _empty, split_diagnoses, split_modifiers
from claimcheck.models.invisible import describe_invisible

__all__ = ["read_in_part"]

# Each list field's split, and whether it gives a code once (a diagnosis given twice is one).
_SPLITS: dict[str, tuple[Callable[[Any], tuple[str, ...]], bool]] = {
    "modifiers": (split_modifiers, False),
    "diagnosis_codes": (split_diagnoses, True),
}
_OTHERS_CHECKED = "; its other codes are checked without it"


class _NotText:
    """An item of the list that is no code: what kind of value it is, for the message."""

    def __init__(self, item: Any) -> None:
        if isinstance(item, bool):
            self.kind = "true or false"
        elif isinstance(item, Mapping):
            self.kind = "an object"
        elif isinstance(item, (list, tuple)):
            self.kind = "a list that is not of codes"
        elif isinstance(item, (int, float)) or hasattr(item, "__float__"):
            self.kind = "a number that is not whole"
        else:
            self.kind = "no text"


def _pieces(value: Any) -> list[Any] | None:
    """``value`` as the pieces the split reads one after another, each read as it is read within
    the whole value (a tuple's items whole, a list's split); None for a value that has no items
    (a number, an object), which stays one unreadable field."""
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 1:
        value = value.tolist()
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return [(item,) for item in value]
    if isinstance(value, list):
        return [[item] for item in value]
    return None


def read_in_part(field: str, value: Any) -> tuple[tuple[str, ...], list[tuple[int, str]]] | None:
    """The codes of the list ``field`` that read, and (place, problem) for each that does not;
    None when ``field`` is no list field or ``value`` is not a list read in part."""
    if field not in _SPLITS or _empty(value):
        return None
    pieces = _pieces(value)
    if pieces is None:
        return None
    split, distinct = _SPLITS[field]
    entries: list[str | _NotText] = []
    for piece in pieces:
        try:
            entries.extend(split(piece))
        except ValueError:
            entries.append(_NotText(piece if isinstance(piece, str) else piece[0]))
    if distinct:  # counted as the model counts them: a code given twice once, where it first is
        seen: set[str] = set()
        entries = [e for e in entries if not isinstance(e, str) or not (e in seen or seen.add(e))]
    codes: list[str] = []
    problems: list[tuple[int, str]] = []
    for place, entry in enumerate(entries, 1):
        if isinstance(entry, _NotText):
            problems.append((place, f"must be text: its code {place} is {entry.kind}"))
        elif (invisible := describe_invisible(entry)) is not None:
            problems.append((place, f"holds, in its code {place}, {invisible}"))
        else:
            codes.append(entry)
    if not problems:
        return None
    if codes:
        problems = [(place, message + _OTHERS_CHECKED) for place, message in problems]
    return tuple(codes), problems
