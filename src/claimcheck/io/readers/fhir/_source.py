"""A FHIR JSON file as the Claim resources it holds, each with where it sits in the file."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimcheck.errors import InputError
from claimcheck.io.readers.fhir._lines import is_ndjson, opens_as_ndjson, streamed_lines
from claimcheck.io.readers.fhir._types import type_problem
from claimcheck.io.readers.json_text import BadJson, parse_json
from claimcheck.io.readers.text_lines import end_padding, not_text, open_binary
from claimcheck.models.parse import InputProblem

__all__ = [
    "BundleEntry",
    "ClaimResource",
    "FhirFile",
    "Location",
    "UnreadableLine",
    "load",
]

Location = Mapping[str, str | int | None]


@dataclass(frozen=True, slots=True)
class BundleEntry:
    full_url: str | None
    resource: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ClaimResource:
    """One Claim resource of the file, as raw JSON, and where it is: the file and the Bundle entry
    or NDJSON line."""

    raw: Mapping[str, Any]
    file: str
    entry: int | None
    line: int | None = None  # in an NDJSON file
    # The entries of the Bundle the Claim came in, which its references resolve against.
    bundle: tuple[BundleEntry, ...] | None = field(default=None, repr=False, compare=False)
    # What the file says beyond the Claim: its Bundle is one page of several (on the first only).
    notes: tuple[InputProblem, ...] = field(default=(), compare=False)

    @property
    def name(self) -> str:
        """``Claim/<id>``, the way FHIR itself names a resource (ids are not patient data)."""
        resource_id = self.raw.get("id")
        return f"Claim/{resource_id}" if isinstance(resource_id, str) and resource_id else "Claim"

    def origin(self, item: int | None) -> str:
        where = [self.file] if self.line is None else [self.file, f"line {self.line}"]
        if self.entry is not None:
            where.append(f"entry {self.entry}")
        where.append(self.name)
        if item is not None:
            where.append(f"item {item}")
        return " ".join(where)

    def location(self, item: int | None) -> Location:
        place = {"file": self.file} if self.line is None else {"file": self.file, "line": self.line}
        return {**place, "resource": self.name, "entry": self.entry, "item": item}


@dataclass(frozen=True, slots=True)
class UnreadableLine:
    """A line of an NDJSON file, or an entry of a Bundle, that holds no resource to read: what
    is wrong with it."""

    file: str
    line: int | None
    problem: str
    entry: int | None = None
    notes: tuple[InputProblem, ...] = field(default=(), compare=False)  # as a ClaimResource's

    @property
    def origin(self) -> str:
        where = [self.file] if self.line is None else [self.file, f"line {self.line}"]
        return " ".join(where if self.entry is None else [*where, f"entry {self.entry}"])

    @property
    def location(self) -> Location:
        place = {"file": self.file} if self.line is None else {"file": self.file, "line": self.line}
        return {**place, "resource": None, "entry": self.entry, "item": None}


@dataclass(frozen=True, slots=True)
class FhirFile:
    """The Claims of a file, each with the Bundle it came in. An NDJSON file's Claims come one
    line at a time, with its unreadable lines among them."""

    claims: Iterable[ClaimResource | UnreadableLine]


def _text(path: Path) -> str | None:
    """The file's text, less the padding at its end (``end_padding``); None when it is not UTF-8
    throughout."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror})") from None
    try:
        return data[: end_padding(data)].decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _ndjson(
    name: str, lines: Iterable[tuple[int, str | None]], others: Counter[str]
) -> Iterator[ClaimResource | UnreadableLine]:
    """The Claims of NDJSON lines, one per line; other resources are passed over, counted by type
    in ``others``."""
    for number, line in lines:
        if line is None:
            yield UnreadableLine(name, number, "is not UTF-8 text")
            continue
        if not line.strip():
            continue
        try:
            value = parse_json(line)
        except BadJson as exc:
            yield UnreadableLine(name, number, exc.message)
            continue
        if not isinstance(value, dict):  # a null line too: not an object that lacks a resourceType
            yield UnreadableLine(name, number, _NOT_OBJECT)
            continue
        kind = value.get("resourceType")
        if kind == "Claim":
            yield ClaimResource(value, name, None, number)
        elif kind == "Bundle":
            # One Bundle a line, as Bulk imports of Bundles (the Google Cloud Healthcare API's
            # BUNDLE content) hold them: each Bundle's Claims, resolved against that Bundle.
            entries = _entries(value)
            if entries is None:
                yield UnreadableLine(name, number, _NO_ENTRY_LIST)
            else:
                yield from _bundle_claims(name, entries, number, others, _page_notes(value))
        elif problem := type_problem(value):
            yield UnreadableLine(name, number, problem)
        else:
            others[kind] += 1


def _ndjson_file(path: Path, lines: Iterable[tuple[int, str | None]]) -> FhirFile:
    others: Counter[str] = Counter()
    claims = _ndjson(path.name, lines, others)
    first = next(claims, None)
    if first is None:
        raise InputError(path, "the NDJSON file holds no Claim resource" + _held(others))
    # A bare Claim's reference to a Patient or Organization points at the export's other files,
    # as a lone Claim's does at a server: nothing to resolve here, and nothing to report (but a
    # urn:uuid, which only a Bundle resolves).
    return FhirFile(itertools.chain([first], claims))


# An entry that is there but holds nothing to read: reported, not taken for one without a
# resource (a DELETE), which FHIR allows.
_NOT_ENTRY = "is not a Bundle entry (a JSON object with the resource in it)"
_NOT_OBJECT = "is not a JSON object, so no FHIR resource can be read from it"
_NO_ENTRY_LIST = "holds a Bundle whose entry is not a list of entries"


def _entries(bundle: Mapping[str, Any]) -> tuple[BundleEntry | str | None, ...] | None:
    """The Bundle's entries: each a ``BundleEntry``, None when it holds no resource, or what is
    wrong with it; None when ``entry`` is not a list."""
    raw_entries = bundle.get("entry", [])
    if not isinstance(raw_entries, list):
        return None
    entries: list[BundleEntry | str | None] = []
    for raw in raw_entries:
        resource = raw.get("resource") if isinstance(raw, dict) else None
        if not isinstance(raw, dict):
            entries.append(_NOT_ENTRY)
        elif isinstance(resource, dict):
            full_url = raw.get("fullUrl")
            entries.append(BundleEntry(full_url if isinstance(full_url, str) else None, resource))
        else:
            # Kept as a gap so entry indexes in locations match the file.
            entries.append(None if resource is None else _NOT_OBJECT)
    return tuple(entries)


def _bundle_claims(
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
        elif entry.resource.get("resourceType") == "Bundle" and _holds_claims(entry.resource):
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


def _page_notes(bundle: Mapping[str, Any]) -> tuple[InputProblem, ...]:
    """``_ONE_PAGE`` when the Bundle links to a next page; its url is not echoed, as a search
    url may hold what was searched for (a patient's name)."""
    links = bundle.get("link")
    for link in links if isinstance(links, list) else ():
        relation = link.get("relation") if isinstance(link, dict) else None
        if isinstance(relation, str) and relation.strip().lower() == "next":
            return (_ONE_PAGE,)
    return ()


def _held(others: Counter[str]) -> str:
    """What a file without Claims holds instead (an ExplanationOfBenefit export, say): the
    resource types, which FHIR defines, so no sender's text is echoed."""
    if not others:
        return ""
    kinds = [f"{kind} ({count})" for kind, count in others.most_common(3)]
    more = ", and others" if len(others) > 3 else ""
    return f"; it holds {', '.join(kinds)}{more}, and claimcheck reads Claim resources only"


def _holds_claims(bundle: Mapping[str, Any]) -> bool:
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


def _array_file(path: Path, items: list[Any]) -> FhirFile:
    """Resources written together as a JSON array (``jq -s``): each item's place is its index,
    given as ``entry``; a Bundle among them is not opened, as one inside a Bundle is not."""
    others: Counter[str] = Counter()
    claims: list[ClaimResource | UnreadableLine] = []
    for index, item in enumerate(items):
        kind = item.get("resourceType") if isinstance(item, dict) else None
        if kind == "Claim":
            claims.append(ClaimResource(item, path.name, index))
        elif not isinstance(item, dict):
            claims.append(UnreadableLine(path.name, None, _NOT_OBJECT, entry=index))
        elif problem := type_problem(item):
            claims.append(UnreadableLine(path.name, None, problem, entry=index))
        elif kind == "Bundle" and not isinstance(item.get("entry", []), list):
            claims.append(UnreadableLine(path.name, None, _NO_ENTRY_LIST, entry=index))
        elif kind == "Bundle" and _holds_claims(item):
            problem = "holds a Bundle with Claims in it, which are not read: give each Bundle a file of its own"
            claims.append(UnreadableLine(path.name, None, problem, entry=index))
        else:
            others[kind] += 1
    if not claims:  # items that hold no resource are rows of their own, as NDJSON lines are
        raise InputError(path, "the list holds no Claim resource" + _held(others))
    return FhirFile(claims)


def load(path: Path) -> FhirFile:
    """Read ``path``; raises ``InputError`` unless it holds a Claim, a Bundle with a Claim, Claims
    one per line (NDJSON) or a JSON array with a Claim."""
    if opens_as_ndjson(path):
        return _ndjson_file(path, streamed_lines(path))
    text = _text(path)
    if text is None:
        # Not one JSON document then, so NDJSON cut off in its first line may be read line by line.
        if is_ndjson(path):
            return _ndjson_file(path, streamed_lines(path))
        with open_binary(path) as binary:  # a Bulk export as it is downloaded (.ndjson.gz), UTF-16...
            raise InputError(path, not_text(binary.read(4)) or "is not UTF-8 text")
    if not text.strip():
        raise InputError(path, "is empty: it holds no FHIR resource")
    try:
        data = parse_json(text)
    except BadJson as exc:
        if is_ndjson(path):  # cut off in its first line
            return _ndjson_file(path, streamed_lines(path))
        message = exc.message
        if message.startswith("is not valid JSON (Extra data"):  # as `jq .` writes NDJSON back out
            message += (
                ": more text follows the first JSON value; NDJSON holds each resource on a line of its own (jq -c)"
            )
        raise InputError(path, message, line=exc.line) from None
    if isinstance(data, list) and any(isinstance(item, dict) and "resourceType" in item for item in data):
        return _array_file(path, data)  # else no FHIR resource, as said below
    resource_type = data.get("resourceType") if isinstance(data, dict) else None
    if resource_type == "Claim":
        return FhirFile((ClaimResource(data, path.name, None),))
    if resource_type != "Bundle":
        problem = type_problem(data)
        if problem is None:
            found = f"{'an' if resource_type[:1] in tuple('AEIOU') else 'a'} {resource_type} resource"
        else:
            found = "no FHIR resource" + problem.removeprefix("is not a FHIR resource")
        raise InputError(path, f"must hold a FHIR Claim or a Bundle of Claims; it holds {found}")
    entries = _entries(data)
    if entries is None:
        raise InputError(path, "must be a list of entries", field="Bundle.entry")
    others: Counter[str] = Counter()
    claims = tuple(_bundle_claims(path.name, entries, None, others, _page_notes(data)))
    if not claims:
        raise InputError(path, "the Bundle holds no Claim resource" + _held(others))
    return FhirFile(claims)
