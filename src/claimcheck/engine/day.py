"""The day of a run: what ``as_of`` means to every entry point."""

from __future__ import annotations

from datetime import date, datetime

from claimcheck.models.fields import iso_date

__all__ = ["day_of_run"]


def day_of_run(as_of: date | str | None) -> date:
    """``as_of`` as a day: a date, a datetime (its day) or ISO text ``YYYY-MM-DD``; None is today.

    Raises ``ValueError`` for text that is not a calendar day and ``TypeError`` for anything else,
    so a wrong argument is reported where it is passed, not as a comparison error inside a check.
    """
    if as_of is None:
        return date.today()
    if isinstance(as_of, datetime):
        return as_of.date()
    if isinstance(as_of, date):
        return as_of
    if isinstance(as_of, str):
        try:
            return iso_date(as_of)
        except ValueError:
            raise ValueError(f"as_of must be a calendar day written YYYY-MM-DD, not {as_of!r}") from None
    raise TypeError(f"as_of must be a date or YYYY-MM-DD text, not {type(as_of).__name__}")
