"""X12 837 fixtures edited in tests: the 837I fixture with another first line, the 837P fixture with
segments replaced, and the problems of each claim read from them."""

from __future__ import annotations

from pathlib import Path

from claimcheck.io.readers.x12 import read_x12
from claimcheck.models.parse import ParsedLine
from tests.conftest import ROOT

__all__ = ["FIXTURES", "HC_LINE", "claim_problems", "institutional", "lines_of", "problems", "professional"]


FIXTURES = ROOT / "fixtures" / "x12"
HC_LINE = "SV2*0450*HC:99284:25*500*UN*1~"  # the institutional fixture's first line


def institutional(tmp_path: Path, first_line: str, name: str = "i.837") -> Path:
    text = (FIXTURES / "institutional.837").read_text()
    assert HC_LINE in text
    path = tmp_path / name
    path.write_text(text.replace(HC_LINE, first_line))
    return path


def lines_of(path: Path) -> list[ParsedLine]:
    return [line for claim in read_x12(path) for line in claim.lines]


def problems(line: ParsedLine) -> list[str]:
    return [f"{p.field} {p.message}" for p in line.problems]


def professional(tmp_path: Path, *edits: tuple[str, str], name: str = "hl.837") -> Path:
    text = (FIXTURES / "professional.837").read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


def claim_problems(path: Path) -> list[tuple[str | None, list[str]]]:
    """Each claim's id and the problems all its lines share (a claim's problems go on every line)."""
    found = []
    for claim in read_x12(path):
        first, *others = [problems(line) for line in claim.lines]
        assert all(other == first for other in others)
        found.append((claim.claim_id, [*(f"{p.field} {p.message}" for p in claim.problems), *first]))
    return found
