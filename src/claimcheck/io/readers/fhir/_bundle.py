"""A Bundle's entries: the Claims among them, what is wrong with those that hold nothing to
read, and whether the Bundle is one page of several."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from claimcheck.io.readers.fhir._resources import BundleEntry, ClaimResource, UnreadableLine
from claimcheck.io.readers.fhir._types import type_problem
from claimcheck.models.parse import InputProblem

__all__ = ["NOT_OBJECT", "NO_ENTRY_LIST", "bundle_claims", "bundle_entries", "holds_claims", "page_notes"]

# An entry that is there but holds nothing to read: reported, not taken for one without a
# resource (a DELETE), which FHIR allows.
_NOT_ENTRY = "is not a Bundle entry (a JSON object with the resource in it)"
NOT_OBJECT = "is not a JSON object, so no FHIR resource can be read from it"
NO_ENTRY_LIST = "holds a Bundle whose entry is not a list of entries"


def bundle_entries(bundle: Mapping[str, Any]) -> tuple[BundleEntry | str | None, ...] | None:
    """The Bundle's entries: each a ``BundleEntry``, None when it holds no resource, or what is
    wrong with it; None when ``entry`` is not a list."""
    raw_entries = bundle.get("entry", [])
    if not isinstance(raw_entries, list):
        return None
    entries: list[BundleEntry | str | None] = []
    for index, raw in enumerate(raw_entries):
        resource = raw.get("resource") if isinstance(raw, dict) else None
        if not isinstance(raw, dict):
            entries.append(_NOT_ENTRY)
        elif isinstance(resource, dict):
            full_url = raw.get("fullUrl")
            entries.append(BundleEntry(full_url if isinstance(full_url, str) else None, resource, index))
        else:
            # Kept as a gap so entry indexes in locations match the file.
            entries.append(None if resource is None else NOT_OBJECT)
    return tuple(entries)


def bundle_claims(
    name: str,
    entries: tuple[BundleEntry | str | None, ...],
    line: int | None,
    others: Counter[str],
    notes: tuple[InputProblem, ...] = (),
) -> Iterator[ClaimResource | UnreadableLine]:
    """The Claims of a Bundle (an NDJSON file's ``line``), each with its entries to resolve
    against, the first with ``notes``; the other resources counted by type in ``others``."""
    resources = tuple(entry for entry in entries if isinstance(entry, BundleEntry))
    for index, entry in enumerate(entries):
        if entry is None:
            continue
        if isinstance(entry, str):
            yield UnreadableLine(name, line, entry, entry=index, notes=notes)
        elif entry.resource.get("resourceType") == "Claim":
            yield ClaimResource(entry.resource, name, index, line, resources, notes)
        elif problem := type_problem(entry.resource):
            yield UnreadableLine(name, line, problem, entry=index, notes=notes)
        elif entry.resource.get("resourceType") == "Bundle" and holds_claims(entry.resource):
            problem = "holds a Bundle with Claims in it, which are not read: give each Bundle a file of its own"
            yield UnreadableLine(name, line, problem, entry=index, notes=notes)
        else:
            others[entry.resource["resourceType"]] += 1
            continue
        notes = ()  # said once, on the Bundle's first result


# Said of a Bundle whose links name a next page (a search's or a history's page, FHIR R4 paging).
_ONE_PAGE = InputProblem(
    "Bundle.link",
    "has a next page: the Bundle is one page of several, and only its Claims are checked here; fetch every "
    "page (follow each page's next link) to check the Claims on the others",
    unchecked=True,
)


def page_notes(bundle: Mapping[str, Any]) -> tuple[InputProblem, ...]:
    """``_ONE_PAGE`` when the Bundle links to a next page; its url is not echoed, as a search
    url may hold what was searched for (a patient's name)."""
    links = bundle.get("link")
    for link in links if isinstance(links, list) else ():
        relation = link.get("relation") if isinstance(link, dict) else None
        if isinstance(relation, str) and relation.strip().lower() == "next":
            return (_ONE_PAGE,)
    return ()


def holds_claims(bundle: Mapping[str, Any]) -> bool:
    """Whether a Claim is among the Bundle's entries or those of a Bundle in it, however deep."""
    bundles = [bundle]
    while bundles:
        entries = bundles.pop().get("entry")
        for entry in entries if isinstance(entries, list) else ():
            resource = entry.get("resource") if isinstance(entry, dict) else None
            kind = resource.get("resourceType") if isinstance(resource, dict) else None
            if kind == "Claim":
                return True
            if kind == "Bundle":
                bundles.append(resource)
    return False
