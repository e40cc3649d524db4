"""``json``: the whole report (summary, then lines); ``jsonl``: one line object per row.

Both stream: ``jsonl`` writes each line as it arrives; ``json`` spools the lines (to disk past a
few megabytes) so the summary, known only at the end, can still come first.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import weakref
from typing import Any, TextIO

from claimcheck.models.finding import Finding
from claimcheck.models.report import LineResult, Report

__all__ = ["JsonStream", "JsonlStream", "write_json", "write_jsonl"]

_SPOOL_BYTES = 8 * 1024 * 1024


def _indented(data: Any, prefix: str) -> str:
    """``data`` as ``json.dump(..., indent=2)`` writes it when nested at ``prefix``."""
    return json.dumps(data, indent=2, ensure_ascii=False).replace("\n", "\n" + prefix)


# Where the report's lines (in "lines") and their findings (in "findings") are nested.
_LINE_PREFIX = " " * 4
_FINDING_PREFIX = " " * 8


# json's C encoder: a scalar comes out as the indenting (pure Python) encoder writes it.
_scalar = json.JSONEncoder(ensure_ascii=False).encode


class _FindingTexts:
    """Each finding's indented JSON, rendered once: a big report repeats a few thousand distinct
    findings millions of times, and json's indenting encoder is pure Python. Keyed by identity
    (a finding kept here cannot be collected, so its id is not reused), and by value as well."""

    _LIMIT = 1 << 16

    def __init__(self) -> None:
        self._by_id: dict[int, tuple[Finding, str]] = {}
        self._by_value: dict[Finding, str] = {}

    def __call__(self, finding: Finding) -> str:
        known = self._by_id.get(id(finding))
        if known is not None and known[0] is finding:
            return known[1]
        if len(self._by_id) >= self._LIMIT:  # bounded: the per-line road makes new objects each line
            self._by_id.clear()
            self._by_value.clear()
        text = self._by_value.get(finding)
        if text is None:
            text = self._by_value[finding] = _indented(finding.to_dict(), _FINDING_PREFIX)
        self._by_id[id(finding)] = (finding, text)
        return text


def _line_text(line: LineResult, finding_text: _FindingTexts) -> str:
    """``_indented(line.to_dict(), _LINE_PREFIX)``, with each finding's text rendered once."""
    inner = _LINE_PREFIX + "  "
    fields = [
        f"{inner}{_scalar(key)}: {_indented(value, inner) if isinstance(value, dict | list) else _scalar(value)}"
        for key, value in line.head().items()
    ]
    if line.findings:
        items = f",\n{_FINDING_PREFIX}".join(map(finding_text, line.findings))
        fields.append(f'{inner}"findings": [\n{_FINDING_PREFIX}{items}\n{inner}]')
    else:
        fields.append(f'{inner}"findings": []')
    return "{\n" + ",\n".join(fields) + "\n" + _LINE_PREFIX + "}"


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
        # A run that fails part-way never calls close(): the spool goes with the writer.
        weakref.finalize(self, self._spool.close)
        self._count = 0
        self._finding_text = _FindingTexts()

    def write(self, line: LineResult) -> None:
        separator = ",\n" if self._count else "\n"
        self._spool.write(separator + _LINE_PREFIX + _line_text(line, self._finding_text))
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
