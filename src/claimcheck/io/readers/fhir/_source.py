"""A FHIR JSON file as the Claim resources it holds, each with where it sits in the file."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimcheck.errors import InputError
from claimcheck.io.readers.fhir._bundle import (
    NO_ENTRY_LIST,
    NOT_OBJECT,
    bundle_claims,
    bundle_entries,
    holds_claims,
    page_notes,
)
from claimcheck.io.readers.fhir._lines import is_ndjson, opens_as_ndjson, streamed_lines
from claimcheck.io.readers.fhir._resources import ClaimResource, UnreadableLine
from claimcheck.io.readers.fhir._types import type_problem
from claimcheck.io.readers.json_text import BadJson, parse_json
from claimcheck.io.readers.text_lines import end_padding, not_text

__all__ = ["FhirFile", "load"]


@dataclass(frozen=True, slots=True)
class FhirFile:
    """The Claims of a file, each with the Bundle it came in. An NDJSON file's Claims come one
    line at a time, with its unreadable lines among them."""

    claims: Iterable[ClaimResource | UnreadableLine]


def _data(path: Path) -> bytes:
    """The file's bytes, less the padding at its end (``end_padding``)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror})") from None
    return data[: end_padding(data)]


def _undecoded(claims: Iterable[ClaimResource | UnreadableLine]) -> Iterator[ClaimResource | UnreadableLine]:
    """``claims``, each Claim said to come from text with bytes that are not UTF-8 in it."""
    for claim in claims:
        yield dataclasses.replace(claim, undecoded=True) if isinstance(claim, ClaimResource) else claim


def _ndjson(
    name: str, lines: Iterable[tuple[int, str, bool]], others: Counter[str]
) -> Iterator[ClaimResource | UnreadableLine]:
    """The Claims of NDJSON lines, one per line; other resources are passed over, counted by type
    in ``others``. A line with bytes that are not UTF-8 is read all the same (JSON's syntax is
    ASCII), so its Claim keeps its items, each told where they were."""
    for number, line, replaced in lines:
        if not line.strip():
            continue
        try:
            value = parse_json(line)
        except BadJson as exc:
            yield UnreadableLine(name, number, "is not UTF-8 text" if replaced else exc.message)
            continue
        if replaced:
            yield from _undecoded(_line_claims(name, number, value, others))
        else:
            yield from _line_claims(name, number, value, others)


def _line_claims(name: str, number: int, value: Any, others: Counter[str]) -> Iterator[ClaimResource | UnreadableLine]:
    """The Claims of the resource ``value`` on NDJSON line ``number``."""
    if not isinstance(value, dict):  # a null line too: not an object that lacks a resourceType
        yield UnreadableLine(name, number, NOT_OBJECT)
        return
    kind = value.get("resourceType")
    if kind == "Claim":
        yield ClaimResource(value, name, None, number)
    elif kind == "Bundle":
        # One Bundle a line, as Bulk imports of Bundles (the Google Cloud Healthcare API's
        # BUNDLE content) hold them: each Bundle's Claims, resolved against that Bundle.
        entries = bundle_entries(value)
        if entries is None:
            yield UnreadableLine(name, number, NO_ENTRY_LIST)
        else:
            yield from bundle_claims(name, entries, number, others, page_notes(value))
    elif problem := type_problem(value):
        yield UnreadableLine(name, number, problem)
    else:
        others[kind] += 1


def _ndjson_file(path: Path, lines: Iterable[tuple[int, str, bool]]) -> FhirFile:
    others: Counter[str] = Counter()
    claims = _ndjson(path.name, lines, others)
    first = next(claims, None)
    if first is None:
        raise InputError(path, "the NDJSON file holds no Claim resource" + _held(others))
    # A bare Claim's reference to a Patient or Organization points at the export's other files,
    # as a lone Claim's does at a server: nothing to resolve here, and nothing to report (but a
    # urn:uuid, which only a Bundle resolves).
    return FhirFile(itertools.chain([first], claims))


def _held(others: Counter[str]) -> str:
    """What a file without Claims holds instead (an ExplanationOfBenefit export, say): the
    resource types, which FHIR defines, so no sender's text is echoed."""
    if not others:
        return ""
    kinds = [f"{kind} ({count})" for kind, count in others.most_common(3)]
    more = ", and others" if len(others) > 3 else ""
    return f"; it holds {', '.join(kinds)}{more}, and claimcheck reads Claim resources only"


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
            claims.append(UnreadableLine(path.name, None, NOT_OBJECT, entry=index))
        elif problem := type_problem(item):
            claims.append(UnreadableLine(path.name, None, problem, entry=index))
        elif kind == "Bundle" and not isinstance(item.get("entry", []), list):
            claims.append(UnreadableLine(path.name, None, NO_ENTRY_LIST, entry=index))
        elif kind == "Bundle" and holds_claims(item):
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
    data, undecoded = _data(path), False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Not one JSON document then, so NDJSON cut off in its first line may be read line by line.
        if is_ndjson(path):
            return _ndjson_file(path, streamed_lines(path))
        if problem := not_text(data[:4]):  # a Bulk export as it is downloaded (.ndjson.gz), UTF-16...
            raise InputError(path, problem) from None
        # Read all the same (JSON's syntax is ASCII): each Claim is told where the bytes were.
        text, undecoded = data.decode("utf-8-sig", "replace"), True
    found = _resources(path, text, undecoded)
    return FhirFile(tuple(_undecoded(found.claims))) if undecoded else found


def _resources(path: Path, text: str, undecoded: bool) -> FhirFile:
    """The Claims of ``text``, the file's text, read as one JSON document (or as NDJSON, cut off
    in its first line)."""
    if not text.strip():
        raise InputError(path, "is empty: it holds no FHIR resource")
    try:
        data = parse_json(text)
    except BadJson as exc:
        if is_ndjson(path):  # cut off in its first line
            return _ndjson_file(path, streamed_lines(path))
        if undecoded:  # not JSON, nor text: what it is not said first
            raise InputError(path, "is not UTF-8 text") from None
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
    entries = bundle_entries(data)
    if entries is None:
        raise InputError(path, "must be a list of entries", field="Bundle.entry")
    others: Counter[str] = Counter()
    claims = tuple(bundle_claims(path.name, entries, None, others, page_notes(data)))
    if not claims:
        raise InputError(path, "the Bundle holds no Claim resource" + _held(others))
    return FhirFile(claims)
