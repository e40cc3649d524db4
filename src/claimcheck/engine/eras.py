"""Eras: spans of dates of service on which the same dated rules and entries are in force."""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from claimcheck.engine.checks import LineCheck
from claimcheck.engine.ruleset import RuleSet

__all__ = ["Eras"]

_ONE_DAY = timedelta(days=1)


class Eras:
    """Numbers dates so that two dates with one number compare alike with each of ``dates``,
    whichever way a check compares (before, on, after)."""

    def __init__(self, dates: set[date]) -> None:
        bounds = set()
        for day in dates:
            bounds.add(day)
            if day < date.max:
                bounds.add(day + _ONE_DAY)
        self._bounds = sorted(bounds)

    @classmethod
    def for_check(cls, check: LineCheck, rules: RuleSet, as_of: date) -> Eras:
        """The dates ``check`` can compare a date of service with: its rule's and parameters',
        the profiles' when its key has the procedure code, the modifier list's when it has
        the modifiers (the other code sets are not dated), and the day of the run."""
        dates = {as_of, *_dates_in(check.rule), *_dates_in(check.params)}
        key = check.memo_key or ()
        if "procedure_code" in key:
            for profile in rules.profiles.values():
                dates.update(_dates_in(profile.profile))
        if "modifiers" in key:
            for modifier in rules.code_sets.modifiers.entries():
                dates.update(d for d in (modifier.effective, modifier.termination) if d is not None)
        return cls(dates)

    def of(self, day: date) -> int:
        return bisect.bisect_right(self._bounds, day)


def _dates_in(value: Any, seen: set[int] | None = None) -> Iterator[date]:
    """Every date held anywhere inside ``value`` (models, dataclasses, mappings, sequences)."""
    seen = set() if seen is None else seen
    if isinstance(value, date):
        yield value
        return
    if value is None or isinstance(value, (str, bytes, int, float)) or id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, BaseModel):
        children: Any = [getattr(value, name) for name in type(value).model_fields]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        children = [getattr(value, f.name) for f in dataclasses.fields(value)]
    elif isinstance(value, Mapping):
        children = [*value.keys(), *value.values()]
    elif isinstance(value, (list, tuple, set, frozenset)):
        children = value
    else:
        return
    for child in children:
        yield from _dates_in(child, seen)
