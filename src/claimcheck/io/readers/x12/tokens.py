"""The segment stream of an X12 file: delimiters from each ISA header, segments read in chunks.

Each ISA is read by ``isa.py``; every later ISA is read again, because concatenated interchanges
may each use other delimiters.

The file is decoded in 1 MiB chunks (UTF-8, a BOM dropped, bad bytes replaced) and cut at each
segment terminator as it is found, so memory stays flat however large the file, and each character
is looked at once whatever delimiters the interchanges use. Whitespace around segments
(CR/LF after the terminator, indentation) is dropped; empty segments are not counted. A CR or LF
that is not the terminator is dropped wherever it is, the ISA included: clearinghouses deliver
837s wrapped at a fixed width (a line break every 80 characters, mid-segment), to be read as the
unwrapped file, segment positions included.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from claimcheck.errors import InputError
from claimcheck.io.readers.text_lines import open_binary
from claimcheck.io.readers.x12.isa import (
    ISA_LENGTH,
    PADDING,
    WHITESPACE,
    Delimiters,
    Interchange,
    is_isa,
    parse_isa,
    unwrap,
)

__all__ = [
    "ISA_LENGTH",
    "Delimiters",
    "Interchange",
    "Segment",
    "as_count",
    "is_segment_id",
    "iter_segments",
    "parse_isa",
    "unreadable_segments",
]

_CHUNK = 1 << 20
# An ISA is at most a few hundred characters even when its padding is wrong; reading this far
# ahead before parsing one is always enough.
_ISA_LOOKAHEAD = 1024
# An 837 segment is at most a few thousand characters (an HI of twelve composites); text past
# this without a terminator is a file that does not use the one its ISA declares, and holding it
# as one segment would take memory in proportion to the file.
_LONGEST = 1 << 16
_COUNT_DIGITS = 18  # more than any X12 count or id holds; int() refuses text past 4,300 digits


class Segment(NamedTuple):
    """One segment: its 1-based position in the file and its elements (``elements[0]`` is the id).

    A named tuple rather than a dataclass: millions are made per large file, and tuple
    construction is several times cheaper.
    """

    position: int
    elements: list[str]
    interchange: Interchange

    @property
    def id(self) -> str:
        return self.elements[0]

    def get(self, index: int) -> str:
        """Element ``index`` trimmed, or ``""`` when the segment is shorter."""
        elements = self.elements
        return elements[index].strip(self.interchange.delimiters.trim) if index < len(elements) else ""

    def components(self, index: int) -> list[str]:
        """The components of composite element ``index`` (``[]`` when it is empty)."""
        value = self.get(index)
        delimiters = self.interchange.delimiters
        return [part.strip(delimiters.trim) for part in value.split(delimiters.component)] if value else []


def is_segment_id(name: str) -> bool:
    """Whether ``name`` has the form of an X12 segment identifier: 2 or 3 capital letters or digits, a letter first."""
    return 2 <= len(name) <= 3 and name.isascii() and name.isalnum() and name.isupper() and name[0].isalpha()


def unreadable_segments(positions: list[int], count: int | None = None) -> str:
    """The finding for ``count`` segments without an X12 identifier (default: as many as
    ``positions``), the first three ``positions`` named."""
    # Named by position only: a corrupted NM1 or DMG still holds the patient's name or birth date.
    count = len(positions) if count is None else count
    named = ", ".join(map(str, positions[:3])) + (f" and {count - 3} more" if count > 3 else "")
    return (
        f"segment{'s' if count > 1 else ''} {named} ha{'ve' if count > 1 else 's'} no X12 segment "
        "identifier (two or three capital letters or digits, a letter first); a receiver rejects the transaction"
    )


def as_count(text: str) -> int | None:
    """An element that is a whole number in ASCII digits (LX01, SE01, an SV107 pointer), else None."""
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= _COUNT_DIGITS else None


class _Tokenizer:
    def __init__(self, binary: BinaryIO, path: Path) -> None:
        self._binary = binary
        self._path = path
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._eof = False

    def _read(self) -> str:
        if self._eof:
            return ""
        chunk = self._binary.read(_CHUNK)
        if not chunk:
            self._eof = True
        return self._decoder.decode(chunk, final=not chunk)

    def _first_interchange(self) -> tuple[str, Interchange]:
        text = ""
        while len(text) < _ISA_LOOKAHEAD and not self._eof:
            # Padding before the ISA is dropped as it comes: a file may start with megabytes of it.
            text = (text + self._read()).lstrip(WHITESPACE + PADDING)
        if not text:
            raise InputError(self._path, "is empty: expected an X12 file starting with an ISA segment")
        # Only "ISA" is asked of the first segment: ``parse_isa`` then says what is wrong with
        # its separator, which is more use than "no ISA" for a header spelled out correctly.
        if not unwrap(text[:_ISA_LOOKAHEAD]).startswith("ISA"):
            raise InputError(self._path, "does not start with an ISA segment, so its X12 delimiters cannot be read")
        parsed = parse_isa(text)
        if isinstance(parsed, str):
            raise InputError(self._path, parsed)
        return text, parsed[0]

    def segments(self) -> Iterator[Segment]:
        # The buffer is scanned from ``start`` with find(), never split whole: an interchange with
        # other delimiters then costs nothing more than its ISA, where splitting the rest of the
        # buffer again at each one made interchanges that alternate delimiters quadratic.
        buffer, interchange = self._first_interchange()
        position = start = 0
        while True:
            terminator = interchange.delimiters.segment
            element = interchange.delimiters.element
            strip = _strip(element, terminator)
            restart: int | None = None
            find = buffer.find
            while (end := find(terminator, start)) >= 0:
                piece = buffer[start:end]
                piece_start, start = start, end + 1
                raw = piece.strip(strip)
                text = unwrap(raw)
                if not text:
                    continue
                if len(text) > _LONGEST:
                    self._not_runaway(text, strip, position + 1, terminator)
                if position and text.startswith("ISA") and is_isa(text):
                    # A new interchange: its delimiters may differ from the current ones.
                    parsed = parse_isa(raw + terminator) if len(raw) < _ISA_LOOKAHEAD else "longer than an ISA"
                    if isinstance(parsed, str) or parsed[1] != len(raw) + 1:
                        # Its own terminator is another one (or it cannot be read as split).
                        restart = piece_start + len(piece) - len(piece.lstrip(strip))
                        break
                    interchange = parsed[0]
                    if interchange.delimiters.element != element:
                        element = interchange.delimiters.element
                        strip = _strip(element, terminator)
                position += 1
                yield Segment(position, text.split(element), interchange)
            rest = buffer[start:] if restart is None else ""
            if restart is None and is_isa(unwrap(rest.lstrip(strip)[:8])[:4]):
                # An ISA after the last terminator: its own terminator may not be this one.
                restart = len(buffer) - len(rest.lstrip(strip))
            if restart is not None:
                buffer, start, interchange, isa = self._reread_isa(buffer, restart, interchange)
                position += 1
                yield Segment(position, isa.split(interchange.delimiters.element), interchange)
                continue
            if len(rest) > _LONGEST:
                rest = self._not_runaway(rest, strip, position + 1, terminator)
            more = self._read()
            if not more and self._eof:
                text = unwrap(rest.strip(strip))
                if text:
                    position += 1
                    yield Segment(position, text.split(element), interchange)
                return
            buffer, start = rest + more, 0

    def _not_runaway(self, rest: str, strip: str, position: int, terminator: str) -> str:
        """``rest``, unless it is longer than any segment: then the file does not use ``terminator``
        (or is damaged), and it cannot be split into segments."""
        text = rest.strip(strip)
        if not text:
            return ""  # padding (NULs filling a block), not a segment: it need not be kept
        if len(unwrap(text)) > _LONGEST:
            raise InputError(
                self._path,
                f"segment {position} is longer than {_LONGEST:,} characters, as no 837 segment is, so the file "
                f"cannot be split into segments: is it damaged, or does it end its segments with another character "
                f"than the terminator {terminator!r} its ISA declares?",
            )
        return rest

    def _reread_isa(self, buffer: str, start: int, current: Interchange) -> tuple[str, int, Interchange, str]:
        """Parse the ISA at ``buffer[start:]`` with its own delimiters: the buffer and where the
        segment after the ISA starts in it, its interchange and its text. An ISA that cannot be
        read keeps the current delimiters."""
        if len(buffer) - start < _ISA_LOOKAHEAD and not self._eof:
            # Read on, keeping only what is left: at most once per chunk read.
            buffer, start = buffer[start:], 0
            while len(buffer) < _ISA_LOOKAHEAD and not self._eof:
                buffer += self._read()
        # Parsed from the lookahead only: an ISA is never longer, and handing it the rest of the
        # buffer would copy that rest at each interchange.
        parsed = parse_isa(buffer[start : start + _ISA_LOOKAHEAD])
        if isinstance(parsed, str):
            end = buffer.find(current.delimiters.segment, start)
            end = len(buffer) if end < 0 else end
            problem = parsed + "; its segments were split with the previous interchange's delimiters"
            return buffer, end + 1, Interchange(current.delimiters, (problem,)), unwrap(buffer[start:end])
        interchange, length = parsed
        return buffer, start + length, interchange, unwrap(buffer[start : start + length - 1])


def _strip(element: str, terminator: str) -> str:
    """What is dropped around a segment: whitespace and padding that are not its delimiters."""
    return "".join(c for c in WHITESPACE + PADDING if c not in (element, terminator))


def iter_segments(path: Path) -> Iterator[Segment]:
    """The segments of the X12 file at ``path``, in order.

    Raises ``InputError`` when the file does not start with a readable ISA header; everything
    after that is streamed, and problems of later headers travel with their ``Interchange``.
    """
    with open_binary(path) as binary:
        yield from _Tokenizer(binary, path).segments()
