"""X12 837 input in tests: the fixture files and samples, writing a variant of one, reading its lines and problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from claimcheck.io.readers.x12 import read_x12
from claimcheck.models.parse import ParsedClaim, ParsedLine
from tests.conftest import ROOT, SHARED

__all__ = ["FIXTURES", "SAMPLES", "fixture_text", "lines_of", "problems", "summary", "write"]


FIXTURES = ROOT / "fixtures" / "x12"
SAMPLES = SHARED / "samples"


def lines_of(path: Path) -> list[ParsedLine]:
    return [line for claim in read_x12(path) for line in claim.lines]


def problems(line: ParsedLine) -> list[str]:
    return [f"{p.field} {p.message}" for p in line.problems]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def fixture_text(name: str = "professional.837") -> str:
    return (FIXTURES / name).read_text()


def summary(claims: list[ParsedClaim]) -> list[Any]:
    return [(c.claim_id, [(ln.line, ln.problems, ln.location) for ln in c.lines]) for c in claims]
