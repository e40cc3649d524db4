"""``units`` claim check: medically unlikely edits (MUE), per line or per day."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from claimcheck.engine.checks.base import implements
from claimcheck.engine.checks.units import format_units
from claimcheck.engine.claim_checks.base import ClaimCheck, ClaimLineRef, Watch, because, grouped
from claimcheck.models.finding import Finding, Source, Status
from claimcheck.rules.claim_params import UnitLimit, UnitLimitParams

__all__ = ["MUE_SCOPES", "UnitsPerDay"]

# What an MUE adjudication indicator counts, as findings and `rules show` word it.
MUE_SCOPES = {1: "per line", 2: "per day (policy)", 3: "per day (clinical)"}


@dataclass(frozen=True, slots=True)
class _Limit:
    limit: int
    indicator: int
    rationale: str
    source: Source


@implements("mue_units")
class UnitsPerDay(ClaimCheck):
    """Units of a code over its MUE: indicator 1 per line; 2 and 3 summed over the day's lines,
    failing the line on which the running sum passes the limit and every later line of the day."""

    def setup(self) -> None:
        assert isinstance(self.params, UnitLimitParams)
        self.limits: Mapping[str, tuple[UnitLimit, ...]] = grouped((entry.code, entry) for entry in self.params.limits)
        self.mue = self.env.mue

    def _limit(self, code: str, day: date) -> _Limit | None:
        # A loaded CMS table is the user's explicit choice for this run: it wins over the pack.
        if self.mue is not None:
            row = self.mue.get(code)
            if row is not None:
                info = self.mue.info
                source = Source(info.label, row.indicator_text, info.version, f"{row.table} line {row.line}")
                return _Limit(row.limit, row.indicator, row.rationale, source)
        for entry in self.limits.get(code, ()):
            if entry.in_force(day):
                return _Limit(entry.limit, entry.indicator, entry.rationale, self.entry_source(entry.source, entry))
        return None

    def watches(self, code: str) -> Watch | None:
        has_limit = code in self.limits or (self.mue is not None and self.mue.get(code) is not None)
        return Watch.ALONE if has_limit else None

    def run_day(self, day: date, refs: list[ClaimLineRef]) -> Iterator[tuple[int, Finding]]:
        totals: dict[str, float] = {}
        for ref in refs:
            limit = self.limit_for(ref, day)
            if limit is None:
                continue
            if limit.indicator == 1:
                counted = ref.line.units
            else:
                counted = totals[ref.code] = totals.get(ref.code, 0.0) + ref.line.units
            yield ref.index, self.judge_units(ref, limit, counted, day)

    def limit_for(self, ref: ClaimLineRef, day: date) -> _Limit | None:
        """The MUE that applies to the line, None when none does or its units cannot be counted."""
        if "units" in ref.unreadable:
            return None  # input.field reports it; a default of 1 must not count
        if not ref.line.units > 0:
            return None  # units.positive fails it; negative units must not lower the day's sum
        return self._limit(ref.code, day)

    def judge_units(self, ref: ClaimLineRef, limit: _Limit, counted: float, day: date) -> Finding:
        """The finding on ``ref`` for ``counted`` units: its own (indicator 1) or the day's so far (2, 3)."""
        # Units are written in decimal and summed in binary: 0.1 + 1.1 + 0.6 + 0.2 is
        # 2.0000000000000004, which passed an MUE of 2. No claim writes units to nine places.
        counted = round(counted, 9)
        scope = "on this line" if limit.indicator == 1 else f"on {day} so far"
        shown = format_units(counted)
        noun = "unit" if counted == 1 else "units"
        detail = f"{shown} {noun} of {ref.code} {scope}; MUE {limit.limit} {MUE_SCOPES[limit.indicator]}"
        if counted > limit.limit:
            return self.finding(ref.code, self.status, f"{detail} is exceeded{because(limit.rationale)}", limit.source)
        return self.finding(ref.code, Status.PASS, f"{detail} is respected", limit.source)
