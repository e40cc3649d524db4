"""The HL loops open at a point of an 837 transaction, followed by their parent ids (HL02).

Both passes over the file keep one of these, so they agree on which HL loops a claim sits
under: pass one holds the TR3 issues of each subscriber or patient loop until it knows whether
claims came under it, pass two hands each claim the issues of the loops above it.

``HLCheck`` (pass two) says what is wrong with each HL where the TR3 is plain about it: HL01
counts 1, 2, 3…, a 2000A billing provider has no parent, a 2000B subscriber's parent is the
2000A before it, a 2000C patient's the 2000B before it, and a claim sits under a 2000B or
2000C. HL loops come depth first, so the right parent is always the latest loop of the level
above: remembering that one per level is enough, however many HL loops a transaction holds.
"""

from __future__ import annotations

from typing import NamedTuple

from claimcheck.io.readers.x12.tokens import Segment, as_count

__all__ = ["BILLING_PROVIDER", "HLChain", "HLCheck", "Level"]

BILLING_PROVIDER = "20"  # HL03 of a 2000A loop
# A TR3 hierarchy is three deep (2000A/B/C). A broken file whose every HL names the one before
# as its parent would otherwise make the chain, and each claim's copy of it, grow with the file.
_MAX_DEPTH = 8
_LEVELS = {BILLING_PROVIDER: "2000A billing provider", "22": "2000B subscriber", "23": "2000C patient"}
_PARENT = {"22": BILLING_PROVIDER, "23": "22"}


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


class HLCheck:
    """The HL loops of one transaction so far: how many, and the latest of each level."""

    def __init__(self) -> None:
        self._count = 0
        self._previous = 0  # the last HL01 as a number
        self._latest: dict[str, str] = {}  # HL03 -> HL01 of the latest loop of that level

    def hl(self, hl: Segment) -> str | None:
        """What is wrong with ``hl`` where it stands, if anything (one problem, the first found)."""
        self._count += 1
        ident, parent, code = hl.get(1), hl.get(2), hl.get(3)
        problem = self._problem(ident, parent, code, f"HL {ident or '(no HL01)'} at segment {hl.position}")
        self._previous = as_count(ident) or self._count
        if code in _LEVELS:
            # A new loop closes the loops below its level that were open before it.
            for level in list(self._latest):
                if level >= code:
                    del self._latest[level]
            self._latest[code] = ident
        return problem

    def _problem(self, ident: str, parent: str, code: str, what: str) -> str | None:
        if code not in _LEVELS:
            return (
                f"{what} has level code {code or '(empty)'} in HL03, not 20 (2000A billing provider), "
                "22 (2000B subscriber) or 23 (2000C patient)"
            )
        name = _LEVELS[code]
        if code == BILLING_PROVIDER:
            if parent:
                return f"{what} is a {name} loop, which has no parent, but names {parent} in HL02"
        else:
            wanted = f"a {_LEVELS[_PARENT[code]]} loop (HL03 {_PARENT[code]})"
            if not parent:
                return f"{what} is a {name} loop with no parent in HL02: it belongs under {wanted}"
            if self._latest.get(_PARENT[code]) != parent:
                level = next((level for level, latest in self._latest.items() if latest == parent), None)
                if level is None:
                    return f"{what} names parent {parent} in HL02, but no open HL loop before it has HL01 {parent}"
                return f"{what} is a {name} loop under HL {parent}, a {_LEVELS[level]} loop; it belongs under {wanted}"
        number = as_count(ident)
        # One HL01 left out or repeated is reported once: the next that counts on from it is right.
        if number not in (self._count, self._previous + 1):
            return f"{what} should be HL {self._count}: HL01 counts the transaction's HL loops 1, 2, 3…"
        return None

    @staticmethod
    def claim(levels: tuple[Level, ...], opener: str, position: int) -> str | None:
        """What is wrong with a claim under the open HL ``levels`` (outermost first), if anything."""
        if not levels:
            where = "under no HL loop"
        elif levels[-1].code == BILLING_PROVIDER:
            where = f"under HL {levels[-1].id}, a {_LEVELS[BILLING_PROVIDER]} loop"
        else:
            return None  # a subscriber or patient, or a level code HLCheck.hl reported
        return (
            f"{opener} at segment {position} is {where}: a claim belongs under a 2000B subscriber or 2000C patient loop"
        )
