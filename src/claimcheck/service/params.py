"""Query parameters that need more checking than their type gives."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import AfterValidator, BeforeValidator

__all__ = ["DEFAULT_X12_NAME", "AsOf", "X12Name"]

# pydantic would also take a number of seconds since 1970 ("0") or a datetime as a date.
_CALENDAR_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

DEFAULT_X12_NAME = "request body"
# The name becomes a file in a temporary directory (the X12 reader reads files), so it must not
# name a directory or pass the 255-byte limit of a file name.
_FILE_NAME = re.compile(r"[^/\\\x00-\x1f\x7f]+")
_MAX_NAME_BYTES = 200


def _calendar_date(value: Any) -> Any:
    if not (isinstance(value, str) and _CALENDAR_DATE.fullmatch(value)):
        raise ValueError("must be a calendar date, YYYY-MM-DD")
    return value


AsOf = Annotated[
    date | None,
    BeforeValidator(_calendar_date),
    Query(description="Day of the run, YYYY-MM-DD, for the future-date check (default: today)."),
]


def _file_name(name: str) -> str:
    # Control and format characters (C1 controls, a right-to-left override) would show in reports
    # as something other than what they are.
    hidden = any(unicodedata.category(character).startswith("C") for character in name)
    if name in {".", ".."} or hidden or not _FILE_NAME.fullmatch(name) or len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        raise ValueError(f"must be a file name without a directory, of at most {_MAX_NAME_BYTES} bytes")
    return name


X12Name = Annotated[
    str,
    AfterValidator(_file_name),
    Query(
        description="The 837's file name, which each line's `location.file` and input findings give "
        f"(default: {DEFAULT_X12_NAME!r}).",
        max_length=_MAX_NAME_BYTES,
    ),
]
