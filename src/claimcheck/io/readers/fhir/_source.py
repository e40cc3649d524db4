"""A FHIR JSON file as the Claim resources it holds, each with where it sits in the file."""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from claimcheck.errors import ClaimCheckError, InputError
from claimcheck.io.readers.json_text import BadJson, parse_json
from claimcheck.io.readers.text_lines import open_binary

if TYPE_CHECKING:
    from fhir_core.fhirabstractmodel import FHIRAbstractModel

__all__ = [
    "MODEL_ERRORS",
    "BundleEntry",
    "ClaimResource",
    "FhirFile",
    "Location",
    "UnreadableLine",
    "load",
    "looks_like_fhir",
    "model_class",
]

Location = Mapping[str, str | int | None]

# Servers write resourceType first, but not every tool does, so the top level of the file's head
# is followed to it; claims in our own JSON shape never carry one there.
# A string, or a bracket or colon outside one: enough to follow the top level of a JSON text.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:]')
_MISSING_EXTRA = "reading FHIR needs the extra: pip install 'claimcheck[fhir]'"


def looks_like_fhir(head: str) -> bool:
    """Whether the first characters of a file are those of a FHIR resource: a JSON object with a
    ``resourceType`` key of its own (any type: the FHIR reader names one that is not a Claim or
    Bundle better than our claims-shape reader would); not one nested in another object, nor in
    a later line after a whole JSON line. NDJSON cut off in its first line opens its second so."""
    if _opens_resource(head):
        return True
    first, newline, rest = head.lstrip().partition("\n")
    if not newline or _is_json(first):
        return False
    second, newline, _ = rest.lstrip().partition("\n")
    # Past the head a line is judged by its opening; within it, as the FHIR reader judges it.
    return _is_resource(second) if newline else _opens_resource(second)


def _opens_resource(text: str) -> bool:
    if not text.lstrip().startswith("{"):
        return False
    depth, key = 0, None
    for token in _TOKEN.finditer(text):
        part = token.group()
        if part in ("{", "["):
            depth += 1
        elif part in ("}", "]"):
            depth -= 1
            if depth == 0:
                return False  # the first value ended without one
        elif part == ":":
            if depth == 1 and key == '"resourceType"':
                return True
        key = part
    return False


def _is_json(text: str) -> bool:
    try:
        parse_json(text)
    except BadJson:
        return False
    return True


# What fhir.resources raises on a resource it cannot read: a ValidationError or an unknown
# resourceType is a ValueError, a contained resource of an unknown type a KeyError, and it
# validates nested elements by recursion, so deep nesting runs out of stack.
MODEL_ERRORS = (ValueError, TypeError, KeyError, RecursionError)


def model_class(resource_type: str) -> type[FHIRAbstractModel]:
    """The fhir.resources model of ``resource_type``, imported on first use.

    The R4B models read R4 claims (Claim, Patient, Practitioner and Organization did not change
    between R4 and R4B). Importing lazily keeps fhir.resources an optional extra.
    """
    try:
        from fhir.resources.R4B import get_fhir_model_class
    except ImportError:
        raise ClaimCheckError(_MISSING_EXTRA) from None
    return get_fhir_model_class(resource_type)


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
    """A line of an NDJSON file that holds no resource to read: what is wrong with it."""

    file: str
    line: int
    problem: str

    @property
    def origin(self) -> str:
        return f"{self.file} line {self.line}"

    @property
    def location(self) -> Location:
        return {"file": self.file, "line": self.line, "resource": None, "entry": None, "item": None}


@dataclass(frozen=True, slots=True)
class FhirFile:
    """The Claims of a file and, for a Bundle, every entry (references resolve against them).
    An NDJSON file's Claims come one line at a time, with its unreadable lines among them."""

    claims: Iterable[ClaimResource | UnreadableLine]
    bundle: tuple[BundleEntry, ...] | None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text") from None


def _is_ndjson(text: str) -> bool:
    """Whether ``text``, which is not one JSON value, opens with a line that is a whole FHIR
    resource (Bulk Data NDJSON) rather than with a broken JSON document. The second line counts
    too: an export cut off in its first line is still NDJSON, and a broken document's second
    line is never a whole resource of its own."""
    lines = (line for line in text.split("\n") if line.strip())
    return any(_is_resource(line) for line in itertools.islice(lines, 2))


def _is_resource(line: str) -> bool:
    try:
        value = parse_json(line)
    except BadJson:
        return False
    return isinstance(value, dict) and "resourceType" in value


def _decoded_lines(binary: BinaryIO) -> Iterator[tuple[int, str | None]]:
    """The lines of a file split at LF, as JSON text splits them (CR is whitespace to it), with
    their numbers; ``None`` for a line that is not UTF-8, so that costs one line, not the file.
    A BOM is dropped from any line: ``cat`` of exports written with one puts it mid-file."""
    for number, raw in enumerate(binary, start=1):
        raw = raw.removeprefix(codecs.BOM_UTF8).removesuffix(b"\n")
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None


def _opens_as_ndjson(path: Path) -> bool:
    """Whether the file's first line that is not blank is a whole FHIR resource and another
    line follows it: then the file is not one JSON value, and is read line by line, however big,
    without reading it whole first. (A single-line document is left to the whole-file reader,
    so it is not parsed twice.) A first line that is not UTF-8 says nothing either way, so the
    second decides: the whole-file reader would refuse the export for that one line."""
    with open_binary(path) as binary:
        lines = ((number, line) for number, line in _decoded_lines(binary) if line is None or line.strip())
        first, second = next(lines, None), next(lines, None)
    if first is None or second is None:
        return False
    deciding = first[1] if first[1] is not None else second[1]
    return deciding is not None and _is_resource(deciding)


def _ndjson(name: str, lines: Iterable[tuple[int, str | None]]) -> Iterator[ClaimResource | UnreadableLine]:
    """The Claims of NDJSON lines, one per line; other resources are passed over."""
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
        kind = value.get("resourceType") if isinstance(value, dict) else None
        if kind == "Claim":
            yield ClaimResource(value, name, None, number)
        elif kind == "Bundle":
            yield UnreadableLine(name, number, "holds a Bundle: an NDJSON file holds one resource per line")
        elif not isinstance(kind, str):
            yield UnreadableLine(name, number, "is not a FHIR resource (it has no resourceType)")


def _streamed_lines(path: Path) -> Iterator[tuple[int, str | None]]:
    with open_binary(path) as binary:
        yield from _decoded_lines(binary)


def _ndjson_file(path: Path, lines: Iterable[tuple[int, str | None]]) -> FhirFile:
    claims = _ndjson(path.name, lines)
    first = next(claims, None)
    if first is None:
        raise InputError(path, "the NDJSON file holds no Claim resource")
    # A reference to a Patient or Organization points at the export's other files, as a lone
    # Claim's does at a server: nothing to resolve here, and nothing to report.
    return FhirFile(itertools.chain([first], claims), None)


def _entries(path: Path, bundle: Mapping[str, Any]) -> tuple[BundleEntry | None, ...]:
    raw_entries = bundle.get("entry", [])
    if not isinstance(raw_entries, list):
        raise InputError(path, "must be a list of entries", field="Bundle.entry")
    entries: list[BundleEntry | None] = []
    for raw in raw_entries:
        resource = raw.get("resource") if isinstance(raw, dict) else None
        if isinstance(resource, dict):
            full_url = raw.get("fullUrl")
            entries.append(BundleEntry(full_url if isinstance(full_url, str) else None, resource))
        else:
            # Kept as a gap so entry indexes in locations match the file.
            entries.append(None)
    return tuple(entries)


def load(path: Path) -> FhirFile:
    """Read ``path``; raises ``InputError`` unless it holds a Claim, a Bundle with a Claim, or
    Claims one per line (NDJSON)."""
    if _opens_as_ndjson(path):
        return _ndjson_file(path, _streamed_lines(path))
    text = _text(path)
    try:
        data = parse_json(text)
    except BadJson as exc:
        if _is_ndjson(text):  # cut off in its first line: rare, and read from the text in hand
            return _ndjson_file(path, enumerate(text.split("\n"), start=1))
        raise InputError(path, exc.message, line=exc.line) from None
    resource_type = data.get("resourceType") if isinstance(data, dict) else None
    if resource_type == "Claim":
        return FhirFile((ClaimResource(data, path.name, None),), None)
    if resource_type != "Bundle":
        if isinstance(resource_type, str):
            found = f"{'an' if resource_type[:1] in tuple('AEIOU') else 'a'} {resource_type} resource"
        else:
            found = "no FHIR resource"
        raise InputError(path, f"must hold a FHIR Claim or a Bundle of Claims; it holds {found}")
    entries = _entries(path, data)
    claims = tuple(
        ClaimResource(entry.resource, path.name, index)
        for index, entry in enumerate(entries)
        if entry is not None and entry.resource.get("resourceType") == "Claim"
    )
    if not claims:
        raise InputError(path, "the Bundle holds no Claim resource")
    return FhirFile(claims, tuple(entry for entry in entries if entry is not None))
