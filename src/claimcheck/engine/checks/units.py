"""``units`` check: service units are a positive number."""

from __future__ import annotations

import math
from collections.abc import Iterable

from claimcheck.engine.checks.base import LineCheck, LineContext, implements
from claimcheck.models.finding import Finding, Status

__all__ = ["PositiveUnits", "format_units"]


def format_units(units: float) -> str:
    """``1.0`` → ``1``; ``1.5`` → ``1.5``; ``1e308`` → ``1e+308`` (not its 309 digits)."""
    whole = math.isfinite(units) and units == int(units) and abs(units) < 1e16
    return str(int(units)) if whole else str(units)


@implements("positive_units")
class PositiveUnits(LineCheck):
    memo_key = ("units",)
    reads = ("units",)

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        units = ctx.line.units
        shown = format_units(units)
        if math.isfinite(units) and units > 0:
            yield self.finding(shown, Status.PASS, f"{shown} unit{'s' if units != 1 else ''}")
        else:
            yield self.finding(shown, self.status, f"units {shown} is not a positive number")
