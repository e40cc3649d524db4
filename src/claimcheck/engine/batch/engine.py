"""``BatchEngine``: the findings of a ``LineBatch``, line by line, as arrays of finding ids."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np

from claimcheck.engine.batch.columns import LineBatch, combine, positions, renumber
from claimcheck.engine.batch.memo import Elements, Lines, memo_for
from claimcheck.engine.checks import LineContext
from claimcheck.engine.claim_checks import ClaimContext, ClaimLineRef
from claimcheck.engine.claim_checks.base import Watch
from claimcheck.engine.ruleset import RuleSet
from claimcheck.engine.run import line_contexts
from claimcheck.models.finding import Finding
from claimcheck.models.parse import ParsedClaim

__all__ = ["BatchEngine", "BatchFindings"]

# Past this many distinct findings (NPIs and dates appear in messages) the engine starts afresh.
_FINDINGS_LIMIT = 1_000_000


@dataclass(frozen=True, slots=True)
class BatchFindings:
    """The findings of each row: ``findings[ids[offsets[row]:offsets[row + 1]]]``, in the order
    the per-line engine gives. ``parsed_keys`` holds the claim id, line number and code of rows
    of claims read the per-line way, which may differ from the batch's normalised fields."""

    offsets: np.ndarray
    ids: np.ndarray
    findings: list[Finding]
    parsed_keys: dict[int, tuple[str | None, int | None, str | None]]


class _Placer:
    """Collects per-row finding-id lists from several sources (slots), then lays them out row by
    row, slot by slot."""

    def __init__(self, rows: int, slots: int) -> None:
        self.counts = np.zeros((slots, rows), dtype=np.int64)
        self.parts: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, slot: int, rows: np.ndarray, counts: np.ndarray, ids: np.ndarray) -> None:
        """``ids`` holds the ids of ``rows`` one after another, ``counts`` of them per row."""
        self.counts[slot, rows] = counts
        self.parts.append((slot, rows, counts, ids))

    def layout(self) -> tuple[np.ndarray, np.ndarray]:
        per_row = self.counts.sum(axis=0)
        offsets = np.zeros(len(per_row) + 1, dtype=np.int64)
        np.cumsum(per_row, out=offsets[1:])
        before = np.cumsum(self.counts, axis=0) - self.counts  # ids of earlier slots in the row
        out = np.empty(int(offsets[-1]), dtype=np.int64)
        for slot, rows, counts, ids in self.parts:
            if len(ids) == 0:
                continue
            owner = np.repeat(np.arange(len(rows)), counts)
            out[(offsets[rows] + before[slot, rows])[owner] + positions(counts)] = ids
        return offsets, out


class BatchEngine:
    """Checks ``LineBatch``es against ``rules`` as of one day, remembering what it has judged."""

    def __init__(self, rules: RuleSet, as_of: date) -> None:
        self.rules = rules
        self.as_of = as_of
        self.findings: list[Finding] = []
        self._ids: dict[Finding, int] = {}
        self._memos = [memo_for(check, rules, as_of) for check in rules.checks]
        self._watch: dict[str, frozenset[Watch]] = {}
        self._generation = 0
        self._start_generation(0)

    def _start_generation(self, generation: int) -> None:
        self._generation = generation
        self._elements = {name: Elements() for name in ("modifiers", "diagnosis_codes")}
        self._profiled: list[bool] = []
        for memo in self._memos:
            memo.reset()

    def _id(self, finding: Finding) -> int:
        known = self._ids.get(finding)
        if known is None:
            known = self._ids[finding] = len(self.findings)
            self.findings.append(finding)
        return known

    def check(self, batch: LineBatch) -> BatchFindings:
        if len(self.findings) > _FINDINGS_LIMIT:  # memory stays bounded: judge afresh
            self.findings, self._ids = [], {}
            self._start_generation(self._generation)
        if batch.generation != self._generation:
            self._start_generation(batch.generation)
        starts, stops = batch.claim_starts, batch.claim_stops()
        clean_claim = np.logical_and.reduceat(batch.clean, starts) if batch.rows else np.zeros(0, bool)
        repeated = self._repeated_numbers(batch, starts)
        clean_claim &= ~repeated
        slow = _SlowClaims(batch, np.flatnonzero(~clean_claim), repeated, self.rules, self.as_of)
        memo_rows = np.flatnonzero(np.repeat(clean_claim, stops - starts) | slow.memo_rows)
        line_slot, claim_slot = len(self.rules.checks), len(self.rules.checks) + 1
        placer = _Placer(batch.rows, claim_slot + 1)
        lines = Lines(batch, self.rules, self.as_of)
        profiled_rows = memo_rows[self._profiled_codes(batch)[batch.fields["procedure_code"].codes[memo_rows]]]
        for index, memo in enumerate(self._memos):
            rows = profiled_rows if memo.check.needs_profile else memo_rows
            elements = self._elements.get(memo.check.memo_each or memo.check.memo_first or "")
            placer.add(index, *memo.run(batch, rows, elements, lines, self._id))
        placer.add(line_slot, *slow.line_findings(self._id))
        self._run_claim_checks(batch, clean_claim, lines, placer, claim_slot, slow)
        offsets, ids = placer.layout()
        return BatchFindings(offsets, ids, self.findings, slow.keys)

    def _profiled_codes(self, batch: LineBatch) -> np.ndarray:
        codes = batch.fields["procedure_code"].values
        self._profiled.extend(code in self.rules.profiles for code in codes[len(self._profiled) :])
        return np.array(self._profiled, dtype=bool)

    @staticmethod
    def _repeated_numbers(batch: LineBatch, starts: np.ndarray) -> np.ndarray:
        """Claims where a line number appears twice (the per-line engine reports it)."""
        if batch.rows == 0:
            return np.zeros(0, dtype=bool)
        key, _ = renumber(combine([batch.claim_of_rows(), batch.fields["line_number"].codes], batch.rows))
        repeated_rows = np.bincount(key)[key] > 1
        return np.logical_or.reduceat(repeated_rows, starts)

    # -- claim checks, on the claims they watch -----------------------------------------------

    def _watches(self, code: str | None) -> frozenset[Watch]:
        if code is None:
            return frozenset()  # the value of rows that do not read: their claims go the per-line way
        known = self._watch.get(code)
        if known is None:
            known = self._watch[code] = frozenset(
                w for c in self.rules.claim_checks if (w := c.watches(code)) is not None
            )
        return known

    def _watched_claims(self, batch: LineBatch, clean_claim: np.ndarray) -> np.ndarray:
        """Clean claims where some claim check may judge a line: a line watched alone, or two
        watched lines of one day (of one code, for checks of repeats)."""
        codes = batch.fields["procedure_code"]
        watch = [self._watches(c) for c in codes.values]
        claim = batch.claim_of_rows()
        served = batch.fields["date_of_service"].codes
        watched = np.zeros(len(batch.claim_starts), dtype=bool)
        for kind in Watch:
            flag = np.array([kind in w for w in watch], dtype=bool)[codes.codes]
            if not flag.any():
                continue
            if kind is Watch.ALONE:
                hit = flag
            else:
                parts = [claim[flag], served[flag]] + ([codes.codes[flag]] if kind is Watch.REPEATED else [])
                key, _ = renumber(combine(parts, int(flag.sum())))
                hit = np.zeros(batch.rows, dtype=bool)
                hit[np.flatnonzero(flag)] = np.bincount(key)[key] > 1
            watched |= np.logical_or.reduceat(hit, batch.claim_starts)
        return np.flatnonzero(watched & clean_claim)

    def _run_claim_checks(
        self, batch: LineBatch, clean_claim: np.ndarray, lines: Lines, placer: _Placer, slot: int, slow: _SlowClaims
    ) -> None:
        if not self.rules.claim_checks or batch.rows == 0:
            return
        found = _RowLists()
        stops = batch.claim_stops()
        contexts = [
            (int(batch.claim_starts[claim]), int(stops[claim]), batch.claim_ids[claim])
            for claim in self._watched_claims(batch, clean_claim)
        ]
        for start, stop, claim_id in contexts:
            refs = tuple(ClaimLineRef(row - start, lines.line(row)) for row in range(start, stop))
            self._claim_findings(ClaimContext(claim_id, refs, self.as_of), start, stop - start, found)
        for start, size, context in slow.claim_contexts():
            self._claim_findings(context, start, size, found)
        placer.add(slot, *found.arrays())

    def _claim_findings(self, context: ClaimContext, start: int, size: int, found: _RowLists) -> None:
        per_line: list[list[int]] = [[] for _ in range(size)]
        for claim_check in self.rules.claim_checks:
            for position, finding in claim_check(context):
                per_line[position].append(self._id(finding))
        for position, ids in enumerate(per_line):
            found.add(start + position, ids)


class _RowLists:
    """Finding ids gathered row by row, for the placer."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.counts: list[int] = []
        self.ids: list[int] = []

    def add(self, row: int, ids: list[int]) -> None:
        self.rows.append(row)
        self.counts.append(len(ids))
        self.ids.extend(ids)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (np.array(self.rows, np.int64), np.array(self.counts, np.int64), np.array(self.ids, np.int64))


class _SlowClaims:
    """Claims with a row that does not read cleanly, read the per-line way.

    Their clean rows still take the memoised line checks (their findings do not depend on the
    rest of the claim) unless the claim's own fields are bad or a line number repeats; the
    other rows get the line checks one by one. The claim checks see every readable line.
    """

    def __init__(self, batch: LineBatch, claims: np.ndarray, repeated: np.ndarray, rules: RuleSet, as_of: date):
        self.rules = rules
        self.memo_rows = np.zeros(batch.rows, dtype=bool)
        self.keys: dict[int, tuple[str | None, int | None, str | None]] = {}
        stops = batch.claim_stops()
        spans = [(int(batch.claim_starts[c]), int(stops[c])) for c in claims]
        self._claims: list[tuple[int, ParsedClaim, list[LineContext]]] = []
        for (start, _), claim, parsed in zip(spans, claims, batch.parse_claims(spans), strict=True):
            contexts = line_contexts(parsed, rules, as_of)
            self._claims.append((start, parsed, contexts))
            claim_ok = not parsed.problems and not repeated[claim]
            for row, line in enumerate(parsed.lines, start):
                self.keys[row] = (parsed.claim_id, line.line_number, line.procedure_code)
                self.memo_rows[row] = claim_ok and bool(batch.clean[row])
        self._as_of = as_of

    def line_findings(self, intern: Callable[[Finding], int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The line checks' findings on the rows the memo does not take."""
        found = _RowLists()
        for start, _, contexts in self._claims:
            for row, context in enumerate(contexts, start):
                if not self.memo_rows[row]:
                    found.add(row, [intern(f) for check in self.rules.checks for f in check(context)])
        return found.arrays()

    def claim_contexts(self) -> Iterator[tuple[int, int, ClaimContext]]:
        """First row, number of lines and claim-check context of each claim with a readable line."""
        for start, parsed, contexts in self._claims:
            refs = tuple(ClaimLineRef(i, c.line, c.unreadable) for i, c in enumerate(contexts) if c.line is not None)
            if refs:
                yield start, len(contexts), ClaimContext(parsed.claim_id, refs, self._as_of)
