"""``json``: the whole report (summary, then lines); ``jsonl``: one line object per row.

Both stream: ``jsonl`` writes each line as it arrives; ``json`` spools the lines (to disk past a
few megabytes) so the summary, known only at the end, can still come first.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from typing import Any, TextIO

from claimcheck.models.report import LineResult, Report

__all__ = ["JsonStream", "JsonlStream", "write_json", "write_jsonl"]

_SPOOL_BYTES = 8 * 1024 * 1024


def _indented(data: Any, prefix: str) -> str:
    """``data`` as ``json.dump(..., indent=2)`` writes it when nested at ``prefix``."""
    return json.dumps(data, indent=2, ensure_ascii=False).replace("\n", "\n" + prefix)


class JsonlStream:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, line: LineResult) -> None:
        self._stream.write(json.dumps(line.to_dict(), ensure_ascii=False))
        self._stream.write("\n")

    def close(self, summary: dict[str, Any]) -> None:
        del summary


class JsonStream:
    """Writes exactly what ``json.dump(report.to_dict(), indent=2)`` would, without the report."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES, mode="w+", encoding="utf-8")
        self._count = 0

    def write(self, line: LineResult) -> None:
        self._spool.write(",\n    " if self._count else "\n    ")
        self._spool.write(_indented(line.to_dict(), "    "))
        self._count += 1

    def close(self, summary: dict[str, Any]) -> None:
        self._stream.write('{\n  "summary": ' + _indented(summary, "  ") + ',\n  "lines": [')
        self._spool.seek(0)
        shutil.copyfileobj(self._spool, self._stream)
        self._spool.close()
        self._stream.write("\n  ]\n}\n" if self._count else "]\n}\n")


def _write_all(report: Report, writer: JsonStream | JsonlStream) -> None:
    for line in report.lines:
        writer.write(line)
    writer.close(report.summary())


def write_json(report: Report, stream: TextIO) -> None:
    _write_all(report, JsonStream(stream))


def write_jsonl(report: Report, stream: TextIO) -> None:
    _write_all(report, JsonlStream(stream))
