"""The diagnosis codes of a claim's HI segments, as SV107 pointers (837P) or a whole 837I line reads them.

Problems are said in X12 terms (which HI diagnosis, which segment, which pointer); a problem
that leaves the claim's other codes readable is filed under a field of its own (``hi_diagnoses``,
``diagnosis_pointers``), so the diagnosis checks still run on those codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from claimcheck.io.readers.x12.named import Named
from claimcheck.io.readers.x12.tokens import Segment, as_count
from claimcheck.models.parse import InputProblem

__all__ = ["Diagnoses"]

_ICD10 = ("ABK", "ABF")  # principal, other ICD-10-CM diagnosis
_ICD9 = ("BK", "BF")  # the same for ICD-9-CM, which the code sets here do not cover
_DIAGNOSIS_QUALIFIERS = frozenset(_ICD10 + _ICD9)
# 837I only: admitting diagnosis, patient's reason for visit, external cause of injury. Codes of
# the claim for its lines to check, but outside what SV107 pointers count and what "sent twice"
# means (an admitting diagnosis is often the principal one).
_ICD10_OTHER = frozenset({"ABJ", "APR", "ABN"})
_ICD9_OTHER = frozenset({"BJ", "PR", "BN"})
_QUOTED_SEGMENTS = 3  # an HI message names this many segments at most (a claim may hold dozens)
_MAX_POINTERS = 4  # SV107-1 to SV107-4
_MAX_QUALIFIER = 3  # HI qualifiers are 1-3 letters; a longer single component is a misread composite
# The most diagnosis codes a claim's HI segments are read for. An 837I carries some 40 at most
# (principal, admitting, 3 reasons for visit, 12 external causes, 24 others), an 837P 12; past
# this they are counted, not kept: on an 837I every line carries all of its claim's codes.
MOST_CODES = 100
_LONGEST_CODE = 30  # X12's C022-02 industry code is 1 to 30 characters


@dataclass(slots=True)
class Diagnoses:
    """The diagnosis codes of a claim's HI segments, in order, as SV107 pointers count them."""

    # (qualifier, code); code None: longer than X12 allows, not read (it still counts for pointers)
    entries: list[tuple[str, str | None]] = field(default_factory=list)
    unreadable: int = 0
    unreadable_at: list[int] = field(default_factory=list)  # the first few HI segments holding them
    separator: str = ":"
    other: list[tuple[str, str]] = field(default_factory=list)  # _ICD10_OTHER (qualifier, code), in order
    other_icd9: set[str] = field(default_factory=set)  # _ICD9_OTHER qualifiers seen
    too_long: Named = field(default_factory=Named)
    past_most: int = 0  # diagnosis codes after the first MOST_CODES: counted, not kept
    last_read_at: int = 0  # the HI segment of the last code kept

    def add(self, hi: Segment) -> None:
        self.separator = hi.interchange.delimiters.component
        for index in range(1, len(hi.elements)):
            parts = hi.components(index)
            if not parts:
                continue
            qualifier = parts[0]
            code = parts[1] if len(parts) > 1 else ""
            if qualifier in _DIAGNOSIS_QUALIFIERS or (qualifier in _ICD10_OTHER and code):
                if len(self.entries) + len(self.other) >= MOST_CODES:
                    self.past_most += 1
                    continue
                self.last_read_at = hi.position
                long = len(code) > _LONGEST_CODE
                if qualifier in _DIAGNOSIS_QUALIFIERS:
                    self.entries.append((qualifier, None if long else code))
                    if long:
                        self.too_long.add(f"{len(self.entries)} ({qualifier})")
                elif long:
                    self.too_long.add(f"({qualifier})")
                else:
                    self.other.append((qualifier, code))
            elif qualifier in _ICD9_OTHER:
                self.other_icd9.add(qualifier)
            elif qualifier not in _ICD10_OTHER and (
                (not qualifier and any(parts[1:]))
                or (len(parts) == 1 and not (qualifier.isalpha() and len(qualifier) <= _MAX_QUALIFIER))
            ):
                # Other qualifiers (occurrence, value, condition codes…) are not diagnoses; a lone
                # component that is no qualifier at all, or a code without its qualifier, is a
                # composite we cannot read (passing it over would shift what SV107 pointers name).
                self.unreadable += 1
                if hi.position not in self.unreadable_at:
                    self.unreadable_at.append(hi.position)
                    del self.unreadable_at[_QUOTED_SEGMENTS + 1 :]  # one more than named says "…"

    def problems(self) -> list[InputProblem]:
        """What every line of the claim inherits: ICD-9 codes, repeated, dotted, empty or overlong
        codes, composites that cannot be read, codes past ``MOST_CODES``. Each kind is one problem,
        naming the first few codes that have it."""
        problems = []
        icd9 = sorted({q for q, _ in self.entries if q in _ICD9} | self.other_icd9)
        if icd9:
            word = "qualifier" if len(icd9) == 1 else "qualifiers"
            problems.append(
                InputProblem(
                    "diagnosis_codes", f"uses ICD-9-CM codes ({word} {', '.join(icd9)}), which are not supported"
                )
            )
        first: dict[str, int] = {}
        repeats = Named()
        for index, (_, code) in enumerate(self.entries, start=1):
            earlier = first.setdefault(_same(code), index) if code else index
            if earlier != index:
                repeats.add(f"{index} repeats {'diagnosis ' if not repeats.count else ''}{earlier}")
        if repeats.count:
            # Not "diagnosis_codes": the codes are read, and their checks still run.
            said = " repeat earlier ones" if repeats.count > len(repeats.first) else ""
            problems.append(
                InputProblem("hi_diagnoses", f"HI diagnosis {repeats.listing()}{said}; each code is sent once")
            )
        dotted = Named()
        for index, (qualifier, code) in enumerate(self.entries, start=1):
            if code and "." in code and qualifier in _ICD10:
                dotted.add(f"{index} ({qualifier})")
        for qualifier, code in self.other:
            if "." in code:
                dotted.add(f"({qualifier})")
        if dotted.count:
            # Not "diagnosis_codes": the code is read (the model takes it with or without the
            # point) and checked; the TR3s say not to send the point, and payers hold to it.
            problems.append(
                InputProblem(
                    "hi_diagnoses",
                    f"{_diagnoses(dotted)} {'is' if dotted.count == 1 else 'are'} sent with a decimal point; the 837 "
                    "sends ICD-10-CM codes without it (the TR3 implies the point), and payers reject the claim",
                )
            )
        empty = Named()
        for index, (qualifier, code) in enumerate(self.entries, start=1):
            # A qualifier followed by an unreadable code (HI*ABK*I10, element separators for
            # component ones) is the unreadable composite reported below, and ICD-9 is reported above.
            if code == "" and qualifier in _ICD10 and not self.unreadable:
                empty.add(f"{index} ({qualifier})")
        if empty.count:
            # Not "diagnosis_codes": the claim's other codes are read, and their checks still run.
            said = "has no code after its qualifier" if empty.count == 1 else "have no code after their qualifier"
            problems.append(InputProblem("hi_diagnoses", f"{_diagnoses(empty)} {said}"))
        if self.too_long.count:
            said = "holds a code" if self.too_long.count == 1 else "hold codes"
            they = "it is" if self.too_long.count == 1 else "they are"
            problems.append(
                InputProblem(
                    "hi_diagnoses",
                    f"{_diagnoses(self.too_long)} {said} longer than the {_LONGEST_CODE} characters X12 allows an "
                    f"industry code (C022-02), so {they} not read",
                )
            )
        if self.unreadable:
            at = ", ".join(map(str, self.unreadable_at[:_QUOTED_SEGMENTS]))
            at += ", …" if len(self.unreadable_at) > _QUOTED_SEGMENTS else ""
            plural = "s" if len(self.unreadable_at) > 1 else ""
            problems.append(
                InputProblem(
                    "diagnosis_codes",
                    f"has {self.unreadable} HI composite(s) that cannot be read (HI at segment{plural} {at}): each "
                    f"needs a qualifier and a code separated by the ISA16 component separator {self.separator!r}",
                )
            )
        if self.past_most:
            # Not "diagnosis_codes": the codes read are checked.
            problems.append(
                InputProblem(
                    "hi_diagnoses",
                    f"HI segments hold {MOST_CODES + self.past_most} diagnosis codes, more than any 837 claim "
                    f"carries: the first {MOST_CODES} (to segment {self.last_read_at}) are read, the other "
                    f"{self.past_most} are not; a receiver rejects the claim",
                )
            )
        return problems

    def pointed(self, pointers: tuple[str, ...], segment: int) -> tuple[list[str], list[InputProblem]]:
        """The ICD-10-CM codes the SV107 ``pointers`` name (1-based into the HI codes)."""
        codes: list[str] = []
        problems: list[InputProblem] = []
        if len(pointers) > _MAX_POINTERS:
            # A payer reads four; a code only a fifth names must not support the line here.
            problems.append(
                InputProblem(
                    "diagnosis_pointers",
                    f"SV107 at segment {segment} holds {len(pointers)} pointers; the 837P carries at most four "
                    "(SV107-1 to SV107-4), so the diagnoses past the fourth are not read",
                )
            )
        seen: set[int] = set()
        for pointer in pointers[:_MAX_POINTERS]:
            index = as_count(pointer) or 0
            if not 1 <= index <= len(self.entries):
                # Not "diagnosis_codes": that would turn off the diagnosis checks of the codes the
                # line's other pointers name; a line left with none fails diagnosis.required.
                said = f"pointer {pointer} in SV107 at segment {segment}"
                if self.past_most:
                    said += (
                        f" does not name one of the {len(self.entries)} HI diagnosis codes read (codes past the "
                        f"first {MOST_CODES} are not)"
                    )
                elif self.entries:
                    said += f" does not name one of the claim's {len(self.entries)} HI diagnosis codes"
                else:
                    said += " names an HI diagnosis, but the claim has no HI diagnosis codes"
                problems.append(InputProblem("diagnosis_pointers", said))
                continue
            if index in seen:
                # Not "diagnosis_codes": the codes named are read, and their checks still run.
                problems.append(
                    InputProblem(
                        "diagnosis_pointers",
                        f"SV107 at segment {segment} repeats pointer {pointer}; each pointer names a different HI "
                        "diagnosis",
                    )
                )
                continue
            seen.add(index)
            qualifier, code = self.entries[index - 1]
            # An empty, overlong or repeated code is reported on the HI segment, for every line.
            if qualifier in _ICD10 and code and _same(code) not in map(_same, codes):
                codes.append(code)
        return codes, problems

    def icd10(self) -> list[str]:
        """Every ICD-10-CM code of the claim, principal first (837I lines carry no pointers)."""
        ordered = sorted(self.entries, key=lambda entry: entry[0] != "ABK")
        codes: dict[str, str] = {}
        for qualifier, code in ordered:
            if qualifier in _ICD10 and code:
                codes.setdefault(_same(code), code)
        for _, code in self.other:
            codes.setdefault(_same(code), code)
        return list(codes.values())


def _diagnoses(named: Named) -> str:
    """ "HI diagnosis 2 (ABF)", or "HI diagnoses 2 (ABF), (ABJ) and 3 more"."""
    return f"HI diagnos{'is' if named.count == 1 else 'es'} {named.listing()}"


def _same(code: str) -> str:
    """A diagnosis code as compared for repeats: I70.213 and i70213 are one code."""
    return code.replace(".", "").upper()
