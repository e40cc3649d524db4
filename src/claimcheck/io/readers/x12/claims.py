"""Pass two over an X12 837 file: the loops, turned into claims in the JSON claims shape.

A state machine over the segment stream. The hierarchy (2000A billing provider, 2000B
subscriber with its payer, 2000C patient) is kept while it applies; a claim (2300 CLM) collects
its HI codes, dates and rendering provider; each 2400 LX opens a service line. A claim is handed
on as soon as a segment that cannot belong to it arrives (``CLAIM_ENDERS``), so memory holds one
claim at a time, and of a claim longer than any 837 allows, ``MOST_LINES`` lines at a time. Loops
the lines do not need (2320/2330 other payers, 2430 adjudication…) are passed over, taking care
that their NM1*82, NM1*PR, DMG and DTP do not overwrite the claim's own. What a header or a line
keeps is bounded too: HI codes past ``diagnoses.MOST_CODES`` and NM1s without NM101 are counted,
and only the DTPs a line reads are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from claimcheck.io.readers.x12.envelope import CLAIM_ENDERS, INSTITUTIONAL, PROFESSIONAL
from claimcheck.io.readers.x12.fields import Provider, npi
from claimcheck.io.readers.x12.hierarchy import HLChain, HLCheck
from claimcheck.io.readers.x12.lines import CLAIM_DATES, MOST_LINES, build_claim
from claimcheck.io.readers.x12.model import ClaimLoop, Context, EmptyTransaction, LineLoop, Person, RawClaim
from claimcheck.io.readers.x12.tokens import Segment
from claimcheck.io.readers.x12.undecoded import BeforeClaims, replaced, segment_name
from claimcheck.models.parse import InputProblem

__all__ = ["read_loops"]

Result = RawClaim | EmptyTransaction | None


@dataclass(slots=True)
class _Hierarchy:
    """The 2000A/B/C loops in force for the next claim."""

    level: str = ""
    billing: Provider = field(default_factory=Provider)
    subscriber: Person = field(default_factory=Person)
    patient: Person | None = None  # set when a 2000C loop exists: the patient is not the subscriber
    payer: str | None = None


class _Reader:
    def __init__(self, file: str) -> None:
        self.context = Context(file)
        self.claims_in_transaction = 0
        self.hierarchy = _Hierarchy()
        self.chain = HLChain()  # which HL loops a claim is under, as the envelope pass sees them
        self.hl_check = HLCheck()
        self.hl_problems: dict[int, InputProblem] = {}  # by HL position, for the open HL loops only
        self.before_claims = BeforeClaims()
        self.claim: ClaimLoop | None = None
        self.handlers: dict[str, Callable[[Segment], Result]] = {
            "ISA": self._isa, "GS": self._gs, "ST": self._st, "SE": self._se, "GE": self._ge,
            "IEA": self._iea, "HL": self._hl, "CLM": self._clm, "NM1": self._nm1, "PRV": self._prv,
            "DMG": self._dmg, "SBR": self._sbr, "HI": self._hi, "DTP": self._dtp, "LX": self._lx,
            "SV1": self._service, "SV2": self._service,
        }  # fmt: skip

    def feed(self, segment: Segment) -> Result:
        name = segment.elements[0]
        claim = self.claim
        if claim is not None and name not in CLAIM_ENDERS:
            claim.end = segment.position
        handler = self.handlers.get(name)
        result = handler(segment) if handler is not None else None
        if replaced(segment):
            self._not_utf8(segment)
        return result

    def _not_utf8(self, segment: Segment) -> None:
        """Keep ``segment``, which holds bytes that are not UTF-8, for the lines it bears on
        (``undecoded``): its line's, its claim's, or, before the claim, its HL loop's."""
        claim = self.claim
        if claim is None:
            innermost = self.chain.innermost
            self.before_claims.add(segment, innermost.position if innermost is not None else None)
            return
        lines = claim.lines
        line = lines[-1] if lines and segment.position >= lines[-1].position else None
        (line.undecoded if line is not None else claim.undecoded).add(segment_name(segment))

    def finish(self) -> Result:
        return self._end_transaction()

    # Envelope. Every envelope segment ends the open claim and the open transaction (a header
    # inside a transaction means its trailer is missing; the envelope pass reports that).
    def _end_claim(self) -> RawClaim | None:
        claim, self.claim = self.claim, None
        if claim is None:
            return None
        self.claims_in_transaction += 1
        return build_claim(claim, self._person())

    def _person(self) -> Person:
        hierarchy = self.hierarchy
        return hierarchy.subscriber if hierarchy.patient is None else hierarchy.patient

    def _end_transaction(self) -> Result:
        claim = self._end_claim()
        context = self.context
        if context.transaction is None:
            return claim
        self.context = context.enter(transaction=None)
        if self.claims_in_transaction:
            return claim
        return EmptyTransaction(
            context.ordinal,
            context.st_position,
            context.origin(context.st_position),
            context.location(segment=context.st_position),
        )

    def _isa(self, segment: Segment) -> Result:
        result = self._end_transaction()
        self.context = self.context.enter(interchange=segment.get(13), group=None, version="")
        return result

    def _gs(self, segment: Segment) -> Result:
        result = self._end_transaction()
        self.context = self.context.enter(group=segment.get(6), version=segment.get(8))
        return result

    def _st(self, segment: Segment) -> Result:
        result = self._end_transaction()
        version = segment.get(3) or self.context.version
        self.context = self.context.open_transaction(
            segment.get(2), segment.position, INSTITUTIONAL in version, PROFESSIONAL in version
        )
        self.claims_in_transaction = 0
        self.hierarchy = _Hierarchy()
        self.chain = HLChain()
        self.hl_check = HLCheck()
        self.hl_problems = {}
        self.before_claims = BeforeClaims()
        return result

    def _se(self, segment: Segment) -> Result:
        return self._end_transaction()

    def _ge(self, segment: Segment) -> Result:
        result = self._end_transaction()
        self.context = self.context.enter(group=None, version="")
        return result

    def _iea(self, segment: Segment) -> Result:
        result = self._end_transaction()
        self.context = self.context.enter(interchange=None, group=None, version="")
        return result

    # The 2000 hierarchy.
    def _hl(self, segment: Segment) -> Result:
        result = self._end_claim()
        problem = self.hl_check.hl(segment)
        for closed in self.chain.enter(segment):
            self.hl_problems.pop(closed.position, None)
            self.before_claims.close(closed.position)
        if problem is not None:
            self.hl_problems[segment.position] = InputProblem("hierarchy", problem)
        level = segment.get(3)
        hierarchy = self.hierarchy
        hierarchy.level = level
        if level == "20":
            self.hierarchy = _Hierarchy(level=level)
        elif level == "22":
            hierarchy.subscriber, hierarchy.patient, hierarchy.payer = Person(), None, None
        elif level == "23":
            hierarchy.patient = Person()
        return result

    def _nm1(self, segment: Segment) -> Result:
        entity = segment.get(1)
        claim = self.claim
        if claim is None:
            hierarchy = self.hierarchy
            if entity == "85":
                hierarchy.billing = Provider(npi(segment), hierarchy.billing.taxonomy)
            elif entity == "PR":
                hierarchy.payer = segment.get(3) or None
            return None
        line = claim.lines[-1] if claim.lines else None
        if line is None and claim.other_payers:
            return None
        if not entity:
            # Without NM101 nobody can tell whether this NM1 names the rendering provider.
            (line if line is not None else claim).unnamed_nm1.add(str(segment.position))
        if line is not None:
            line.last_nm1 = entity
            if entity == "82":
                line.provider = Provider(npi(segment))
        else:
            claim.last_nm1 = entity
            if entity == "82":
                claim.provider = Provider(npi(segment))
        return None

    def _prv(self, segment: Segment) -> Result:
        taxonomy = segment.get(3) or None
        claim = self.claim
        if claim is None:
            if self.hierarchy.level == "20" and segment.get(1) == "BI":
                self.hierarchy.billing = Provider(self.hierarchy.billing.npi, taxonomy)
            return None
        line = claim.lines[-1] if claim.lines else None
        # A PRV belongs to the NM1 loop it follows: only the rendering provider's (NM1*82) counts.
        if line is not None and line.last_nm1 == "82" and line.provider is not None:
            line.provider = Provider(line.provider.npi, taxonomy)
        elif line is None and claim.last_nm1 == "82" and claim.provider is not None and not claim.other_payers:
            claim.provider = Provider(claim.provider.npi, taxonomy)
        return None

    def _dmg(self, segment: Segment) -> Result:
        if self.claim is not None:
            return None  # a 2320 other subscriber's DMG, not the patient's
        hierarchy = self.hierarchy
        person = hierarchy.patient if hierarchy.level == "23" else hierarchy.subscriber
        if person is not None and hierarchy.level in ("22", "23"):
            person.read(segment)
        return None

    # The claim and its lines.
    def _open_claim(self, clm: Segment | None, position: int) -> ClaimLoop:
        hierarchy = self.hierarchy
        levels = self.chain.levels
        under = tuple(level.position for level in levels)
        claim = ClaimLoop(clm, position, position, self.context, hierarchy.billing, hierarchy.payer, under)
        opener = clm.id if clm is not None else "service line"
        claim.problems.extend(self.hl_problems[at] for at in under if at in self.hl_problems)
        claim.undecoded.extend(self.before_claims.under(under))
        if self.context.transaction is not None and (misplaced := HLCheck.claim(levels, opener, position)):
            claim.problems.append(InputProblem("hierarchy", misplaced))
        if self.context.transaction is None:
            # After an SE (or before any ST) no transaction carries the claim; the envelope pass
            # only sees the scopes that exist, so the claim says it itself.
            claim.problems.append(
                InputProblem("envelope", f"{opener} at segment {position} is outside a transaction (ST…SE)")
            )
        self.claim = claim
        return claim

    def _clm(self, segment: Segment) -> Result:
        result = self._end_claim()
        self._open_claim(segment, segment.position)
        return result

    def _sbr(self, segment: Segment) -> Result:
        if self.claim is not None and not self.claim.lines:
            self.claim.other_payers = True
        return None

    def _hi(self, segment: Segment) -> Result:
        if self.claim is not None and not self.claim.lines:
            self.claim.diagnoses.add(segment)
        return None

    def _dtp(self, segment: Segment) -> Result:
        claim = self.claim
        if claim is None:
            return None
        if claim.lines:
            if segment.get(1) == "472":
                claim.lines[-1].date = segment
        elif not claim.other_payers and (qualifier := segment.get(1)) in CLAIM_DATES:
            claim.dates.setdefault(qualifier, segment)
        return None

    def _new_line(self, claim: ClaimLoop, line: LineLoop) -> Result:
        result = None
        if len(claim.lines) == MOST_LINES:
            # More lines than any 837 allows: hand on those read so far, so that a hostile claim
            # of millions of LX loops is held MOST_LINES lines at a time.
            result = build_claim(claim, self._person(), more=True)
            claim.blocks += 1
            claim.lines = []
        claim.lines.append(line)
        return result

    def _lx(self, segment: Segment) -> Result:
        claim = self.claim or self._open_claim(None, segment.position)
        return self._new_line(claim, LineLoop(segment.position, segment.get(1)))

    def _service(self, segment: Segment) -> Result:
        claim = self.claim or self._open_claim(None, segment.position)
        result = None
        if not claim.lines or claim.lines[-1].service is not None:
            result = self._new_line(claim, LineLoop(segment.position, None))
        claim.lines[-1].service = segment
        return result


def read_loops(segments: Iterable[Segment], file: str) -> Iterator[RawClaim | EmptyTransaction]:
    """The claims of an 837 segment stream, each as soon as its CLM loop ends, plus a marker for
    each transaction that held no claim."""
    reader = _Reader(file)
    for segment in segments:
        result = reader.feed(segment)
        if result is not None:
            yield result
    result = reader.finish()
    if result is not None:
        yield result
