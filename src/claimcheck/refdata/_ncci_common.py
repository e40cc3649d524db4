"""What the NCCI PTP and MUE loaders share: the code shape, opening files, the bad-row report."""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path

from claimcheck.errors import CodeSetError
from claimcheck.refdata._ncci_wrong_files import PTP, excel_97_problem, folder_problem, zip_problem

__all__ = ["NOTICE_WORDS", "BadField", "BadRows", "is_code", "is_notice", "not_a_code", "open_binary", "text_of"]

# CPT Category I (99213), Category II/III and PLA (0001F, 0711T, 0001U, 0001M, 0001A), HCPCS Level II (J1100).
_CODE = re.compile(r"[0-9]{5}|[0-9]{4}[FTUMA]|[A-Z][0-9]{4}")

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # an Excel 97-2003 workbook (.xls)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

MAX_LISTED = 10
_CODE_LENGTH = 5
# Words of the AMA notice that CMS puts before the header of the PTP and MUE files.
NOTICE_WORDS = ("copyright", "all rights reserved", "applicable fars", "american medical association")


def is_code(text: str) -> bool:
    return _CODE.fullmatch(text) is not None


def not_a_code(shown: str, text: str) -> str:
    """The problem of ``text``, not a code; anesthesia codes (00100-01999) lose their leading zeros
    when the table was opened in a spreadsheet and saved again."""
    problem = f"{shown} {text!r} is not a CPT/HCPCS code"
    if text.isascii() and text.isdigit() and len(text) < _CODE_LENGTH and is_code(text.zfill(_CODE_LENGTH)):
        problem += f" ({text.zfill(_CODE_LENGTH)} with the zeros a spreadsheet drops?)"
    return problem


def is_notice(text: str) -> bool:
    folded = " ".join(text.lower().split())
    return any(words in folded for words in NOTICE_WORDS)


def text_of(raw: bytes) -> str:
    """Bytes as text: UTF-8, else Windows-1252 (how CMS files are sometimes saved)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Five bytes are undefined in Windows-1252; a replacement character beats a crash.
        return raw.decode("cp1252", errors="replace")


def open_binary(path: Path, file: str, option: str = PTP) -> io.BufferedIOBase:
    """The file opened for reading bytes (gzip detected from the content), or a CodeSetError;
    ``option`` (--ptp, --mue) is the one the file was given to, which a ZIP or Excel file's problem names."""
    try:
        handle: io.BufferedReader = open(path, "rb")  # the caller closes it
        magic = handle.peek(len(_OLE2_MAGIC))[: len(_OLE2_MAGIC)]
    except FileNotFoundError:
        raise CodeSetError(file, "file not found") from None
    except IsADirectoryError:
        raise CodeSetError(file, f"cannot read file: {folder_problem(path, option)}") from None
    except OSError as exc:
        raise CodeSetError(file, f"cannot read file: {exc.strerror or exc}") from None
    if magic.startswith(_ZIP_MAGIC):
        handle.close()
        raise CodeSetError(file, zip_problem(path, option))
    if magic.startswith(_OLE2_MAGIC):
        handle.close()
        raise CodeSetError(file, excel_97_problem(option, path.name))
    if magic.startswith(_UTF16_BOMS):
        handle.close()
        raise CodeSetError(file, "is UTF-16 text (a spreadsheet's 'Unicode text'); save it as UTF-8 or ANSI text")
    if magic.startswith(_GZIP_MAGIC):
        # From the handle open already: a pipe (--ptp <(curl ...)) opened again holds nothing.
        unzipped = gzip.GzipFile(fileobj=handle, mode="rb")
        unzipped.myfileobj = handle  # closed with it, as gzip.open(path) closes the file it opens
        return unzipped
    return handle


class BadField(Exception):
    """A row's problem, worded for the bad-row report."""


class BadRows:
    """The rows of one file that do not parse, so that one error can list them for the user to fix."""

    __slots__ = ("count", "listed")

    def __init__(self) -> None:
        self.count = 0
        self.listed: list[tuple[int, str]] = []

    def add(self, line: int, problem: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append((line, problem))

    def raise_if_any(self, file: str) -> None:
        if not self.count:
            return
        rows = "1 bad row" if self.count == 1 else f"{self.count} bad rows"
        heading = rows if self.count <= MAX_LISTED else f"{rows}; the first {MAX_LISTED}"
        details = "; ".join(f"line {line}: {problem}" for line, problem in self.listed)
        raise CodeSetError(file, f"{heading}: {details}", line=self.listed[0][0])
