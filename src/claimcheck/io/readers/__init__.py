"""Reader registry: one reader per input format, chosen by extension or by content."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from claimcheck.errors import InputError
from claimcheck.io.readers import csv_reader, json_reader, x12
from claimcheck.io.readers.fhir import looks_like_fhir, opens_resource_array, read_fhir, resource_type_past_head
from claimcheck.io.readers.layouts import ColumnLayout
from claimcheck.io.readers.text_lines import not_text, open_binary
from claimcheck.models.parse import InputProblem, ParsedClaim, ParsedLine

__all__ = ["READERS", "detect_format", "read_claims", "unreadable_file"]

Reader = Callable[[Path], Iterator[ParsedClaim]]

READERS: dict[str, Reader] = {
    "csv": csv_reader.read_csv,
    "json": json_reader.read_json,
    "jsonl": json_reader.read_jsonl,
    "fhir": read_fhir,
    "x12": x12.read_x12,
}

# An X12 file opens with ISA; one opening with GS or ST lost its ISA, and the X12 reader says so.
# Each is matched with its first element (ISA01's two characters, GS01's code, ST01's set id),
# as a table whose first column is named ST (a state), GS_ID or ISA_NO begins so too.
_X12_START = re.compile(
    r"ISA(?P<isa>[^A-Za-z0-9\s]).{2}(?P=isa)"
    r"|GS(?P<gs>[^A-Za-z0-9\s])[A-Z]{2}(?P=gs)"
    r"|ST(?P<st>[^A-Za-z0-9\s])\d{3}(?P=st)"
)

# FHIR serialisers write resourceType first; a claim file's first 64 KB settle the rest.
_HEAD_CHARS = 65_536
# A header row: two or more cells between commas, tabs, pipes or semicolons.
_DELIMITED_LINE = re.compile(r"[^\n,\t|;{}\[\]]+[,\t|;]")

_EXTENSIONS = {
    ".csv": "csv",
    ".psv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".837": "x12",
    ".edi": "x12",
    ".x12": "x12",
}


def detect_format(path: Path) -> str:
    """The reader for ``path``, from its first characters; the extension only breaks ties.
    Raises ``InputError`` for a file that holds no UTF-8 text (gzip, zip, UTF-16).

    An 837 starts with ``ISA``; a FHIR file is a JSON object with a ``resourceType`` (or an array
    whose first object has one); other JSON
    is our claims shape (one compact object per line: ``jsonl``); anything else is read as
    delimited text, a ``.json`` or ``.jsonl`` file too when its first line is delimited text.
    """
    try:
        with path.open("rb") as binary:
            packed = not_text(binary.read(4))
            binary.seek(0)
            head = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace").read(_HEAD_CHARS)
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror})") from None
    if packed is not None:
        raise InputError(path, packed)
    stripped = head.lstrip()
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if _X12_START.match(stripped):
        return "x12"
    if by_extension == "x12" and (not stripped or stripped.startswith("ISA")):
        return "x12"  # an empty 837, or an ISA with a bad separator: the X12 reader says which
    if looks_like_fhir(head) or opens_resource_array(head):
        return "fhir"
    if stripped.startswith(("{", "[")) and len(head) == _HEAD_CHARS and resource_type_past_head(path):
        return "fhir"  # keys sorted: a big Bundle's (or Claim's) resourceType comes after its entries (items)
    if stripped.startswith(("{", "[")):
        first_line, _, rest = stripped.partition("\n")
        one_value_per_line = first_line.rstrip().endswith(("}", "]")) and rest.strip() != ""
        if by_extension == "jsonl":
            # Its reader reports a broken line and reads on, where the json reader would stop; only
            # an array seen whole on one line or spread over several is read as one JSON document.
            saw_first_line = "\n" in stripped or len(head) < _HEAD_CHARS
            whole_array = stripped[0] == "[" and saw_first_line and not one_value_per_line
            return "json" if whole_array else "jsonl"
        return "jsonl" if stripped[0] == "{" and one_value_per_line else "json"
    if by_extension in ("json", "jsonl") and not _DELIMITED_LINE.match(stripped):
        return by_extension  # not JSON, nor a table: the JSON reader's message fits the name best
    return "csv"


def read_claims(
    path: str | Path,
    input_format: str | None = None,
    *,
    columns: ColumnLayout | None = None,
    x12_strict: bool = False,
) -> Iterator[ParsedClaim]:
    """Stream the claims of one file; raises ``InputError`` only when the file cannot be read at all.

    ``columns`` is the column layout of a delimited file (default: found from its header);
    ``x12_strict`` adds pyx12's TR3 validation issues to 837 lines (needs the x12 extra).
    """
    file = Path(path)
    name = input_format or detect_format(file)
    if input_format in ("json", "jsonl"):
        # As detection says it: read as JSON, UTF-16 text failed line by line as "not valid JSON".
        with open_binary(file) as binary:
            packed = not_text(binary.read(4))
        if packed is not None:
            raise InputError(file, packed)
    if name == "csv":
        return csv_reader.read_csv(file, columns)
    if name == "x12" and x12_strict:
        return x12.read_x12_strict(file)
    reader = READERS.get(name)
    if reader is None:
        raise InputError(file, f"unknown input format {name!r}; known: {', '.join(READERS)}")
    return reader(file)


def unreadable_file(error: InputError) -> ParsedClaim:
    """The one line that stands in a report for a file no reader could read, so the report says so."""
    problem = f"{error.field}: {error.problem}" if error.field else error.problem
    name = Path(error.file).name
    origin = name if error.line is None else f"{name} line {error.line}"
    return ParsedClaim(None, (ParsedLine(None, None, None, (InputProblem("file", problem),), origin),))
