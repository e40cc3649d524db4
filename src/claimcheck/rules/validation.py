"""Validate rule-file data against its pydantic model; a problem raises ``RuleFileError`` in the
rule file's words: its file, line, key path, the value as written and what is allowed."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from claimcheck.errors import RuleFileError
from claimcheck.rules.schema import ENTRY_PROBLEM, GeneralFile, GeneralRule
from claimcheck.rules.yamlsource import KeyPath, LocatedDocument, excerpt, render_key_path

__all__ = ["validate_document"]

_ModelT = TypeVar("_ModelT", bound=BaseModel)


def _model_at(model: type[BaseModel] | None, loc: KeyPath) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at ``loc`` (to list its allowed keys)."""
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = _find_model(field.annotation) if field else None
    return model


def _find_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, tuple, dict):
        for arg in typing.get_args(annotation):
            found = _find_model(arg)
            if found is not None:
                return found
    if typing.get_origin(annotation) is typing.Annotated:
        return _find_model(typing.get_args(annotation)[0])
    return None


# pydantic lists the allowed members of a Literal of enum members by repr (<Status.WARN: 'warn'>);
# the rule file writes the value.
_ENUM_REPR = re.compile(r"<\w+\.\w+: ('[^']*')>")


def _as_written(errors: list[Any], data: Any) -> list[Any]:
    """The errors with the keys the author wrote: pydantic names the branches of a union in the
    loc (``document_code.function-after[...]``, ``tuple[...]``); of one union's errors, keep the
    one that got furthest into the value, or one that names what each branch expects."""
    unions: dict[KeyPath, list[Any]] = {}
    kept: list[Any] = []  # an error, or the branches of one union (a list) in its place
    for error in errors:
        loc, node, union = [], data, None
        for index, part in enumerate(error["loc"]):
            if (isinstance(node, dict) and part in node) or (isinstance(node, list) and part in range(len(node))):
                loc.append(part)
                node = node[part]
            elif error["type"] == "missing" and index == len(error["loc"]) - 1:
                loc.append(part)
            elif union is None:
                union = tuple(loc)
        error = {**error, "loc": tuple(loc)}
        if union is None:
            kept.append(error)
        elif union in unions:
            unions[union].append(error)
        else:
            unions[union] = [error]
            kept.append(unions[union])
    return [_one_branch(item) if isinstance(item, list) else item for item in kept]


def _one_branch(branches: list[Any]) -> Any:
    deepest = max(branches, key=lambda e: len(e["loc"]))
    if len(deepest["loc"]) > len(branches[0]["loc"]) or not all(e["type"].endswith("_type") for e in branches):
        return deepest
    expected = (str(e["msg"]).removeprefix(_TYPE_MESSAGE) for e in branches)
    return {**branches[0], "msg": _TYPE_MESSAGE + " or ".join(dict.fromkeys(_YAML_WORDS.get(e, e) for e in expected))}


def _raise_validation(
    exc: ValidationError, doc: LocatedDocument, model: type[BaseModel], data: Any, base: KeyPath = ()
) -> typing.NoReturn:
    # A misspelt key shows up twice, as unknown and as missing: report the unknown one, which
    # points at the line to fix.
    errors = _as_written(exc.errors(include_url=False), data)
    errors.sort(key=lambda e: e["type"] != "extra_forbidden")
    error = errors[0]
    loc: KeyPath = (*base, *error["loc"])
    allowed: str | None = None
    value: Any = error.get("input")
    if error["type"] == "extra_forbidden":
        parent = _model_at(model, tuple(error["loc"][:-1]))
        allowed = ", ".join(parent.model_fields) if parent else None
        problem = "unknown key"
        close = _meant(error, model)
        if close:
            problem += f" (did you mean {close[-1]!r}?)"
        elif parent is not None and not parent.model_fields:
            problem += "; a rule of this kind takes no params (leave params out)"
        elif parent is GeneralFile and loc[-1] in GeneralRule.model_fields:
            problem += "; a rule goes under rules:, as an item of its list (- id: …)"
        value = None
    elif error["type"] == "missing" and isinstance(loc[-1], int):
        # A pair written with one code: pydantic names the absent item as a missing field.
        loc, least = loc[:-1], loc[-1] + 1
        problem = f"must hold at least {least} items, not {len(value)}"
    elif error["type"] == "missing":
        problem = "required key is missing"
        value = None
    elif error["type"] == ENTRY_PROBLEM:
        ctx = error["ctx"]
        loc, value, problem = (*loc, *ctx["at"]), ctx["value"], ctx["message"]
    else:
        expected = (error.get("ctx") or {}).get("expected")
        message = str(error["msg"])
        if expected:
            problem = "is empty" if value is None else "is not allowed"
            allowed = _ENUM_REPR.sub(r"\1", str(expected))
            # Statuses and checks are lower case: Warn, diagnoses and failed are near misses.
            close = difflib.get_close_matches(str(value).lower(), re.findall(r"'([^']*)'", allowed), n=1)
            if value == "pass" and loc[-1] == "status" and "'pass'" not in allowed:
                problem += " (a rule's status is that of its finding when the line breaks it)"
            elif value is not None and close:
                problem += f" (did you mean {close[0]!r}?)"
        elif error["type"] == "model_type":
            problem, allowed = _wrong_type(error), _mapping_of(_model_at(model, tuple(error["loc"])))
        elif error["type"].endswith("_type") and message.startswith(_TYPE_MESSAGE):
            expectation = message.removeprefix(_TYPE_MESSAGE)
            problem, allowed = _wrong_type(error), _YAML_WORDS.get(expectation, expectation)
        elif error["type"] in ("too_short", "string_too_short") and isinstance(value, str):
            problem = "is empty"  # every text in a rule file needs one character, after spaces
        elif error["type"] == "too_short":
            least = (error.get("ctx") or {}).get("min_length", 1)
            problem = f"must hold at least {least} item{'s' if least != 1 else ''}"
        elif error["type"] == "int_parsing":
            problem = "must be a whole number"
        elif error["type"] == "string_pattern_mismatch":
            problem = f"must match {(error.get('ctx') or {}).get('pattern')}"
        elif error["type"] == "too_long":
            ctx = error.get("ctx") or {}
            problem = f"must hold at most {ctx.get('max_length')} items, not {ctx.get('actual_length')}"
        else:  # a value out of range or not a real date: pydantic's words, as the author's rule
            problem = message.removeprefix("Value error, ").replace(_TYPE_MESSAGE, "must be ", 1)
    # A list whose only item fails is also too short: that follows from the first problem. A
    # misspelt key's twin, the key it was meant to be, goes when the spelling is fixed.
    twins = {_meant(e, model) for e in errors if e["type"] == "extra_forbidden"}
    others = [
        e
        for e in errors[1:]
        if tuple(e["loc"]) != tuple(error["loc"])[: len(e["loc"])]
        and not (e["type"] == "missing" and tuple(e["loc"]) in twins)
    ]
    if others:
        problem += f" (and {len(others)} more problem{'s' if len(others) > 1 else ''} in this file)"
    raise RuleFileError(
        doc.file,
        problem,
        line=doc.line_of(loc),
        key_path=render_key_path(loc),
        value=excerpt(value),
        allowed=allowed,
    )


def _meant(error: Any, model: type[BaseModel]) -> KeyPath | None:
    """The key path an unknown key was probably meant to be (``summary`` for ``sumary``)."""
    loc = tuple(error["loc"])
    parent = _model_at(model, loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), list(parent.model_fields) if parent else [], n=1)
    return (*loc[:-1], close[0]) if close else None


def _wrong_type(error: Any) -> str:
    # A key written with nothing after it ('version:') reads as null: say so, not "wrong type".
    return "is empty" if error.get("input", ...) is None else "is the wrong type"


# How pydantic words a wrong type: "Input should be a valid list". Rule files hold sequences as
# tuples and mappings as read-only views; the author wrote YAML lists and mappings.
_TYPE_MESSAGE = "Input should be "
_YAML_WORDS = {"a valid tuple": "a valid list", "a valid dictionary": "a valid mapping"}


def _mapping_of(model: type[BaseModel] | None) -> str:
    return f"a mapping with keys {', '.join(model.model_fields)}" if model else "a mapping"


def validate_document(model: type[_ModelT], doc: LocatedDocument, data: Any = None, base: KeyPath = ()) -> _ModelT:
    """``data`` (the whole of ``doc`` when None, else the part of it at ``base``) as ``model``."""
    data = doc.data if data is None else data
    if not isinstance(data, dict):
        problem = "must be a mapping of keys to values"
        line = doc.line_of(base)
        if data is None and not base:  # nothing in the file but comments, if that
            problem, line = "is empty", None
        elif isinstance(data, list) and model is GeneralFile:
            problem = "is a list; a general file holds its list of rules under the key rules"
        raise RuleFileError(
            doc.file,
            problem,
            line=line,
            key_path=render_key_path(base) if base else None,
            value=excerpt(data),
            allowed=_mapping_of(model),
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        _raise_validation(exc, doc, model, data, base)
