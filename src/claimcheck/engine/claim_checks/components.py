"""``pair.split_components``: one code billed as its professional (26) and technical (TC) components,
or as one of them beside the global service, on one day."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from claimcheck.engine.checks.base import implements
from claimcheck.engine.claim_checks.base import ClaimCheck, ClaimLineRef, Watch
from claimcheck.models.finding import Finding
from claimcheck.rules.claim_params import SplitComponentParams

__all__ = ["GLOBAL", "SplitComponents"]

GLOBAL = "global"  # a line billed with neither component modifier: the whole service


def _first_of(seen: Mapping[tuple[str, str], ClaimLineRef], code: str, part: str) -> ClaimLineRef | None:
    return seen.get((code, part))


@implements("split_components")
class SplitComponents(ClaimCheck):
    """The same code billed as professional (26) on one line and technical (TC) on another, same
    day, or as one component beside the global service (neither modifier) that includes it."""

    def setup(self) -> None:
        assert isinstance(self.params, SplitComponentParams)
        self.components = (self.params.professional, self.params.technical)

    def watches(self, code: str) -> Watch | None:
        del code
        return Watch.REPEATED

    def run_day(self, day: date, refs: list[ClaimLineRef]) -> Iterable[tuple[int, Finding]]:
        seen: dict[tuple[str, str], ClaimLineRef] = {}  # (code, part) -> the first line of it so far
        for ref in refs:
            part = self.part_of(ref)
            if part is None:
                continue
            earlier = self.partner(part, functools.partial(_first_of, seen, ref.code))
            if earlier is not None:
                yield ref.index, self.judge_split(ref, earlier, day)
            seen.setdefault((ref.code, part), ref)

    def part_of(self, ref: ClaimLineRef) -> str | None:
        """The line's component modifier, ``GLOBAL`` when it carries neither, None when it carries
        both (modifier.26_tc judges that) or its modifiers cannot be read (input.field reports them)."""
        if "modifiers" in ref.unreadable:
            return None
        present = [c for c in self.components if c in ref.line.modifiers]
        return GLOBAL if not present else present[0] if len(present) == 1 else None

    def partner(self, part: str, first_of: Callable[[str], ClaimLineRef | None]) -> ClaimLineRef | None:
        """The earlier line a line of ``part`` is judged against, given ``first_of``, the first earlier
        line of its code and day of a part (None if none): for a component, the other component's
        line, else a global line; for a global line, the first component line."""
        if part == GLOBAL:
            found = (first_of(component) for component in self.components)
            return min((ref for ref in found if ref is not None), key=lambda ref: ref.index, default=None)
        other = self.components[1 - self.components.index(part)]
        return first_of(other) or first_of(GLOBAL)

    def judge_split(self, ref: ClaimLineRef, earlier: ClaimLineRef, day: date) -> Finding:
        """The finding on ``ref``, billed as another part than the ``earlier`` line of its code that day."""
        part, other = self.part_of(ref), self.part_of(earlier)
        if GLOBAL not in (part, other):
            message = (
                f"{ref.code} is billed with {part} here and {other} on line {earlier.number} on {day}: "
                f"bill the global service once, without either modifier"
            )
        elif part == GLOBAL:
            message = (
                f"{ref.code} is billed globally here and with {other} on line {earlier.number} on {day}: "
                f"the global service includes the {other} component, so bill one or the other"
            )
        else:
            message = (
                f"{ref.code} is billed with {part} here and globally (without {' or '.join(self.components)}) "
                f"on line {earlier.number} on {day}: the global service includes the {part} component, "
                f"so bill one or the other"
            )
        return self.finding(f"{other} {part}", self.status, message)
