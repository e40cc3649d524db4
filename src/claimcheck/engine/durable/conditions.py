"""Builders for durable-rules condition JSON (the ``all`` lists of a ruleset definition).

We write the JSON that ``durable.engine.Host`` takes rather than use the ``durable.lang`` DSL:
the DSL keeps module-level stacks (``_ruleset_stack``, ``_rulesets``) that are not thread-safe
and registers every ruleset on one global host, while each executor needs its own host.

Facts carry only JSON scalars. Booleans are written as 0/1 and membership is precomputed or
spelled as a regular expression, because durable has no ``in`` operator and its ``$iall`` is
false over an empty list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

__all__ = [
    "Cond",
    "all_of",
    "any_of",
    "codes_in",
    "compare",
    "go_fact",
    "in_force",
    "line",
    "readable_line",
    "same",
]

Cond = dict[str, Any]

# durable compiles a regex to a state machine of bounded size (error 503 past about 500 short
# alternatives); chunks of this many codes stay well inside it and are joined with $or.
_REGEX_CHUNK = 100
_PLAIN_CODE = re.compile(r"^[A-Za-z0-9]+$")


def _reference(cond: Cond) -> str | None:
    """The alias a condition refers to (``{field: {alias: f}}`` or ``{"$op": {field: {alias: f}}}``), if any."""
    ((key, value),) = cond.items()
    if key.startswith("$") and key not in ("$and", "$or") and isinstance(value, dict):
        ((_, value),) = value.items()
    if isinstance(value, dict) and len(value) == 1:
        ((alias, field),) = value.items()
        if not alias.startswith("$") and isinstance(field, str):
            return alias
    return None


def all_of(*conds: Cond) -> Cond:
    """The conjunction, ordered to steer clear of two bugs of durable's join evaluation
    (``reduceExpressionSequence`` in durable-rules 2.0.28):

    - when the last join test of an ``$and`` is false, it scans past the end of the expression
      array for the group's end marker (reads out of bounds; a crash when it runs off the heap).
      So a join test that always holds, ``t`` equal to the referenced fact's ``t``, goes last;
    - a nested ``$or`` ends the evaluation of its ``$and``: join tests after it are ignored. So
      ``$or`` groups (constant tests only) go after every join test.
    """
    items = [c for c in conds if c]
    constants = [c for c in items if _reference(c) is None and "$or" not in c]
    joins = [c for c in items if _reference(c) is not None]
    groups = [c for c in items if "$or" in c]
    if joins:
        alias = _reference(joins[0])
        joins.append({"t": {alias: "t"}})
    ordered = [*constants, *joins, *groups]
    if len(ordered) == 1:
        return ordered[0]
    return {"$and": ordered}


def any_of(*conds: Cond) -> Cond:
    items = list(conds)
    if len(items) == 1:
        return items[0]
    return {"$or": items}


def compare(op: str, field: str, value: Any) -> Cond:
    """``field <op> value`` with op one of lt, lte, gt, gte, neq (``value`` may be ``same(...)``)."""
    return {f"${op}": {field: value}}


def same(alias: str, field: str) -> dict[str, str]:
    """A reference to ``field`` of the fact bound to ``alias`` earlier in the rule."""
    return {alias: field}


def line(*conds: Cond) -> Cond:
    return all_of({"t": "line"}, *conds)


def readable_line(*conds: Cond) -> Cond:
    """A line fact whose ``ClaimLine`` could be built: the only lines claim checks look at."""
    return line({"ok": 1}, *conds)


def go_fact() -> Cond:
    return {"t": "go"}


def in_force(effective: date | None, expires: date | None) -> list[Cond]:
    """Conditions on ``dn`` (the day of service as an ordinal) for a rule in force from ``effective``
    through ``expires``, inclusive, as ``Dated.in_force`` decides."""
    conds: list[Cond] = []
    if effective is not None:
        conds.append(compare("gte", "dn", effective.toordinal()))
    if expires is not None:
        conds.append(compare("lte", "dn", expires.toordinal()))
    return conds


def codes_in(field: str, codes: Iterable[str]) -> Cond | None:
    """``field`` equals one of ``codes``; None when there are none (such a condition never holds).

    Plain alphanumeric codes become anchored regex alternations (durable's ``$mt`` matches the
    whole value), which is one expression per chunk instead of one per code; anything else is
    compared for equality.
    """
    unique = list(dict.fromkeys(codes))
    if not unique:
        return None
    plain = [c for c in unique if _PLAIN_CODE.match(c)]
    conds: list[Cond] = [{field: c} for c in unique if not _PLAIN_CODE.match(c)]
    for start in range(0, len(plain), _REGEX_CHUNK):
        chunk = plain[start : start + _REGEX_CHUNK]
        conds.append({field: chunk[0]} if len(chunk) == 1 else {"$mt": {field: "|".join(chunk)}})
    return any_of(*conds)
