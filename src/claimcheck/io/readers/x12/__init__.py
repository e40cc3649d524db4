"""X12 5010 837P/837I claims: ``read_x12(path)`` streams ``ParsedClaim``s like the other readers.

Two passes over the file, both in chunks, so memory stays flat: the envelope pass
(``envelope.py``) checks ISA/GS/ST and their trailers and refuses files that hold nothing to
check; the claim pass (``claims.py``) turns each CLM loop into a claim dict in the JSON claims
shape as soon as the loop ends. Both go through ``parse_claim``, so normalisation and field
problems are the same as for CSV and JSON; X12-specific problems are added to each line, and
every line carries its ``location`` in the file (interchange, group, transaction, claim, LX,
segment position).

``read_x12_strict`` also validates the file against the TR3 with pyx12 (``x12_validate``) and
puts each issue on the line or claim it falls in, on the claims under the subscriber or patient
loop it falls in, or, counted in one problem, on every line of its transaction (``tr3.py``).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from claimcheck.io.readers.x12.claims import read_loops
from claimcheck.io.readers.x12.envelope import Envelope, Orphan, scan_envelope
from claimcheck.io.readers.x12.model import EmptyTransaction, RawClaim
from claimcheck.io.readers.x12.tokens import iter_segments
from claimcheck.models.parse import InputProblem, ParsedClaim, ParsedLine, parse_claim

__all__ = ["read_x12", "read_x12_strict"]

# TR3 issues of a claim's header go on every line of the claim: past this many, a claim of
# thousands of bad segments would make thousands of findings on each line, so the rest are counted.
_LISTED_HEADER_ISSUES = 50


def read_x12(path: Path) -> Iterator[ParsedClaim]:
    """Stream the claims of an X12 837P/837I file; ``InputError`` only when nothing can be read."""
    return _read(path, ())


def read_x12_strict(path: Path) -> Iterator[ParsedClaim]:
    """Like ``read_x12``, with pyx12's TR3 validation issues as ``input`` problems (needs pyx12)."""
    from claimcheck.io.readers.x12_validate import validate_with_pyx12

    issues = [(issue.loop_position, issue.describe()) for issue in validate_with_pyx12(path)]
    yield from _read(path, issues)


def _placeholder(problems: Sequence[InputProblem], origin: str, location: dict[str, str | int]) -> ParsedClaim:
    return ParsedClaim(None, (ParsedLine(None, None, None, tuple(problems), origin, location),))


def _orphan(path: Path, orphan: Orphan) -> ParsedClaim:
    location: dict[str, str | int] = {"file": path.name, "segment": orphan.position}
    return _placeholder([orphan.problem], f"{path.name} segment {orphan.position}", location)


def _without(parsed: Sequence[InputProblem], own: Sequence[InputProblem]) -> tuple[InputProblem, ...]:
    """``parsed`` minus the problems of fields the X12 reader already explained in X12 terms."""
    fields = {problem.field for problem in own}
    return tuple(problem for problem in parsed if problem.field not in fields)


def _claim(raw: RawClaim, shared: Sequence[InputProblem], issues: Sequence[tuple[int, str]]) -> ParsedClaim:
    """``parse_claim`` on the raw claim, then each line given its X12 problems and location.

    ``shared`` problems (envelope, the transaction's TR3 tally, TR3 issues of the subscriber and
    patient loops the claim is under) go on every line; each TR3 issue of the claim itself on the
    line it falls in, or on every line when it falls in the claim before the first LX.
    """
    data = {**raw.data, "lines": [line.data for line in raw.lines]}
    parsed = parse_claim(data, [line.origin for line in raw.lines], [line.location for line in raw.lines])
    starts = [line.position for line in raw.lines]
    per_line: list[list[InputProblem]] = [[] for _ in raw.lines]
    claim_wide = list(shared)
    header_issues = 0
    for position, text in issues:
        index = bisect_right(starts, position) - 1
        if index >= 0:
            per_line[index].append(InputProblem("tr3", text))
        else:
            header_issues += 1
            if header_issues <= _LISTED_HEADER_ISSUES:
                claim_wide.append(InputProblem("tr3", text))
    if header_issues > _LISTED_HEADER_ISSUES:
        more = header_issues - _LISTED_HEADER_ISSUES
        claim_wide.append(
            InputProblem("tr3", f"{more} more TR3 errors in the claim before its first LX are counted here, not listed")
        )
    header_problems = (*raw.problems, *_without(parsed.problems, raw.problems))
    if not raw.lines:
        placeholder = parsed.lines[0]
        line = dataclasses.replace(placeholder, problems=tuple(claim_wide), origin=raw.origin, location=raw.location)
        return dataclasses.replace(parsed, lines=(line,), problems=header_problems)
    lines = tuple(
        dataclasses.replace(
            parsed_line,
            problems=(*claim_wide, *extra, *raw_line.problems, *_without(parsed_line.problems, raw_line.problems)),
        )
        for parsed_line, raw_line, extra in zip(parsed.lines, raw.lines, per_line, strict=True)
    )
    return dataclasses.replace(parsed, lines=lines, problems=header_problems)


def _read(path: Path, issues: Sequence[tuple[int, str]]) -> Iterator[ParsedClaim]:
    envelope: Envelope = scan_envelope(path, issues)
    orphans = deque(sorted(envelope.orphans, key=lambda orphan: orphan.position))
    claim_issues = deque(envelope.claim_issues)
    header_issues: list[tuple[int, str]] = []  # of the claim read, before its first LX: for each block
    for item in read_loops(iter_segments(path), path.name):
        start = item.position if isinstance(item, EmptyTransaction) else item.start
        while orphans and orphans[0].position < start:
            yield _orphan(path, orphans.popleft())
        shared = envelope.problems.get(item.transaction, ())
        if isinstance(item, EmptyTransaction):
            if shared:
                yield _placeholder(shared, item.origin, item.location)
            continue
        hierarchy = envelope.hierarchy_issues
        if hierarchy:
            above = [InputProblem("tr3", text) for hl in item.hierarchy for text in hierarchy.get(hl, ())]
            shared = (*shared, *above)
        mine = []
        while claim_issues and claim_issues[0][0] <= item.end:
            mine.append(claim_issues.popleft())
        if item.continued:
            mine = [*header_issues, *mine]
        elif item.lines:
            header_issues = [issue for issue in mine if issue[0] < item.lines[0].position]
        yield _claim(item, shared, mine)
    for orphan in orphans:
        yield _orphan(path, orphan)
