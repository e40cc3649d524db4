"""Report text that ``--jobs`` workers leave in files for the parent to append, kernel to kernel.

A worker's part of a one-row-per-finding CSV report is some 50 MB per block. Sent back through
the result pipe, the parent would read it, unpickle it and write it again: three copies in the
one process every block goes through. Spooled, the parent appends it with ``sendfile`` and
deletes it, before the kernel has written it anywhere.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

import pyarrow as pa

__all__ = ["SpooledPiece", "append_piece", "spool"]


@dataclass(frozen=True)
class SpooledPiece:
    """``size`` bytes of report in the file ``path``, which the parent deletes once appended."""

    path: str
    size: int


def spool(pieces: Iterable[bytes | pa.Buffer], folder: str) -> SpooledPiece:
    """Write ``pieces`` to a new file in ``folder``."""
    handle, path = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in pieces:
                stream.write(piece)
            return SpooledPiece(path, stream.tell())
    except BaseException:
        os.unlink(path)
        raise


def append_piece(piece: bytes | pa.Buffer | SpooledPiece, stream: BinaryIO) -> None:
    """Append ``piece`` to ``stream``; a spooled piece's file is deleted afterwards."""
    if not isinstance(piece, SpooledPiece):
        stream.write(piece)
        return
    try:
        with open(piece.path, "rb") as source:
            sent = _sendfile(source, stream, piece.size)
            if sent < piece.size:  # a stream without a file descriptor, or one sendfile refuses
                source.seek(sent)
                shutil.copyfileobj(source, stream)
    finally:
        os.unlink(piece.path)


def _sendfile(source: BinaryIO, stream: BinaryIO, size: int) -> int:
    """Bytes of ``source`` appended to ``stream`` by ``os.sendfile``: all of them, or fewer where
    the stream cannot take them that way."""
    try:
        target = stream.fileno()
    except (AttributeError, io.UnsupportedOperation):
        return 0
    stream.flush()
    sent = 0
    try:
        while sent < size:
            count = os.sendfile(target, source.fileno(), sent, size - sent)
            if count == 0:
                break
            sent += count
    except OSError:
        pass
    return sent
