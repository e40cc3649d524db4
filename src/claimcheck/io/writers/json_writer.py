"""``json``: the whole report (summary, then lines); ``jsonl``: one line object per row."""

from __future__ import annotations

import json
from typing import TextIO

from claimcheck.models.report import Report

__all__ = ["write_json", "write_jsonl"]


def write_json(report: Report, stream: TextIO) -> None:
    json.dump(report.to_dict(), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


def write_jsonl(report: Report, stream: TextIO) -> None:
    for line in report.lines:
        stream.write(json.dumps(line.to_dict(), ensure_ascii=False))
        stream.write("\n")
