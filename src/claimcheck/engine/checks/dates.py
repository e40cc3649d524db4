"""``date`` checks: the date of service against the code's effective date and the day of the run."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType

from claimcheck.engine.checks.base import LineCheck, LineContext, implements
from claimcheck.models.finding import Finding, Source, Status
from claimcheck.rules.params import EffectiveDateParams

__all__ = ["CodeEffectiveDate", "DateNotAfterRun"]


@implements("code_effective_date")
class CodeEffectiveDate(LineCheck):
    memo_key = ("procedure_code", "date_of_service")
    reads = ("date_of_service",)

    def setup(self) -> None:
        assert isinstance(self.params, EffectiveDateParams)
        self.effective: Mapping[str, tuple[date, date | None, Source]] = MappingProxyType(
            {
                code: (group.effective, group.expires, self.entry_source(group.source))
                for group in self.params.codes
                for code in group.codes
            }
        )

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        code, served = ctx.line.procedure_code, ctx.line.date_of_service
        known = self.effective.get(code)
        if known is None:
            return
        effective, expires, source = known
        if served < effective:
            message = f"date of service {served} is before {code} took effect on {effective}"
            yield self.finding(served.isoformat(), self.status, message, source)
        elif expires is not None and served > expires:
            message = f"date of service {served} is after {code} was deleted (in effect through {expires})"
            yield self.finding(served.isoformat(), self.status, message, source)
        else:
            span = f"since {effective}" if expires is None else f"{effective} through {expires}"
            yield self.finding(served.isoformat(), Status.PASS, f"{code} is in effect on {served} ({span})", source)


@implements("date_not_after_run")
class DateNotAfterRun(LineCheck):
    memo_key = ("date_of_service",)
    reads = ("date_of_service",)

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        served = ctx.line.date_of_service
        if served > ctx.as_of:
            yield self.finding(
                served.isoformat(), self.status, f"date of service {served} is after the day of the run ({ctx.as_of})"
            )
        else:
            yield self.finding(served.isoformat(), Status.PASS, f"date of service {served} is not in the future")
