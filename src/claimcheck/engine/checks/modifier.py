"""``modifier`` checks: the code set, conflicting modifiers (26 with TC, 59 with XS), an ambulance
line's origin/destination modifier, and what the procedure's profile says."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from types import MappingProxyType
from typing import Any

from claimcheck.engine.checks.base import (
    CompileEnv,
    LineCheck,
    LineContext,
    code_set_source,
    describe_codes,
    implements,
)
from claimcheck.errors import RuleFileError
from claimcheck.models.finding import Finding, Status
from claimcheck.rules.loader import LoadedRule
from claimcheck.rules.params import ModifierCodeSetParams, ModifierConflictParams, OriginDestinationParams
from claimcheck.rules.schema import SourceRef

__all__ = ["ModifierCodeSet", "ModifierConflict", "OriginDestination", "ProfileModifiers"]

_VERDICT = {
    Status.PASS: "is appropriate for",
    Status.WARN: "is rarely appropriate for",
    Status.FAIL: "does not apply to",
}


# What of a line's procedure code modifier.code_set's findings depend on (its memo fact).
_OTHER_CODE, _AMBULANCE_CODE, _CATEGORY_II_CODE = 0, 1, 2


@implements("modifier_code_set")
class ModifierCodeSet(LineCheck):
    memo_key = ("modifiers", "date_of_service")
    memo_each = "modifiers"
    memo_fact = "procedure_code"  # only whether it is an ambulance code, a Category II code or other
    reads = ("modifiers", "date_of_service")
    reads_in_part = frozenset({"modifiers"})

    def setup(self) -> None:
        assert isinstance(self.params, ModifierCodeSetParams)
        self.modifiers = self.code_sets.modifiers
        self.code_set = code_set_source(self.modifiers.info)
        self.locations = self.params.ambulance_locations
        self.destination_only = frozenset(self.params.destination_only)
        self.ambulance_procedure = self.params.is_ambulance_procedure
        self.ambulance_codes = ", ".join(f"{first}-{last}" for first, last in self.params.ambulance_procedures)
        manual = SourceRef(document="CMS Claims Processing Manual", section="ch. 15 section 30.A, ambulance modifiers")
        self.ambulance_source = self.entry_source(manual)
        self.category_ii = self.params.category_ii_modifiers
        self.category_ii_procedure = self.params.is_category_ii_procedure
        appendix = SourceRef(document="CPT Manual", section="Appendix A, Category II modifiers")
        self.category_ii_source = self.entry_source(appendix)
        self.ambulance_only = MappingProxyType(
            {
                code: self.entry_source(group.source)
                for group in self.params.ambulance_modifiers
                for code in group.modifiers
            }
        )

    def _ambulance(self, code: str) -> str | None:
        """The meaning of an ambulance origin/destination pair, or None if ``code`` is not one."""
        if len(code) != 2 or code[0] in self.destination_only:
            return None
        origin, destination = self.locations.get(code[0]), self.locations.get(code[1])
        return f"ambulance from {origin} to {destination}" if origin and destination else None

    def fact(self, procedure_code: Any) -> int:
        if not isinstance(procedure_code, str):
            return _OTHER_CODE
        if self.ambulance_procedure(procedure_code):
            return _AMBULANCE_CODE
        return _CATEGORY_II_CODE if self.category_ii_procedure(procedure_code) else _OTHER_CODE

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        served = ctx.line.date_of_service
        procedure = self.fact(ctx.line.procedure_code)
        for code in ctx.line.modifiers:
            known = self.modifiers.get(code)
            ambulance = self._ambulance(code) if known is None or procedure == _AMBULANCE_CODE else None
            if ambulance is not None:
                yield self._ambulance_pair(code, ambulance, procedure == _AMBULANCE_CODE)
            elif known is None and code in self.category_ii:
                yield self._category_ii(code, procedure == _CATEGORY_II_CODE)
            elif known is None:
                yield self.finding(code, self.status, f"{code} is not a CPT or HCPCS modifier", self.code_set)
            elif not known.in_force(served):
                window = f"in force {known.effective or 'from the start'} to {known.termination or 'now'}"
                yield self.finding(
                    code, self.status, f"modifier {code} is not in force on {served} ({window})", self.code_set
                )
            elif code in self.ambulance_only and procedure != _AMBULANCE_CODE:
                # It describes an ambulance service or trip, which no other code bills.
                message = (
                    f"{code} ({known.description}) is an ambulance modifier, "
                    f"valid only on an ambulance code ({self.ambulance_codes})"
                )
                yield self.finding(code, self.status, message, self.ambulance_only[code])
            else:
                yield self.finding(
                    code, Status.PASS, f"{code} ({known.description}) is a valid modifier", self.code_set
                )

    def _ambulance_pair(self, code: str, meaning: str, on_ambulance_code: bool) -> Finding:
        if on_ambulance_code:
            message = f"{code} ({meaning}) is read as an ambulance origin/destination pair on an ambulance code"
            return self.finding(code, Status.PASS, message, self.ambulance_source)
        # The pair describes a trip: on any other code a payer rejects it as an invalid modifier.
        message = (
            f"{code} ({meaning}) is an ambulance origin/destination modifier, "
            f"valid only on an ambulance code ({self.ambulance_codes})"
        )
        return self.finding(code, self.status, message, self.ambulance_source)

    def _category_ii(self, code: str, on_category_ii_code: bool) -> Finding:
        meaning = self.category_ii[code]
        if on_category_ii_code:
            return self.finding(code, Status.PASS, f"{code} ({meaning}) is a valid modifier", self.category_ii_source)
        message = f"{code} ({meaning}) is a CPT Category II modifier, valid only on a Category II code"
        return self.finding(code, self.status, message, self.category_ii_source)


@implements("modifier_conflict")
class ModifierConflict(LineCheck):
    memo_key = ("modifiers",)
    reads = ("modifiers",)
    reads_in_part = frozenset(reads)  # two modifiers read that conflict do, whatever was left out

    def setup(self) -> None:
        assert isinstance(self.params, ModifierConflictParams)
        self.pairs = self.params.pairs
        self.advice = f": {self.params.advice}" if self.params.advice else ""

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        present = set(ctx.line.modifiers)
        for first, second in self.pairs:
            if first in present and second in present:
                yield self.finding(
                    f"{first} {second}", self.status, f"{first} and {second} on the same line{self.advice}"
                )


@implements("ambulance_origin_destination")
class OriginDestination(LineCheck):
    memo_key = ("modifiers",)
    memo_fact = "procedure_code"  # only whether its lines need a pair
    reads = ("modifiers",)
    reads_in_part = frozenset(reads)  # two pairs read are too many; no pair read is not judged

    def __init__(self, loaded: LoadedRule, env: CompileEnv) -> None:
        # The pairs are the modifier_code_set rules' (their letters): without them none is known.
        if not any(p.ambulance_locations for p in env.modifier_code_set):
            raise RuleFileError(
                loaded.file,
                "needs a modifier_code_set rule with ambulance_locations, the letters of the pairs",
                line=loaded.line,
                value=loaded.rule.id,
            )
        super().__init__(loaded, env)

    def setup(self) -> None:
        assert isinstance(self.params, OriginDestinationParams)
        self.needs_pair = self.params.needs_pair
        self.pair_params = self.env.modifier_code_set

    def fact(self, procedure_code: Any) -> int:
        return int(isinstance(procedure_code, str) and self.needs_pair(procedure_code))

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        if not self.fact(ctx.line.procedure_code):
            return
        pairs = [code for code in ctx.line.modifiers if any(p.is_ambulance_pair(code) for p in self.pair_params)]
        pairs = list(dict.fromkeys(pairs))  # a pair given twice is input.modifier_repeated's
        if not pairs:
            if "modifiers" in ctx.read_in_part:  # the modifier left out may be the pair
                return
            yield self.finding(
                None,
                self.status,
                "an ambulance transport line has no origin/destination modifier "
                "(origin letter, then destination letter, such as RH: residence to hospital)",
            )
        elif len(pairs) > 1:
            yield self.finding(
                " ".join(pairs),
                self.status,
                f"an ambulance transport line has {len(pairs)} origin/destination modifiers ({', '.join(pairs)}), "
                "where one trip has one origin and one destination: bill each trip (a round trip is two) "
                "on its own lines, with its pair",
            )


@implements("profile_modifiers")
class ProfileModifiers(LineCheck):
    memo_key = ("procedure_code", "modifiers", "era")
    memo_each = "modifiers"
    needs_profile = True
    reads = ("modifiers",)
    reads_in_part = frozenset(reads)

    def _valid(self, code: str, served: date, procedure: str) -> bool:
        """Whether modifier.code_set passes ``code`` on ``served`` on a ``procedure`` line."""
        params = self.env.modifier_code_set
        if any(p.is_ambulance_pair(code) and p.is_ambulance_procedure(procedure) for p in params):
            return True
        known = self.code_sets.modifiers.get(code)
        if known is not None:
            off_ambulance = any(p.ambulance_source(code) and not p.is_ambulance_procedure(procedure) for p in params)
            return known.in_force(served) and not off_ambulance
        return any(code in p.category_ii_modifiers and p.is_category_ii_procedure(procedure) for p in params)

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        profile = ctx.profile
        if profile is None:
            return
        served = ctx.line.date_of_service
        for code in ctx.line.modifiers:
            if not self._valid(code, served, ctx.line.procedure_code):
                continue  # modifier.code_set already failed it
            entry = profile.modifier_entry(code, served)
            if entry is None:
                listed = describe_codes(m for m, e in profile.modifiers.items() if e.in_force(served))
                yield self.finding(
                    code,
                    self.status,
                    f"modifier {code} is not one the {profile.code} document lists (listed: {listed})",
                    self.profile_source(profile, profile.list_sources["modifiers"]),
                )
                continue
            message = f"modifier {code} ({entry.meaning}) {_VERDICT[entry.status]} {profile.code}: {entry.reason}"
            yield self.finding(code, entry.status, message, self.profile_source(profile, entry.source, entry))
