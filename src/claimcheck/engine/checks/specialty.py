"""``specialty`` checks: the rendering taxonomy is a NUCC code, and one the profile lists."""

from __future__ import annotations

from collections.abc import Iterable

from claimcheck.engine.checks.base import LineCheck, LineContext, code_set_source, describe_codes, implements
from claimcheck.engine.profiles import document_codes
from claimcheck.models.finding import Finding, Status

__all__ = ["ProfileSpecialties", "TaxonomyCodeSet"]


def _name(classification: str, specialization: str | None) -> str:
    return f"{classification} / {specialization}" if specialization else classification


@implements("taxonomy_code_set")
class TaxonomyCodeSet(LineCheck):
    memo_key = ("rendering_taxonomy",)
    reads = ("rendering_taxonomy",)

    def setup(self) -> None:
        self.nucc = self.code_sets.nucc
        self.code_set = code_set_source(self.nucc.info)

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        code = ctx.line.rendering_taxonomy
        if code is None:
            return
        known = self.nucc.get(code)
        if known is None:
            yield self.finding(code, self.status, f"{code} is not a NUCC taxonomy code", self.code_set)
        else:
            name = _name(known.classification, known.specialization)
            yield self.finding(code, Status.PASS, f"{code} is {name}", self.code_set)


@implements("profile_specialties")
class ProfileSpecialties(LineCheck):
    memo_key = ("procedure_code", "rendering_taxonomy", "era")
    needs_profile = True
    reads = ("rendering_taxonomy",)

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        profile, code = ctx.profile, ctx.line.rendering_taxonomy
        if profile is None or profile.specialties is None or code is None:
            return
        known = self.code_sets.nucc.get(code)
        if known is None:
            return  # specialty.code_set already failed it
        name = _name(known.classification, known.specialization)
        served = ctx.line.date_of_service
        entry = profile.specialty_entry(code, self.code_sets, served)
        if entry is not None:
            covered = "" if entry.code == code else f" (covered by {entry.code} {entry.name})"
            yield self.finding(
                code,
                Status.PASS,
                f"{code} ({name}) is listed for {profile.code}{covered}",
                self.profile_source(profile, entry.source, entry),
            )
            return
        listed = describe_codes(f"{e.code} {e.name}" for e in profile.specialties.values() if e.in_force(served))
        message = f"{code} ({name}) is not a specialty listed for {profile.code} (listed: {listed})"
        for listed_entry in profile.specialties.values():
            if code in document_codes(listed_entry):
                message += f"; the document gives {code} for {listed_entry.name}, but that is {listed_entry.code}"
        yield self.finding(
            code, self.status, message, self.profile_source(profile, profile.list_sources["specialties"])
        )
