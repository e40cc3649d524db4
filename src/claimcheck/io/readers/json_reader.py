"""JSON claims: a ``.json`` file holds one claim or a list of claims; a ``.jsonl`` file one claim per line."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimcheck.errors import InputError
from claimcheck.io.readers.json_text import BadJson, parse_json
from claimcheck.io.readers.text_lines import NOT_UTF8, DecodedLines, end_padding, open_binary
from claimcheck.models.parse import InputProblem, ParsedClaim, ParsedLine, parse_claim

__all__ = ["read_json", "read_jsonl"]


def _origins(name: str, claim: Any) -> list[str | None]:
    """Where each line of ``claim`` sits; for a claim without a list of lines, where the claim does."""
    lines = claim.get("lines") if isinstance(claim, dict) else None
    if not isinstance(lines, list) or not lines:
        return [name]
    return [f"{name} lines[{index}]" for index in range(len(lines))]


def _not_utf8(claim: Any) -> InputProblem:
    """The problem of a claim whose line held bytes that are not UTF-8, naming the keys whose
    values hold what they were read as (U+FFFD), as the CSV reader names a row's columns."""
    named: list[str] = []
    if isinstance(claim, dict):
        named = [key for key, value in claim.items() if key != "lines" and _replaced(value)]
        lines = claim.get("lines")
        for index, line in enumerate(lines if isinstance(lines, list) else []):
            if isinstance(line, dict):
                named.extend(f"lines[{index}].{key}" for key, value in line.items() if _replaced(value))
    if not named:
        return InputProblem("claim", NOT_UTF8)
    return InputProblem("claim", NOT_UTF8.replace("text", f"text in {', '.join(map(str, named))}", 1))


def _replaced(value: Any) -> bool:
    if isinstance(value, str):
        return "\ufffd" in value
    if isinstance(value, dict):
        return any(_replaced(item) for item in value.values())
    return isinstance(value, list) and any(_replaced(item) for item in value)


def _open_text(path: Path) -> tuple[str, bool]:
    """The file's text, and whether bytes that are not UTF-8 were replaced (U+FFFD) to read it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror})") from None
    data = data[: end_padding(data)]
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("utf-8-sig", errors="replace"), True


def read_json(path: Path) -> Iterator[ParsedClaim]:
    """Claims of a ``.json`` file: one claim object or a list of them. Bytes that are not UTF-8
    are read as U+FFFD and each claim holding one is told where, as in a ``.jsonl`` file: one bad
    byte in a name no longer costs the file's other claims."""
    text, replaced = _open_text(path)
    if not text.strip():  # JSON's "Expecting value" came with a line past the file's end
        raise InputError(path, "is empty: it holds no claim (a .json file holds one claim object or a list of them)")
    try:
        data = parse_json(text)
    except BadJson as exc:
        if replaced:
            raise InputError(path, "is not UTF-8 text") from None
        message = exc.message
        if message.startswith("is not valid JSON (Extra data"):
            message += (
                ": more text follows the first JSON value; JSON Lines, a claim on each line, "
                "are read with --input-format jsonl"
            )
        raise InputError(path, message, line=exc.line) from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(path, "must hold a claim object or a list of claim objects")
    for index, claim in enumerate(data):
        parsed = parse_claim(claim, _origins(f"{path.name} [{index}]", claim), strict=True)
        if replaced and _replaced(claim):
            parsed = dataclasses.replace(parsed, problems=(_not_utf8(claim), *parsed.problems))
        yield parsed


def read_jsonl(path: Path) -> Iterator[ParsedClaim]:
    """Claims of a ``.jsonl`` file, one per line; a line that is not JSON becomes an ``input`` finding.
    A file whose first two lines (or only line) are not JSON is no JSON Lines at all: an
    ``InputError`` saying what it looks like, rather than one finding per line of a CSV, X12 or
    pretty-printed JSON file read in the wrong format."""
    with open_binary(path) as binary:
        lines = DecodedLines(binary)
        held: tuple[int, str, ParsedClaim] | None = None  # a first line that is not JSON
        read_one = False
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            where = f"{path.name} line {number}"
            claim, problem, not_json = None, None, False
            try:
                claim = parse_json(text)
            except BadJson as exc:
                if number in lines.bad:
                    problem = InputProblem("claim", NOT_UTF8)
                else:
                    problem, not_json = InputProblem("claim", exc.message), True
            if not_json and not read_one:
                if held is not None:
                    raise _not_json_lines(path, held[0], held[1])
                held = (number, text, _unreadable(problem, where))
                continue
            if held is not None:
                yield held[2]
                held = None
            read_one = True
            if problem is not None:
                yield _unreadable(problem, where)
                continue
            parsed = parse_claim(claim, [where] * len(_origins(where, claim)), strict=True)
            if number in lines.bad:
                # Its lines are still checked, each told which fields held the bytes (read as U+FFFD).
                parsed = dataclasses.replace(parsed, problems=(_not_utf8(claim), *parsed.problems))
            yield parsed
        if held is not None:
            raise _not_json_lines(path, held[0], held[1])


def _unreadable(problem: InputProblem, where: str) -> ParsedClaim:
    return ParsedClaim(None, (ParsedLine(None, None, None, (problem,), where),))


def _not_json_lines(path: Path, number: int, first: str) -> InputError:
    """The error for a file read as JSON Lines that is none, with the format it looks written in
    (from its first line; no value of it is repeated, as it may be patient data)."""
    start = first.lstrip("\ufeff \t")
    if start.startswith("ISA"):
        hint = "it looks like an X12 837: read it with --input-format x12"
    elif start.startswith(("{", "[")):
        hint = "it looks like one JSON document over several lines: read it with --input-format json (fhir for FHIR)"
    elif any(delimiter in start for delimiter in ",|\t;"):
        hint = "its first line looks like a table's header: read it with --input-format csv"
    else:
        hint = "JSON Lines hold one JSON claim object on each line"
    return InputError(path, f"is not JSON Lines: its first lines are not JSON; {hint}", line=number)
