"""Pass one over an X12 file: the envelope (ISA/GS/ST and their trailers), checked before any claim.

Trailers come after the claims they count (SE after the last claim of its transaction, GE and
IEA later still), so a single streaming pass could only report a wrong count on the claims it
has not yet let go of. A first pass that looks only at envelope segments is cheap, keeps no
claims, and lets every line of an affected transaction carry the problem. It also tells, before
anything is yielded, whether the whole file is 4010 (refused) and whether it holds claims at all.

Problems are kept per transaction (by ordinal, since control numbers may repeat across
interchanges); a group's or interchange's problems go to each of its transactions. A scope with
no transaction to carry its problems yields an ``Orphan``; the scopes and their checks are in
``scopes.py``, this module walks the file and routes. TR3 issues (``--x12-strict``) are
routed here too, by ``tr3.py``: those inside a claim wait for pass two, those in a subscriber or
patient loop wait for the claims under it, the rest are counted per transaction.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from claimcheck.errors import InputError
from claimcheck.io.readers.x12.scopes import INSTITUTIONAL, PROFESSIONAL, SUPPORTED, Orphan, Scan
from claimcheck.io.readers.x12.tokens import Segment, is_segment_id, iter_segments
from claimcheck.io.readers.x12.tr3 import Issue
from claimcheck.models.parse import InputProblem

__all__ = ["CLAIM_ENDERS", "CLAIM_STARTERS", "INSTITUTIONAL", "PROFESSIONAL", "Envelope", "Orphan", "scan_envelope"]


# Segments that close an open CLM loop; shared with pass two so both agree where a claim ends.
CLAIM_ENDERS = frozenset({"HL", "CLM", "ST", "SE", "GS", "GE", "ISA", "IEA"})
# Besides CLM, a service line outside any claim opens one (pass two reads it as a claim without id).
CLAIM_STARTERS = frozenset({"LX", "SV1", "SV2"})
_TRAILERS = frozenset({"SE", "GE", "IEA"})
# Segments that belong outside a transaction: the envelope's, and the interchange-level TA1 (and
# the rare ISB/ISE) that X12 allows between an ISA and its first GS.
_ENVELOPE = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA", "TA1", "ISB", "ISE"})
_NEVER = sys.maxsize  # the position of "no more issues"
_MOST_ELEMENTS = 40  # more than any 837 segment holds (CLM and SV1 have 21 at most)


@dataclass(frozen=True, slots=True)
class Envelope:
    """What pass one found: problems per transaction ordinal, orphans, TR3 issues that fall
    inside a claim, and TR3 issues of subscriber/patient loops by HL position (pass two puts
    those on the lines of the claims under that HL)."""

    problems: Mapping[int, tuple[InputProblem, ...]]
    orphans: tuple[Orphan, ...]
    claim_issues: tuple[Issue, ...]
    hierarchy_issues: Mapping[int, tuple[str, ...]]


class _Strays:
    """A run of segments outside any transaction, up to the next envelope segment: one orphan,
    the first three named by position and id (never content), unless a claim ends the run."""

    def __init__(self) -> None:
        self.named: list[str] = []
        self.count = self.first = 0
        self.where = ""

    def add(self, position: int, name: str, outside_interchange: bool) -> None:
        if not self.count:
            self.first = position
            self.where = (
                "any interchange (after an IEA, before any ISA)" if outside_interchange else "a transaction (ST…SE)"
            )
        self.count += 1
        if len(self.named) < 3:
            self.named.append(f"{position} ({name})")

    def drop(self) -> None:
        self.named, self.count = [], 0

    def close(self, orphans: list[Orphan]) -> None:
        if self.count:
            many = self.count > 1
            more = f" and {self.count - len(self.named)} more" if self.count > len(self.named) else ""
            message = (
                f"segment{'s' if many else ''} {', '.join(self.named)}{more} {'are' if many else 'is'} outside "
                f"{self.where}; a receiver rejects {'them' if many else 'it'}"
            )
            orphans.append(Orphan(self.first, InputProblem("envelope", message)))
        self.drop()


def _scan(segments: Iterator[Segment], scan: Scan) -> None:
    handlers = {"ISA": scan.isa, "GS": scan.gs, "ST": scan.st, "SE": scan.se, "GE": scan.ge, "IEA": scan.iea}
    issues, next_issue = scan.issues, 0
    if issues:  # HL loops matter only to route TR3 issues; without them the scan skips the work
        handlers["HL"] = scan.hl
    next_position = issues[0][0] if issues else _NEVER
    strays = _Strays()
    for segment in segments:
        name = segment.elements[0]
        handler = None
        outside = scan.transaction is None
        if not is_segment_id(name):
            scan.unreadable(segment.position)
            outside = False
        if name in CLAIM_ENDERS:
            scan.in_claim = False
            if name == "CLM":
                scan.claims += 1
                scan.claim()
            handler = handlers.get(name)
        elif name in CLAIM_STARTERS and not scan.in_claim:
            scan.claim()
        # An issue on a header lands on the scope the header opens, one on a trailer on the
        # scope the trailer closes: so headers are handled before routing, trailers after
        # (but a trailer is outside the HL loops before it).
        if handler is not None and name not in _TRAILERS:
            handler(segment)
        elif handler is not None:
            scan.leave_hierarchy()
        while next_position <= segment.position:
            scan.issue(*issues[next_issue])
            next_issue += 1
            next_position = issues[next_issue][0] if next_issue < len(issues) else _NEVER
        if handler is not None and name in _TRAILERS:
            handler(segment)
        if outside:
            if name in _ENVELOPE:
                strays.close(scan.orphans)
            elif name == "CLM" or name in CLAIM_STARTERS:
                strays.drop()  # the claim says it is outside a transaction; so are the segments before it
            elif not scan.in_claim:
                strays.add(segment.position, name, scan.interchange is None)
    scan.iea(None)
    scan.stray_end()
    strays.close(scan.orphans)
    scan.orphans.extend(Orphan(position, InputProblem("tr3", text)) for position, text in issues[next_issue:])


def _overlong(path: Path) -> str:
    """Why a file may seem to hold no claim: a segment with more elements than any 837 segment has
    is several run together, the file ending its segments with another terminator than the ISA's."""
    longest = max(iter_segments(path), key=lambda segment: len(segment.elements), default=None)
    if longest is None or len(longest.elements) <= _MOST_ELEMENTS:
        return ""
    terminator = longest.interchange.delimiters.segment
    return (
        f": segment {longest.position} has {len(longest.elements)} elements, as no 837 segment has; does it end its "
        f"segments with the terminator {terminator!r} its ISA declares?"
    )


def scan_envelope(path: Path, issues: Sequence[tuple[int, str]] = ()) -> Envelope:
    """Check the envelope of the file at ``path``; raise ``InputError`` when nothing in it can be
    checked (no claims at all, or only X12 4010 groups). ``issues`` are TR3 validation issues
    (segment position, text) to route to the scopes they fall in."""
    scan = Scan(issues, path.name)
    _scan(iter_segments(path), scan)
    old = [version for version, is_old in scan.versions if is_old]
    if old and len(old) == len(scan.versions):
        versions = ", ".join(sorted(set(old)))
        raise InputError(
            path, f"is an X12 4010 file ({versions}), which is not supported; claimcheck reads {SUPPORTED}"
        )
    if not scan.claims:
        raise InputError(path, "holds no 837 claim (no CLM segment)" + _overlong(path))
    problems = {ordinal: tuple(found) for ordinal, found in scan.problems.items()}
    for ordinal, tally in scan.tr3.items():
        problems[ordinal] = (*problems.get(ordinal, ()), tally.problem())
    return Envelope(problems, tuple(scan.orphans), tuple(scan.claim_issues), scan.hierarchy.settled)
