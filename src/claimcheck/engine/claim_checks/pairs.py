"""``pair`` checks: procedure-to-procedure edits, add-on codes without a payable primary (26/TC: ``components``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date, timedelta

from claimcheck.engine.checks.base import describe_codes, implements
from claimcheck.engine.claim_checks.base import ClaimCheck, ClaimLineRef, Watch, because, grouped
from claimcheck.models.finding import Finding, Source, Status
from claimcheck.rules.claim_params import AddonEntry, AddonParams, PairEntry, PairParams

__all__ = ["AddonPrimary", "ProcedurePairs"]

_INDICATOR = {
    0: "modifier indicator 0: no modifier allows the pair",
    1: "modifier indicator 1: a PTP-associated modifier such as 59 or XS allows it for a distinct service",
}


@dataclass(frozen=True, slots=True)
class _Edit:
    indicator: int
    rationale: str
    source: Source


@dataclass(frozen=True, slots=True)
class Column1:
    """The column-1 lines of one code on one day, as judging a pair reads them: the first line,
    the first known to carry no bypass modifier and the first carrying one."""

    first: ClaimLineRef
    plain: ClaimLineRef | None
    bypassed: ClaimLineRef | None


@implements("ptp_pairs")
class ProcedurePairs(ClaimCheck):
    """Column-2 line fails when its column-1 code is on the same day, unless a modifier bypasses it."""

    def setup(self) -> None:
        assert isinstance(self.params, PairParams)
        self.bypass = frozenset(self.params.bypass_modifiers)
        self.pairs: Mapping[tuple[str, str], tuple[PairEntry, ...]] = grouped(
            ((first, second), entry)
            for entry in self.params.pairs
            for first in entry.column1
            for second in entry.column2
        )
        self.ptp = self.env.ptp
        self.codes = frozenset(code for pair in self.pairs for code in pair)

    def _edits(self, first: str, second: str, day: date) -> Iterator[_Edit]:
        if self.ptp is not None and self.ptp.lists(first, second):
            # The quarterly file is the newer edition: for a pair it lists, its rows (dates and
            # indicator) replace the pack's, or the line got one finding per source.
            edit = self.ptp.in_force(first, second, day)
            if edit is not None:
                info = self.ptp.info
                source = Source(
                    info.label,
                    None,
                    info.version,
                    f"{edit.table} line {edit.line}",
                    edit.effective.isoformat(),
                    # CMS's deletion date is the first day without the edit; `expires` is the last with it.
                    (edit.deletion - timedelta(days=1)).isoformat() if edit.deletion else None,
                )
                yield _Edit(edit.modifier_indicator, edit.rationale, source)
            return
        if self.ptp is not None and self.ptp.lists(second, first):
            return  # the file's edition has the pair the other way round: its rows replace these
        for entry in self.pairs.get((first, second), ()):
            if entry.in_force(day):
                yield _Edit(entry.modifier_indicator, entry.rationale, self.entry_source(entry.source, entry))

    def relevant(self, code: str) -> bool:
        """Whether ``code`` is in an edit of the pack or of the loaded PTP table."""
        return code in self.codes or (self.ptp is not None and self.ptp.has_code(code))

    def watches(self, code: str) -> Watch | None:
        return Watch.PAIRED if self.relevant(code) else None

    def run_day(self, day: date, refs: list[ClaimLineRef]) -> Iterator[tuple[int, Finding]]:
        # A column-2 line is judged once per column-1 code of its day, however many lines bill that
        # code: pairing every two lines made findings (and time) grow with the square of the claim.
        by_code = self._by_code(refs)
        # Each code's lines are read once, not once per line they are paired with: the latter
        # took the square of the claim's lines.
        column1: dict[str, Column1] = {}
        for second in refs:
            if second.code not in by_code:
                continue
            for code, firsts in by_code.items():
                if code != second.code:
                    summary = column1.get(code)
                    if summary is None:
                        summary = column1[code] = self.column1(firsts)
                    for finding in self.judge_pair(firsts, second, day, summary):
                        yield second.index, finding

    def _by_code(self, refs: Iterable[ClaimLineRef]) -> dict[str, list[ClaimLineRef]]:
        by_code: dict[str, list[ClaimLineRef]] = {}
        for ref in refs:
            if self.relevant(ref.code):
                by_code.setdefault(ref.code, []).append(ref)
        return by_code

    def denied(self, day: date, refs: Sequence[ClaimLineRef], seconds: Iterable[ClaimLineRef]) -> set[int]:
        """The indices of the lines among ``seconds`` that this check fails as a column-2 line, given
        ``refs``, every readable line of their ``day``: what ``run_day`` finds, for the add-on check."""
        if self.rule.dated and not self.rule.in_force(day):
            return set()
        by_code = self._by_code(refs)
        column1: dict[str, Column1] = {}  # read once per code, as in run_day
        found: set[int] = set()
        for second in seconds:
            if second.code not in by_code:
                continue
            for code, firsts in by_code.items():
                if code == second.code:
                    continue
                summary = column1.get(code)
                if summary is None:
                    summary = column1[code] = self.column1(firsts)
                if any(f.status is Status.FAIL for f in self.judge_pair(firsts, second, day, summary)):
                    found.add(second.index)
                    break
        return found

    def column1(self, firsts: Sequence[ClaimLineRef]) -> Column1:
        """What judging a pair reads of ``firsts``, the lines of one code on a day in input order."""
        plain = next((ref for ref in firsts if self._bypass(ref) is None and "modifiers" not in ref.unreadable), None)
        bypassed = next((ref for ref in firsts if self._bypass(ref) is not None), None)
        return Column1(firsts[0], plain, bypassed)

    def judge_pair(
        self, firsts: Sequence[ClaimLineRef], second: ClaimLineRef, day: date, column1: Column1 | None = None
    ) -> Iterator[Finding]:
        """The findings on ``second`` for ``firsts``, the lines of one other code on its day in input
        order: one per edit in force, indicator 9 skipped. ``column1`` is ``self.column1(firsts)``
        when the caller has it already.

        Public so the durable executor, which pairs the lines itself, words its findings the same way.
        """
        for edit in self._edits(firsts[0].code, second.code, day):
            if edit.indicator == 9:
                continue
            if column1 is None:
                column1 = self.column1(firsts)
            finding = self._judge(column1, second, edit, day)
            if finding is not None:
                yield finding

    def _bypass(self, ref: ClaimLineRef) -> str | None:
        return next((m for m in ref.line.modifiers if m in self.bypass), None)

    def _judge(self, column1: Column1, second: ClaimLineRef, edit: _Edit, day: date) -> Finding | None:
        first = column1.first
        subject = f"{first.code} {second.code}"
        if edit.indicator == 1:
            modifier, where = self._bypass(second), "this line"
            if modifier is None:
                # Fails on a column-1 line known to carry no bypass; lines whose modifiers cannot
                # be read (input.field reports them) may hold one, and judge nothing.
                if column1.plain is not None and "modifiers" not in second.unreadable:
                    return self._fails(subject, column1.plain, second, edit, day)
                first = column1.bypassed or first
                modifier, where = self._bypass(first), f"line {first.number}"
                if modifier is None:
                    return None
            pair = f"{second.code} with {first.code} (line {first.number}) on {day}"
            message = f"{pair} is allowed by modifier {modifier} on {where}{because(edit.rationale)}"
            return self.finding(subject, Status.PASS, message, edit.source)
        return self._fails(subject, first, second, edit, day)

    def _fails(self, subject: str, first: ClaimLineRef, second: ClaimLineRef, edit: _Edit, day: date) -> Finding:
        message = (
            f"{second.code} is not billed with {first.code} (line {first.number}) on {day}{because(edit.rationale)} "
            f"({_INDICATOR[edit.indicator]})"
        )
        return self.finding(subject, self.status, message, edit.source)


@implements("addon_primary")
class AddonPrimary(ClaimCheck):
    """An add-on code needs one of its primary codes on the same claim and date of service, and
    warns when every such primary line is denied by a PTP edit (CMS pays an add-on only with a
    payable primary)."""

    def setup(self) -> None:
        assert isinstance(self.params, AddonParams)
        self.addons: Mapping[str, tuple[AddonEntry, ...]] = grouped(
            (entry.addon, entry) for entry in self.params.addons
        )
        self.primary_codes = frozenset(code for entry in self.params.addons for code in entry.primaries)
        self.pairs: tuple[ProcedurePairs, ...] | None = None  # set by link

    def link(self, checks: Sequence[ClaimCheck]) -> None:
        # The rule is sealed once set up; compile_pack links it before the rule set is shared, once.
        if self.pairs is not None:
            raise AttributeError(f"{self.rule_id}: a compiled rule is read-only; it is linked already")
        object.__setattr__(self, "pairs", tuple(check for check in checks if isinstance(check, ProcedurePairs)))

    def watches(self, code: str) -> Watch | None:
        return Watch.ALONE if code in self.addons else None

    def run_day(self, day: date, refs: list[ClaimLineRef]) -> Iterator[tuple[int, Finding]]:
        # Each entry's primary lines are gathered once a day: a scan per add-on line took the square of the claim.
        lines_of: dict[str, list[ClaimLineRef]] = {}
        for ref in refs:
            lines_of.setdefault(ref.code, []).append(ref)
        primaries_of: dict[int, list[ClaimLineRef]] = {}
        denied: set[int] | None = None
        for ref in refs:
            for entry in self.addons.get(ref.code, ()):
                if not entry.in_force(day):
                    continue
                primaries = primaries_of.get(id(entry))
                if primaries is None:
                    primaries = primaries_of[id(entry)] = self.primary_lines(entry, lambda c: lines_of.get(c, ()))
                if primaries and denied is None:
                    denied = self.denied(day, refs)
                yield ref.index, self.judge_addon(ref, entry, primaries, day, denied or set())

    def primary_lines(self, entry: AddonEntry, lines_of: Callable[[str], Sequence[ClaimLineRef]]) -> list[ClaimLineRef]:
        """The lines of the day with a primary code of ``entry``, in input order, given ``lines_of``
        a code on that day."""
        found = [ref for code in dict.fromkeys(entry.primaries) for ref in lines_of(code)]
        return sorted(found, key=lambda ref: ref.index)

    def denied(self, day: date, refs: Sequence[ClaimLineRef]) -> set[int]:
        """The lines of ``refs`` (every readable line of ``day``) with a primary code of some add-on
        that a PTP check of the pack fails: judged again here, so findings do not depend on the
        order the claim checks run in, in any engine."""
        if not self.pairs:  # no PTP rule in the pack (or not linked): every primary is payable
            return set()
        seconds = [ref for ref in refs if ref.code in self.primary_codes]
        return set().union(*(pairs.denied(day, refs, seconds) for pairs in self.pairs))

    def judge_addon(
        self, ref: ClaimLineRef, entry: AddonEntry, primaries: Sequence[ClaimLineRef], day: date, denied: Set[int]
    ) -> Finding:
        """The finding on add-on line ``ref`` given ``primaries``, the lines of the day with a primary
        code in input order, and ``denied``, the indices of the lines a PTP check fails."""
        source = self.entry_source(entry.source, entry)
        payable = next((line for line in primaries if line.index not in denied), None)
        if payable is not None:
            message = f"add-on {ref.code} has its primary code {payable.code} (line {payable.number}) on {day}"
            return self.finding(ref.code, Status.PASS, message, source)
        if primaries:
            # The primary line carries the PTP failure; the add-on falls with it, so it warns here
            # (never above the rule's own status) rather than failing the claim twice for one cause.
            if len(primaries) == 1:
                only = primaries[0]
                which = f"its only primary code, {only.code} (line {only.number}), is"
            else:
                numbers = [str(line.number) for line in primaries]
                which = f"every primary line (lines {', '.join(numbers[:-1])} and {numbers[-1]}) is"
            message = (
                f"add-on {ref.code} on {day}: {which} denied by a PTP edit, and an add-on is paid only "
                f"with a payable primary service"
            )
            return self.finding(ref.code, min(self.status, Status.WARN), message, source)
        primaries_text = describe_codes(entry.primaries)
        message = f"add-on {ref.code} is billed without one of its primary codes on {day} ({primaries_text})"
        return self.finding(ref.code, self.status, message, source)
