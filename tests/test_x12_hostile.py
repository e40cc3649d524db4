"""Hostile and odd X12 input: what a receiver would reject is said clearly, in bounded memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from claimcheck.errors import InputError
from claimcheck.io.readers.x12 import read_x12
from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "x12"


def fixture_text(name: str = "professional.837") -> str:
    return (FIXTURES / name).read_text()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return path


def summary(path: Path) -> list[Any]:
    return [(c.claim_id, [(ln.line, ln.problems, ln.location) for ln in c.lines]) for c in read_x12(path)]


def test_a_file_that_never_uses_the_terminator_its_isa_declares_is_refused_naming_it(tmp_path: Path) -> None:
    # The ISA ends in "~", every other segment in a line break: the whole file after the ISA was
    # one segment, held in memory (14 times the file's size) and then "holds no 837 claim".
    isa, rest = fixture_text().split("~\n", 1)
    body = rest.replace("~\n", "\n")
    claims = body[body.index("HL*1") : body.index("SE*")]
    text = isa + "~\n" + body[: body.index("HL*1")] + claims * (3_000_000 // len(claims)) + "SE*1*0101\n"
    with pytest.raises(InputError, match=r"segment 2 .*without the segment terminator '~' its ISA declares"):
        list(read_x12(write(tmp_path, "newlines.837", text)))


def test_padding_after_the_iea_is_not_a_runaway_segment(tmp_path: Path) -> None:
    expected = summary(FIXTURES / "professional.837")
    path = write(tmp_path, "professional.837", fixture_text() + "\x00" * (3 << 20))
    assert summary(path) == expected
