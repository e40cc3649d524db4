"""``provider`` check: the rendering NPI is ten digits with a valid Luhn check digit."""

from __future__ import annotations

from collections.abc import Iterable

from claimcheck.engine.checks.base import LineCheck, LineContext, implements
from claimcheck.models.finding import Finding, Status

__all__ = ["NpiCheckDigit", "npi_is_valid"]

# An NPI's check digit is the Luhn digit of the 15-digit number "80840" + NPI (the prefix is the
# health-industry card issuer number that makes NPIs valid card numbers).
_NPI_PREFIX = "80840"


def npi_is_valid(npi: str) -> bool:
    """True for ten ASCII digits whose last is the Luhn check digit over ``80840`` + the first nine."""
    if len(npi) != 10 or not npi.isascii() or not npi.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(_NPI_PREFIX + npi)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


@implements("npi_check_digit")
class NpiCheckDigit(LineCheck):
    memo_key = ("rendering_npi",)
    reads = ("rendering_npi",)

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        assert ctx.line is not None
        npi = ctx.line.rendering_npi
        if npi is None:
            return
        if npi_is_valid(npi):
            yield self.finding(npi, Status.PASS, f"NPI {npi} has a valid check digit")
        elif len(npi) != 10 or not (npi.isascii() and npi.isdigit()):
            yield self.finding(npi, self.status, f"NPI {npi} is not ten digits")
        else:
            yield self.finding(npi, self.status, f"NPI {npi} fails the check digit (Luhn with prefix 80840)")
