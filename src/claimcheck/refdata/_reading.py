"""Reading code set files: bytes to text, CSV records with line numbers, field parsers.

Every problem becomes a :class:`CodeSetError` naming the file (and line when there is one), so a
broken user-supplied release never surfaces as a bare KeyError or ValueError.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from claimcheck.errors import CodeSetError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

_GZIP_MAGIC = b"\x1f\x8b"

_FLAG_VALUES = {"1": True, "Y": True, "0": False, "N": False}


def file_label(path: Path) -> str:
    """How findings name a user's file: its name; ``fd63`` for a descriptor (``/dev/fd/63``, a
    process substitution ``<(zcat ...)``), whose number alone would read as a name or release."""
    return f"fd{path.name}" if path.name.isdigit() and path.parent.name == "fd" else path.name


def file_stem(path: Path) -> str:
    """``file_label`` without ``.gz`` and the extension, for a version the name does not state."""
    return Path(file_label(path).removesuffix(".gz")).stem


def read_text(source: Traversable) -> str:
    """The file's text; gzip is detected from the content, not the name."""
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise CodeSetError(str(source), "file not found") from None
    except OSError as exc:
        raise CodeSetError(str(source), f"cannot read file: {exc.strerror or exc}") from None
    if raw.startswith(_GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise CodeSetError(str(source), f"corrupt gzip data: {exc}") from None
    return decode(raw, str(source))


def decode(raw: bytes, file: str) -> str:
    """A file's bytes as text: UTF-8 (with or without a BOM), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Spreadsheets saved on Windows (a common way to edit these lists) write Windows-1252.
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise CodeSetError(file, "not UTF-8 or Windows-1252 text") from None


def first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def csv_records(
    file: str, text: str, *, required: Sequence[str], optional: Sequence[str] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line number, {column: stripped value})`` for each non-blank row.

    Column names are matched case-insensitively; columns not asked for are ignored, and optional
    columns missing from the header come back as empty strings.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise CodeSetError(file, "file is empty") from None
    except csv.Error as exc:
        raise CodeSetError(file, f"bad CSV header: {exc}", line=1) from None
    missing = [name for name in required if name not in header]
    if missing:
        raise CodeSetError(file, _header_problem(missing, header, (*required, *optional)), line=1)
    positions = {name: header.index(name) for name in (*required, *optional) if name in header}
    needed = max(positions[name] for name in required) + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CodeSetError(file, f"bad CSV: {exc}", line=reader.line_num) from None
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < needed:
            raise CodeSetError(file, f"expected at least {needed} fields, found {len(row)}", line=reader.line_num)
        values = {name: "" for name in optional}
        values.update({name: row[index].strip() for name, index in positions.items() if index < len(row)})
        yield reader.line_num, values


def _header_problem(missing: Sequence[str], header: Sequence[str], expected: Sequence[str]) -> str:
    # Only expected names are repeated: a file without its header (a claims extract given by
    # mistake) has a data row there, and an error message must not carry patient data.
    known = [name for name in expected if name in header]
    names = f"it names {', '.join(known)}" if known else "it names none of them; is the header row missing?"
    return (
        f"missing column(s) {', '.join(missing)}; the first row must be a header naming the columns "
        f"{', '.join(expected)}; it has {len(header)} column{'' if len(header) == 1 else 's'}, and {names}"
    )


def parse_flag(file: str, line: int, raw: str, field: str) -> bool:
    try:
        return _FLAG_VALUES[raw.strip().upper()]
    except KeyError:
        raise CodeSetError(file, f"{field} {raw!r} is not one of 0, 1, Y, N", line=line) from None


def parse_date(file: str, line: int, raw: str, field: str) -> date | None:
    """``YYYYMMDD`` (the CMS form) or ``YYYY-MM-DD``; empty means no date."""
    if not raw:
        return None
    digits = raw.replace("-", "") if len(raw) == 10 and raw[4] == raw[7] == "-" else raw
    if len(digits) == 8 and digits.isdigit():
        try:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            pass  # a month or day out of range
    raise CodeSetError(file, f"{field} {raw!r} is not a date (YYYYMMDD or YYYY-MM-DD)", line=line)


def require_value(file: str, line: int, value: str, field: str) -> str:
    if not value:
        raise CodeSetError(file, f"{field} is empty", line=line)
    return value


def reject_duplicate(file: str, line: int, code: str, first_lines: dict[str, int]) -> None:
    if code in first_lines:
        raise CodeSetError(file, f"code {code} listed twice (first on line {first_lines[code]})", line=line)
    first_lines[code] = line
