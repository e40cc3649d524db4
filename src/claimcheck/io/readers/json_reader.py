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


def _open_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror})") from None
    try:
        return data[: end_padding(data)].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, "is not UTF-8 text") from None


def read_json(path: Path) -> Iterator[ParsedClaim]:
    """Claims of a ``.json`` file: one claim object or a list of them."""
    text = _open_text(path)
    if not text.strip():  # JSON's "Expecting value" came with a line past the file's end
        raise InputError(path, "is empty: it holds no claim (a .json file holds one claim object or a list of them)")
    try:
        data = parse_json(text)
    except BadJson as exc:
        raise InputError(path, exc.message, line=exc.line) from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(path, "must hold a claim object or a list of claim objects")
    for index, claim in enumerate(data):
        yield parse_claim(claim, _origins(f"{path.name} [{index}]", claim), strict=True)


def read_jsonl(path: Path) -> Iterator[ParsedClaim]:
    """Claims of a ``.jsonl`` file, one per line; a line that is not JSON becomes an ``input`` finding."""
    with open_binary(path) as binary:
        lines = DecodedLines(binary)
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            where = f"{path.name} line {number}"
            try:
                claim = parse_json(text)
            except BadJson as exc:
                problem = InputProblem("claim", NOT_UTF8 if number in lines.bad else exc.message)
                yield ParsedClaim(None, (ParsedLine(None, None, None, (problem,), where),))
                continue
            parsed = parse_claim(claim, [where] * len(_origins(where, claim)), strict=True)
            if number in lines.bad:
                # Its lines are still checked, each told which fields held the bytes (read as U+FFFD).
                parsed = dataclasses.replace(parsed, problems=(_not_utf8(claim), *parsed.problems))
            yield parsed
