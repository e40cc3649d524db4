"""Where pyx12's TR3 issues outside a claim go (``--x12-strict``), decided in the envelope pass.

An issue in a subscriber or patient loop (2000B/2010B*, 2000C/2010CA: an HL and what follows it
up to the next HL or CLM) concerns the claims under that HL only, and those may come after it:
``HierarchyIssues`` holds it until the loop closes, then keeps it for those claims, or, when no
claim came under the loop, gives it back to count for the transaction as a whole.

Issues of the envelope, the transaction header (BHT, 1000A/B) and the 2000A billing provider
concern every line of the transaction. A file may hold thousands of them, and a copy of each on
every line made reports grow with lines times issues, so they are counted instead: ``Tally``
keeps the count and the first few, and makes one problem of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from claimcheck.io.readers.x12.hierarchy import BILLING_PROVIDER, HLChain, Level
from claimcheck.io.readers.x12.tokens import Segment
from claimcheck.models.parse import InputProblem

__all__ = ["HierarchyIssues", "Issue", "Tally"]

Issue = tuple[int, str]  # segment position, text
_QUOTED = 3


@dataclass(slots=True)
class Tally:
    """TR3 issues shared by every line of a transaction: how many, and the first few by position."""

    count: int = 0
    first: list[Issue] = field(default_factory=list)

    def add(self, issue: Issue) -> None:
        self.count += 1
        if len(self.first) < _QUOTED or issue < self.first[-1]:
            self.first = sorted([*self.first, issue])[:_QUOTED]

    def merge(self, other: Tally) -> None:
        self.count += other.count
        self.first = sorted([*self.first, *other.first])[:_QUOTED]

    def problem(self) -> InputProblem:
        texts = [text for _, text in self.first]
        if self.count == 1:
            return InputProblem("tr3", texts[0])
        more = f"; and {self.count - len(texts)} more" if self.count > len(texts) else ""
        return InputProblem(
            "tr3",
            f"{self.count} TR3 errors outside the transaction's claims (envelope, header, billing provider or "
            f"HL loops without a claim): {'; '.join(texts)}{more}",
        )


class HierarchyIssues:
    """The HL loops of the open transaction and the TR3 issues held for each until it closes."""

    def __init__(self) -> None:
        self.chain = HLChain()
        self._held: dict[int, list[Issue]] = {}  # by HL position
        self._claimed: set[int] = set()
        # Issues for the claims under each HL (by position), for pass two.
        self.settled: dict[int, tuple[str, ...]] = {}

    def hl(self, segment: Segment) -> list[Issue]:
        """Open the loop of ``segment``; return the issues of closed loops that no claim took."""
        return self._settle(self.chain.enter(segment))

    def claim(self) -> None:
        """A claim opens: every open loop has a claim under it."""
        self._claimed.update(level.position for level in self.chain.levels)

    def take(self, issue: Issue) -> bool:
        """Hold ``issue`` for the innermost loop, unless that is a billing provider's or none."""
        level = self.chain.innermost
        if level is None or level.code == BILLING_PROVIDER:
            return False
        self._held.setdefault(level.position, []).append(issue)
        return True

    def close(self) -> list[Issue]:
        """The transaction ends; return the issues of loops that no claim took."""
        return self._settle(self.chain.close())

    def _settle(self, closed: list[Level]) -> list[Issue]:
        unclaimed: list[Issue] = []
        for level in closed:
            issues = self._held.pop(level.position, [])
            if level.position in self._claimed:
                self._claimed.discard(level.position)
                if issues:
                    self.settled[level.position] = tuple(text for _, text in issues)
            else:
                unclaimed.extend(issues)
        return unclaimed
