"""What the batch engine reads: lines as columns of codes into their distinct normalised values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from claimcheck.models.parse import ParsedClaim

__all__ = [
    "CODE_BITS",
    "FieldValues",
    "LineBatch",
    "combine",
    "distinct_keys",
    "first_rows",
    "positions",
    "renumber",
]

# Codes of one field stay below 2**CODE_BITS, so a key of up to three codes fits in an int64.
CODE_BITS = 21


@dataclass(frozen=True, slots=True)
class FieldValues:
    """One field of every row: ``values[codes[row]]`` is the row's normalised value.

    ``values`` is shared by the batches of one vocabulary generation and only grows, so a code
    means the same value in every batch of a generation.
    """

    codes: np.ndarray  # int64, one per row
    values: list[Any]


@dataclass(frozen=True, slots=True)
class LineBatch:
    """Consecutive rows holding whole claims.

    ``fields`` has every ``ClaimLine`` field, normalised; ``clean`` says which rows read without
    a problem (the other rows' ``fields`` codes are meaningless); ``claim_starts`` is the first
    row of each claim, ascending from 0. ``parse_claims(spans)`` reads the claims in rows
    ``start:stop`` of each span the way the per-line path does, problems and all, for claims
    the fast path cannot take.
    ``generation`` changes when the vocabularies behind the codes start again.
    """

    rows: int
    fields: Mapping[str, FieldValues]
    claim_ids: list[str | None]  # one per claim
    claim_starts: np.ndarray
    clean: np.ndarray
    parse_claims: Callable[[list[tuple[int, int]]], list[ParsedClaim]]
    generation: int = 0

    def claim_stops(self) -> np.ndarray:
        return np.append(self.claim_starts[1:], self.rows)

    def claim_of_rows(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.claim_starts)), self.claim_stops() - self.claim_starts)


def renumber(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's key numbered from 0 in order of first appearance, and the distinct keys."""
    # Arrow's hash-based dictionary encoding numbers values in order of first appearance.
    encoded = pa.array(key, pa.int64()).dictionary_encode()
    indices = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
    return indices, encoded.dictionary.to_numpy(zero_copy_only=False)


def positions(counts: np.ndarray) -> np.ndarray:
    """For items laid out row after row, ``counts[row]`` of them per row: each item's place in its row."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def first_rows(key: np.ndarray) -> np.ndarray:
    """The first row of each key of ``renumber`` (keys are numbered in order of first appearance)."""
    if len(key) == 0:
        return np.zeros(0, dtype=np.int64)
    seen = np.maximum.accumulate(key)
    is_first = np.empty(len(key), dtype=bool)
    is_first[0] = True
    is_first[1:] = key[1:] > seen[:-1]
    return np.flatnonzero(is_first)


def combine(columns: list[np.ndarray], rows: int) -> np.ndarray:
    """One int64 for each of ``rows`` from up to three code columns (each below ``2**CODE_BITS``)."""
    if len(columns) > 3:
        raise ValueError("a key combines at most three codes")
    key = np.zeros(rows, dtype=np.int64)
    for column in columns:
        key = (key << CODE_BITS) | column
    return key


def distinct_keys(columns: list[np.ndarray], sizes: list[int], rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct combinations of ``columns`` (codes below ``sizes``): each row's number, each
    number's ``combine`` key (the same in every batch), and the first row with each number."""
    span = int(np.prod([max(s, 1) for s in sizes], dtype=np.float64)) if sizes else 1
    if span > max(4 * rows, 1 << 16):  # too sparse to index: hash
        number, keys = renumber(combine(columns, rows))
        return number, keys, first_rows(number)
    local = np.zeros(rows, dtype=np.int64)
    for column, size in zip(columns, sizes, strict=True):
        local = local * max(size, 1) + column
    first = np.full(span, rows, dtype=np.int64)
    np.minimum.at(first, local, np.arange(rows))
    present = np.flatnonzero(first < rows)
    number_of = np.full(span, -1, dtype=np.int64)
    number_of[present] = np.arange(len(present))
    parts = []
    remainder = present
    for size in reversed(sizes):
        parts.append(remainder % max(size, 1))
        remainder = remainder // max(size, 1)
    return number_of[local], combine(parts[::-1], len(present)), first[present]
