"""``diagnosis`` checks: present, in ICD-10-CM, billable, and supporting the procedure's profile."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from claimcheck.engine.checks.base import LineCheck, LineContext, code_set_source, describe_codes, implements
from claimcheck.engine.profiles import CompiledProfile, document_codes
from claimcheck.models.finding import Finding, Status

__all__ = ["DiagnosisBillable", "DiagnosisCodeSet", "DiagnosisRequired", "ProfileDiagnoses"]


@implements("diagnosis_required")
class DiagnosisRequired(LineCheck):
    memo_key = ("diagnosis_codes",)
    reads = ("diagnosis_codes",)

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        if not ctx.line.diagnosis_codes:
            yield self.finding(None, self.status, "the line has no diagnosis code")


@implements("diagnosis_code_set")
class DiagnosisCodeSet(LineCheck):
    memo_key = ("diagnosis_codes",)
    memo_each = "diagnosis_codes"
    reads = ("diagnosis_codes",)
    reads_in_part = frozenset(reads)

    def setup(self) -> None:
        self.icd = self.code_sets.icd10cm
        self.code_set = code_set_source(self.icd.info)
        self.label = f"ICD-10-CM {self.icd.info.version}"
        # The shipped release goes out of date each October 1: a code new in the next release
        # fails here, so the message gives the dates the release covers and the way out.
        year = self.icd.info.version
        self.unknown = f"is not in {self.label}"
        if re.fullmatch(r"20\d\d", year):
            self.unknown += (
                f" (the FY{year} code set, for dates of service {int(year) - 1}-10-01 through {year}-09-30;"
                " a code added later needs a later release, loaded with --code-set icd10cm=FILE)"
            )

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        for code in ctx.line.diagnosis_codes:
            if code in self.icd:
                yield self.finding(code, Status.PASS, f"{code} is in {self.label}", self.code_set)
            else:
                yield self.finding(code, self.status, f"{code} {self.unknown}", self.code_set)


@implements("diagnosis_billable")
class DiagnosisBillable(LineCheck):
    memo_key = ("diagnosis_codes",)
    memo_each = "diagnosis_codes"
    reads = ("diagnosis_codes",)
    reads_in_part = frozenset(reads)

    def setup(self) -> None:
        self.icd = self.code_sets.icd10cm
        self.code_set = code_set_source(self.icd.info)

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        for code in ctx.line.diagnosis_codes:
            known = self.icd.get(code)
            if known is None or known.billable:
                continue
            example = self.icd.first_billable_descendant(code)
            hint = f"; code to a billable subcode such as {example}" if example else ""
            yield self.finding(code, self.status, f"{code} is a header, not a billable code{hint}", self.code_set)


@implements("profile_diagnoses")
class ProfileDiagnoses(LineCheck):
    memo_key = ("procedure_code", "diagnosis_codes", "era")
    memo_first = "diagnosis_codes"
    needs_profile = True
    reads = ("diagnosis_codes",)
    reads_in_part = frozenset(reads)

    def setup(self) -> None:
        self._listed_on: dict[tuple[str, date], str] = {}

    def accepted(self, ctx: LineContext, item: str) -> Finding | None:
        assert ctx.line is not None
        profile = ctx.profile
        if profile is None or profile.diagnoses is None:
            return None
        known = self.code_sets.icd10cm.get(item)
        entry = profile.diagnosis_entry(known.code_nodot, ctx.line.date_of_service) if known else None
        if entry is None:
            return None
        covered = "" if entry.code == item else f" (covered by {entry.code})"
        return self.finding(
            item,
            Status.PASS,
            f"{item} supports {profile.code}{covered}: {entry.title}",
            self.profile_source(profile, entry.source, entry),
        )

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        for code in ctx.line.diagnosis_codes:
            supporting = self.accepted(ctx, code)
            if supporting is not None:
                yield supporting
                return
        yield from self.none_accepted(ctx)

    def none_accepted(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        profile = ctx.profile
        codes = ctx.line.diagnosis_codes
        if profile is None or profile.diagnoses is None or not codes:
            return
        if "diagnosis_codes" in ctx.read_in_part:  # the code left out may be the one that supports it
            return
        hints = [
            f"{code} is the document's code for {e.title}, which is {e.code}"
            for code in codes
            for e in profile.diagnoses.values()
            if code in document_codes(e)
        ]
        listed = self._listed(profile, ctx.line.date_of_service)
        message = f"no diagnosis on the line is one the {profile.code} document supports (listed: {listed})"
        if hints:
            message += "; " + "; ".join(hints)
        yield self.finding(
            " ".join(codes), self.status, message, self.profile_source(profile, profile.list_sources["diagnoses"])
        )

    def _listed(self, profile: CompiledProfile, served: date) -> str:
        """The profile's diagnoses in force on ``served``, as a message lists them."""
        key = (profile.code, served)
        listed = self._listed_on.get(key)
        if listed is None:
            if len(self._listed_on) > 10_000:  # a long-running service sees many days
                self._listed_on.clear()
            assert profile.diagnoses is not None
            listed = describe_codes(e.code for e in profile.diagnoses.values() if e.in_force(served))
            self._listed_on[key] = listed
        return listed
