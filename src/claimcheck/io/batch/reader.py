"""Arrow's CSV reader for files in the claimcheck layout, batch by batch, claims kept whole.

Arrow reads a well-formed file many times faster than Python's ``csv``, but it refuses what
the per-line reader takes in its stride (rows of the wrong width, line breaks in
quotes, bytes that are not UTF-8). ``FastReader`` says where it stopped when that happens, and
the pipeline reads on from there the careful way, so no line is lost or read twice.
"""

from __future__ import annotations

import bisect
import codecs
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from claimcheck.io.fast_csv import column_names
from claimcheck.io.readers.csv_lines import split_line
from claimcheck.io.readers.text_lines import WithoutEndPadding

__all__ = ["PHYSICAL_LINE", "FastReader", "ReadStopped", "whole_claims"]

PHYSICAL_LINE = "__claimcheck_line__"  # the file line of each row, added by the reader
_BLOCK_BYTES = 2 << 20


class ReadStopped(Exception):
    """Arrow's reader met something it cannot take; ``rows_done`` data rows were delivered."""

    def __init__(self, rows_done: int) -> None:
        super().__init__(rows_done)
        self.rows_done = rows_done


class _Counting(io.RawIOBase):
    """A file that counts the bytes (for the progress bar) and the lines read through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.bytes_read = 0
        self.newlines = 0
        self.last_byte = b"\n"
        # Arrow cannot report a row of the wrong width that is not UTF-8 either: look first.
        self.not_utf8 = False
        # Whether a quote has been read: only then can a row hold a line break (see _line_breaks).
        self.quoted = False
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._held = b""  # the first bytes of a character the last read cut in two

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.not_utf8:
            return 0
        view = memoryview(buffer).cast("B")
        # A character cut in two at the end of a read waits for the next read: given the first
        # half where the file then ends for it (a byte that is not UTF-8 further on), Arrow
        # cannot hand the cut row to the handler of wrong-width rows and prints a traceback.
        held = self._held
        if len(view) <= len(held):  # no room to read more: what is held goes on as it is
            view[:] = held[: len(view)]
            self._held = held[len(view) :]
            return len(view)
        view[: len(held)] = held
        while True:
            count = self.raw.readinto(view[len(held) :]) or 0
            self.bytes_read += count
            try:
                self._decoder.decode(bytes(view[len(held) : len(held) + count]), final=not count)
            except UnicodeDecodeError:
                self.not_utf8 = True  # Arrow sees the file end here; the reader stops
                return 0
            ready = len(held) + count - len(self._decoder.getstate()[0])
            if ready or not count:
                break
            held = bytes(view[: len(held) + count])  # the start of one character only: read on
        self._held = bytes(view[ready : len(held) + count])
        if ready:
            chunk = bytes(view[:ready])
            self.newlines += chunk.count(b"\n")
            self.quoted = self.quoted or b'"' in chunk
            self.last_byte = chunk[-1:]
        return ready

    @property
    def lines(self) -> int:
        return self.newlines + (self.last_byte != b"\n")

    def whole(self, size: int) -> pa.BufferReader:
        """The file's ``size`` bytes, counted as Arrow's reads would count them, in a buffer of
        Arrow's own. Read through Python, Arrow's I/O threads hold Python bytes, and one that
        drops them after the interpreter began to exit aborts the process ("terminate called
        without an active exception"); a run over a short file (a header alone) exits that soon."""
        buffer = pa.allocate_buffer(size)
        view = memoryview(buffer).cast("B")
        done = 0
        while done < size and (count := self.readinto(view[done:])):
            done += count
        return pa.BufferReader(buffer.slice(0, done))


def _stopped(reader: pacsv.CSVStreamingReader, rows_done: int) -> ReadStopped:
    """The stop at ``rows_done`` rows, once Arrow has read the file to its end. Left with a block
    being read ahead, the reader's last reference went to Arrow's I/O thread, which released its
    Python row handler when that read ended: after a short run's interpreter had begun to exit,
    that aborted the process ("terminate called without an active exception", status 134)."""
    while True:
        try:
            reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowException, UnicodeDecodeError):  # a read that fails ends the reading too
            break
    return ReadStopped(rows_done)


@dataclass
class FastReader:
    """Batches of whole claims from ``path``, each with a ``PHYSICAL_LINE`` column."""

    path: Path
    names: list[str]
    block_bytes: int | None = None  # None: _BLOCK_BYTES
    bytes_done: int = 0  # input bytes of the rows read into batches so far (for the progress bar)
    rows_done: int = 0  # non-blank data rows delivered in batches so far

    def batches(self) -> Iterator[pa.RecordBatch]:
        invalid: list[bool] = []
        blank: list[int] = []  # file lines of rows of blank cells only, which Arrow leaves out

        def on_invalid(row: pacsv.InvalidRow) -> str:
            # A line of spaces (or other blanks) is one cell: the wrong width to Arrow, a blank
            # row that the per-line reader passes over. Skipped here with its line number noted,
            # it no longer sends the rest of the file down the per-line road.
            # One that spans several lines (a quoted line break) is counted as one line by
            # Arrow: it goes the per-line way, which counts the file's lines.
            if row.number is not None and _all_blank(row.text) and not _breaks_line(row.text):
                blank.append(row.number)
            else:
                invalid.append(True)
            return "skip"

        block = self.block_bytes or _BLOCK_BYTES
        with self.path.open("rb") as raw:
            # Read as the per-line reader reads it: a Ctrl-Z or NULs at the end are its end.
            counting = _Counting(WithoutEndPadding(raw))  # type: ignore[arg-type]
            size = os.fstat(raw.fileno()).st_size
            source = counting.whole(size) if size < block else pa.PythonFile(counting, mode="r")
            try:
                reader = pacsv.open_csv(
                    source,
                    # One thread: Arrow gives a refused row's line number only then, and it
                    # reads these all-text columns as fast (each block is one batch either way).
                    read_options=pacsv.ReadOptions(block_size=block, use_threads=False),
                    parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, ignore_empty_lines=False),
                    convert_options=pacsv.ConvertOptions(
                        column_types={name: pa.string() for name in self.names},
                        strings_can_be_null=False,
                        quoted_strings_can_be_null=False,
                    ),
                )
            except (pa.ArrowInvalid, UnicodeDecodeError):
                raise ReadStopped(0) from None
            yield from self._whole_claims(reader, invalid, blank, counting)

    def _whole_claims(
        self, reader: pacsv.CSVStreamingReader, invalid: list[bool], blank: list[int], counting: _Counting
    ) -> Iterator[pa.RecordBatch]:
        carry: pa.Table | None = None
        next_line = 2  # the header is line 1
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, UnicodeDecodeError):
                raise _stopped(reader, self.rows_done) from None
            if invalid or counting.not_utf8 or (counting.quoted and _line_breaks(batch)):
                raise _stopped(reader, self.rows_done)
            numbers = _line_numbers(next_line, batch.num_rows, blank)
            lines = pa.array(numbers)
            next_line = int(numbers[-1]) + 1 if batch.num_rows else next_line
            # Arrow reads tens of MB ahead of the batches it hands out: count the bytes of the
            # lines handed out, at the average line length of what it has read.
            self.bytes_done = counting.bytes_read * (next_line - 1) // max(counting.lines, next_line - 1, 1)
            table = pa.Table.from_batches([batch.append_column(PHYSICAL_LINE, lines)])
            table = table.filter(_not_blank(table))
            if carry is not None:
                table = pa.concat_tables([carry, table])
            cut = _last_claim_start(table)
            carry = table.slice(cut)
            if cut:
                yield from self._deliver(table.slice(0, cut))
        # An unclosed quote can swallow the rest of the file without a word from Arrow: make
        # sure every line of the file became a row (or a blank one left out) before the last
        # claim goes out; nor may a row Arrow refused in a block that gave no batch (above, only
        # a batch's arrival looks at them).
        next_line += sum(1 for number in blank if number >= next_line)
        if invalid or counting.not_utf8 or next_line - 1 != counting.lines:
            raise _stopped(reader, self.rows_done)
        if carry is not None and carry.num_rows:
            yield from self._deliver(carry)

    def _deliver(self, table: pa.Table) -> Iterator[pa.RecordBatch]:
        batch = table.combine_chunks().to_batches()[0] if table.num_rows else None
        if batch is not None:
            self.rows_done += batch.num_rows
            yield batch


def _all_blank(text: str) -> bool:
    """Whether the cells of this line, split as the per-line reader splits it, are all blank.
    Split without csv's field size limit, which raised inside Arrow's call for a long cell (a
    traceback on stderr); a quote left open is no blank row: the per-line reader looks at it."""
    cells = split_line(text, ",")
    return cells is not None and not any(cell.strip() for cell in cells)


def _breaks_line(text: str) -> bool:
    return "\n" in text or "\r" in text


def _line_numbers(first: int, count: int, blank: list[int]) -> np.ndarray:
    """The file lines of ``count`` rows from line ``first`` on, passing over the ``blank`` lines
    Arrow left out; those before ``first`` are dropped from ``blank`` (done with)."""
    del blank[: bisect.bisect_left(blank, first)]
    candidates = np.arange(first, first + count + len(blank), dtype=np.int64)
    return np.setdiff1d(candidates, np.asarray(blank, dtype=np.int64), assume_unique=True)[:count]


def _line_breaks(batch: pa.RecordBatch) -> bool:
    """Whether a cell of ``batch`` holds a line break (in quotes): its row spans several lines of
    the file, and the line numbers counted from the rows would be wrong from there on."""
    return any(pc.any(pc.match_substring(column, brk)).as_py() for column in batch.columns for brk in ("\n", "\r"))


def _not_blank(table: pa.Table) -> pa.ChunkedArray:
    """Rows with some non-blank cell (the per-line reader skips the others)."""
    filled: pa.ChunkedArray | None = None
    for name in table.column_names:
        if name == PHYSICAL_LINE:
            continue
        cell = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(table.column(name))), 0)
        filled = cell if filled is None else pc.or_(filled, cell)
        if pc.all(filled).as_py():  # nearly always after the first column: stop looking
            break
    return filled if filled is not None else pa.chunked_array([pa.array([True] * table.num_rows)])


def whole_claims(batches: Iterable[pa.RecordBatch], claim_column: str) -> Iterator[pa.RecordBatch]:
    """``batches`` cut again so that each ends where a claim ends (a claim's lines are consecutive)."""
    carry: pa.Table | None = None
    for batch in batches:
        table = pa.Table.from_batches([batch])
        if carry is not None:
            table = pa.concat_tables([carry, table])
        cut = _last_claim_start(table, claim_column)
        carry = table.slice(cut)
        if cut:
            yield table.slice(0, cut).combine_chunks().to_batches()[0]
    if carry is not None and carry.num_rows:
        yield carry.combine_chunks().to_batches()[0]


def _last_claim_start(table: pa.Table, column: str | None = None) -> int:
    """Where the last claim of ``table`` starts: it may go on in the next block."""
    rows = table.num_rows
    if rows == 0:
        return 0
    column = column or column_names(table.column_names)["claim_id"]
    ids = pc.utf8_trim_whitespace(table.column(column).fill_null("")).combine_chunks()
    last = ids[rows - 1].as_py()
    if not last:
        return rows - 1
    differs = pc.not_equal(ids, pa.scalar(last)).to_numpy(zero_copy_only=False)
    empty = pc.equal(pc.utf8_length(ids), 0).to_numpy(zero_copy_only=False)
    breaks = np.flatnonzero(differs | empty)
    return int(breaks[-1]) + 1 if len(breaks) else 0
