"""The scopes of an X12 envelope while pass one (``envelope.py``) walks the file: each ISA, GS and
ST opens one, each IEA, GE and SE closes it, and the checks between a header and its trailer
(counts, control numbers, versions, uniqueness, segments without an identifier) are made here.

Closing a scope hands its problems to the transactions it holds, by ordinal; a scope without a
transaction to carry them leaves an ``Orphan``. TR3 issues are routed to the scope, claim or HL
loop they fall in (``tr3.py`` counts and words them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from claimcheck.io.readers.x12.tokens import Segment, as_count, unreadable_segments
from claimcheck.io.readers.x12.tr3 import HierarchyIssues, Issue, Tally
from claimcheck.models.parse import InputProblem

__all__ = ["INSTITUTIONAL", "PROFESSIONAL", "SUPPORTED", "Orphan", "Scan"]

PROFESSIONAL = "005010X222"
INSTITUTIONAL = "005010X223"
SUPPORTED = f"5010 837P ({PROFESSIONAL}A1) and 837I ({INSTITUTIONAL}A2)"


@dataclass(frozen=True, slots=True)
class Orphan:
    """A problem of a scope (or a stray segment) that no transaction of the file can carry."""

    position: int
    problem: InputProblem


@dataclass(slots=True)
class _Scope:
    """An open interchange, group or transaction while scanning."""

    kind: str  # "interchange", "group" or "transaction"
    control: str
    position: int
    first_transaction: int
    problems: list[InputProblem] = field(default_factory=list)
    tr3: Tally = field(default_factory=Tally)
    children: int = 0
    version: str = ""
    controls: dict[str, int] = field(default_factory=dict)  # each child's control number: its first position
    # Segments without an X12 identifier: the first three (the finding names no more) and a count,
    # so that a file of junk does not keep a position per segment.
    unreadable: list[int] = field(default_factory=list)
    unreadable_count: int = 0

    def add(self, problem: str) -> None:
        self.problems.append(InputProblem("envelope", problem))

    def add_unreadable(self, position: int) -> None:
        self.unreadable_count += 1
        if len(self.unreadable) < 3:
            self.unreadable.append(position)

    def unreadable_problem(self) -> str | None:
        return unreadable_segments(self.unreadable, self.unreadable_count) if self.unreadable else None


class Scan:
    """The open scopes and everything found so far; ``envelope._scan`` calls a method per segment."""

    def __init__(self, issues: Sequence[tuple[int, str]], file: str = "") -> None:
        self.file = _Scope("file", file, 0, 0)  # the parent of interchanges, whose ISA13s it keeps
        self.interchange: _Scope | None = None
        self.group: _Scope | None = None
        self.transaction: _Scope | None = None
        self.transactions = 0  # ordinal of the last transaction opened
        self.problems: dict[int, list[InputProblem]] = {}
        self.tr3: dict[int, Tally] = {}
        self.orphans: list[Orphan] = []
        self.claim_issues: list[Issue] = []
        self.hierarchy = HierarchyIssues()
        self.issues = sorted(issues)
        self.claims = 0
        self.in_claim = False
        self.versions: list[tuple[str, bool]] = []  # each group's version, and whether it is 4010

    # Closing a scope hands its problems to its transactions (ordinals first..last).
    def _close(self, scope: _Scope, missing_trailer: str | None) -> None:
        if unreadable := scope.unreadable_problem():
            scope.add(unreadable)
        if missing_trailer:
            scope.add(f"{scope.kind} {scope.control} at segment {scope.position} has no {missing_trailer} trailer")
        if not scope.problems and not scope.tr3.count:
            return
        first, last = scope.first_transaction, self.transactions
        if scope.kind == "transaction":
            first = last
        if first > last:
            self.orphans.extend(Orphan(scope.position, problem) for problem in scope.problems)
            if scope.tr3.count:
                self.orphans.append(Orphan(scope.position, scope.tr3.problem()))
            return
        for ordinal in range(first, last + 1):
            if scope.problems:
                self.problems.setdefault(ordinal, []).extend(scope.problems)
            if scope.tr3.count:
                self.tr3.setdefault(ordinal, Tally()).merge(scope.tr3)

    def _orphan(self, position: int, problem: str) -> None:
        self.orphans.append(Orphan(position, InputProblem("envelope", problem)))

    def _open(self, kind: str, segment: Segment, control: str) -> _Scope:
        return _Scope(kind, control or "(no control number)", segment.position, self.transactions + 1)

    def isa(self, segment: Segment) -> None:
        self.iea(None)
        self.stray_end()
        self.interchange = self._open("interchange", segment, segment.get(13))
        _unique(self.file, self.interchange, segment, 13)
        for problem in segment.interchange.problems:
            self.interchange.add(problem)
        self.interchange.version = segment.get(12)

    def gs(self, segment: Segment) -> None:
        self.ge(None)
        if self.interchange is None:
            self._orphan(segment.position, f"GS at segment {segment.position} is outside an interchange (ISA…IEA)")
        else:
            self.interchange.children += 1
        group = self.group = self._open("group", segment, segment.get(6))
        _unique(self.interchange, group, segment, 6)
        group.version = segment.get(8)
        isa12 = self.interchange.version if self.interchange else ""
        old = group.version.startswith("004010") or (isa12 == "00401" and not group.version)
        self.versions.append((_version_name(group.version, isa12), old))
        if old:
            group.add(
                f"uses X12 version 4010 ({_version_name(group.version, isa12)}), which is not supported; "
                f"claimcheck reads {SUPPORTED}"
            )
        elif not group.version.startswith((PROFESSIONAL, INSTITUTIONAL)):
            group.add(f"GS08 version {group.version or '(empty)'} is not a {SUPPORTED} version")
        # The claims are read by GS08, so an ISA12 of another version is reported, not refused.
        if self.interchange is not None and group.version[:6].isdecimal() and group.version[:5] != isa12:
            group.add(
                f"ISA12 interchange version {_release(isa12)} differs from GS08 version {_release(group.version)}"
            )

    def st(self, segment: Segment) -> None:
        self.se(None)
        self.transactions += 1
        transaction = self.transaction = self._open("transaction", segment, segment.get(2))
        _unique(self.group, transaction, segment, 2)
        if self.group is None:
            transaction.add(f"ST at segment {segment.position} is outside a functional group (GS…GE)")
        else:
            self.group.children += 1
        if segment.get(1) != "837":
            transaction.add(f"ST01 transaction set {segment.get(1) or '(empty)'} is not an 837 claim")
        st03, gs08 = segment.get(3), self.group.version if self.group else ""
        if st03 and gs08 and st03 != gs08:
            transaction.add(f"ST03 version {st03} differs from GS08 version {gs08}")

    def hl(self, segment: Segment) -> None:
        if self.transaction is not None:
            for issue in self.hierarchy.hl(segment):
                self.transaction.tr3.add(issue)

    def claim(self) -> None:
        self.in_claim = True
        self.hierarchy.claim()

    def leave_hierarchy(self) -> None:
        """The HL loops end (a trailer or header follows): their unclaimed issues are shared."""
        for issue in self.hierarchy.close():
            self._share(issue)

    def se(self, segment: Segment | None) -> None:
        self.leave_hierarchy()
        transaction, self.transaction = self.transaction, None
        counted = segment.position - transaction.position + 1 if segment is not None and transaction is not None else 0
        self._end(transaction, segment, ("SE", "ST", "ST02"), "segments", counted)

    def ge(self, segment: Segment | None) -> None:
        self.se(None)
        group, self.group = self.group, None
        self._end(group, segment, ("GE", "GS", "GS06"), "transactions", group.children if group is not None else 0)

    def iea(self, segment: Segment | None) -> None:
        self.ge(None)
        interchange, self.interchange = self.interchange, None
        counted = interchange.children if interchange is not None else 0
        self._end(interchange, segment, ("IEA", "ISA", "ISA13"), "groups", counted)

    def _end(
        self, scope: _Scope | None, trailer: Segment | None, names: tuple[str, str, str], what: str, counted: int
    ) -> None:
        """Close ``scope`` at its ``trailer`` (None: the trailer is missing, a header or the end of
        the file closes it); ``names`` are the trailer's id, the header's id and the header's
        control number element."""
        trailer_id, header_id, header_control = names
        if scope is None:
            if trailer is not None:
                self._orphan(
                    trailer.position, f"{trailer_id} at segment {trailer.position} has no {header_id} before it"
                )
            return
        if trailer is not None:
            _check_count(scope, trailer, f"{trailer_id}01", what, counted)
            _check_control(scope, trailer, f"{trailer_id}02", header_control)
        self._close(scope, trailer_id if trailer is None else None)

    def unreadable(self, position: int) -> None:
        # Outside any interchange a run of them is one orphan (``stray_end``), not one each.
        (self.transaction or self.group or self.interchange or self.file).add_unreadable(position)

    def stray_end(self) -> None:
        """Segments without an identifier outside any interchange end (an ISA, or the file's end)."""
        if unreadable := self.file.unreadable_problem():
            self._orphan(self.file.unreadable[0], unreadable)
            self.file.unreadable, self.file.unreadable_count = [], 0

    def issue(self, position: int, text: str) -> None:
        """Route a TR3 issue at ``position``: inside a claim it waits for pass two, in a subscriber
        or patient loop for the claims under it; otherwise the innermost open scope counts it."""
        if self.in_claim:
            self.claim_issues.append((position, text))
        elif self.transaction is None or not self.hierarchy.take((position, text)):
            self._share((position, text))

    def _share(self, issue: Issue) -> None:
        scope = self.transaction or self.group or self.interchange
        if scope is None:
            self.orphans.append(Orphan(issue[0], InputProblem("tr3", issue[1])))
        else:
            scope.tr3.add(issue)


def _release(version: str) -> str:
    """An ISA12 or GS08 version with the X12 release it names: "00401 (X12 4010)"."""
    if not version:
        return "(empty)"
    digits = version[:5]
    return f"{version} (X12 {digits[2:]}0)" if digits.isdecimal() and digits.startswith("00") else version


def _version_name(gs08: str, isa12: str) -> str:
    return f"GS08 {gs08}" if gs08 else f"ISA12 {isa12}"


def _unique(parent: _Scope | None, scope: _Scope, header: Segment, index: int) -> None:
    """An interchange's ISA13 is unique within its file, a group's GS06 within its interchange, a
    transaction's ST02 within its group: a receiver takes a repeat for a resubmission and rejects it."""
    control, element = header.get(index), f"{header.id}{index:02d}"
    if parent is None or not control:
        return
    first = parent.controls.setdefault(control, header.position)
    if first != header.position:
        scope.add(
            f"{element} control number {control} at segment {header.position} is also that of the {scope.kind} at "
            f"segment {first} in {parent.kind} {parent.control}; each {scope.kind}'s must be unique within its "
            f"{parent.kind}"
        )


def _check_count(scope: _Scope, trailer: Segment, element: str, what: str, counted: int) -> None:
    said = trailer.get(1)
    if as_count(said) != counted:
        scope.add(
            f"{element} at segment {trailer.position} says {said or '(empty)'} {what} but {scope.kind} "
            f"{scope.control} has {counted}"
        )


def _check_control(scope: _Scope, trailer: Segment, element: str, header_element: str) -> None:
    control = trailer.get(2)
    if control != scope.control:
        scope.add(
            f"{element} control number {control or '(empty)'} at segment {trailer.position} does not match "
            f"{header_element} {scope.control}"
        )
