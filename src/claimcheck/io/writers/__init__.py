"""Writer registry: one writer per output format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TextIO

from claimcheck.io.writers import csv_writer, html_writer, json_writer, text_writer
from claimcheck.models.report import LineResult, Report

__all__ = ["STREAM_WRITERS", "WRITERS", "StreamWriter", "Writer"]

Writer = Callable[[Report, TextIO], None]

WRITERS: dict[str, Writer] = {
    "text": text_writer.write_text,
    "json": json_writer.write_json,
    "jsonl": json_writer.write_jsonl,
    "csv": csv_writer.write_csv,
    "html": html_writer.write_html,
}


class StreamWriter(Protocol):
    """A writer that takes lines as they are checked, then the summary: memory stays flat."""

    def write(self, line: LineResult) -> None: ...

    def close(self, summary: dict[str, Any]) -> None: ...


STREAM_WRITERS: dict[str, Callable[[TextIO], StreamWriter]] = {
    "json": json_writer.JsonStream,
    "jsonl": json_writer.JsonlStream,
    "csv": csv_writer.CsvStream,
    "html": html_writer.HtmlStream,
}
