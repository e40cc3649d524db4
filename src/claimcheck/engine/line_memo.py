"""The line checks' findings per distinct key, for the lines of one run of the per-line road.

A check's findings on a readable line without input problems depend only on the fields its
``memo_key`` names (see ``LineCheck``); the batch engine relies on that to run each check once
per distinct key, and a run of JSON, X12 or FHIR claims repeats the same codes line after line
just as a CSV file does. Lines with input problems, or a line number repeated in its claim, are
checked in full: their findings depend on more than the line's fields.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from operator import attrgetter
from typing import Any
from weakref import WeakKeyDictionary

from claimcheck.engine.checks import LineCheck, LineContext
from claimcheck.engine.eras import Eras
from claimcheck.engine.ruleset import RuleSet
from claimcheck.models.finding import Finding

__all__ = ["LineMemo"]

# Past this many distinct keys a check's memo starts again, so memory stays bounded.
_MEMO_LIMIT = 100_000
# Each check's key for a day of the run. Building one (its eras walk the profiles and the modifier
# list) costs more than checking a claim, and validate() makes a memo for every call: kept for the
# check's life (a check belongs to one RuleSet), for a few days of the run.
_KEYS: WeakKeyDictionary[LineCheck, dict[date, Callable[[Any], Any]]] = WeakKeyDictionary()
_DAYS_KEPT = 4
_DIRECT_LINES = 64


def _key_of(check: LineCheck, rules: RuleSet, as_of: date) -> Callable[[Any], Any]:
    """The key of a line for ``check``, as the batch engine's memo builds it: the fields of its
    ``memo_key``, the era of the date of service for ``era`` and for a dated rule, and the fact
    of its ``memo_fact`` field."""
    names = [name for name in check.memo_key or () if name != "era"]
    fields = attrgetter(*names) if names else None
    dated = "era" in (check.memo_key or ()) or (check.rule.dated and "date_of_service" not in names)
    era = Eras.for_check(check, rules, as_of).of if dated else None
    fact = check.fact if check.memo_fact else None
    fact_field = attrgetter(check.memo_fact) if check.memo_fact else None

    def key(line: Any) -> Any:
        return (
            fields(line) if fields is not None else None,
            era(line.date_of_service) if era is not None else None,
            fact(fact_field(line)) if fact is not None and fact_field is not None else None,
        )

    if era is None and fact is None:
        return fields if fields is not None else _no_key
    return key


def _no_key(line: Any) -> tuple[()]:
    return ()


def _kept_key_of(check: LineCheck, rules: RuleSet, as_of: date) -> Callable[[Any], Any]:
    by_day = _KEYS.get(check)
    if by_day is None:
        by_day = _KEYS.setdefault(check, {})
    key = by_day.get(as_of)
    if key is None:
        if len(by_day) >= _DAYS_KEPT:
            by_day.clear()
        key = by_day[as_of] = _key_of(check, rules, as_of)
    return key


class LineMemo:
    """Runs each line check once per distinct key of the lines it is given, then reuses its findings."""

    def __init__(self, rules: RuleSet, as_of: date) -> None:
        self._rules = rules
        self._as_of = as_of
        # The first lines are checked directly: a claim or two (validate()) gains nothing from a
        # memo, and looking up each check's key would cost it a fifth more.
        self._direct = _DIRECT_LINES
        self._plans: list[tuple[LineCheck, Callable[[Any], Any] | None, dict[Any, tuple[Finding, ...]]]] | None = None

    def _start(self) -> list[tuple[LineCheck, Callable[[Any], Any] | None, dict[Any, tuple[Finding, ...]]]]:
        # A check that declares no key is run on every line, in its place among the others.
        return [
            (check, _kept_key_of(check, self._rules, self._as_of) if check.memo_key is not None else None, {})
            for check in self._rules.checks
        ]

    @staticmethod
    def applies(ctx: LineContext) -> bool:
        """Whether the line's findings depend on its fields alone."""
        return (
            ctx.line is not None and not ctx.parsed.problems and not ctx.claim_problems and not ctx.repeated_line_number
        )

    def findings(self, ctx: LineContext) -> list[Finding]:
        """The findings of every check on ``ctx``, a line for which ``applies`` holds, in check order."""
        found: list[Finding] = []
        if self._plans is None:
            if self._direct > 0:
                self._direct -= 1
                for check in self._rules.checks:
                    found.extend(check(ctx))
                return found
            self._plans = self._start()
        line = ctx.line
        for check, key_of, known in self._plans:
            if key_of is None:
                found.extend(check(ctx))
                continue
            key = key_of(line)
            findings = known.get(key)
            if findings is None:
                if len(known) >= _MEMO_LIMIT:
                    known.clear()
                findings = known[key] = tuple(check(ctx))
            found.extend(findings)
        return found
