"""Writer registry: one writer per output format."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from claimcheck.io.writers import csv_writer, html_writer, json_writer, text_writer
from claimcheck.models.report import Report

__all__ = ["WRITERS", "Writer"]

Writer = Callable[[Report, TextIO], None]

WRITERS: dict[str, Writer] = {
    "text": text_writer.write_text,
    "json": json_writer.write_json,
    "jsonl": json_writer.write_jsonl,
    "csv": csv_writer.write_csv,
    "html": html_writer.write_html,
}
