"""Following FHIR References to the resources a file holds: contained ones and Bundle entries.

A reference that points into the file and misses (``#id`` with no such contained resource, or
a Bundle reference to a resource the Bundle lacks) is reported, because the field it would
have filled cannot be read. A lone Claim's ``Patient/1`` points at a server we cannot see:
that is normal FHIR, not an error, so it is left alone; its ``urn:uuid:`` can only name an entry
of the Bundle it is not in, so that one is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from claimcheck.io.readers.fhir._modifiers import referred_problems
from claimcheck.io.readers.fhir._resources import BundleEntry
from claimcheck.io.readers.fhir._types import MODEL_ERRORS, model_class
from claimcheck.models.parse import InputProblem

__all__ = ["BundleIndex", "References", "repeated_contained_ids"]

Resolved = tuple[Any | None, str | None]  # (the resource, or why a reference that should resolve did not)


def _key(reference: str) -> str:
    """``https://host/fhir/Patient/1/_history/2`` and ``Patient/1`` both become ``Patient/1``."""
    parts = reference.split("/_history/", 1)[0].rstrip("/").split("/")
    return "/".join(parts[-2:])


# A FHIR resource type's name; any other text where the type should be is the sender's own
# (a name, a search query) and may be patient data, so it is never echoed.
_RESOURCE_TYPE = re.compile(r"[A-Z][A-Za-z]{1,63}")


# References that name a Bundle entry by its fullUrl and nothing else (R4 "Resolving references in Bundles").
_ENTRY_ONLY = ("urn:uuid:", "urn:oid:")
_NO_BUNDLE = "refers to a Bundle entry (a urn:uuid or urn:oid reference), but the Claim is not in a Bundle"


def _type_of(reference: str) -> str:
    key = _key(reference)
    kind = key.split("/", 1)[0] if "/" in key else ""
    return kind if _RESOURCE_TYPE.fullmatch(kind) else "resource"


class BundleIndex:
    """The resources of a Bundle by full URL and by ``Type/id``, validated when first used."""

    def __init__(self, entries: Iterable[BundleEntry]) -> None:
        self._raw: dict[str, Mapping[str, Any]] = {}
        for entry in entries:
            resource_type, resource_id = entry.resource.get("resourceType"), entry.resource.get("id")
            if isinstance(resource_type, str) and isinstance(resource_id, str):
                self._raw.setdefault(f"{resource_type}/{resource_id}", entry.resource)
            if entry.full_url:
                self._raw.setdefault(entry.full_url, entry.resource)
        self._models: dict[int, Resolved] = {}
        self._modifiers: dict[int, list[InputProblem]] = {}

    def find(self, reference: str) -> Resolved:
        raw = self._raw.get(reference) or self._raw.get(_key(reference))
        if raw is None:
            return None, f"refers to a {_type_of(reference)} that is not in the Bundle"
        # One model per resource, however many Claims and items refer to it.
        cached = self._models.get(id(raw))
        if cached is None:
            cached = self._models[id(raw)] = self._validate(raw, _type_of(reference))
        return cached

    def raw(self, reference: str) -> Mapping[str, Any] | None:
        """The resource ``reference`` finds, as raw JSON, unvalidated."""
        return self._raw.get(reference) or self._raw.get(_key(reference))

    def modifiers(self, reference: str) -> tuple[int, list[InputProblem]]:
        """The resource ``reference`` finds (by identity) and the problems of its modifier elements."""
        raw = self._raw.get(reference) or self._raw.get(_key(reference))
        if raw is None:
            return 0, []
        problems = self._modifiers.get(id(raw))
        if problems is None:
            problems = self._modifiers[id(raw)] = referred_problems(raw)
        return id(raw), problems

    @staticmethod
    def _validate(raw: Mapping[str, Any], expected: str) -> Resolved:
        try:
            return model_class(str(raw.get("resourceType"))).model_validate(raw), None
        except MODEL_ERRORS:
            return None, f"refers to a {expected} in the Bundle that is not valid FHIR R4"


class References:
    """Resolve the references of one Claim: ``#id`` against its contained resources, the rest
    against the Bundle it came in (if any)."""

    def __init__(self, bundle: BundleIndex | None, contained: Iterable[Any] | None) -> None:
        self._bundle = bundle
        # The first of those that share an id, as a Bundle's (``repeated_contained_ids`` says so).
        self._contained: dict[str, Any] = {}
        for resource in contained or ():
            if resource.id:
                self._contained.setdefault(resource.id, resource)
        # The Bundle resources this Claim read, by identity, with their modifier elements.
        self._referred: dict[int, list[InputProblem]] = {}

    def resolve(self, reference: Any, kinds: tuple[str, ...]) -> Resolved:
        """The resource ``reference`` (a FHIR Reference or None) points to, one of the resource
        types ``kinds`` the element allows, or why it cannot be had."""
        target = reference.reference if reference is not None else None
        if not target:
            return None, None
        if target.startswith("#"):
            found = self._contained.get(target[1:])
            if found is None:
                return None, "refers to a contained resource the Claim lacks"
            return _of_kind(found, kinds)
        if self._bundle is None and target.lower().startswith(_ENTRY_ONLY):
            return None, _NO_BUNDLE
        if self._bundle is None or "?" in target:
            # A search URL (conditional reference) is resolved by the server the file goes to.
            return None, None
        found = self._bundle.find(target)
        if found[0] is None:
            return found
        found = _of_kind(found[0], kinds)
        if found[0] is not None:  # a resource of another type is not read, nor its modifiers
            resource, problems = self._bundle.modifiers(target)
            self._referred.setdefault(resource, problems)
        return found

    def modifier_problems(self) -> list[InputProblem]:
        """The modifier elements of the Bundle resources resolved so far, each resource once."""
        return [problem for problems in self._referred.values() for problem in problems]


def _of_kind(resource: Any, kinds: tuple[str, ...]) -> Resolved:
    """``resource`` when it is of one of ``kinds``; else why not (a FHIR type, never the id)."""
    kind = resource.get_resource_type()
    if kind in kinds:
        return resource, None
    *others, last = kinds
    allowed = f"{', '.join(others)} or {last}" if others else last
    return None, f"refers to {_a(kind)}, not {_a(allowed)}"


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'AEIOU' else 'a'} {noun}"


def repeated_contained_ids(raw: Mapping[str, Any]) -> list[InputProblem]:
    """A problem for each id that several of the Claim's contained resources share (FHIR wants
    each its own): ``#id`` cannot tell which it names. Named by place, as an id may be the
    patient's."""
    contained = raw.get("contained")
    places: dict[str, list[int]] = {}
    for index, resource in enumerate(contained if isinstance(contained, list) else ()):
        resource_id = resource.get("id") if isinstance(resource, dict) else None
        if isinstance(resource_id, str) and resource_id:
            places.setdefault(resource_id, []).append(index)
    problems = []
    for indexes in places.values():
        if len(indexes) > 1:
            *others, last = [f"contained[{index}]" for index in indexes]
            shared = f"{', '.join(others)} and {last} have one id"
            message = f"{shared}; each contained resource needs its own, so a reference to it reads the first"
            problems.append(InputProblem("contained", message))
    return problems
