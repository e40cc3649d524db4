"""A finished 2300 loop as a claim in the JSON claims shape, each line resolved against the claim.

What a line does not say itself it takes from its claim, as the 837 TR3s direct: diagnoses
through SV107 pointers (837P) or all of the claim's HI diagnosis codes (837I: principal, other,
admitting, reason for visit, external cause), the rendering provider from 2420A, else 2310B,
else the billing provider, the date from the line's DTP*472, else the claim's (DTP*434 statement
start on an 837I), and the place of service from SV105, else CLM05-1 (837P only: on an 837I
CLM05-1 is a facility type, not a place of service).
"""

from __future__ import annotations

from typing import Any

from claimcheck.io.readers.x12.fields import inverted_range, read_service, service_date
from claimcheck.io.readers.x12.model import ClaimLoop, LineLoop, Person, RawClaim, RawLine
from claimcheck.io.readers.x12.named import Named
from claimcheck.io.readers.x12.tokens import Segment, as_count
from claimcheck.io.readers.x12.undecoded import not_utf8
from claimcheck.models.invisible import describe_invisible
from claimcheck.models.parse import InputProblem

__all__ = ["CLAIM_DATES", "MOST_LINES", "build_claim"]

# The most service lines (2400 loops) an 837 claim may hold: 999 on an 837I, 50 on an 837P. A
# claim is held this many lines at a time: every claim a receiver accepts is checked whole, and a
# longer one, which a receiver rejects, cannot take memory in proportion to its length.
MOST_LINES = 999
_PROFESSIONAL_LINES = 50
# The claim's DTP qualifiers a line may take its date from: service date, statement period (837I).
# Only these are kept: a header of thousands of others would be held for nothing.
CLAIM_DATES = ("472", "434")
_VOID = "8"  # CLM05-3 claim frequency code: void or cancel of a prior claim


def _date(loop: ClaimLoop, line: LineLoop, institutional: bool) -> tuple[str | None, InputProblem | None]:
    candidates: list[Segment | None] = [line.date, loop.dates.get("472")]
    if institutional:
        candidates.append(loop.dates.get("434"))
    dtp = next((candidate for candidate in candidates if candidate is not None), None)
    if dtp is None:
        where = "DTP*472 on the line or the claim" + (", nor a DTP*434 statement period" if institutional else "")
        return None, InputProblem("date_of_service", f"is missing: no {where}")
    value = service_date(dtp.get(2), dtp.get(3))
    if value is None:
        invisible = describe_invisible(dtp.get(3))
        return None, InputProblem(
            "date_of_service",
            f"DTP*{dtp.get(1)} at segment {dtp.position} is not a D8 (CCYYMMDD) or RD8 (CCYYMMDD-CCYYMMDD) date"
            + (f": DTP03 holds {invisible}" if invisible else ""),
        )
    if inverted_range(dtp.get(2), dtp.get(3)):
        return None, InputProblem(
            "date_of_service", f"DTP*{dtp.get(1)} at segment {dtp.position} is an RD8 range that ends before it starts"
        )
    return value, None


def _lx_value(lx: str | None) -> str | int | None:
    # An empty LX01 names no line: the location leaves ``lx`` out rather than saying "".
    if not lx:
        return None
    number = as_count(lx)
    return lx if number is None else number


def _unnamed_nm1(named: Named) -> list[InputProblem]:
    if not named.count:
        return []
    what = f"NM1 at segment {named.listing()} has" if named.count == 1 else f"NM1s at segments {named.listing()} have"
    return [InputProblem("rendering_npi", f"is unknown: {what} no entity identifier (NM101)")]


def _void(loop: ClaimLoop) -> list[InputProblem]:
    """A void is sent to cancel a claim sent before; a scrubber sees only its lines."""
    clm05 = loop.clm.components(5) if loop.clm is not None else []
    if len(clm05) < 3 or clm05[2] != _VOID:
        return []
    message = (
        f"is {_VOID} (void) in CLM05-3 at segment {loop.start}: the claim voids an earlier one, and claimcheck "
        "checks its lines as if it were an original claim"
    )
    return [InputProblem("claim_frequency", message, unchecked=True)]


def _line(loop: ClaimLoop, line: LineLoop, claim_id: str | None, inherited: list[InputProblem]) -> RawLine:
    data: dict[str, Any] = {}
    problems = [*inherited, *not_utf8(line.undecoded), *_unnamed_nm1(line.unnamed_nm1)]
    if line.lx:
        data["line_number"] = line.lx
    else:
        # ``line.position`` is the LX's when there is one (LX01 empty), else the SV1/SV2's.
        what = line.service.id if line.lx is None and line.service is not None else "LX"
        problems.append(InputProblem("line_number", f"is missing: {what} at segment {line.position} has no LX01"))
    institutional = loop.context.institutional
    if line.service is None:
        problems.append(
            InputProblem("procedure_code", f"is missing: LX at segment {line.position} has no SV1 or SV2 segment")
        )
    else:
        service = read_service(line.service)
        institutional = service.institutional
        problems.extend(service.problems)
        if service.procedure_code:
            data["procedure_code"] = service.procedure_code
        data["modifiers"] = service.modifiers  # a tuple, as the diagnoses below: one modifier per component
        if service.units:
            data["units"] = service.units
        if service.charge:
            data["charge"] = service.charge
        if not institutional:
            clm05 = loop.clm.components(5) if loop.clm is not None else []
            place = service.place_of_service or (clm05[0] if clm05 else None)
            if place:
                data["place_of_service"] = place
            codes, pointer_problems = loop.diagnoses.pointed(service.pointers, line.service.position)
            # A tuple: each HI code is one code as sent, which the model does not split again.
            data["diagnosis_codes"] = tuple(codes)
            problems.extend(pointer_problems)
    if institutional:
        data["diagnosis_codes"] = tuple(loop.diagnoses.icd10())
    provider = line.provider or loop.provider or loop.billing
    if provider.npi:
        data["rendering_npi"] = provider.npi
    if provider.taxonomy:
        data["rendering_taxonomy"] = provider.taxonomy
    date, date_problem = _date(loop, line, institutional)
    if date is not None:
        data["date_of_service"] = date
    if date_problem is not None:
        problems.append(date_problem)
    lx = _lx_value(line.lx)
    context = loop.context
    detail = f"claim {claim_id or '(no id)'}" + (f", LX {line.lx}" if line.lx else "")
    location = context.location(claim_id=claim_id, lx=lx, segment=line.position)
    return RawLine(data, tuple(problems), context.origin(line.position, detail), location, line.position)


def _line_count(loop: ClaimLoop, more: bool) -> InputProblem | None:
    """What is wrong with the number of the claim's lines: more than its TR3 allows, and, past
    ``MOST_LINES``, checked in blocks."""
    context, count, split = loop.context, len(loop.lines), more or loop.blocks > 0
    if context.professional or context.institutional:
        kind, allowed = ("837P", _PROFESSIONAL_LINES) if context.professional else ("837I", MOST_LINES)
        allows = f"the {kind} allows {allowed} service lines (2400 loops)"
    else:
        allowed, allows = MOST_LINES, f"no 837 allows more than {MOST_LINES} service lines (2400 loops)"
    if not split and count <= allowed:
        return None
    said = f"{'more than ' + str(MOST_LINES) if split else count} in the claim at segment {loop.start}, where {allows}"
    said += ", so a receiver rejects the claim"
    if split:
        said += (
            f"; its lines are checked {MOST_LINES} at a time, so the edits across a claim's lines (pairs, "
            "duplicates, units per day, repeated line numbers) do not look from one block into another"
        )
    return InputProblem("lines", "are " + said)


def build_claim(loop: ClaimLoop, person: Person, more: bool = False) -> RawClaim:
    """The claim of a finished 2300 loop; ``person`` is the patient (2010CA) or, without a 2000C
    loop, the subscriber (2010BA). ``more``: the loop goes on past ``MOST_LINES`` lines, and these
    are a block of them (so are they when ``loop.blocks`` were handed on before)."""
    claim_id = (loop.clm.get(1) or None) if loop.clm is not None else None
    header = {
        "claim_id": claim_id,
        "patient_sex": person.sex,
        "patient_birth_date": person.birth_date,
        "payer": loop.payer,
    }
    problems = [person.problem] if person.problem is not None else []
    if loop.clm is None:
        problems.append(InputProblem("claim_id", f"is missing: the service line at segment {loop.start} has no CLM"))
    problems.extend(_void(loop))
    inherited = loop.diagnoses.problems()
    line_count = _line_count(loop, more)
    if line_count is not None:
        inherited.append(line_count)
    shared = [*loop.problems, *not_utf8(loop.undecoded), *_unnamed_nm1(loop.unnamed_nm1)]
    if not loop.lines:
        problems.append(
            InputProblem("lines", f"is missing: the claim at segment {loop.start} has no service line (2400 LX)")
        )
        # What each line would carry (envelope, hierarchy, HI problems) the claim carries itself.
        problems.extend([*shared, *inherited])
    lines = tuple(_line(loop, line, claim_id, [*inherited, *shared]) for line in loop.lines)
    context = loop.context
    detail = f"claim {claim_id or '(no id)'}"
    return RawClaim(
        {key: value for key, value in header.items() if value is not None},
        lines,
        tuple(problems),
        context.transaction_ordinal,
        loop.hierarchy,
        loop.start,
        loop.end - 1 if more else loop.end,  # a block ends before the LX that opens the next one
        context.origin(loop.start, detail),
        context.location(claim_id=claim_id, segment=loop.start),
        continued=loop.blocks > 0,
    )
