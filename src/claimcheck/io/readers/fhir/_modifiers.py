"""FHIR's modifier extensions: "must understand" extensions that may change what the element
they sit on means (a voided item, a line billed under another arrangement). claimcheck
understands none, so a line under one is a warning that its checks read it without it, never a
plain pass."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from claimcheck.io.readers.fhir._invalid import _path
from claimcheck.models.parse import InputProblem

__all__ = ["modifier_extension_problems"]

_KEY = "modifierExtension"
_LONGEST_URL = 200  # a url is the sender's text: shown, but not without end


def modifier_extension_problems(raw: Mapping[str, Any]) -> tuple[list[InputProblem], list[list[InputProblem]]]:
    """The problems of the Claim's modifier extensions outside its items (every line's), and
    those under each item (in ``raw["item"]`` order), in the order they come in the file."""
    items = raw.get("item")
    items = items if isinstance(items, list) else []
    outside = {key: value for key, value in raw.items() if key != "item"}
    claim = [_problem(path, url, "the Claim's lines") for path, url in _found(outside, ())]
    lines = [
        [_problem(path, url, "this line") for path, url in _found(item, ("item", index))]
        for index, item in enumerate(items)
    ]
    return claim, lines


def _problem(path: Sequence[str | int], url: str, what: str) -> InputProblem:
    # Below an item, named from the item: item[0] is the item of the result, whatever its sequence.
    owner, rest = ("the item", path[2:]) if path[:1] == ("item",) else ("the Claim", path)
    where = f"{owner}'s {_path(rest)}" if rest else owner
    message = (
        f"{url} on {where} is not understood: FHIR lets a modifier extension change the meaning of what it sits "
        f"on, and claimcheck checks {what} as if it were absent"
    )
    return InputProblem(_KEY, message, unchecked=True)


def _found(value: Any, start: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(path, url) of each modifier extension in ``value``, depth first, as the file has them.
    A loop, not recursion: the models have read the Claim, but that says nothing of our stack."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, start)]
    while stack:
        node, path = stack.pop()
        children: list[tuple[Any, tuple[str | int, ...]]] = []
        if isinstance(node, dict):
            extensions = node.get(_KEY)
            for extension in extensions if isinstance(extensions, list) else ():
                yield path, _url(extension)
            children = [(child, (*path, key)) for key, child in node.items() if key != _KEY]
        elif isinstance(node, list):
            children = [(child, (*path, index)) for index, child in enumerate(node)]
        stack.extend(reversed(children))


def _url(extension: Any) -> str:
    url = extension.get("url") if isinstance(extension, dict) else None
    if not isinstance(url, str) or not url.strip():
        return "a modifierExtension without a url"
    url = url.strip()
    return url if len(url) <= _LONGEST_URL else url[:_LONGEST_URL] + "…"
