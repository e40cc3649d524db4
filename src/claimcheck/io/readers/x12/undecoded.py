"""Segments of an 837 holding bytes that are not UTF-8, which the tokenizer reads as U+FFFD.

Left unsaid, "07\ufffd1T is not a procedure code" was all the report told, and a name or an
address read so told nothing at all. Each such segment is named on the lines it bears on, by
its position and id, never by its text (it may be patient data): a line's own segment on that
line, a claim's on each of its lines, and a segment before the claim (the billing provider's,
the subscriber's, the payer's, the patient's, the transaction's header) on each line of every
claim under the HL loop it is in. Counted past the first few, as a claim of thousands of them
must not make thousands of findings.
"""

from __future__ import annotations

from claimcheck.io.readers.text_lines import NOT_UTF8
from claimcheck.io.readers.x12.named import Named
from claimcheck.io.readers.x12.tokens import Segment
from claimcheck.models.parse import InputProblem

__all__ = ["BeforeClaims", "not_utf8", "replaced", "segment_name"]

_HEADER = 0  # the transaction's segments before its first HL loop, which apply to all its claims


def replaced(segment: Segment) -> bool:
    return any("\ufffd" in element for element in segment.elements)


def segment_name(segment: Segment) -> str:
    return f"{segment.position} ({segment.id})"


def not_utf8(named: Named) -> list[InputProblem]:
    """The finding on a line of the segments ``named``: none when there are none."""
    if not named.count:
        return []
    if named.count == 1:
        return [InputProblem("segment", f"{named.listing()} {NOT_UTF8}")]
    return [InputProblem("segments", f"{named.listing()} {NOT_UTF8.replace('is', 'are', 1)}")]


class BeforeClaims:
    """The segments of a transaction read before a claim, by the HL loop they are in (an open one)."""

    def __init__(self) -> None:
        self._scopes: dict[int, Named] = {}

    def add(self, segment: Segment, hl: int | None) -> None:
        """``segment``, in the HL loop at position ``hl`` (None: before the first)."""
        self._scopes.setdefault(_HEADER if hl is None else hl, Named()).add(segment_name(segment))

    def close(self, hl: int) -> None:
        self._scopes.pop(hl, None)

    def under(self, hierarchy: tuple[int, ...]) -> Named:
        """Those a claim under the HL loops at ``hierarchy`` is told of."""
        found = Named()
        for scope in (_HEADER, *hierarchy):
            if (named := self._scopes.get(scope)) is not None:
                found.extend(named)
        return found
