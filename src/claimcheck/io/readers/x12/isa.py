"""The ISA header of an X12 interchange: the delimiters it declares and what is wrong with it.

X12 names its own delimiters in the ISA header, so nothing can be split before the header is
read. We find them by counting element separators rather than by the fixed 106-character layout,
so an ISA with a short or long field still yields its delimiters; the wrong length is recorded
as a problem of that interchange instead. A CR or LF inside the header is a line wrap (files
wrapped at a fixed width), never data, and only right after ISA16 can one be the terminator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ISA_LENGTH", "PADDING", "WHITESPACE", "Delimiters", "Interchange", "is_isa", "parse_isa", "unwrap"]

ISA_LENGTH = 106  # characters, the segment terminator included
_ISA_ELEMENTS = 16
WHITESPACE = " \t\r\n\f\v"
_WRAP = "\r\n"
# Dropped around segments like whitespace, never taken for a delimiter: a DOS end-of-file mark
# (Ctrl-Z) after the IEA, and the NULs that fill the last fixed-size block of a transfer.
PADDING = "\x00\x1a"


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str
    component: str
    repetition: str | None
    segment: str
    # What an element or component is trimmed of. Not a bare strip(): Python counts the control
    # characters \x1c-\x1f as whitespace, and ISA16 is often one of them.
    trim: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        used = (self.element, self.component, self.repetition, self.segment)
        object.__setattr__(self, "trim", "".join(c for c in WHITESPACE if c not in used))


@dataclass(frozen=True, slots=True)
class Interchange:
    """What one ISA header declares: its delimiters and what is wrong with the header itself."""

    delimiters: Delimiters
    problems: tuple[str, ...] = ()


def _bad_delimiter(name: str, char: str, others: dict[str, str]) -> str | None:
    if char.isalnum():
        return f"{name} {char!r} is a letter or digit (the ISA must have exactly {_ISA_ELEMENTS} elements)"
    for other_name, other in others.items():
        if char == other:
            return f"{name} {char!r} is also the {other_name}"
    return None


def unwrap(text: str) -> str:
    return text.replace("\r", "").replace("\n", "") if "\r" in text or "\n" in text else text


def _skip_wraps(text: str, at: int) -> int:
    while at < len(text) and text[at] in _WRAP:
        at += 1
    return at


def parse_isa(text: str) -> tuple[Interchange, int] | str:
    """Read the ISA at the start of ``text``: the interchange and how many characters of ``text``
    the ISA takes with its terminator (line wraps included), or why no delimiters can be read."""
    head = unwrap(text[:16])
    if len(head) < 4:
        return "the ISA header is cut short"
    element = head[3]
    if element.isalnum() or element in WHITESPACE:
        return f"the ISA element separator {element!r} is a letter, digit or space"
    at = -1
    for _ in range(_ISA_ELEMENTS):
        at = text.find(element, at + 1)
        if at < 0:
            return f"the ISA header has fewer than {_ISA_ELEMENTS} elements"
    # ISA16 and the terminator: a line break there is a wrap, unless what follows it cannot be a
    # terminator (a segment id, whitespace, the end): then the line break is the terminator.
    at_component = _skip_wraps(text, at + 1)
    at_segment = _skip_wraps(text, at_component + 1)
    if at_segment > at_component + 1 and (
        at_segment >= len(text) or text[at_segment].isalnum() or text[at_segment] in WHITESPACE + PADDING
    ):
        at_segment = at_component + 1
    if at_segment >= len(text):
        return "the ISA header is cut short"
    component, segment = text[at_component], text[at_segment]
    problem = _bad_delimiter("ISA16 component separator", component, {"element separator": element}) or (
        _bad_delimiter("segment terminator", segment, {"element separator": element, "ISA16 separator": component})
    )
    if problem:
        return f"the ISA header cannot be read: {problem}"
    elements = unwrap(text[:at])
    problems = []
    if len(elements) + 3 != ISA_LENGTH:
        problems.append(
            f"ISA segment is {len(elements) + 3} characters long where X12 fixes it at {ISA_LENGTH}; receivers that "
            "read the delimiters by position will misread this interchange"
        )
    isa11 = elements.split(element, 12)[11]
    repetition: str | None = None
    # "U" is the 4010 standards identifier in ISA11, not a separator; any letter or digit is.
    if len(isa11) == 1 and not isa11.isalnum():
        repetition = isa11
        clash = _bad_delimiter(
            "ISA11 repetition separator",
            isa11,
            {"element separator": element, "ISA16 component separator": component, "segment terminator": segment},
        )
        if clash:
            problems.append(clash + "; repeated elements cannot be told apart")
            repetition = None
    return Interchange(Delimiters(element, component, repetition, segment), tuple(problems)), at_segment + 1


def is_isa(text: str) -> bool:
    return text.startswith("ISA") and len(text) > 3 and not text[3].isalnum()
