"""Query parameters that need more checking than their type gives."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator

__all__ = ["DEFAULT_X12_NAME", "X12Name"]

DEFAULT_X12_NAME = "request body"
# The name becomes a file in a temporary directory (the X12 reader reads files), so it must not
# name a directory or pass the 255-byte limit of a file name.
_FILE_NAME = re.compile(r"[^/\\\x00-\x1f\x7f]+")
_MAX_NAME_BYTES = 200


def _file_name(name: str) -> str:
    if name in {".", ".."} or not _FILE_NAME.fullmatch(name) or len(name.encode("utf-8")) > _MAX_NAME_BYTES:
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
