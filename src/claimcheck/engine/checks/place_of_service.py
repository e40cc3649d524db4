"""``place_of_service`` check: the code is an assigned CMS place-of-service code."""

from __future__ import annotations

from collections.abc import Iterable

from claimcheck.engine.checks.base import LineCheck, LineContext, code_set_source, implements
from claimcheck.models.finding import Finding, Status

__all__ = ["PlaceOfServiceCodeSet"]


@implements("place_of_service_code_set")
class PlaceOfServiceCodeSet(LineCheck):
    memo_key = ("place_of_service",)
    reads = ("place_of_service",)

    def setup(self) -> None:
        self.pos = self.code_sets.pos
        self.code_set = code_set_source(self.pos.info)

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        code = ctx.line.place_of_service
        if code is None:
            return
        known = self.pos.get(code)
        if known is None:
            yield self.finding(code, self.status, f"{code} is not a CMS place-of-service code", self.code_set)
        elif not known.assigned:
            yield self.finding(code, self.status, f"place of service {code} is unassigned", self.code_set)
        else:
            yield self.finding(code, Status.PASS, f"{code} {known.name}", self.code_set)
