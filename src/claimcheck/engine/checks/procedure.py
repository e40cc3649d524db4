"""``procedure`` check: the code has a CPT or HCPCS Level II form; say whether a profile applies."""

from __future__ import annotations

import re
from collections.abc import Iterable

from claimcheck.engine.checks.base import LineCheck, LineContext, implements, join_or
from claimcheck.models.finding import Finding, Status
from claimcheck.rules.params import ProcedureFormatParams

__all__ = ["ProcedureFormat"]


@implements("procedure_format")
class ProcedureFormat(LineCheck):
    memo_key = ("procedure_code",)
    reads = ("procedure_code",)

    def setup(self) -> None:
        assert isinstance(self.params, ProcedureFormatParams)
        self.formats = tuple((name, re.compile(pattern, re.ASCII)) for name, pattern in self.params.formats.items())
        self.expected = join_or(list(self.params.formats))

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        code = ctx.line.procedure_code
        # The whole code: a pack's pattern written without anchors (\d{5}) passed 992130 as Category I.
        kind = next((name for name, pattern in self.formats if pattern.fullmatch(code)), None)
        if kind is None:
            yield self.finding(
                code, self.status, f"{code} is not a procedure code: expected the form of {self.expected}"
            )
            return
        applies = f"profile {code} applies" if ctx.profile else "no profile; the general rules apply"
        yield self.finding(code, Status.PASS, f"{code} is a {kind} code; {applies}")
