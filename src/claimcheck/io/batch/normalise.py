"""From an Arrow record batch in the claimcheck column layout to the batch engine's ``LineBatch``.

Each column is dictionary-encoded and each distinct cell read once, by the same validators the
``ClaimLine`` and ``ClaimHeader`` models use, so a value means here what it means to the
per-line path. Rows with a cell that does not read go, with their claim, through ``parse_claim``
exactly as the CSV reader builds it, so their input findings are the same too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import TypeAdapter, ValidationError

from claimcheck.engine.batch import FieldValues, LineBatch
from claimcheck.engine.batch.columns import CODE_BITS
from claimcheck.io.batch.reader import PHYSICAL_LINE
from claimcheck.io.batch.rows import claims, filled, retold, unseen
from claimcheck.io.batch.text import as_text, not_utf8, without_null_markers
from claimcheck.io.fast_csv import FIELDS, REQUIRED
from claimcheck.io.readers.claim_rows import REPEATED_FIELDS, differing_fields
from claimcheck.io.readers.csv_cells import HEADER_AGAIN, NULL_MARKER, repeats_header, whole_spelling
from claimcheck.io.readers.csv_cells import not_utf8 as not_utf8_problem
from claimcheck.io.readers.layouts import CLAIM_FIELDS, DATE_FIELDS, LINE_FIELDS, LIST_FIELDS, load_layout
from claimcheck.models.claim import ClaimHeader, ClaimLine
from claimcheck.models.parse import InputProblem, ParsedClaim, ParsedLine, parse_claim

__all__ = ["Normaliser"]

_ABSENT = object()


def _adapter(model: Any, name: str) -> TypeAdapter[Any]:
    field = model.model_fields[name]
    return TypeAdapter(Annotated[field.annotation, *field.metadata])


# claim_id is read by Arrow kernels (trimmed, non-empty): it marks where claims start.
_ADAPTERS = {
    **{name: _adapter(ClaimHeader, name) for name in CLAIM_FIELDS if name != "claim_id"},
    **{name: _adapter(ClaimLine, name) for name in LINE_FIELDS},
}
_DEFAULTS = {name: ClaimLine.model_fields[name].get_default() for name in LINE_FIELDS}
_parse_date: Callable[[str], str] = load_layout("claimcheck").parse_date


def _cell(raw: str | None, field: str) -> Any:
    """The value the CSV reader hands the model for ``raw``, or ``_ABSENT`` for an empty cell."""
    cell = (raw or "").strip()
    if not cell:
        return _ABSENT
    cell = _parse_date(cell) if field in DATE_FIELDS else whole_spelling(field, cell)
    return [cell] if field in LIST_FIELDS else cell


def _read(raw: str | None, field: str) -> tuple[bool, Any]:
    """Whether ``raw`` reads for ``field``, and its normalised value (the default when empty)."""
    cell = _cell(raw, field)
    if cell is _ABSENT:
        return field not in REQUIRED, _DEFAULTS.get(field)
    try:
        value = _ADAPTERS[field].validate_python(cell)
    except ValidationError:
        return False, None
    return True, value


def _strings(batch: pa.RecordBatch, column: str | None, field: str | None = None) -> pa.Array:
    if column is None:
        return pa.nulls(batch.num_rows, pa.string())
    array = batch.column(column)
    if pa.types.is_floating(array.type) and field != "units":
        # NaN in a float column (polars, numpy) is no value, as validate() reads it: as the text
        # "nan", an NPI or place of service failed as such. Units keep validate()'s "must be a
        # number" for it, which "nan" gives.
        array = pc.if_else(pc.is_nan(array), pa.scalar(None, array.type), array)
    return without_null_markers(as_text(array, column), NULL_MARKER)


def _merged_cells(batch: pa.RecordBatch, sources: list[str], distinct: bool) -> pa.Array:
    """A list field held in several columns as one cell per row, read as the CSV reader reads
    them: the non-empty cells in order, joined by a space (which separates modifiers and
    diagnoses alike); with ``distinct``, a cell equal to an earlier one of its row is left out."""
    absent = pa.scalar(None, pa.string())
    cells: list[pa.Array] = []
    for name in sources:
        cell = pc.utf8_trim_whitespace(_strings(batch, name, "list"))
        cell = pc.if_else(pc.equal(pc.utf8_length(cell), 0), absent, cell)
        if distinct:
            for earlier in cells:
                cell = pc.if_else(pc.fill_null(pc.equal(cell, earlier), False), absent, cell)
        if cell.null_count < len(cell):
            cells.append(cell)
    if len(cells) < 2:
        return cells[0] if cells else pa.nulls(batch.num_rows, pa.string())
    # Empty strings rather than null_handling="skip", which gives a short array in pyarrow 26;
    # the doubled spaces are dropped when the cell is split.
    return pc.binary_join_element_wise(*(pc.fill_null(cell, "") for cell in cells), " ")


class _Vocabulary:
    """The distinct cells of one field seen so far, each read once: a code per normalised value.

    Cells that normalise alike share a code, so the engine sees fewer distinct keys; cells that
    do not read share one code whose value is None.
    """

    def __init__(self, field: str) -> None:
        self.field = field
        self.values: list[Any] = []
        self._ok: list[bool] = []
        self._cells: dict[str, int] = {}
        self._numbers: dict[Any, int] = {}

    def __len__(self) -> int:
        return len(self._cells)

    def _code(self, cell: str) -> int:
        ok, value = _read(cell, self.field)
        marker = (type(value), value) if ok else ("unreadable",)
        code = self._numbers.get(marker)
        if code is None:
            code = self._numbers[marker] = len(self.values)
            self.values.append(value if ok else None)
            self._ok.append(ok)
        self._cells[cell] = code
        return code

    def encode(self, array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """Each row's code, and whether its cell reads."""
        encoded = pc.dictionary_encode(array.fill_null(""))
        indices = encoded.indices.to_numpy(zero_copy_only=False)
        cells = self._cells
        distinct = encoded.dictionary.to_pylist()
        local = np.array([cells[c] if c in cells else self._code(c) for c in distinct], np.int64)
        codes = local[indices] if len(local) else np.zeros(len(array), np.int64)
        return codes, np.array(self._ok, dtype=bool)[codes] if self._ok else np.ones(len(array), bool)


class Normaliser:
    """Turns record batches into ``LineBatch``es, keeping its vocabularies from batch to batch."""

    def __init__(self) -> None:
        self.generation = 0
        self._start()

    def _start(self) -> None:
        self._vocabularies = {field: _Vocabulary(field) for field in FIELDS if field != "claim_id"}

    def line_batch(
        self,
        batch: pa.RecordBatch,
        columns: Mapping[str, str],
        origin: Callable[[int], str | None],
        lists: Mapping[str, list[str]] | None = None,
        past: Sequence[tuple[str, InputProblem]] = (),
    ) -> LineBatch:
        """``columns`` maps each field to its column in ``batch``, ``lists`` the list fields to
        all their columns (``modifier_1`` ...), ``past`` the columns past those (``modifier_6``)
        with the problem a value there is; ``origin(row)`` names where a row came from, for
        input findings (``claims.csv line 7``), or None."""
        rows = batch.num_rows
        if any(len(v) + rows >= 1 << CODE_BITS for v in self._vocabularies.values()):
            self.generation += 1
            self._start()
        raw = {field: _strings(batch, columns.get(field), field) for field in FIELDS}
        for field, sources in (lists or {}).items():
            if sources and sources != [columns.get(field)]:
                raw[field] = _merged_cells(batch, sources, distinct=field == "diagnosis_codes")
        line_ok = np.ones(rows, dtype=bool)
        header_ok = np.ones(rows, dtype=bool)
        fields: dict[str, FieldValues] = {}
        for field, vocabulary in self._vocabularies.items():
            codes, readable = vocabulary.encode(raw[field])
            if field in LINE_FIELDS:
                line_ok &= readable
                fields[field] = FieldValues(codes, vocabulary.values)
            else:
                header_ok &= readable
        starts, claim_ids, has_id = claims(raw["claim_id"])
        clean = line_ok & header_ok & has_id & ~unseen(raw["claim_id"])
        # Rows with a value in a column past the layout's go the per-line way, with its warning.
        unread = [(problem, filled(_strings(batch, name))) for name, problem in past]
        for _, mask in unread:
            clean &= ~mask
        undecoded = _undecoded(
            batch, {*columns.values(), *(name for names in (lists or {}).values() for name in names)}
        )
        clean[list(undecoded)] = False
        clean &= ~retold(raw, starts)
        again = _header_again(batch, ~line_ok, raw["claim_id"], columns["claim_id"])
        clean &= ~again

        def parse(spans: list[tuple[int, int]]) -> list[ParsedClaim]:
            wanted = np.concatenate([np.arange(a, b) for a, b in spans]) if spans else np.zeros(0, np.int64)
            taken = {field: raw[field].take(pa.array(wanted)).to_pylist() for field in FIELDS}
            at = {int(row): position for position, row in enumerate(wanted)}
            # A line whose cells all read is built from the values read already, not validated again.
            read = {row: _read_line(fields, row) for row in map(int, wanted) if line_ok[row]}
            extra = {
                row: (*(p for p, mask in unread if mask[row]), *undecoded.get(row, ())) for row in map(int, wanted)
            }
            return [
                _header_rows(start, stop, origin)
                if again[start:stop].all()
                else _parse_claim(taken, at, read, start, stop, origin, extra)
                for start, stop in spans
            ]

        return LineBatch(rows, fields, claim_ids, starts, clean, parse, self.generation)


def _undecoded(batch: pa.RecordBatch, read: set[str]) -> dict[int, tuple[InputProblem]]:
    """The problem of each row with bytes that are not UTF-8 in columns the layout reads (a
    column of bytes, Spark's BinaryType), naming them as the CSV reader names a file's: their
    U+FFFD alone failed a code as a format error nothing explained."""
    named: dict[int, list[str]] = {}
    for name in batch.schema.names:
        mask = not_utf8(batch.column(name), name) if name in read else None
        for row in np.flatnonzero(mask) if mask is not None else ():
            named.setdefault(int(row), []).append(name)
    return {row: (not_utf8_problem(names),) for row, names in named.items()}


def _header_again(batch: pa.RecordBatch, unread: np.ndarray, claim_ids: pa.Array, claim_column: str) -> np.ndarray:
    """Rows that are the header again (files joined one after another), as the CSV reader finds
    them. Only ``unread`` rows (whose line does not read: "line_number" is no line number) whose
    claim id is the claim id column's name are looked at whole."""
    again = np.zeros(batch.num_rows, dtype=bool)
    rows = np.flatnonzero(unread)
    if not len(rows):
        return again
    lowered = pc.utf8_lower(pc.utf8_trim_whitespace(claim_ids.take(pa.array(rows)).fill_null("")))
    rows = rows[pc.equal(lowered, claim_column.strip().lower()).to_numpy(zero_copy_only=False)]
    if not len(rows):
        return again
    names = [name for name in batch.schema.names if name != PHYSICAL_LINE]
    cells = [as_text(batch.column(name), name).take(pa.array(rows)).fill_null("").to_pylist() for name in names]
    for position, row in enumerate(rows):
        again[row] = repeats_header([column[position] for column in cells], names)
    return again


def _header_rows(start: int, stop: int, origin: Callable[[int], str | None]) -> ParsedClaim:
    return ParsedClaim(
        None, tuple(ParsedLine(None, None, None, (HEADER_AGAIN,), origin(row)) for row in range(start, stop))
    )


def _read_line(fields: Mapping[str, FieldValues], row: int) -> ClaimLine:
    return ClaimLine.model_construct(**{name: f.values[f.codes[row]] for name, f in fields.items()})


def _parse_claim(
    cells: Mapping[str, list[str | None]],
    at: Mapping[int, int],
    read: Mapping[int, ClaimLine],
    start: int,
    stop: int,
    origin: Callable[[int], str | None],
    extra: Mapping[int, tuple[InputProblem, ...]],
) -> ParsedClaim:
    """Rows ``start:stop`` as the CSV reader builds them: claim fields from the first row, the
    ``extra`` problems of each row before those of its cells."""
    header: dict[str, Any] = {}
    for field in CLAIM_FIELDS:
        value = _cell(cells[field][at[start]], field)
        if value is not _ABSENT:
            header[field] = value
    header.setdefault("claim_id", "")
    lines: list[Any] = []
    for row in range(start, stop):
        if row in read:
            lines.append(read[row])
            continue
        line = {}
        for field in LINE_FIELDS:
            value = _cell(cells[field][at[row]], field)
            if value is not _ABSENT:
                line[field] = value
        lines.append(line)
    parsed = parse_claim({**header, "lines": lines}, [origin(row) for row in range(start, stop)])
    first = origin(start)
    for row in range(start + 1, stop):
        later = {
            field: value for field in REPEATED_FIELDS if (value := _cell(cells[field][at[row]], field)) is not _ABSENT
        }
        if differing := differing_fields(header, later, first):
            extra = {**extra, row: (*extra[row], *differing)}
    if not any(extra[row] for row in range(start, stop)):
        return parsed
    added = tuple(
        dataclasses.replace(line, problems=(*extra[row], *line.problems)) if extra[row] else line
        for row, line in zip(range(start, stop), parsed.lines, strict=True)
    )
    return dataclasses.replace(parsed, lines=added)
