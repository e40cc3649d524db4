"""``csv``: one row per finding, with the keys of its line; a line without findings still gets a row."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any, TextIO

from claimcheck.models.report import LineResult, Report

__all__ = ["COLUMNS", "CsvStream", "csv_text", "finding_rows", "write_csv"]

COLUMNS = (
    "claim_id",
    "line_number",
    "procedure_code",
    "line_status",
    "rule_id",
    "check",
    "status",
    "subject",
    "message",
    "source_document",
    "source_section",
    "source_version",
    "source_table",
)


def csv_text(rows: Sequence[Sequence[Any]]) -> str:
    """``rows`` as the report's CSV text: ``csv.writer``'s minimal quoting and ``\\n`` line ends,
    with a field that holds a carriage return quoted too. ``csv.writer`` quotes only the line end
    it writes, and a lone CR (a JSON or X12 value may hold one) written bare ends the row for
    CSV readers (Python's, pandas, spreadsheets)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    if "\r" not in text:  # the row ends are "\n": a CR is in a field
        return text
    # With "\r\n" as its line end, csv.writer quotes a field holding either; each row's own
    # "\r\n" is then written "\n".
    pieces = []
    for row in rows:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(row)
        pieces.append(buffer.getvalue()[:-2] + "\n")
    return "".join(pieces)


def finding_rows(line: LineResult) -> list[list[Any]]:
    """The rows of one line: one per finding, or one with empty finding columns when it has none."""
    keys: list[Any] = [line.claim_id, line.line_number, line.procedure_code, line.status.value]
    if not line.findings:
        return [[*keys, *[""] * (len(COLUMNS) - len(keys))]]
    rows = []
    for finding in line.findings:
        source = finding.source
        rows.append(
            [
                *keys,
                finding.rule_id,
                finding.check.value,
                finding.status.value,
                finding.subject,
                finding.message,
                source.document if source else "",
                (source.section or "") if source else "",
                (source.version or "") if source else "",
                (source.table or "") if source else "",
            ]
        )
    return rows


class CsvStream:
    """Writes rows as lines arrive; ``close`` has nothing to add (CSV carries no summary)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        stream.write(csv_text([COLUMNS]))

    def write(self, line: LineResult) -> None:
        self._stream.write(csv_text(finding_rows(line)))

    def close(self, summary: dict[str, Any]) -> None:
        del summary


def write_csv(report: Report, stream: TextIO) -> None:
    writer = CsvStream(stream)
    for line in report.lines:
        writer.write(line)
