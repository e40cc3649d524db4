"""X12 text wrapped at a fixed width: CR/LF that are not the segment terminator are not data.

Clearinghouses and mainframe exports deliver 837s as 80-column records: a line break every 80
characters, in the middle of segments (the ISA included), while the terminator stays `~`. Such a
file must read exactly as the unwrapped one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck.cli import main
from claimcheck.io.readers.x12 import read_x12, tokens
from tests.conftest import ROOT, SHARED

FIXTURES = ROOT / "fixtures" / "x12"
_SAMPLES = sorted(
    path for folder in ("x12-837p", "x12-837i") for path in (SHARED / "samples" / folder).glob("*") if path.is_file()
)


def wrapped(text: str, width: int = 80, newline: str = "\n") -> str:
    """``text`` with its line breaks removed, then broken every ``width`` characters."""
    flat = text.replace("\r", "").replace("\n", "")
    return newline.join(flat[at : at + width] for at in range(0, len(flat), width)) + newline


def summary(path: Path) -> list[Any]:
    return [(c.claim_id, [(ln.line, ln.problems, ln.location) for ln in c.lines]) for c in read_x12(path)]


def _copy(tmp_path: Path, folder: str, name: str, text: str) -> Path:
    path = tmp_path / folder / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode())
    return path


def _terminator(text: str) -> str:
    return text.lstrip("\ufeff \t\r\n")[105]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("path", _SAMPLES or [None], ids=lambda p: getattr(p, "name", "absent"))
def test_a_sample_wrapped_at_80_columns_reads_as_the_original(path: Path | None, newline: str, tmp_path: Path) -> None:
    if path is None:
        pytest.skip(f"{SHARED}/samples is absent")
    text = path.read_bytes().decode("utf-8-sig")
    if _terminator(text) in "\r\n":
        pytest.skip("its segment terminator is a line break, so it cannot be wrapped")
    flat = _copy(tmp_path, "flat", path.name, wrapped(text, width=10**9))
    folded = _copy(tmp_path, "folded", path.name, wrapped(text, 80, newline))
    assert summary(folded) == summary(flat)


@pytest.mark.parametrize("width", [1, 2, 3, 79, 80, 105, 106, 107])
@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_any_wrap_width_and_chunk_size_reads_as_the_original(
    width: int, chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two interchanges, so that some width puts a wrap inside the second "ISA*" or its ISA16.
    text = (FIXTURES / "professional.837").read_text()
    second = text.replace("000000101", "000000201")
    flat = _copy(tmp_path, "flat", "two.837", wrapped(text + second, width=10**9))
    folded = _copy(tmp_path, "folded", "two.837", wrapped(text + second, width))
    expected = summary(flat)
    monkeypatch.setattr(tokens, "_CHUNK", chunk)
    assert summary(folded) == expected


def test_a_wrap_beside_the_isa16_component_separator_is_not_a_delimiter(tmp_path: Path) -> None:
    text = (FIXTURES / "professional.837").read_text()
    expected = summary(FIXTURES / "professional.837")
    for wrap in ("*\n:~", "*:\n~", "*\r\n:\r\n~"):
        path = _copy(tmp_path, "wrap", "professional.837", text.replace("*:~", wrap, 1))
        (isa, *_) = tokens.iter_segments(path)
        assert isa.interchange.delimiters.component == ":" and isa.interchange.delimiters.segment == "~"
        assert not isa.interchange.problems, wrap
        assert isa.elements[-1] == ":"
        assert summary(path) == expected, repr(wrap)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_file_whose_terminator_is_a_line_break_still_reads(newline: str, tmp_path: Path) -> None:
    text = (FIXTURES / "professional.837").read_text().replace("~\n", newline)
    path = _copy(tmp_path, "nl", "professional.837", text)
    assert tokens.iter_segments(path).__next__().interchange.delimiters.segment == newline[0]
    assert summary(path) == summary(FIXTURES / "professional.837")


def test_the_report_of_a_wrapped_sample_is_the_report_of_the_original(tmp_path: Path) -> None:
    original = SHARED / "samples" / "x12-837p" / "uhin__837.edi"
    if not original.is_file():
        pytest.skip(f"{original} is absent")
    folded = _copy(tmp_path, "folded", original.name, wrapped(original.read_text(), 80, "\r\n"))

    def report(path: Path) -> Any:
        result = CliRunner().invoke(main, ["check", str(path), "--format", "json", "--as-of", "2026-11-22"])
        assert result.exit_code in (0, 1), result.output
        return json.loads(result.stdout)["lines"]

    assert report(folded) == report(original)


def test_strict_reading_of_a_wrapped_file_gives_the_same_tr3_findings(tmp_path: Path) -> None:
    pytest.importorskip("pyx12")
    from claimcheck.io.readers.x12 import read_x12_strict

    text = (FIXTURES / "bad_se_count.837").read_text()
    flat = _copy(tmp_path, "flat", "bad.837", wrapped(text, width=10**9))
    folded = _copy(tmp_path, "folded", "bad.837", wrapped(text, 80, "\r\n"))
    strict = [[(ln.problems, ln.location) for ln in claim.lines] for claim in read_x12_strict(flat)]
    assert any(p.field == "tr3" for claim in strict for problems, _ in claim for p in problems)
    assert [[(ln.problems, ln.location) for ln in claim.lines] for claim in read_x12_strict(folded)] == strict


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(breaks=st.lists(st.tuples(st.integers(0, 3000), st.sampled_from(["\n", "\r\n", "\r"])), min_size=1, max_size=30))
def test_line_breaks_anywhere_in_a_file_ended_by_tildes_change_nothing(
    breaks: list[tuple[int, str]], tmp_path: Path
) -> None:
    text = (FIXTURES / "professional.837").read_text()
    flat = wrapped(text + text.replace("000000101", "000000201"), width=10**9)
    expected = summary(_copy(tmp_path, "flat", "two.837", flat))
    for at, newline in breaks:
        flat = flat[:at] + newline + flat[at:]
    assert summary(_copy(tmp_path, "broken", "two.837", flat)) == expected


def test_line_breaks_that_part_the_isa_tag_by_more_than_eight_characters_change_nothing(tmp_path: Path) -> None:
    # A failing example of the property above: only the first 8 characters were unwrapped to find
    # "ISA", so "I" and four CRLFs refused the file as not starting with an ISA segment.
    flat = wrapped((FIXTURES / "professional.837").read_text(), width=10**9)
    expected = summary(_copy(tmp_path, "flat", "one.837", flat))
    assert summary(_copy(tmp_path, "broken", "one.837", flat[:1] + "\r\n" * 4 + flat[1:])) == expected
