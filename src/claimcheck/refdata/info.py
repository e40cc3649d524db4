"""Where a loaded code set came from."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CodeSetInfo"]


@dataclass(frozen=True, slots=True)
class CodeSetInfo:
    """Identity of one loaded code set.

    ``name`` is the set's key (``icd10cm``, ``nucc``, ``modifiers``, ``pos``), ``version`` the short
    version reported in outputs (``"2026"``, ``"25.1"``), ``label`` a human description of the
    release, ``source`` the publisher and provenance, ``path`` the file actually read.
    """

    name: str
    version: str
    label: str
    source: str
    path: str
