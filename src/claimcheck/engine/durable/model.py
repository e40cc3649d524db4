"""What the compiled durable rules and the executor share: rule specs and the state of one claim."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from claimcheck.engine.checks import LineContext
from claimcheck.engine.claim_checks import ClaimLineRef
from claimcheck.engine.durable.conditions import Cond
from claimcheck.models.finding import Finding

__all__ = ["ClaimState", "FieldProvider", "Handler", "RuleSpec", "SortKey", "bound_index", "bound_ref"]

# Where a finding goes among its line's findings: (0, line check position, n-th finding of it) for
# line checks; (1, claim check position, ...the compiled check's own iteration order) for claim checks.
SortKey = tuple[int, ...]


@dataclass(slots=True)
class ClaimState:
    """The Python side of the claim being checked; actions read lines from it and add findings to it."""

    contexts: list[LineContext]
    refs: dict[int, ClaimLineRef]  # the readable lines, by their index in the claim
    found: list[list[tuple[SortKey, Finding]]] = field(init=False)
    # (claim check position, line index) -> earlier lines of the day counted with it (MUE per day)
    counted_with: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    # (claim check position, compiled duplicate key) -> a number durable can join on exactly
    key_numbers: dict[tuple[int, Any], int] = field(default_factory=dict)
    # (claim check position, day, what the check groups lines by) -> index of the day's first such
    # line (duplicates, split components): set as the facts are made, in input order
    first_line: dict[tuple[Any, ...], int] = field(default_factory=dict)
    errors: list[BaseException] = field(default_factory=list)
    closed: bool = False  # set before the facts are retracted: no rule may fire after it
    # (code, date of service) -> the readable lines of that code and day, in input order (PTP pairs)
    groups: dict[tuple[str, date], list[ClaimLineRef]] | None = None

    def __post_init__(self) -> None:
        self.found = [[] for _ in self.contexts]

    def lines_of(self, code: str, day: date) -> list[ClaimLineRef]:
        """The readable lines of ``code`` on ``day``, in input order (every line is known from the start)."""
        if self.groups is None:
            groups: dict[tuple[str, date], list[ClaimLineRef]] = {}
            for _, ref in sorted(self.refs.items()):
                groups.setdefault((ref.code, ref.line.date_of_service), []).append(ref)
            self.groups = groups
        return self.groups.get((code, day), [])

    def lines_on(self, day: date) -> list[ClaimLineRef]:
        """The readable lines of ``day``, in input order."""
        return [ref for _, ref in sorted(self.refs.items()) if ref.line.date_of_service == day]

    def add(self, index: int, key: SortKey, finding: Finding) -> None:
        self.found[index].append((key, finding))

    def findings(self) -> list[list[Finding]]:
        """Each line's findings in the compiled executor's order (durable fires rules in its own order)."""
        return [[finding for _, finding in sorted(items, key=_key)] for items in self.found]


def _key(item: tuple[SortKey, Finding]) -> SortKey:
    return item[0]


# An action's body: the durable closure (facts bound by alias) and the claim's state.
Handler = Callable[[Any, ClaimState], None]
# Fields a claim check precomputes on the fact of a readable line (durable has no ``in``).
FieldProvider = Callable[[ClaimLineRef, ClaimState], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One durable rule: named conditions in join order (an alias ending ``$not`` is a ``none``)."""

    name: str
    conditions: tuple[tuple[str, Cond], ...]
    handler: Handler

    def definition(self, action: Callable[[Any], None]) -> dict[str, Any]:
        # A fresh dict each time: durable's Ruleset deletes "run" from the definition it is given.
        return {"all": [{alias: cond} for alias, cond in self.conditions], "run": action}


def bound_index(closure: Any, alias: str) -> int:
    """The line index of the fact bound to ``alias`` in a firing rule."""
    return int(getattr(closure, alias)["i"])


def bound_ref(closure: Any, alias: str, state: ClaimState) -> ClaimLineRef:
    return state.refs[bound_index(closure, alias)]
