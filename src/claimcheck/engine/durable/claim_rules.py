"""Claim checks as durable rules that join the line facts of one claim.

durable-rules 2.0.28 constrains the shape of these rules (see ``executor`` for the why):

- at most two positive conditions per rule, so an action frame holds at most two facts;
- line facts are asserted in input order and a rule fires as soon as its lines are there, so a
  ``none`` may only look at *earlier* lines (``i`` below the bound line's): durable does not
  cancel a frame that a later fact would have blocked. The one test over all lines of a day,
  "no primary code for this add-on", is gated on the claim's ``go`` fact, asserted after every
  line, with ``go`` first in the rule (a ``none`` placed before its gate is not re-tested).

Joins mirror each compiled check's iteration: lines of one day (``day`` equal), ``i`` the line's
index in the claim for "earlier" (``$lt``/``$gt``). Whether a joined line is the first of its kind
that day (of a column-1 code, a duplicate key, a component, an add-on's primaries) the action
decides, from lines known before the first assert (``ClaimState.lines_of``, ``first_line``): as a
``none``, durable retested it against every earlier line for every joined pair, which took
minutes for a claim of a few hundred lines of one service. The actions hand the joined lines to
the compiled check's ``judge_*`` method, so findings read exactly as compiled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from claimcheck.engine.claim_checks import ClaimCheck, ClaimLineRef
from claimcheck.engine.claim_checks.components import SplitComponents
from claimcheck.engine.claim_checks.duplicates import DuplicateLines
from claimcheck.engine.claim_checks.pairs import AddonPrimary, ProcedurePairs
from claimcheck.engine.claim_checks.units import UnitsPerDay
from claimcheck.engine.durable.conditions import Cond, codes_in, compare, go_fact, in_force, readable_line, same
from claimcheck.engine.durable.model import ClaimState, FieldProvider, Handler, RuleSpec, bound_ref
from claimcheck.errors import ClaimCheckError
from claimcheck.rules.claim_params import AddonEntry

__all__ = ["claim_check_rules"]

GO = ("g", go_fact())
Compiled = tuple[list[RuleSpec], FieldProvider | None]


def _on_day_of(alias: str, *conds: Cond) -> Cond:
    return readable_line({"day": same(alias, "day")}, *conds)


def _before(alias: str) -> Cond:
    return compare("lt", "i", same(alias, "i"))


def _ptp(pos: int, check: ProcedurePairs, window: list[Cond]) -> Compiled:
    """Every ordered pair of relevant lines of a day with different codes; the action judges the pair
    when its first line is the first of its code that day, handing the check every line of that code."""
    flag = f"p{pos}"

    def fields(ref: ClaimLineRef, state: ClaimState) -> dict[str, Any]:
        return {flag: int(check.relevant(ref.code))}

    def judge(closure: Any, state: ClaimState) -> None:
        first, second = bound_ref(closure, "a", state), bound_ref(closure, "b", state)
        day = second.line.date_of_service
        # In the action, not as a `none` of the rule: durable tested that against every earlier
        # line for each pair, seven times slower on a claim of a few hundred such lines.
        firsts = state.lines_of(first.code, day)
        if firsts[0] is not first:
            return
        for n, finding in enumerate(check.judge_pair(firsts, second, day)):
            state.add(second.index, (1, pos, first.index, n), finding)

    first = ("a", readable_line({flag: 1}, *window))
    second = ("b", _on_day_of("a", {flag: 1}, compare("neq", "code", same("a", "code"))))
    return [RuleSpec(f"ptp_{pos}", (first, second), judge)], fields


def _addon_judge(
    pos: int, n: int, check: AddonPrimary, entry: AddonEntry, primary: str | None, first_of: str | None = None
) -> Handler:
    """``first_of``: the first-line key of the entry, when ``primary`` must be the day's first primary line."""

    def judge(closure: Any, state: ClaimState) -> None:
        addon = bound_ref(closure, "a", state)
        day = addon.line.date_of_service
        found = bound_ref(closure, primary, state) if primary else None
        # In the action, not as a `none` of the rule (see the module docstring).
        if found is not None and first_of is not None and state.first_line[(pos, first_of, day)] != found.index:
            return
        primaries: list[ClaimLineRef] = []
        denied: set[int] = set()
        if found is not None:  # whether a primary is payable: pair.ptp judged again, as compiled
            primaries = check.primary_lines(entry, lambda code: state.lines_of(code, day))
            denied = check.denied(day, state.lines_on(day))
        state.add(addon.index, (1, pos, n), check.judge_addon(addon, entry, primaries, day, denied))

    return judge


def _addon(pos: int, check: AddonPrimary, window: list[Cond]) -> Compiled:
    """Per add-on entry: the first line of the day with a primary code, or none at all."""
    specs: list[RuleSpec] = []
    primary_of: dict[str, list[str]] = {}  # code -> the entries (by rule name) it is a primary of

    def fields(ref: ClaimLineRef, state: ClaimState) -> dict[str, Any]:
        for name in primary_of.get(ref.code, ()):
            state.first_line.setdefault((pos, name, ref.line.date_of_service), ref.index)
        return {}

    for code, entries in check.addons.items():
        for n, entry in enumerate(entries):
            name = f"addon_{pos}_{len(specs)}"
            addon = ("a", readable_line({"code": code}, *window, *in_force(entry.effective, entry.expires)))
            primary = codes_in("code", entry.primaries)
            if primary is None:  # no primary can ever be billed: always missing
                specs.append(RuleSpec(f"{name}_missing", (addon,), _addon_judge(pos, n, check, entry, None)))
                continue
            for primary_code in dict.fromkeys(entry.primaries):
                primary_of.setdefault(primary_code, []).append(name)
            if code not in entry.primaries:
                has = ("p", _on_day_of("a", primary))
                missing = ("n$not", _on_day_of("a", primary))  # any line of the day: needs go
                judge_has = _addon_judge(pos, n, check, entry, "p", name)
                specs.append(RuleSpec(f"{name}_has", (addon, has), judge_has))
                specs.append(
                    RuleSpec(f"{name}_missing", (GO, addon, missing), _addon_judge(pos, n, check, entry, None))
                )
            else:  # the add-on line is a primary itself: it is the first one unless an earlier line is
                earlier = ("p", _on_day_of("a", primary, _before("a")))
                specs.append(RuleSpec(f"{name}_self", (addon,), _addon_judge(pos, n, check, entry, "a", name)))
                specs.append(RuleSpec(f"{name}_has", (addon, earlier), _addon_judge(pos, n, check, entry, "p", name)))
    return specs, fields


def _split(pos: int, check: SplitComponents, window: list[Cond]) -> Compiled:
    """A later line of a code billed as one part (a component, or global: neither), and an earlier
    line of that code billed as another; the action keeps the pair when the earlier line is the one
    the compiled check names."""
    comp = f"s{pos}"

    def fields(ref: ClaimLineRef, state: ClaimState) -> dict[str, Any]:
        part = check.part_of(ref) or ""
        if part:
            state.first_line.setdefault((pos, ref.line.date_of_service, ref.code, part), ref.index)
        return {comp: part}

    def judge(closure: Any, state: ClaimState) -> None:
        earlier, later = bound_ref(closure, "e", state), bound_ref(closure, "l", state)
        day = later.line.date_of_service

        def first_before(part: str) -> ClaimLineRef | None:
            index = state.first_line.get((pos, day, later.code, part))
            return state.refs[index] if index is not None and index < later.index else None

        # In the action, not as a `none` of the rule (see the module docstring).
        partner = check.partner(closure.l[comp], first_before)
        if partner is not None and partner.index == earlier.index:
            state.add(later.index, (1, pos), check.judge_split(later, earlier, day))

    earlier = ("e", readable_line(compare("neq", comp, ""), *window))
    same_code = {"code": same("e", "code")}
    later = (
        "l",
        _on_day_of(
            "e",
            same_code,
            compare("neq", comp, ""),
            compare("neq", comp, same("e", comp)),
            compare("gt", "i", same("e", "i")),
        ),
    )
    return [RuleSpec(f"split_{pos}", (earlier, later), judge)], fields


def _duplicates(pos: int, check: DuplicateLines, window: list[Cond]) -> Compiled:
    """A later repeat with the first line of the day of its key; a later line without a repeat
    modifier with the first line of its key without one."""
    key, rep = f"d{pos}", f"r{pos}"

    # The compiled key is a tuple compared with == (units a float, NaN equal to nothing); numbering
    # the keys of one claim with that same dict equality gives durable an exact integer to join on.
    def fields(ref: ClaimLineRef, state: ClaimState) -> dict[str, Any]:
        value = check.duplicate_key(ref)
        if value is None:
            return {key: 0, rep: 0}
        numbers = state.key_numbers
        number = numbers.setdefault((pos, value), len(numbers) + 1)
        repeat = check.is_repeat(ref)
        day = ref.line.date_of_service
        state.first_line.setdefault((pos, day, number, True), ref.index)
        if not repeat:
            state.first_line.setdefault((pos, day, number, False), ref.index)
        return {key: number, rep: int(repeat)}

    def judge(closure: Any, state: ClaimState, repeats_too: bool) -> None:
        earlier, later = bound_ref(closure, "e", state), bound_ref(closure, "l", state)
        day = later.line.date_of_service
        # In the action, not as a `none` of the rule (see the module docstring).
        first = state.first_line[(pos, day, int(closure.e[key]), repeats_too)]
        if earlier.index == first:
            state.add(later.index, (1, pos), check.judge_duplicate(later, earlier, day))

    def later_than_e(*conds: Cond) -> Cond:
        return _on_day_of("e", {key: same("e", key)}, *conds, compare("gt", "i", same("e", "i")))

    repeat = (("e", readable_line(compare("gt", key, 0), *window)), ("l", later_than_e({rep: 1})))
    original = (("e", readable_line(compare("gt", key, 0), {rep: 0}, *window)), ("l", later_than_e({rep: 0})))
    specs = [
        RuleSpec(f"duplicate_{pos}_repeat", repeat, lambda closure, state: judge(closure, state, True)),
        RuleSpec(f"duplicate_{pos}_original", original, lambda closure, state: judge(closure, state, False)),
    ]
    return specs, fields


def _units(pos: int, check: UnitsPerDay, window: list[Cond]) -> Compiled:
    """MUE: 1 = limit per line, 2 = limit per day; 0 = no limit or units unreadable (the line is skipped)."""
    scope = f"u{pos}"

    def fields(ref: ClaimLineRef, state: ClaimState) -> dict[str, Any]:
        limit = check.limit_for(ref, ref.line.date_of_service)
        return {scope: 0 if limit is None else 1 if limit.indicator == 1 else 2}

    def count(closure: Any, state: ClaimState) -> None:
        line, earlier = bound_ref(closure, "a", state), bound_ref(closure, "b", state)
        state.counted_with.setdefault((pos, line.index), []).append(earlier.index)

    def judge(closure: Any, state: ClaimState) -> None:
        ref = bound_ref(closure, "a", state)
        day = ref.line.date_of_service
        limit = check.limit_for(ref, day)
        if limit is None:  # the fact said there was one: the check changed under us
            raise ClaimCheckError(f"{check.rule_id}: no MUE for line {ref.number} any more")
        counted = ref.line.units
        if limit.indicator != 1:  # summed in line order from 0.0, as the compiled running total
            counted = 0.0
            for index in sorted(state.counted_with.get((pos, ref.index), ())):
                counted += state.refs[index].line.units
            counted += ref.line.units
        state.add(ref.index, (1, pos), check.judge_units(ref, limit, counted, day))

    # Each pair is counted while the later line is asserted, so every pair of the claim has been
    # counted when go is asserted and the judging rule fires.
    line = ("a", readable_line({scope: 2}, *window))
    earlier = ("b", _on_day_of("a", {scope: 2}, {"code": same("a", "code")}, _before("a")))
    specs = [
        RuleSpec(f"units_{pos}_count", (line, earlier), count),
        RuleSpec(f"units_{pos}_judge", (GO, ("a", readable_line(compare("gt", scope, 0), *window))), judge),
    ]
    return specs, fields


_COMPILERS: dict[type[ClaimCheck], Callable[[int, Any, list[Cond]], Compiled]] = {
    ProcedurePairs: _ptp,
    AddonPrimary: _addon,
    SplitComponents: _split,
    DuplicateLines: _duplicates,
    UnitsPerDay: _units,
}


def claim_check_rules(checks: Sequence[ClaimCheck]) -> tuple[list[RuleSpec], list[FieldProvider]]:
    """The rules for ``checks`` (in pack order) and the fields they need on each readable line's fact."""
    specs: list[RuleSpec] = []
    providers: list[FieldProvider] = []
    for pos, check in enumerate(checks):
        compiler = _COMPILERS.get(type(check))
        if compiler is None or type(check).__call__ is not ClaimCheck.__call__:
            raise ClaimCheckError(f"the durable executor cannot run rule {check.rule_id} (kind {check.rule.kind})")
        window = in_force(check.rule.effective, check.rule.expires) if check.rule.dated else []
        rules, provider = compiler(pos, check, window)
        specs.extend(rules)
        if provider is not None:
            providers.append(provider)
    return specs, providers
