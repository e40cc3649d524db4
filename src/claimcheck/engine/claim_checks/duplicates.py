"""``duplicate`` claim check: the same service billed twice on one claim."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from claimcheck.engine.checks.base import implements, join_or
from claimcheck.engine.claim_checks.base import ClaimCheck, ClaimLineRef, Watch
from claimcheck.models.finding import Finding, Status
from claimcheck.rules.claim_params import DuplicateParams

__all__ = ["DuplicateLines"]


@implements("duplicate_lines")
class DuplicateLines(ClaimCheck):
    """A later line with the same code, modifiers, date and units fails, unless it carries a
    repeat-service modifier (76, 77, 91), which is how a real repeat is billed. The repeat
    modifiers themselves are left out of the comparison, so 71250 then 71250-76 is a repeat;
    a line without one is compared with the earlier lines without one only, so 71250-76 then
    71250 is a repeat and its original, not a duplicate."""

    def setup(self) -> None:
        assert isinstance(self.params, DuplicateParams)
        self.repeat = frozenset(self.params.repeat_modifiers)
        self.repeat_text = join_or(sorted(self.repeat))

    def watches(self, code: str) -> Watch | None:
        del code
        return Watch.REPEATED

    def run_day(self, day: date, refs: list[ClaimLineRef]) -> Iterator[tuple[int, Finding]]:
        first_seen: dict[tuple[str, frozenset[str], float], ClaimLineRef] = {}
        first_original: dict[tuple[str, frozenset[str], float], ClaimLineRef] = {}
        for ref in refs:
            key = self.duplicate_key(ref)
            if key is None:
                continue
            # A repeat refers to the first line of its service; a line billed without a repeat
            # modifier duplicates only a line billed the same way.
            seen = first_seen if self.is_repeat(ref) else first_original
            first_seen.setdefault(key, ref)
            earlier = seen.setdefault(key, ref)
            if earlier is ref:
                continue
            yield ref.index, self.judge_duplicate(ref, earlier, day)

    def is_repeat(self, ref: ClaimLineRef) -> bool:
        """Whether the line carries a repeat-service modifier."""
        return not self.repeat.isdisjoint(ref.line.modifiers)

    def duplicate_key(self, ref: ClaimLineRef) -> tuple[str, frozenset[str], float] | None:
        """What two lines of one day share when one duplicates the other; None when the line is not compared."""
        if not ref.unreadable.isdisjoint(("modifiers", "units")):
            return None  # compared on a default value, it could look like a duplicate it is not
        return (ref.code, frozenset(ref.line.modifiers) - self.repeat, ref.line.units)

    def judge_duplicate(self, ref: ClaimLineRef, earlier: ClaimLineRef, day: date) -> Finding:
        """The finding on ``ref``, a later line with the same key as the first such line of the day, ``earlier``."""
        repeat = sorted(frozenset(ref.line.modifiers) & self.repeat)
        if repeat:
            message = f"repeats line {earlier.number} ({ref.code} on {day}) with repeat modifier {repeat[0]}"
            return self.finding(ref.code, Status.PASS, message)
        message = (
            f"duplicates line {earlier.number}: same code {ref.code}, modifiers, date {day} and units; "
            f"a real repeat carries {self.repeat_text}"
        )
        return self.finding(ref.code, self.status, message)
