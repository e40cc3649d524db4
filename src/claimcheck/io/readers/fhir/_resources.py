"""The Claim resources of a FHIR file, and the entries and lines that hold none, each with where
it sits in the file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from claimcheck.models.parse import InputProblem

__all__ = ["BundleEntry", "ClaimResource", "Location", "UnreadableLine"]

Location = Mapping[str, str | int | None]


@dataclass(frozen=True, slots=True)
class BundleEntry:
    full_url: str | None
    resource: Mapping[str, Any]
    index: int = 0  # its place among the Bundle's entries, gaps counted


@dataclass(frozen=True, slots=True)
class ClaimResource:
    """One Claim resource of the file, as raw JSON, and where it is: the file and the Bundle entry
    or NDJSON line."""

    raw: Mapping[str, Any]
    file: str
    entry: int | None
    line: int | None = None  # in an NDJSON file
    # The entries of the Bundle the Claim came in, which its references resolve against.
    bundle: tuple[BundleEntry, ...] | None = field(default=None, repr=False, compare=False)
    # What the file says beyond the Claim: its Bundle is one page of several (on the first only).
    notes: tuple[InputProblem, ...] = field(default=(), compare=False)
    # Its text held bytes that are not UTF-8, read as U+FFFD (``_undecoded`` says where).
    undecoded: bool = field(default=False, compare=False)

    @property
    def name(self) -> str:
        """``Claim/<id>``, the way FHIR itself names a resource (ids are not patient data)."""
        resource_id = self.raw.get("id")
        return f"Claim/{resource_id}" if isinstance(resource_id, str) and resource_id else "Claim"

    def origin(self, item: int | None) -> str:
        where = [self.file] if self.line is None else [self.file, f"line {self.line}"]
        if self.entry is not None:
            where.append(f"entry {self.entry}")
        where.append(self.name)
        if item is not None:
            where.append(f"item {item}")
        return " ".join(where)

    def location(self, item: int | None) -> Location:
        place = {"file": self.file} if self.line is None else {"file": self.file, "line": self.line}
        return {**place, "resource": self.name, "entry": self.entry, "item": item}


@dataclass(frozen=True, slots=True)
class UnreadableLine:
    """A line of an NDJSON file, or an entry of a Bundle, that holds no resource to read: what
    is wrong with it."""

    file: str
    line: int | None
    problem: str
    entry: int | None = None
    notes: tuple[InputProblem, ...] = field(default=(), compare=False)  # as a ClaimResource's

    @property
    def origin(self) -> str:
        where = [self.file] if self.line is None else [self.file, f"line {self.line}"]
        return " ".join(where if self.entry is None else [*where, f"entry {self.entry}"])

    @property
    def location(self) -> Location:
        place = {"file": self.file} if self.line is None else {"file": self.file, "line": self.line}
        return {**place, "resource": None, "entry": self.entry, "item": None}
