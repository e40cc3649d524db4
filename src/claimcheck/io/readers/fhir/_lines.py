"""Telling a FHIR file from other JSON and NDJSON from one JSON document, and the lines of
NDJSON, decoded one by one, so an export is read without being read whole."""

from __future__ import annotations

import codecs
import contextlib
import io
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from claimcheck.io.readers.json_text import BadJson, parse_json
from claimcheck.io.readers.text_lines import WithoutEndPadding, open_binary

__all__ = [
    "decoded_lines",
    "is_ndjson",
    "is_resource",
    "looks_like_fhir",
    "opens_as_ndjson",
    "opens_resource_array",
    "replaced_lines",
    "resource_type_past_head",
    "streamed_lines",
]

# Servers write resourceType first, but not every tool does, so the top level of the file's head
# is followed to it; claims in our own JSON shape never carry one there.
# A string, or a bracket or colon outside one: enough to follow the top level of a JSON text.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:]')


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
    return is_resource(second) if newline else _opens_resource(second)


def opens_resource_array(head: str) -> bool:
    """Whether a file opens as a JSON array whose first item is a FHIR resource, as ``jq -s``
    writes resources together; an array of claims in our own shape has no ``resourceType``."""
    text = head.lstrip()
    return text.startswith("[") and _opens_resource(text[1:])


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


# Outside a string: a quote or a bracket, brace or colon. Inside one: what is left of it, with
# its closing quote (escapes as pairs), or, at the end of a chunk, as much as can be told.
_OUTSIDE = re.compile(r'["\[\]{}:]')
_STRING_END = re.compile(r'(?:[^"\\]|\\.)*"', re.DOTALL)
_STRING_PART = re.compile(r"(?:[^\"\\]|\\.)*", re.DOTALL)
_CHUNK = 1 << 20
_KEY = "resourceType"


def resource_type_past_head(path: Path) -> bool:
    """Whether the file's first JSON value is an object with a ``resourceType`` key of its own
    however far in it comes (or, for an array, its first object): keys sorted (jq -S,
    ``sort_keys``) put all of a Bundle's entries, or a Claim's items, before its resourceType.
    The file is read in chunks as far as that first value goes."""
    depth, last, in_string, text, carry = 0, None, False, "", ""
    base: int | None = None  # the depth the object's own keys are at, less one
    with path.open(encoding="utf-8-sig", errors="replace") as source:
        while chunk := source.read(_CHUNK):
            chunk, carry, position = carry + chunk, "", 0
            while True:
                if in_string:
                    end = _STRING_END.match(chunk, position)
                    if end is None:
                        part = _STRING_PART.match(chunk, position)
                        assert part is not None  # it matches the empty string
                        text = (text + part.group())[: len(_KEY) + 1]
                        carry = chunk[part.end() :]  # a backslash whose escaped character is to come
                        break
                    last = (text + end.group()[:-1])[: len(_KEY) + 1]
                    in_string, position = False, end.end()
                    continue
                token = _OUTSIDE.search(chunk, position)
                if token is None:
                    break
                part, position = token.group(), token.end()
                if part == '"':
                    in_string, text = True, ""
                    continue
                if part in "[{":
                    if base is None:
                        base = 1 if part == "[" else 0
                    depth += 1
                elif part in "]}":
                    depth -= 1
                    if depth <= (base or 0):
                        return False  # the first value (an array's first item) ended without one
                elif base is not None and depth == base + 1 and last == _KEY:
                    return True
                last = None
    return False


def _is_json(text: str) -> bool:
    try:
        parse_json(text)
    except BadJson:
        return False
    return True


def is_ndjson(path: Path) -> bool:
    """Whether a file that is not one JSON value opens with a line that is a whole FHIR resource
    (Bulk Data NDJSON) rather than with a broken JSON document. The second line counts too: an
    export cut off in its first line is still NDJSON, and a broken document's second line is
    never a whole resource of its own. Lines are decoded one by one, so a byte that is not UTF-8
    elsewhere does not decide it."""
    with _padless(path) as binary:
        lines = (line for _, line in decoded_lines(binary) if line is None or line.strip())
        return any(line is not None and is_resource(line) for line in itertools.islice(lines, 2))


def is_resource(line: str) -> bool:
    try:
        value = parse_json(line)
    except BadJson:
        return False
    return isinstance(value, dict) and "resourceType" in value


def decoded_lines(binary: BinaryIO) -> Iterator[tuple[int, str | None]]:
    """The lines of a file split at LF, as JSON text splits them (CR is whitespace to it), with
    their numbers; ``None`` for a line that is not UTF-8, which says nothing of what the file is."""
    for number, line, replaced in replaced_lines(binary):
        yield number, None if replaced else line


def replaced_lines(binary: BinaryIO) -> Iterator[tuple[int, str, bool]]:
    """The lines of a file as ``decoded_lines`` splits them, a line that is not UTF-8 decoded with
    U+FFFD for what could not be read, and said to be so: that costs one line, not the file.
    A BOM is dropped from any line: ``cat`` of exports written with one puts it mid-file."""
    for number, raw in enumerate(binary, start=1):
        raw = raw.removeprefix(codecs.BOM_UTF8).removesuffix(b"\n")
        try:
            yield number, raw.decode("utf-8"), False
        except UnicodeDecodeError:
            yield number, raw.decode("utf-8", "replace"), True


def opens_as_ndjson(path: Path) -> bool:
    """Whether the file's first line that is not blank is a whole FHIR resource and another
    line follows it: then the file is not one JSON value, and is read line by line, however big,
    without reading it whole first. (A single-line document is left to the whole-file reader,
    so it is not parsed twice.) A first line that is not UTF-8 says nothing either way, so the
    second decides: the whole-file reader would refuse the export for that one line."""
    with _padless(path) as binary:
        lines = ((number, line) for number, line in decoded_lines(binary) if line is None or line.strip())
        first, second = next(lines, None), next(lines, None)
    if first is None or second is None:
        return False
    deciding = first[1] if first[1] is not None else second[1]
    return deciding is not None and is_resource(deciding)


@contextlib.contextmanager
def _padless(path: Path) -> Iterator[BinaryIO]:
    """The file less the padding at its end (a DOS Ctrl-Z, NULs), as the CSV and JSON readers
    take it: read as lines, it was a last line that was no JSON."""
    with open_binary(path) as binary:
        yield io.BufferedReader(WithoutEndPadding(binary))


def streamed_lines(path: Path) -> Iterator[tuple[int, str, bool]]:
    """The file's lines as ``replaced_lines`` gives them, read as they are needed."""
    with _padless(path) as binary:
        yield from replaced_lines(binary)
