"""``csv``: one row per finding, with the keys of its line; a line without findings still gets a row."""

from __future__ import annotations

import csv
from typing import TextIO

from claimcheck.models.report import Report

__all__ = ["COLUMNS", "write_csv"]

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
)


def write_csv(report: Report, stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for line in report.lines:
        keys = [line.claim_id, line.line_number, line.procedure_code, line.status.value]
        if not line.findings:
            writer.writerow([*keys, *[""] * (len(COLUMNS) - len(keys))])
        for finding in line.findings:
            source = finding.source
            writer.writerow(
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
                ]
            )
