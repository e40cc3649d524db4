"""Append encoded chunks to the report file, in order, and count the lines by status."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

import pyarrow.parquet as pq

from claimcheck.io.batch.encode import Encoded, header, read_ipc
from claimcheck.io.batch.results import schema_for
from claimcheck.io.batch.spool import append_piece
from claimcheck.models.report import Tally

__all__ = ["write_encoded"]


def write_encoded(chunks: Iterable[Encoded], output_format: str, rows: str, stream: BinaryIO) -> Tally:
    """Write the report made of ``chunks`` to ``stream``; the tally says how the lines went."""
    tally = Tally()
    # The header (Parquet's too) waits for the first chunk: a file that cannot be read at all
    # stops the run before one, and a header alone on standard output would read as a complete,
    # empty report.
    if output_format == "parquet":
        target = _Cuttable(stream)
        writer = None
        try:
            for pieces, lines, counts in chunks:
                writer = writer or pq.ParquetWriter(target, schema_for(rows), compression="zstd")
                tally.add_counts(lines, counts)
                for piece in pieces:
                    writer.write_batch(read_ipc(piece))
            writer = writer or pq.ParquetWriter(target, schema_for(rows), compression="zstd")
        except BaseException:
            # No footer: without it the rows sent so far (into a pipe, which cannot be removed
            # as a temporary file is) do not read as a complete report.
            target.cut = True
            raise
        finally:
            if writer is not None:
                writer.close()
        return tally
    pending = header(output_format, rows)
    for pieces, lines, counts in chunks:
        if pending:
            stream.write(pending)
            pending = b""
        tally.add_counts(lines, counts)
        for piece in pieces:
            append_piece(piece, stream)
    if pending:
        stream.write(pending)
    return tally


class _Cuttable:
    """A stream that Parquet's writer writes to, and that takes nothing more once ``cut``."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.cut = False
        self.closed = False

    def write(self, data: bytes) -> int:
        if not self.cut:
            self.stream.write(data)
        return len(data)

    def flush(self) -> None:
        if not self.cut:
            self.stream.flush()
