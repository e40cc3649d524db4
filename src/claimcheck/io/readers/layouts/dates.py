"""Reading a layout's dates: which strptime formats read a day, and the day a cell holds."""

from __future__ import annotations

import re
from datetime import date, datetime

from claimcheck.io.readers.csv_cells import without_time

__all__ = ["check_day_format", "read_day"]

_ISO_DAY = "%Y-%m-%d"
_ISO_FORM = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_NO_SUCH_DAY = "0000-00-00"  # written YYYY-MM-DD, and no day
_PROBE_DAY = date(2026, 3, 9)  # day and month differ and each has one digit, so no format can mix them up
# A format of numbers with nothing between them (%Y%m%d), where only the length tells them apart.
_COMPACT = re.compile(r"(?:%[YmdyHMS])+")


def check_day_format(pattern: str) -> None:
    """Refuse a format that cannot give back the day it wrote ('%Q', '%Y-%m'): it would leave
    every date of the file unreadable, each line failing with a message about the date, not the map."""
    try:
        read = datetime.strptime(_PROBE_DAY.strftime(pattern), pattern).date()
    except ValueError:
        read = None
    if read != _PROBE_DAY:
        raise ValueError(
            f"{pattern!r} does not read a day: a format needs the year, month and day, "
            "e.g. %Y-%m-%d, %Y%m%d, %m/%d/%Y or %d-%b-%Y"
        )


def read_day(text: str, formats: list[str]) -> str:
    """An ISO date for ``text`` in one of ``formats``; ``text`` unchanged otherwise,
    so the model reports it as an unreadable date (a date in a format's form on a day the
    calendar lacks, as one that is no real day)."""
    if not text.isascii():
        return text  # strptime reads any script's digits; a claim's date is written in ASCII ones
    no_such_day = False
    for pattern in formats:
        if pattern == _ISO_DAY and _is_iso_day(text):
            return text  # strptime would give the same text back, at some 40 times the cost
        try:
            day = datetime.strptime(text, pattern)
        except ValueError as exc:
            no_such_day = no_such_day or "out of range" in str(exc)  # 31-FEB-2026: the form, not the day
            continue
        if _COMPACT.fullmatch(pattern) and day.strftime(pattern) != text:
            continue  # strptime reads "2026031" as %Y%m%d (2026-03-01): digits alone need every digit
        return day.date().isoformat()
    if no_such_day and not _ISO_FORM.fullmatch(text):
        # The model then says the day is not in the calendar, not that the date is written in
        # a form the layout does not read; it never shows the value, which is not kept.
        return _NO_SUCH_DAY
    day_alone = without_time(text)  # after the formats: a map's own may read the time
    return read_day(day_alone, formats) if day_alone != text else text


def _is_iso_day(text: str) -> bool:
    """Whether ``text`` is a real day written exactly as ``date.isoformat`` writes it."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not text.isascii():
        return False
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False
