"""Claim checks: rules that look across the lines of one claim, per date of service."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from types import MappingProxyType
from typing import TypeVar

from claimcheck.engine.checks.base import CompiledRule
from claimcheck.models.claim import ClaimLine
from claimcheck.models.finding import Finding

__all__ = ["ClaimCheck", "ClaimContext", "ClaimLineRef", "Watch", "because", "grouped"]

_Key = TypeVar("_Key")
_Value = TypeVar("_Value")


def grouped(items: Iterable[tuple[_Key, _Value]]) -> Mapping[_Key, tuple[_Value, ...]]:
    """The values of each key, in order, read-only: a compiled rule set is shared across threads."""
    groups: dict[_Key, list[_Value]] = {}
    for key, value in items:
        groups.setdefault(key, []).append(value)
    return MappingProxyType({key: tuple(values) for key, values in groups.items()})


def because(rationale: str) -> str:
    """``: rationale`` to end a message with, or nothing: CMS rows may leave the rationale empty."""
    return f": {rationale}" if rationale else ""


class Watch(Enum):
    """What it takes for a claim check to judge a line (see ``ClaimCheck.watches``)."""

    ALONE = "alone"  # the line by itself
    PAIRED = "paired"  # another watched line of the same day
    REPEATED = "repeated"  # another line of the same code and day


@dataclass(frozen=True, slots=True)
class ClaimLineRef:
    """A readable line of the claim: its position in the claim's input, the line, unreadable fields."""

    index: int
    line: ClaimLine
    unreadable: frozenset[str] = frozenset()

    @property
    def number(self) -> int:
        return self.line.line_number

    @property
    def code(self) -> str:
        return self.line.procedure_code


@dataclass(frozen=True, slots=True)
class ClaimContext:
    """The readable lines of one claim, grouped by date of service (each line keeps its own date)."""

    claim_id: str | None
    lines: tuple[ClaimLineRef, ...]
    as_of: date
    days: dict[date, list[ClaimLineRef]] = field(init=False)

    def __post_init__(self) -> None:
        days: dict[date, list[ClaimLineRef]] = {}
        for ref in self.lines:
            days.setdefault(ref.line.date_of_service, []).append(ref)
        object.__setattr__(self, "days", days)


class ClaimCheck(CompiledRule):
    """A general rule applied across the lines of a claim. Subclasses implement ``run_day``.

    Findings are attached to lines by their index in the claim. A dated rule is applied only to
    the days it is in force on.
    """

    def __call__(self, ctx: ClaimContext) -> Iterator[tuple[int, Finding]]:
        for day, refs in ctx.days.items():
            if self.rule.dated and not self.rule.in_force(day):
                continue
            yield from self.run_day(day, refs)

    def run_day(self, day: date, refs: list[ClaimLineRef]) -> Iterable[tuple[int, Finding]]:
        raise NotImplementedError

    def link(self, checks: Sequence[ClaimCheck]) -> None:
        """Called once the pack's claim checks (``checks``, this one among them) are compiled, for a
        check whose judgement reads another's: it judges again itself, on the same lines, rather
        than reading the other's findings, so no engine depends on the order checks run in."""
        del checks

    def watches(self, code: str) -> Watch | None:
        """How a line with ``code`` can draw a finding from this check, or None when it cannot.

        The batch engine runs claim checks only on the claims where some line is watched; the
        answer may err towards watching (any date, any table row), never the other way.
        """
        del code
        return Watch.ALONE
