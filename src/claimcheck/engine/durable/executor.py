"""``DurableExecutor``: a rule set compiled to one durable-rules ruleset, on a host of its own.

Per claim, under the executor's lock: one fact per input line is asserted, one at a time and in
input order (durable runs the actions an assert triggers before it returns), then the claim's
``go`` fact; the actions record findings with sort keys on the claim's state; then every fact
is retracted. The durable session is never deleted (``delete_state`` on a session that matched
nothing crashes the process): the retractions leave it empty for the next claim.

Besides the unsafe modes listed in the package docs, durable-rules 2.0.28 has two memory bugs
that this protocol is shaped around (found with valgrind; both crashed the test run before):

- a join test that is false and last in its ``$and`` makes it read past the expression array;
  ``conditions.all_of`` appends an always-true join test;
- durable keeps, on each fact, a pointer to every action frame the fact was part of, after the
  action ran and its frame was freed. Retracting the fact clears the fact's entry in that stale
  frame, scanning it until it has seen as many non-empty entries as the frame counts; once one
  of its entries is cleared, the next scan runs past the frame by one entry per cleared entry
  (``deleteMessageFromFrame``), and writes where a foreign word matches. So:
  * every rule has at most two positive conditions (``claim_rules``), and facts are retracted
    in the order they were asserted, ``go`` first: the last scan of a reused frame slot is for
    the newest fact of its last occupant, so at most one entry is ever cleared before a scan,
    and the overrun is one entry: the first words of the next slot of the same pool, which
    exists (durable grows a pool before handing out its last slot) and is free (every action
    has run). Its first word, a free-list link, is never zero, which ends the scan there;
  * the scan would write into that next slot if the slot's rule-name offset equalled the
    retracted fact's offset in the message pool. The ruleset name, the first string of
    durable's string pool, is padded so every rule name lies beyond any such offset (at most
    the number of facts of the largest claim); a larger claim rebuilds the host with a longer
    name;
  * retraction uses the ruleset's own ``retract_fact``, which runs no action: retracting an
    earlier line may satisfy a ``none`` of a later one, and that frame must be dropped with the
    facts, not run.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from claimcheck.engine.claim_checks import ClaimLineRef
from claimcheck.engine.day import day_of_run
from claimcheck.engine.durable._engine import load_engine, new_host, unique_name
from claimcheck.engine.durable.claim_rules import claim_check_rules
from claimcheck.engine.durable.line_rules import line_check_rules, read_fields, read_flag, read_value
from claimcheck.engine.durable.model import ClaimState, Handler, RuleSpec
from claimcheck.engine.ruleset import RuleSet, load_rules
from claimcheck.engine.run import line_contexts, line_results
from claimcheck.errors import ClaimCheckError
from claimcheck.models.parse import ParsedClaim, parse_claim
from claimcheck.models.report import LineResult, Report

__all__ = ["DurableExecutor", "check_claims_durable", "validate_with_durable"]

# durable abandons the rest of an assert's actions when one action's closure is older than 10 s
# (Closure._has_completed); an action anywhere near that makes the claim's result suspect.
_SLOW_ACTION_SECONDS = 5.0
# durable refuses facts with 255 properties or more (MAX_OBJECT_PROPERTIES).
_MAX_FACT_FIELDS = 250
_BASE_FIELDS = ("id", "t", "i", "ok", "code", "day", "dn")
# Facts per claim the ruleset name is padded for at first (it doubles when a claim needs more).
_FIRST_NAME_GUARD = 1024


class DurableExecutor:
    """Checks claims with durable-rules and gives the same line results as ``engine.run.check_claim``.

    Safe to share between threads: one lock serialises every use of the host (durable loses
    findings when two threads drive one host). Slower than the compiled executor by far.
    """

    def __init__(self, rules: RuleSet) -> None:
        self._engine = load_engine()
        self.rules = rules
        self._read_fields = read_fields(rules.checks)
        claim_rules, self._providers = claim_check_rules(rules.claim_checks)
        self._rules = [*line_check_rules(rules.checks), *claim_rules]
        self._uses_go = any(alias == "g" for spec in claim_rules for alias, _ in spec.conditions)
        _check_shapes(self._rules)
        if len(_BASE_FIELDS) + len(self._read_fields) + len(self._providers) > _MAX_FACT_FIELDS:
            raise ClaimCheckError("the rule set needs more fields per line fact than durable-rules allows")
        self._lock = threading.Lock()
        self._claims = itertools.count(1)
        self._state: ClaimState | None = None
        self._stray_action = False
        self._discard_host = False  # set when the host may hold pending actions or facts
        self._guard = _FIRST_NAME_GUARD
        self._host: Any = None
        self._ruleset: Any = None
        self._name = ""
        with self._lock:
            self._build()  # a definition durable refuses fails here, not on the first claim

    def _build(self) -> None:
        name = unique_name("claimcheck", self._guard)
        definitions = {spec.name: spec.definition(self._action(spec.handler)) for spec in self._rules}
        self._host = new_host(self._engine, {name: definitions})
        self._ruleset = self._host.get_ruleset(name)
        self._name = name

    def _action(self, handler: Handler) -> Callable[[Any], None]:
        # One parameter: durable runs such actions synchronously. It swallows what an action
        # raises (it only writes it to the session state), so we keep it and raise it ourselves.
        def action(closure: Any) -> None:
            state = self._state
            if state is None:
                self._stray_action = True
                return
            if state.closed:
                state.errors.append(ClaimCheckError("a durable rule fired while the claim's facts were retracted"))
                return
            started = time.monotonic()
            try:
                handler(closure, state)
            except BaseException as exc:  # re-raised by check_claim once the facts are retracted
                state.errors.append(exc)
            if time.monotonic() - started > _SLOW_ACTION_SECONDS:
                state.errors.append(ClaimCheckError("a durable action ran so long that durable may drop others"))
                self._discard_host = True  # its pending actions are unknown: start afresh

        return action

    def check_claim(self, parsed: ParsedClaim, as_of: date) -> list[LineResult]:
        """One result per input line of ``parsed``, equal to the compiled executor's."""
        contexts = line_contexts(parsed, self.rules, as_of)
        refs = {i: ClaimLineRef(i, ctx.line, ctx.unreadable) for i, ctx in enumerate(contexts) if ctx.line is not None}
        state = ClaimState(contexts, refs)
        with self._lock:
            facts = self._facts(next(self._claims), state)
            if len(facts) > self._guard // 2:
                while len(facts) > self._guard // 2:
                    self._guard *= 2
                self._host = None
            if self._host is None:
                self._build()
            try:
                self._run(state, facts)
            finally:
                if self._discard_host:  # a new host and ruleset; durable offers no safe way to free the old
                    self._discard_host, self._host = False, None
            if self._stray_action:
                self._stray_action = False
                state.errors.append(ClaimCheckError("a durable rule fired outside any claim"))
        if state.errors:
            raise state.errors[0]
        return line_results(parsed, state.findings())

    def _facts(self, claim: int, state: ClaimState) -> list[dict[str, Any]]:
        facts = []
        for index, ctx in enumerate(state.contexts):
            fact: dict[str, Any] = {"id": f"{claim}.{index}", "t": "line", "i": index, "ok": 0}
            for field in self._read_fields:
                fact[read_flag(field)] = read_value(field, ctx)
            ref = state.refs.get(index)
            if ref is not None:
                day = ref.line.date_of_service
                fact.update(ok=1, code=ref.code, day=day.isoformat(), dn=day.toordinal())
                for provider in self._providers:
                    fact.update(provider(ref, state))
            facts.append(fact)
        if self._uses_go and state.refs:  # as compiled: claim checks only when a line is readable
            facts.append({"id": f"{claim}.go", "t": "go"})
        return facts

    def _run(self, state: ClaimState, facts: list[dict[str, Any]]) -> None:
        asserted: list[dict[str, Any]] = []
        self._state = state
        try:
            for fact in facts:  # one at a time: batched assert_facts loses findings
                self._call(self._host.assert_fact, self._name, fact)
                asserted.append(fact)
        except BaseException:
            self._discard_host = True  # durable itself failed (our actions never raise into it)
            raise
        finally:
            state.closed = True
            try:
                self._retract(asserted[-1:] + asserted[:-1] if asserted and asserted[-1]["t"] == "go" else asserted)
            finally:
                self._state = None

    def _retract(self, facts: Iterable[dict[str, Any]]) -> None:
        failure: BaseException | None = None
        for fact in facts:
            try:
                self._call(self._ruleset.retract_fact, fact)
            except BaseException as exc:  # keep retracting; a host left with facts is not reused
                failure = failure or exc
        if failure is not None:
            self._discard_host = True
            raise failure

    def _call(self, method: Callable[..., Any], *args: Any) -> None:
        try:
            method(*args)
        except self._engine.MessageNotHandledException:
            pass  # no rule looks at such a fact (e.g. a pack without line checks): nothing to do


def _check_shapes(rules: list[RuleSpec]) -> None:
    for spec in rules:
        positive = [alias for alias, _ in spec.conditions if not alias.endswith("$not")]
        if len(positive) > 2:  # a bug in claimcheck: see the module docstring
            raise ClaimCheckError(f"durable rule {spec.name} joins more than two facts")


def _parsed(claim: Any) -> ParsedClaim:
    return claim if isinstance(claim, ParsedClaim) else parse_claim(claim)


def check_claims_durable(
    claims: Iterable[ParsedClaim], rules: RuleSet, as_of: date | str | None = None
) -> Iterator[LineResult]:
    """``engine.run.check_claims`` with the durable executor: stream line results for parsed claims."""
    executor = DurableExecutor(rules)
    day = day_of_run(as_of)
    for parsed in claims:
        yield from executor.check_claim(parsed, day)


def validate_with_durable(
    claims: Iterable[Any], rules: RuleSet | None = None, as_of: date | str | None = None
) -> Report:
    """``engine.run.validate_many`` with the durable executor: claims (parsed, ``Claim`` or dicts) to a report."""
    ruleset = rules or load_rules()
    lines = check_claims_durable((_parsed(c) for c in claims), ruleset, as_of)
    return Report.build(lines, ruleset.version, ruleset.code_set_versions())
