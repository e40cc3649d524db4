"""TR3 validation of X12 837 files with pyx12 (the ``x12`` extra), behind ``--x12-strict``.

pyx12 is imported only here and only when asked for, so the reader works without it. We call
its Python API (``x12n_document`` with a JSON error document), not the ``x12valid`` script,
which exits 1 even on success. pyx12 reads files as ASCII from a 106-character ISA at byte 0,
so a UTF-8 BOM or indented segments would stop it before it looks at the claims; it is given
the file's segments as our tokenizer reads them instead, which keeps segment positions the same
as the reader's, so each issue can be put on the line it concerns.

pyx12 ships 837 maps for 005010X222A1 and 005010X223A2 only; for any other GS08 version the
issue says TR3 validation is unavailable, rather than failing. Values pyx12 quotes in its
messages (an element's content may be patient data) are masked.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from claimcheck.errors import ClaimCheckError
from claimcheck.io.readers.x12.tokens import Segment, iter_segments

__all__ = ["PYX12_MAPS", "X12Issue", "validate_with_pyx12"]

PYX12_MAPS = frozenset({"005010X222A1", "005010X223A2"})
_ENVELOPE = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA"})
_QUOTED_SEGMENT = re.compile(r"Segment (\w*)\W.*? not found")
_MISSING = "3"  # pyx12's code for a mandatory segment or loop missing, noticed at the next segment
# pyx12 quotes a whole ISA when it stops on one ("... 16 elements (ISA*00*...~)", "... unknown:
# 00402 for ISA*00*...~"): an ISA's text, not the word, is "ISA" and its element separator.
_QUOTED_ISA = re.compile(r"\(ISA[^\w\s].*\)|ISA[^\w\s].*", re.DOTALL)


@dataclass(frozen=True, slots=True, order=True)
class X12Issue:
    """One TR3 problem: where (1-based segment position in the file, 0 for the whole file) and what.

    ``missing`` issues name a segment or loop absent before the segment at ``segment_position``,
    which is where pyx12 noticed it; ``segment_id`` is then empty, since pyx12 names the absent
    segment there, not the one at that position.
    """

    segment_position: int
    segment_id: str
    message: str
    missing: bool = False

    @property
    def loop_position(self) -> int:
        """The position of a segment in the loop the issue concerns: for something missing, the
        segment before the one it was noticed at (a loop's missing segment is noticed at the
        first segment after the loop)."""
        return max(self.segment_position - 1, 0) if self.missing else self.segment_position

    def describe(self) -> str:
        if not self.segment_position:
            return self.message
        if self.missing:
            return f"before segment {self.segment_position}: {self.message}"
        name = f" ({self.segment_id})" if self.segment_id else ""
        return f"segment {self.segment_position}{name}: {self.message}"


def _import_pyx12() -> ModuleType:
    try:
        import pyx12.errors
        import pyx12.params
        import pyx12.x12n_document
    except ImportError:
        raise ClaimCheckError(
            "TR3 validation (--x12-strict) needs pyx12, which is not installed: pip install 'claimcheck[x12]'"
        ) from None
    package: ModuleType = pyx12  # untyped package: name the type here, once
    return package


class _SegmentText(io.TextIOBase):
    """The segments of a file as one clean X12 text stream (no BOM, no whitespace between segments)."""

    def __init__(self, segments: Iterator[Segment]) -> None:
        super().__init__()
        self._segments = segments
        self._buffer = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        wanted = -1 if size is None else size
        while wanted < 0 or len(self._buffer) < wanted:
            segment = next(self._segments, None)
            if segment is None:
                break
            delimiters = segment.interchange.delimiters
            self._buffer += delimiters.element.join(segment.elements) + delimiters.segment
        if wanted < 0:
            text, self._buffer = self._buffer, ""
        else:
            text, self._buffer = self._buffer[:wanted], self._buffer[wanted:]
        return text


@contextmanager
def _quiet(name: str = "pyx12") -> Iterator[None]:
    """Keep pyx12's log lines (one per error) off stderr; the issues are returned instead."""
    logger = logging.getLogger(name)
    handler, propagate = logging.NullHandler(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _mask(message: str, value: Any) -> str:
    # "Segment N3*12 ELM ST not found" quotes the segment's content: keep only its id.
    message = _QUOTED_SEGMENT.sub(r"Segment \1 not found", message)
    if value in (None, ""):
        return message
    return message.replace(f'"{value}"', '"…"').replace(f"({value})", "(…)")


def _issues(document: dict[str, Any], envelope_ids: dict[int, str]) -> list[X12Issue]:
    issues: list[X12Issue] = []

    def scope_errors(node: dict[str, Any], default_id: str) -> None:
        line = int(node.get("cur_line") or 0)
        for error in node.get("errors", ()):
            issues.append(X12Issue(line, envelope_ids.get(line, default_id), _mask(error["err_str"], None)))

    for interchange in document.get("interchanges", ()):
        scope_errors(interchange, "ISA")
        for group in interchange.get("groups", ()):
            scope_errors(group, "GS")
            for transaction in group.get("transactions", ()):
                scope_errors(transaction, "ST")
                for segment in transaction.get("segments", ()):
                    line, seg_id = int(segment.get("cur_line") or 0), segment.get("seg_id") or ""
                    for error in segment.get("errors", ()):
                        missing = error["err_cde"] == _MISSING
                        text = _mask(error["err_str"], error.get("err_val"))
                        issues.append(X12Issue(line, "" if missing else seg_id, text, missing))
                    for element in segment.get("elements", ()):
                        issues.extend(
                            X12Issue(line, seg_id, _mask(e["err_str"], e.get("err_val"))) for e in element["errors"]
                        )
    return sorted(issues)


def _unavailable(path: Path) -> list[X12Issue]:
    """One issue per functional group whose version pyx12 has no map for."""
    return [
        X12Issue(
            segment.position,
            "GS",
            f"TR3 validation is unavailable for GS08 version {segment.get(8) or '(empty)'}: pyx12 has 837 maps "
            f"only for {' and '.join(sorted(PYX12_MAPS))}",
        )
        for segment in iter_segments(path)
        if segment.elements[0] == "GS" and segment.get(8) not in PYX12_MAPS
    ]


def validate_with_pyx12(path: str | Path) -> list[X12Issue]:
    """Validate the X12 file at ``path`` against its TR3 with pyx12; an empty list means it passed.

    Raises ``ClaimCheckError`` when pyx12 is not installed, ``InputError`` when the file has no
    readable ISA header.
    """
    pyx12 = _import_pyx12()
    file = Path(path)
    unavailable = _unavailable(file)
    if unavailable:
        return unavailable
    envelope_ids: dict[int, str] = {}

    def remember(segment: Any, source: Any, _node: Any, _valid: Any) -> None:
        # pyx12 reports envelope errors by the line of the scope's trailer or header; naming
        # that segment needs its id, which the error document does not carry.
        if segment.get_seg_id() in _ENVELOPE:
            envelope_ids[source.get_cur_line()] = segment.get_seg_id()

    errors = io.StringIO()
    text = _SegmentText(iter_segments(file))
    try:
        with _quiet():
            valid = pyx12.x12n_document.x12n_document(
                pyx12.params.params(), text, None, None, None, errors, callback=remember
            )
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        # ISA02/ISA04 hold authorization and security information: never repeat the header.
        reason = _QUOTED_ISA.sub(lambda quoted: "(…)" if quoted[0].startswith("(") else "…", str(exc))
        return [X12Issue(0, "", f"pyx12 stopped validating the file: {reason}")]
    except Exception as exc:
        # pyx12 walks a broken envelope into IndexError/KeyError; its message would quote data.
        return [X12Issue(0, "", f"pyx12 failed on this file ({type(exc).__name__}), so it was not TR3-validated")]
    issues = _issues(json.loads(errors.getvalue() or "{}"), envelope_ids)
    if not valid and not issues:
        issues.append(X12Issue(1, "ISA", "pyx12 cannot read the interchange header (it needs ISA12 00401 or 00501)"))
    return issues
