"""``pair`` checks: procedure-to-procedure edits, add-on codes without a primary, split 26/TC."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from claimcheck.engine.checks.base import describe_codes, implements
from claimcheck.engine.claim_checks.base import ClaimCheck, ClaimLineRef
from claimcheck.models.finding import Finding, Source, Status
from claimcheck.rules.kinds import AddonEntry, AddonParams, PairEntry, PairParams, SplitComponentParams

__all__ = ["AddonPrimary", "ProcedurePairs", "SplitComponents"]

_INDICATOR = {
    0: "modifier indicator 0: no modifier allows the pair",
    1: "modifier indicator 1: a PTP-associated modifier such as 59 or XS allows it for a distinct service",
}


@dataclass(frozen=True, slots=True)
class _Edit:
    indicator: int
    rationale: str
    source: Source


@implements("ptp_pairs")
class ProcedurePairs(ClaimCheck):
    """Column-2 line fails when its column-1 code is on the same day, unless a modifier bypasses it."""

    def setup(self) -> None:
        assert isinstance(self.params, PairParams)
        self.bypass = frozenset(self.params.bypass_modifiers)
        self.pairs: dict[tuple[str, str], list[PairEntry]] = {}
        for entry in self.params.pairs:
            for first in entry.column1:
                for second in entry.column2:
                    self.pairs.setdefault((first, second), []).append(entry)
        self.ptp = self.env.ptp
        self.codes = {code for pair in self.pairs for code in pair}

    def _edits(self, first: str, second: str, day: date) -> Iterator[_Edit]:
        for entry in self.pairs.get((first, second), ()):
            if entry.in_force(day):
                yield _Edit(entry.modifier_indicator, entry.rationale, self.entry_source(entry.source, entry))
        if self.ptp is not None:
            edit = self.ptp.in_force(first, second, day)
            if edit is not None:
                info = self.ptp.info
                source = Source(
                    info.label,
                    None,
                    info.version,
                    f"{edit.table} line {edit.line}",
                    edit.effective.isoformat(),
                    edit.deletion.isoformat() if edit.deletion else None,
                )
                yield _Edit(edit.modifier_indicator, edit.rationale, source)

    def _relevant(self, code: str) -> bool:
        return code in self.codes or (self.ptp is not None and self.ptp.has_code(code))

    def run_day(self, day: date, refs: list[ClaimLineRef]) -> Iterator[tuple[int, Finding]]:
        refs = [ref for ref in refs if self._relevant(ref.code)]
        for second in refs:
            for first in refs:
                if first.code == second.code:
                    continue
                for edit in self._edits(first.code, second.code, day):
                    if edit.indicator == 9:
                        continue
                    yield second.index, self._judge(first, second, edit, day)

    def _judge(self, first: ClaimLineRef, second: ClaimLineRef, edit: _Edit, day: date) -> Finding:
        subject = f"{first.code} {second.code}"
        pair = f"{second.code} with {first.code} (line {first.number}) on {day}"
        if edit.indicator == 1:
            for ref in (second, first):
                modifier = next((m for m in ref.line.modifiers if m in self.bypass), None)
                if modifier is not None:
                    where = "this line" if ref is second else f"line {ref.number}"
                    message = f"{pair} is allowed by modifier {modifier} on {where}: {edit.rationale}"
                    return self.finding(subject, Status.PASS, message, edit.source)
        message = (
            f"{second.code} is not billed with {first.code} (line {first.number}) on {day}: {edit.rationale} "
            f"({_INDICATOR[edit.indicator]})"
        )
        return self.finding(subject, self.status, message, edit.source)


@implements("addon_primary")
class AddonPrimary(ClaimCheck):
    """An add-on code needs one of its primary codes on the same claim and date of service."""

    def setup(self) -> None:
        assert isinstance(self.params, AddonParams)
        self.addons: dict[str, list[AddonEntry]] = {}
        for entry in self.params.addons:
            self.addons.setdefault(entry.addon, []).append(entry)

    def run_day(self, day: date, refs: list[ClaimLineRef]) -> Iterator[tuple[int, Finding]]:
        for ref in refs:
            for entry in self.addons.get(ref.code, ()):
                if not entry.in_force(day):
                    continue
                source = self.entry_source(entry.source, entry)
                primary = next((p for p in refs if p.code in entry.primaries), None)
                if primary is not None:
                    message = f"add-on {ref.code} has its primary code {primary.code} (line {primary.number}) on {day}"
                    yield ref.index, self.finding(ref.code, Status.PASS, message, source)
                else:
                    primaries = describe_codes(entry.primaries)
                    message = f"add-on {ref.code} is billed without one of its primary codes on {day} ({primaries})"
                    yield ref.index, self.finding(ref.code, self.status, message, source)


@implements("split_components")
class SplitComponents(ClaimCheck):
    """The same code billed as professional (26) on one line and technical (TC) on another, same day."""

    def setup(self) -> None:
        assert isinstance(self.params, SplitComponentParams)
        self.components = (self.params.professional, self.params.technical)

    def run_day(self, day: date, refs: list[ClaimLineRef]) -> Iterable[tuple[int, Finding]]:
        seen: dict[tuple[str, str], ClaimLineRef] = {}
        for ref in refs:
            if "modifiers" in ref.unreadable:
                continue
            present = [c for c in self.components if c in ref.line.modifiers]
            if len(present) != 1:
                continue  # neither, or both on one line (modifier.26_tc judges that)
            component = present[0]
            other = self.components[1 - self.components.index(component)]
            earlier = seen.get((ref.code, other))
            if earlier is not None:
                message = (
                    f"{ref.code} is billed with {component} here and {other} on line {earlier.number} on {day}: "
                    f"bill the global service once, without either modifier"
                )
                yield ref.index, self.finding(f"{other} {component}", self.status, message)
            seen.setdefault((ref.code, component), ref)
