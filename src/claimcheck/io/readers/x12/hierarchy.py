"""The HL loops open at a point of an 837 transaction, followed by their parent ids (HL02).

Both passes over the file keep one of these, so they agree on which HL loops a claim sits
under: pass one holds the TR3 issues of each subscriber or patient loop until it knows whether
claims came under it, pass two hands each claim the issues of the loops above it.
"""

from __future__ import annotations

from typing import NamedTuple

from claimcheck.io.readers.x12.tokens import Segment

__all__ = ["BILLING_PROVIDER", "HLChain", "Level"]

BILLING_PROVIDER = "20"  # HL03 of a 2000A loop
# A TR3 hierarchy is three deep (2000A/B/C). A broken file whose every HL names the one before
# as its parent would otherwise make the chain, and each claim's copy of it, grow with the file.
_MAX_DEPTH = 8


class Level(NamedTuple):
    """One open HL loop: HL01, the HL segment's position in the file and HL03."""

    id: str
    position: int
    code: str


class HLChain:
    def __init__(self) -> None:
        self._open: list[Level] = []

    @property
    def levels(self) -> tuple[Level, ...]:
        """The open HL loops, outermost first."""
        return tuple(self._open)

    @property
    def innermost(self) -> Level | None:
        return self._open[-1] if self._open else None

    def enter(self, hl: Segment) -> list[Level]:
        """Open the loop of ``hl`` under its parent; return the loops it closes. A parent that is
        not open (none, or an unknown id) makes it a top loop."""
        parent = hl.get(2)
        closed: list[Level] = []
        while self._open and (not parent or self._open[-1].id != parent):
            closed.append(self._open.pop())
        if len(self._open) >= _MAX_DEPTH:
            closed.append(self._open.pop(0))
        self._open.append(Level(hl.get(1), hl.position, hl.get(3)))
        return closed

    def close(self) -> list[Level]:
        """Close every open loop (the transaction ended); return them."""
        closed, self._open = self._open[::-1], []
        return closed
