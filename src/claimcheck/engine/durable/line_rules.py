"""Line checks as durable rules: one rule per compiled ``LineCheck``, fired once per line fact.

The rule's condition is the check's own gate (``LineCheck.__call__``) written as conditions on
the fact, so durable decides which lines a check runs on; the action then runs the check's
compiled logic on that line, so its findings and messages are the compiled ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from claimcheck.engine.checks import LineCheck, LineContext
from claimcheck.engine.durable.conditions import Cond, compare, in_force, line
from claimcheck.engine.durable.model import ClaimState, Handler, RuleSpec, bound_index

__all__ = ["line_check_rules", "read_fields", "read_flag", "read_value"]


def read_flag(field: str) -> str:
    """The fact field that is 1 when the line field ``field`` could be read, 0 when it could not,
    2 when it is a list read in part (``LineContext.read_in_part``)."""
    return f"r_{field}"


def read_value(field: str, ctx: LineContext) -> int:
    """``field``'s ``read_flag`` value on the line of ``ctx``."""
    if field not in ctx.unreadable:
        return 1
    return 2 if field in ctx.read_in_part else 0


def read_fields(checks: Sequence[LineCheck]) -> tuple[str, ...]:
    """The line fields some check's gate looks at: each line fact carries a ``read_flag`` for them."""
    return tuple(sorted({name for check in checks for name in _reads(check)}))


def _reads(check: Any) -> tuple[str, ...]:
    return tuple(getattr(check, "reads", ()))


def _gated_by_base(check: Any) -> bool:
    # A subclass that overrides __call__ gates itself in a way we cannot write as conditions.
    return isinstance(check, LineCheck) and type(check).__call__ is LineCheck.__call__


def _gates(check: Any) -> list[Cond]:
    """``LineCheck.__call__``'s early returns, as conditions on the line fact (either one may hold)."""
    if not _gated_by_base(check):
        return [line()]
    # A list the check judges code by code may be read in part (2), as ``LineCheck.applies`` says.
    conds: list[Cond] = [
        compare("gt", read_flag(name), 0) if name in check.reads_in_part else {read_flag(name): 1}
        for name in _reads(check)
    ]
    if not check.rule.dated:
        return [line({"ok": 1}, *conds) if check.needs_line else line(*conds)]
    window = in_force(check.rule.effective, check.rule.expires)
    gates = [line({"ok": 1}, *conds, *window)]
    if not check.needs_line:  # an unparsed line has no date: the check runs on it, undated
        gates.append(line({"ok": 0}, *conds))
    return gates


def _run_check(position: int, check: LineCheck) -> Handler:
    def handler(closure: Any, state: ClaimState) -> None:
        index = bound_index(closure, "m")
        for n, finding in enumerate(check(state.contexts[index])):
            state.add(index, (0, position, n), finding)

    return handler


def line_check_rules(checks: Sequence[LineCheck]) -> list[RuleSpec]:
    return [
        RuleSpec(f"line_{position}_{n}", (("m", gate),), _run_check(position, check))
        for position, check in enumerate(checks)
        for n, gate in enumerate(_gates(check))
    ]
