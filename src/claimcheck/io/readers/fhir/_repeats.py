"""Claim ids seen earlier in a file, kept small: an NDJSON export is read in flat memory but for
this, 24 bytes a slot (a hash of the id and where it was), about 50 MB per million Claims."""

from __future__ import annotations

from array import array

__all__ = ["SeenIds"]

_EMPTY = 0
_NONE = -1  # no NDJSON line, or no Bundle entry


class SeenIds:
    """An open-addressing table of ids by their 64-bit hash. Two different ids with one hash
    would be taken for a repeat; among ten million ids the odds are some in a million."""

    def __init__(self) -> None:
        self._keys = array("q", bytes(8 * 1024))
        self._lines = array("q", bytes(8 * 1024))
        self._entries = array("q", bytes(8 * 1024))
        self._count = 0

    def first(self, claim_id: str, line: int | None, entry: int | None) -> tuple[int | None, int | None] | None:
        """Where ``claim_id`` was first seen (line, entry), or None when this is its first time,
        which is then remembered with ``line`` and ``entry``."""
        key = hash(claim_id) or 1  # 0 marks an empty slot
        mask = len(self._keys) - 1
        slot = key & mask
        while (found := self._keys[slot]) != _EMPTY:
            if found == key:
                return _value(self._lines[slot]), _value(self._entries[slot])
            slot = (slot + 1) & mask
        self._keys[slot] = key
        self._lines[slot] = _NONE if line is None else line
        self._entries[slot] = _NONE if entry is None else entry
        self._count += 1
        if self._count * 2 > len(self._keys):
            self._grow()
        return None

    def _grow(self) -> None:
        keys, lines, entries = self._keys, self._lines, self._entries
        size = len(keys) * 2
        self._keys, self._lines, self._entries = (array("q", bytes(8 * size)) for _ in range(3))
        mask = size - 1
        for key, line, entry in zip(keys, lines, entries, strict=True):
            if key == _EMPTY:
                continue
            slot = key & mask
            while self._keys[slot] != _EMPTY:
                slot = (slot + 1) & mask
            self._keys[slot], self._lines[slot], self._entries[slot] = key, line, entry


def _value(stored: int) -> int | None:
    return None if stored == _NONE else stored
