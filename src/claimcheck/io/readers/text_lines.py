"""Physical lines of a text file, decoded one by one, so a bad byte costs one line, not the file.

Legacy billing exports are often Latin-1 or Windows-1252 with a stray accented payer name. A
line that is not UTF-8 is decoded with replacement characters and remembered, so the reader can
put an ``input`` finding on the row it belongs to and go on with the rest of the file.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from claimcheck.errors import InputError

__all__ = [
    "GZIP",
    "NOT_UTF8",
    "OLE2",
    "PARQUET",
    "UTF16",
    "UTF32",
    "ZIP",
    "DecodedLines",
    "WithoutEndPadding",
    "end_padding",
    "not_text",
    "open_binary",
]

NOT_UTF8 = "is not UTF-8 text (the bytes that could not be read were replaced)"
GZIP = "is gzip-compressed: decompress it first, e.g. claimcheck check <(zcat FILE)"
ZIP = (
    "is a zip archive: extract the claim file from it first (an Excel .xlsx workbook is one too: save "
    "its sheet as CSV UTF-8)"
)
# Claims kept in a spreadsheet or a Parquet table: read as text, the header was "not UTF-8 text".
OLE2 = "is an Excel 97-2003 workbook (or another OLE2 file): save its sheet as CSV UTF-8 first"
PARQUET = (
    "is a Parquet file, which claimcheck check does not read: write it out as CSV, or check an Arrow "
    "table of it with claimcheck.validate_batch"
)
UTF16 = (
    "is UTF-16 text (as Excel's 'Unicode text' and PowerShell's '>' write it): convert it to UTF-8 first, "
    "e.g. iconv -f UTF-16 -t UTF-8 FILE"
)
# How files that hold no UTF-8 text begin: exports are often shipped compressed or written as
# UTF-16, and "not UTF-8 text" on every line would not tell the user why.
UTF32 = "is UTF-32 text: convert it to UTF-8 first, e.g. iconv -f UTF-32 -t UTF-8 FILE"
# UTF-32's BOMs first: the little-endian one begins as UTF-16's does.
_NOT_TEXT = {
    b"\xff\xfe\x00\x00": UTF32,
    b"\x00\x00\xfe\xff": UTF32,
    b"\x1f\x8b": GZIP,
    b"PK\x03\x04": ZIP,
    b"\xd0\xcf\x11\xe0": OLE2,
    b"PAR1": PARQUET,
    b"\xff\xfe": UTF16,
    b"\xfe\xff": UTF16,
}


def not_text(head: bytes) -> str | None:
    """What a file beginning with the bytes ``head`` (four or more) is, when it is no UTF-8 text at all."""
    known = next((problem for start, problem in _NOT_TEXT.items() if head.startswith(start)), None)
    if known is not None or len(head) < 4 or head.count(0) < 2:
        return known
    # No BOM: a header's ASCII letters with NULs beside them (UTF-8 text holds no NUL there).
    if head[1:4] == b"\x00\x00\x00" or head[:3] == b"\x00\x00\x00":
        return UTF32
    if (head[1] == head[3] == 0 and head[0] and head[2]) or (head[0] == head[2] == 0 and head[1] and head[3]):
        return UTF16
    return None


def open_binary(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror})") from None


_BLANKS = b" \t\r\n\f\v"
_CHUNK = 1 << 16


def end_padding(data: bytes) -> int:
    """Where the padding at the end of ``data`` starts (``len(data)`` when it has none): a DOS
    end-of-file mark (Ctrl-Z) or the NULs that fill a transfer's last block, with any blanks
    among and after them. Such a file ends there, as the X12 reader takes it; read as text, the
    Ctrl-Z became a row of its own, or the end of the last row's last cell, and failed it."""
    kept = len(data.rstrip(b"\x00\x1a" + _BLANKS))
    tail = data[kept:]
    starts = [i for i in (tail.find(b"\x00"), tail.find(b"\x1a")) if i >= 0]
    return kept + min(starts) if starts else len(data)


class WithoutEndPadding(io.RawIOBase):
    """``raw`` less its ``end_padding``: bytes that could be padding are held back until the
    file goes on after them (they are data then) or ends (they are dropped)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self._ready = memoryview(b"")  # read, and known to be no padding
        self._held = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        while not self._ready:
            chunk = self.raw.read(max(len(view), _CHUNK))
            if not chunk:
                return 0  # what is held is the padding at the end of the file
            data = self._held + chunk if self._held else chunk
            cut = end_padding(data)
            self._ready, self._held = memoryview(data)[:cut], data[cut:]
        count = min(len(view), len(self._ready))
        view[:count] = self._ready[:count]
        self._ready = self._ready[count:]
        return count


class DecodedLines:
    """Iterate the decoded lines of ``stream`` (LF, CRLF or CR endings; a UTF-8 BOM is dropped, and
    so is the padding at the end of the file, see ``end_padding``).

    ``bad`` holds the 1-based numbers of the lines that were not valid UTF-8; ``recent`` the
    lines read since the last ``mark()``, so a reader can re-read a row line by line.
    """

    def __init__(self, stream: BinaryIO) -> None:
        # Latin-1 maps every byte to one character and back, so this wrapper only finds the
        # line endings (universal newlines); the real decoding is per line, below.
        self._lines = io.TextIOWrapper(io.BufferedReader(WithoutEndPadding(stream)), encoding="latin-1", newline=None)
        self.bad: set[int] = set()
        self.count = 0
        self.recent: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for text in self._lines:
            raw = text.encode("latin-1")
            self.count += 1
            if self.count == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                self.bad.add(self.count)
                line = raw.decode("utf-8", errors="replace")
            self.recent.append(line)
            yield line

    def mark(self) -> None:
        """Forget the lines read so far (call before reading the next row)."""
        self.recent.clear()

    def any_bad(self, first: int, last: int) -> bool:
        """Whether a line in ``first..last`` (inclusive) was not UTF-8."""
        return any(first <= number <= last for number in self.bad)
