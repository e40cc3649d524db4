"""FHIR's modifier elements: "must understand" extensions that may change what the element
they sit on means (a voided item, a line billed under another arrangement), implicit rules, and
a status that voids the Claim. claimcheck understands no extension or rules, so a line under one
is a warning that its checks read it without it, never a plain pass."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from claimcheck.io.readers.fhir._invalid import _path
from claimcheck.models.parse import InputProblem

__all__ = ["modifier_problems", "referred_problems"]

_KEY = "modifierExtension"
_LONGEST_URL = 200  # a url is the sender's text: shown, but not without end


def modifier_problems(raw: Mapping[str, Any]) -> tuple[list[InputProblem], list[list[InputProblem]]]:
    """The problems of the Claim's modifier elements outside its items (every line's: a status
    that voids it, implicit rules, modifier extensions), and those under each item (in
    ``raw["item"]`` order), in the order they come in the file."""
    items = raw.get("item")
    items = items if isinstance(items, list) else []
    outside = {key: value for key, value in raw.items() if key != "item"}
    claim = [*_status(raw), *_implicit_rules(raw)]
    claim += [_problem(path, url, "the Claim's lines") for path, url in _found(outside, ())]
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


def referred_problems(raw: Mapping[str, Any]) -> list[InputProblem]:
    """The modifier elements of a resource of the Bundle that the Claim refers to (its Patient,
    a Practitioner): named by type only, as its id may be the patient's."""
    kind = str(raw.get("resourceType"))
    found = [("modifierExtension", url) for _, url in _found(raw, ())]
    rules = raw.get("implicitRules")
    if isinstance(rules, str) and rules.strip():
        found.insert(0, ("implicitRules", _shown(rules)))
    said = f"the {kind} the Claim refers to is not understood: FHIR lets it change what the {kind} means"
    return [
        InputProblem(field, f"{url} on {said}, and claimcheck reads the {kind} without it", unchecked=True)
        for field, url in found
    ]


# Claim.status is a modifier element: these two say the Claim is not (or no longer) a claim at all.
_VOID = {"cancelled": "was withdrawn", "entered-in-error": "was recorded in error"}


def _status(raw: Mapping[str, Any]) -> list[InputProblem]:
    status = raw.get("status")
    if status not in _VOID:
        return []
    message = f"is {status}: the Claim {_VOID[status]}, and claimcheck checks its lines as if it were active"
    return [InputProblem("status", message, unchecked=True)]


def _implicit_rules(raw: Mapping[str, Any]) -> list[InputProblem]:
    """implicitRules of the Claim or a resource it contains: rules it was written under, which
    FHIR lets change what it means, and which no reader can know."""
    contained = raw.get("contained")
    resources = [((), raw)] + [
        (("contained", index), resource)
        for index, resource in enumerate(contained if isinstance(contained, list) else ())
    ]
    problems = []
    for path, resource in resources:
        rules = resource.get("implicitRules") if isinstance(resource, dict) else None
        if isinstance(rules, str) and rules.strip():
            where = f"the Claim's {_path(path)}" if path else "the Claim"
            message = (
                f"{_shown(rules)} on {where} is not understood: FHIR lets implicit rules change what a resource "
                "means, and claimcheck checks the Claim's lines as if there were none"
            )
            problems.append(InputProblem("implicitRules", message, unchecked=True))
    return problems


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
    return _shown(url)


def _shown(url: str) -> str:
    url = url.strip()
    return url if len(url) <= _LONGEST_URL else url[:_LONGEST_URL] + "…"
