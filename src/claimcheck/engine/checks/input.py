"""``input`` checks: fields that cannot be read or hold values the rules do not judge, too many
modifiers, a modifier given twice, repeated line numbers."""

from __future__ import annotations

from collections.abc import Iterable

from claimcheck.engine.checks.base import LineCheck, LineContext, implements
from claimcheck.models.finding import Finding
from claimcheck.rules.params import ModifierCountParams

__all__ = ["ModifierCount", "RepeatedModifier", "UncheckedValue", "UniqueLineNumber", "UnreadableField"]


class _ProblemFindings(LineCheck):
    """One finding per input problem of the claim or the line that is ``unchecked`` or not."""

    memo_key = ()
    needs_line = False
    unchecked = False

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        where = f" ({ctx.parsed.origin})" if ctx.parsed.origin else ""
        for problem in (*ctx.claim_problems, *ctx.parsed.problems):
            if problem.unchecked is self.unchecked:
                yield self.finding(problem.field, self.status, f"{problem.field} {problem.message}{where}")


@implements("unreadable_field")
class UnreadableField(_ProblemFindings):
    """A field of the claim or the line that could not be read."""


@implements("unchecked_value")
class UncheckedValue(_ProblemFindings):
    """A field that holds a kind of value the rules do not judge (a HIPPS code in an 837)."""

    unchecked = True


@implements("modifier_count")
class ModifierCount(LineCheck):
    memo_key = ("modifiers",)
    reads = ("modifiers",)

    def setup(self) -> None:
        assert isinstance(self.params, ModifierCountParams)
        self.maximum = self.params.maximum

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        modifiers = ctx.line.modifiers
        if len(modifiers) > self.maximum:
            yield self.finding(
                " ".join(modifiers),
                self.status,
                f"{len(modifiers)} modifiers on one line; a claim line carries at most {self.maximum}",
            )


@implements("repeated_modifier")
class RepeatedModifier(LineCheck):
    memo_key = ("modifiers",)
    reads = ("modifiers",)
    reads_in_part = frozenset(reads)

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        seen: set[str] = set()
        reported: set[str] = set()
        for modifier in ctx.line.modifiers:
            if modifier in seen and modifier not in reported:
                reported.add(modifier)
                times = ctx.line.modifiers.count(modifier)
                yield self.finding(
                    modifier,
                    self.status,
                    f"modifier {modifier} is given {times} times on one line; a modifier is reported once",
                )
            seen.add(modifier)


@implements("unique_line_number")
class UniqueLineNumber(LineCheck):
    memo_key = ()
    needs_line = False

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        if ctx.repeated_line_number:
            number = ctx.parsed.line_number
            yield self.finding(str(number), self.status, f"line number {number} appears earlier in the same claim")
