"""Editing a copy of the rule pack in a test: one text replaced, a fragment's line found."""

from __future__ import annotations

from pathlib import Path

__all__ = ["line_of", "replace_once"]


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file with ``new``; a test whose ``old`` is gone fails here."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, fragment: str) -> int:
    """The 1-based number of the first line of the file holding ``fragment``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)
