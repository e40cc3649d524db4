"""Where a Claim read from text with bytes that are not UTF-8 held them: the elements of the Claim,
and of the Bundle entries it refers to, whose text holds U+FFFD, what such bytes were read as.

Named by their paths, as the JSONL reader names a claim's keys, never by their text (a name, a
birth date): "07\ufffd1T is not a procedure code" was all a code so read would have said, and
a line that was no longer there could say nothing at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from claimcheck.io.readers.fhir._references import BundleIndex
from claimcheck.io.readers.fhir._resources import ClaimResource
from claimcheck.io.readers.text_lines import NOT_UTF8
from claimcheck.models.parse import InputProblem

__all__ = ["not_utf8"]

_REPLACED = "\ufffd"
_SHOWN = 5  # a Latin-1 export has an accent in every name: the first few say what happened


def not_utf8(resource: ClaimResource, bundle: BundleIndex | None) -> InputProblem | None:
    """The problem of a Claim whose text held bytes that are not UTF-8, naming where; None when
    neither it nor what it refers to held any (they were elsewhere in the file)."""
    if not resource.undecoded:
        return None
    named = list(_paths(resource.raw, ""))
    if bundle is not None and resource.bundle:
        places = {id(entry.resource): entry.index for entry in resource.bundle}
        for raw in sorted(_referred(resource.raw, bundle), key=lambda raw: places.get(id(raw), -1)):
            if id(raw) in places:
                named.extend(_paths(raw, f"Bundle.entry[{places[id(raw)]}].resource"))
    if not named:
        return None
    listed = ", ".join(named[:_SHOWN])
    if len(named) > _SHOWN:
        listed += f" and {len(named) - _SHOWN} more"
    return InputProblem("resource", NOT_UTF8.replace("text", f"text in {listed}", 1))


def _paths(value: Any, path: str) -> Iterator[str]:
    """The paths (``item[1].productOrService.coding[0].code``) of the text in ``value`` that holds U+FFFD."""
    if isinstance(value, str):
        if _REPLACED in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if _REPLACED in str(key):  # an element's name (no patient data), as it was read
                yield inner
            yield from _paths(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, f"{path}[{index}]")


def _referred(raw: Mapping[str, Any], bundle: BundleIndex) -> list[Mapping[str, Any]]:
    """The Bundle's resources ``raw`` refers to, and those they refer to in turn (a
    PractitionerRole's Practitioner), each once; the Claim itself is not among them."""
    found: dict[int, Mapping[str, Any]] = {id(raw): raw}
    waiting = [raw]
    while waiting:
        for reference in _references(waiting.pop()):
            target = bundle.raw(reference)
            if target is not None and id(target) not in found:
                found[id(target)] = target
                waiting.append(target)
    del found[id(raw)]
    return list(found.values())


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        reference = value.get("reference")
        if isinstance(reference, str) and not reference.startswith("#"):  # contained: in the Claim
            yield reference
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)
