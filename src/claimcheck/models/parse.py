"""Reading claim data that may be wrong, without losing a line.

``Claim.model_validate`` is all-or-nothing; a scrubber cannot be. ``parse_claim`` validates the
header and each line on its own, drops the fields that do not read, keeps the rest, and records
one ``InputProblem`` per bad field. A line whose line number, procedure code or date of service
cannot be read has no ``ClaimLine`` but is kept all the same, so every input line yields a result.
Problem messages name the field, never its value (the value may be patient data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from claimcheck.models.claim import Claim, ClaimHeader, ClaimLine
from claimcheck.models.fields import _code, _empty, _line_number, _text
from claimcheck.models.lists import read_in_part

__all__ = ["InputProblem", "ParsedClaim", "ParsedLine", "parse_claim"]

_LINE_REQUIRED = frozenset({"line_number", "procedure_code", "date_of_service"})
_HEADER_REQUIRED = frozenset({"claim_id"})
_ModelT = TypeVar("_ModelT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class InputProblem:
    """A field that could not be read as the contract says.

    ``unchecked``: the field is well formed in its own file format but holds a kind of value the
    rules are not built for (a HIPPS rate code where CPT/HCPCS codes are checked); the line is
    left unjudged with a warning, since a payer may well accept it, rather than failed.
    ``code``: the place (or number) of the one code of a list field the problem is about; the
    list's other codes were read, and are checked (see ``lists``).
    """

    field: str
    message: str
    unchecked: bool = False
    code: int | None = None


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """One input line: the normalised ``ClaimLine`` when it could be built, and what was wrong."""

    line: ClaimLine | None
    line_number: int | None
    procedure_code: str | None
    problems: tuple[InputProblem, ...] = ()
    origin: str | None = None
    # Where the line sits in a structured file (X12: interchange, claim, LX, segment position).
    location: Mapping[str, str | int | None] | None = None


@dataclass(frozen=True, slots=True)
class ParsedClaim:
    """One input claim: its id (when readable), its lines in input order, and claim-level problems."""

    claim_id: str | None
    lines: tuple[ParsedLine, ...]
    header: ClaimHeader | None = None
    problems: tuple[InputProblem, ...] = ()


def _describe(error: Mapping[str, Any]) -> str:
    if error["type"] in ("missing", "string_too_short", "too_short"):
        return "is required"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message[:1].lower() + message[1:]


def _problems(exc: ValidationError, prefix: str = "") -> list[InputProblem]:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        loc = [str(part) for part in error["loc"]] or ["value"]
        problems.append(InputProblem(prefix + ".".join(loc), _describe(error)))
    return problems


def _validate_leniently(
    model: type[_ModelT], data: Mapping[str, Any], required: frozenset[str]
) -> tuple[_ModelT | None, list[InputProblem]]:
    """Validate ``data``; on failure drop the bad optional fields (but the codes of a list that
    read) and try once more."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = _problems(exc)
        bad_fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        if bad_fields & required or not bad_fields:
            return None, problems
        kept = {key: value for key, value in data.items() if key not in bad_fields}
        for field in bad_fields:
            read = read_in_part(field, data.get(field))
            if read is not None:
                kept[field] = read[0]  # a tuple: its codes are taken as read
                named = [InputProblem(field, message, code=place) for place, message in read[1]]
                at = next(i for i, problem in enumerate(problems) if problem.field == field)
                problems[at : at + 1] = named
        try:
            return model.model_validate(kept), problems
        except ValidationError as again:
            return None, problems + _problems(again)


def _without_empty(data: Mapping[str, Any], required: frozenset[str]) -> Mapping[str, Any]:
    """``data`` without the ``required`` fields that hold no value (null, NaN, blank text): such a
    field "is required", as an empty CSV cell and a null in validate_batch say; "must be a whole
    number" or "must be text" sent the user looking for a bad value that is not there."""
    empty = [key for key in required if key in data and (_empty(data[key]) or _blank(data[key]))]
    return {key: value for key, value in data.items() if key not in empty} if empty else data


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _salvage(data: Mapping[str, Any], key: str, reader: Any) -> Any:
    try:
        return reader(data[key])
    except (KeyError, ValueError, TypeError):
        return None


# The CSV contract's numbered columns as a line's keys (a wide CSV row turned into a dict), named
# as the CSV reader takes them: dx_1, DX1, dx_01, "Modifier 1".
_NUMBERED = re.compile(r"(modifier|dx)[ _-]*(\d+)", re.ASCII)
_RUNS = {"modifier": ("modifiers", 5), "dx": ("diagnosis_codes", 25)}
_LINE_FIELDS = ", ".join(ClaimLine.model_fields)
_CLAIM_FIELDS = frozenset(ClaimHeader.model_fields)
_CLAIM_KEYS = ", ".join([*ClaimHeader.model_fields, "lines"])


def _no_value(value: Any) -> bool:
    return _empty(value) or _blank(value) or (isinstance(value, (list, tuple)) and not value)


def _items(value: Any) -> list[Any]:
    """A list field's value as items of a list, read as the value alone is read: a tuple's codes
    are taken whole, and so are a list's inside a list."""
    if isinstance(value, tuple):
        return [list(value)]
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        return [value]
    return list(value)


def _unread(key: str, why: str) -> InputProblem:
    return InputProblem(key, f"is not read: {why}, so its value is not checked", unchecked=True)


def _repeated(data: Mapping[str, Any], claim: bool = False) -> list[InputProblem]:
    """A warning, naming it, for each key a JSON object gave more than once (``repeated_keys``):
    readers differ on which value they take, so the field (modifier_1's: modifiers) is not judged;
    a claim's ``lines`` cannot be left so: the last list is checked, and said to be."""
    problems = []
    for key, count in getattr(data, "repeated_keys", {}).items():
        given = f"is given {count} times in one object"
        match = _NUMBERED.fullmatch(key.strip().lower()) if isinstance(key, str) else None
        field, last = _RUNS[match[1]] if match else (key, 0)
        if claim and key == "lines":
            message = f"{given}: the lines of the last are checked, those of the others are not read"
        elif match and 1 <= int(match[2]) <= last:
            message = f"is not checked: {key} {given}"
        else:
            field, message = key, f"{given}, so its value is not checked"
        problems.append(InputProblem(field, message, unchecked=True))
    return problems


def _widened(data: Mapping[str, Any], strict: bool) -> tuple[Mapping[str, Any], list[InputProblem]]:
    """``data`` with its numbered keys (``modifier_1``..``modifier_5``, ``dx_1``..``dx_25``) read
    after ``modifiers`` and ``diagnosis_codes``, as the CSV reader and validate_batch read those
    columns, and a warning for a numbered key with a value that is not read (``dx_26``), as the
    CSV reader gives; ``strict`` (a JSON claims file), for any other key with a value that no
    field reads, a claim's field aside: ``{"modifier": "26"}`` left the line passing unchecked."""
    numbered: dict[tuple[str, int], list[tuple[str, Any]]] = {}
    problems = []
    for key, value in data.items():
        if not isinstance(key, str) or key in ClaimLine.model_fields or _no_value(value):
            continue
        match = _NUMBERED.fullmatch(key.strip().lower())
        if match is not None:
            field, last = _RUNS[match[1]]
            if 1 <= int(match[2]) <= last:
                numbered.setdefault((field, int(match[2])), []).append((key, value))
            else:
                problems.append(_unread(key, f"a line reads {field} and {match[1]}_1 to {match[1]}_{last}"))
        elif strict and key not in _CLAIM_FIELDS:  # a table's rows as lines repeat their claim's
            problems.append(_unread(key, f"a claim line has no such field (its fields: {_LINE_FIELDS})"))
    if not numbered:
        return data, problems
    widened = dict(data)
    for (field, number), given in sorted(numbered.items()):
        # One key a number: its own name (dx_1) before another spelling of it (DX1, dx_01).
        own = f"{'dx' if field == 'diagnosis_codes' else 'modifier'}_{number}"
        (key, value), *others = sorted(given, key=lambda pair: pair[0].strip().lower() != own)
        present = [] if _no_value(widened.get(field)) else _items(widened[field])
        widened[field] = [*present, *_items(value)]
        problems.extend(_unread(other, f"{key} is read for {field} {number}") for other, _ in others)
    return widened, problems


def parse_line(
    data: Any,
    origin: str | None = None,
    location: Mapping[str, str | int | None] | None = None,
    *,
    strict: bool = False,
) -> ParsedLine:
    """Read one line mapping; never raises. ``strict``: a key no field reads is warned of."""
    if isinstance(data, ClaimLine):
        return ParsedLine(data, data.line_number, data.procedure_code, (), origin, location)
    if not isinstance(data, Mapping):
        return ParsedLine(None, None, None, (InputProblem("line", "must be an object"),), origin, location)
    repeated = _repeated(data) if strict else []
    # A number, code or date given twice is none: the line is not built, as when it cannot be read.
    untold = {problem.field for problem in repeated} & _LINE_REQUIRED
    data, unread = _widened({k: v for k, v in data.items() if k not in untold} if untold else data, strict)
    line, problems = _validate_leniently(ClaimLine, _without_empty(data, _LINE_REQUIRED), _LINE_REQUIRED)
    problems = repeated + unread + [problem for problem in problems if problem.field not in untold]
    if line is not None:
        return ParsedLine(line, line.line_number, line.procedure_code, tuple(problems), origin, location)
    # The code as written, invisible characters and all, names the line in the report.
    procedure = _salvage(data, "procedure_code", lambda value: _code(value, seen=False)) or None
    number = _salvage(data, "line_number", _line_number)
    return ParsedLine(None, number, procedure, tuple(problems), origin, location)


def _claim_unread(data: Mapping[str, Any]) -> list[InputProblem]:
    """A warning for each key of a claim with a value that no field reads (``patient_gender``);
    named, never quoted: a claim's values are patient data."""
    return [
        _unread(key, f"a claim has no such field (its fields: {_CLAIM_KEYS})")
        for key, value in data.items()
        if isinstance(key, str) and key not in _CLAIM_FIELDS and key != "lines" and not _no_value(value)
    ]


def _flat_hint(data: Mapping[str, Any]) -> str:
    """Why ``data`` has no lines, when it looks like something else than a claim: said, since
    "lines must be a list" alone does not tell. A line's fields beside its claim id are a table's
    rows written as JSON records (pandas' ``to_json(orient="records")``); a list of objects under
    another key (``{"claims": [...]}``) is claims wrapped in an object, as APIs send them."""
    if "lines" in data:
        return ""
    given = [name for name in ("line_number", "procedure_code", "date_of_service") if name in data]
    if given:
        return f"; this object gives {', '.join(given)} at the claim's level, where a claim lists each line under lines"
    wrapped = [
        key
        for key, value in data.items()
        if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value)
    ]
    if "claim_id" not in data and wrapped:
        return f"; this object holds a list of objects under {wrapped[0]}: a claim gives its claim_id and lines itself"
    return ""


def parse_claim(
    data: Any,
    origins: Sequence[str | None] | None = None,
    locations: Sequence[Mapping[str, str | int | None] | None] | None = None,
    *,
    strict: bool = False,
) -> ParsedClaim:
    """Read one claim (a ``Claim`` or a mapping in the JSON claims shape); never raises.

    ``origins``, when given, names where each line came from (e.g. ``claims.csv line 7``), so
    input findings can point back into the file (the first names the claim when it has no
    lines); ``locations`` gives each line's structured location (X12 interchange, claim, LX,
    segment), which the report carries. ``strict`` (a JSON claims file, whose keys are the
    contract's): a claim's or a line's key that no field reads is an ``input.not_checked`` warning; elsewhere
    such keys are passed over, as a CSV file's extra columns are (a DataFrame's rows carry them).
    """
    if isinstance(data, Claim):
        lines = tuple(ParsedLine(ln, ln.line_number, ln.procedure_code) for ln in data.lines)
        return ParsedClaim(data.claim_id, lines, data)
    # A claim with no lines to read still yields one line, which points at the claim itself.
    claim_origin = origins[0] if origins else None
    if not isinstance(data, Mapping):
        problem = InputProblem("claim", "must be an object with claim_id and lines")
        return ParsedClaim(None, (ParsedLine(None, None, None, (problem,), claim_origin),))
    header_fields = {k: v for k, v in data.items() if k != "lines"}
    header, problems = _validate_leniently(
        ClaimHeader, _without_empty(header_fields, _HEADER_REQUIRED), _HEADER_REQUIRED
    )
    claim_id = (
        header.claim_id if header else (_salvage(data, "claim_id", lambda value: _text(value, seen=False)) or None)
    )
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, (list, tuple)) or not raw_lines:
        problems.append(InputProblem("lines", "must be a non-empty list of lines" + _flat_hint(data)))
        return ParsedClaim(claim_id, (ParsedLine(None, None, None, origin=claim_origin),), header, tuple(problems))
    if strict:
        problems.extend(_repeated(data, claim=True))
        problems.extend(_claim_unread(data))
    origins = list(origins or ())
    locations = list(locations or ())
    lines = tuple(
        parse_line(
            raw,
            origins[index] if index < len(origins) else None,
            locations[index] if index < len(locations) else None,
            strict=strict,
        )
        for index, raw in enumerate(raw_lines)
    )
    return ParsedClaim(claim_id, lines, header, tuple(problems))
