"""A problem found item after item (an HI code, an NM1 segment): one finding names the first few
items and counts the rest, so that a claim of thousands of them makes one finding per line, not
thousands, and keeps a few names, not one per item."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Named"]

_NAMED = 3


@dataclass(slots=True)
class Named:
    """How many items have the problem, and the names of the first few."""

    count: int = 0
    first: list[str] = field(default_factory=list)

    def add(self, name: str) -> None:
        self.count += 1
        if len(self.first) < _NAMED:
            self.first.append(name)

    def extend(self, other: Named) -> None:
        """Add the items of ``other``, those it only counted counted here too."""
        for name in other.first:
            self.add(name)
        self.count += other.count - len(other.first)

    def listing(self) -> str:
        """ "3, 4, 5 and 2 more": the items named, and how many more there are."""
        more = self.count - len(self.first)
        return ", ".join(self.first) + (f" and {more} more" if more else "")
