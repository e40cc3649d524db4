"""``html``: one self-contained page for people — summary, the most frequent failing rules as a
bar chart, counts by procedure and by check, and a filterable, paged table of the lines with a warning,
a failure or a bypass (a modifier that let a pair or a repeat pass).

Everything is inline (CSS, JavaScript, SVG): the page fetches nothing. Totals are aggregated
here, so the page stays light at a million lines; the table lists at most ``max_lines`` of those
lines and says when there were more.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from html import escape
from importlib import resources
from typing import Any, TextIO

from claimcheck.models.finding import Status
from claimcheck.models.report import Report

__all__ = ["MAX_LINES", "write_html"]

MAX_LINES = 5000
_TOP_RULES = 12
# A column mapped wrong (a charge or a claim number where the code goes) gives every line a code
# of its own, and a page of a row per line; the rest of the codes share one row.
_TOP_PROCEDURES = 100
_POINTERS = ("line", "resource", "entry", "item", "segment")  # of the location keys, what a person looks for
_SLOT = re.compile(r"\{\{(\w+)\}\}")


def _aggregate(report: Report, max_lines: int) -> dict[str, Any]:
    by_status: Counter[str] = Counter()
    failing_rules: Counter[str] = Counter()
    by_procedure: dict[str, Counter[str]] = {}
    by_check: dict[str, Counter[str]] = {}
    rows: list[dict[str, Any]] = []
    listed_lines = 0  # lines with a warning, a failure or a bypass that let a pair or repeat pass
    for line in report.lines:
        by_status[line.status.value] += 1
        by_procedure.setdefault(line.procedure_code or "(none)", Counter())[line.status.value] += 1
        for finding in line.findings:
            by_check.setdefault(finding.check.value, Counter())[finding.status.value] += 1
            if finding.status is Status.FAIL:
                failing_rules[finding.rule_id] += 1
        notable = line.notable()
        if not notable:
            continue
        listed_lines += 1
        if len(rows) < max_lines:
            rows.append(
                {
                    "claim": line.claim_id,
                    "line": line.line_number,
                    "code": line.procedure_code,
                    "where": _where(line.location),
                    "status": line.status.value,
                    "findings": [
                        {
                            "rule": f.rule_id,
                            "check": f.check.value,
                            "status": f.status.value,
                            "message": f.message,
                            "source": " / ".join(v for v in (f.source.to_dict().values() if f.source else ()) if v),
                        }
                        for f in notable
                    ],
                }
            )
    return {
        "by_status": by_status,
        "failing_rules": failing_rules.most_common(_TOP_RULES),
        "by_procedure": _top_procedures(by_procedure),
        "by_check": sorted(by_check.items()),
        "rows": rows,
        "listed_lines": listed_lines,
    }


def _where(location: Mapping[str, str | int | None] | None) -> str:
    """Where the line is in its file, from the JSON report's ``location``: with several 837 or
    FHIR files, claim ids and line numbers repeat, and only the file and segment or item tell
    which line a row is. The keys that point at the line itself are shown (an X12 segment
    number already says which interchange, group and transaction). Empty for the formats
    without a location (CSV, JSON claims)."""
    if not location:
        return ""
    parts = [str(location["file"])] if location.get("file") else []
    parts += [f"{key} {location[key]}" for key in _POINTERS if location.get(key) is not None]
    return ", ".join(parts)


def _top_procedures(by_procedure: dict[str, Counter[str]]) -> list[tuple[str, Counter[str]]]:
    """The most frequent codes, most lines first, then one row totalling the others."""
    ranked = sorted(by_procedure.items(), key=lambda item: -sum(item[1].values()))
    if len(ranked) <= _TOP_PROCEDURES + 1:
        return ranked
    others: Counter[str] = Counter()
    for _, counts in ranked[_TOP_PROCEDURES:]:
        others.update(counts)
    return [*ranked[:_TOP_PROCEDURES], (f"{len(ranked) - _TOP_PROCEDURES:,} other procedure codes", others)]


def _bar_chart(failing_rules: list[tuple[str, int]]) -> str:
    if not failing_rules:
        return '<p class="empty">No failing rules.</p>'
    width, bar_height, label_width = 760, 22, 230
    most = failing_rules[0][1]
    parts = [
        f'<svg id="rule-chart" role="img" aria-label="Most frequent failing rules" width="{width}" '
        f'height="{len(failing_rules) * (bar_height + 6) + 6}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, (rule, count) in enumerate(failing_rules):
        y = 6 + index * (bar_height + 6)
        length = max(2, int((width - label_width - 70) * count / most))
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">{escape(rule)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y}" width="{length}" height="{bar_height}">'
            f"<title>{escape(rule)}: {count}</title></rect>"
            f'<text x="{label_width + length + 6}" y="{y + 16}">{count:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _count_table(title: str, key: str, items: list[tuple[str, Counter[str]]], table_id: str) -> str:
    head = "".join(f"<th>{s.value}</th>" for s in Status)
    body = "".join(
        f"<tr><td>{escape(name)}</td>" + "".join(f"<td>{counts.get(s.value, 0):,}</td>" for s in Status) + "</tr>"
        for name, counts in items
    )
    return (
        f'<section><h2>{title}</h2><table id="{table_id}"><thead><tr><th>{key}</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></section>"
    )


def write_html(report: Report, stream: TextIO, *, max_lines: int = MAX_LINES) -> None:
    data = _aggregate(report, max_lines)
    template = resources.files("claimcheck.io.writers").joinpath("html_template.html").read_text(encoding="utf-8")
    counts = data["by_status"]
    shown = len(data["rows"])
    note = (
        f"Showing the first {shown:,} of {data['listed_lines']:,} lines with warnings, failures or bypasses."
        if data["listed_lines"] > shown
        else f"{shown:,} lines with warnings, failures or bypasses."
    )
    versions = ", ".join(f"{k} {v}" for k, v in report.code_sets.items())
    # "<" in a script block can end it ("</script") or start a comment ("<!--") that swallows the
    # rest of the page; JSON's \u003c spelling of it is read back as the same character.
    payload = json.dumps(data["rows"], ensure_ascii=False).replace("<", "\\u003c")
    slots = {
        "lines": f"{len(report.lines):,}",
        "pass": f"{counts.get('pass', 0):,}",
        "warn": f"{counts.get('warn', 0):,}",
        "fail": f"{counts.get('fail', 0):,}",
        "versions": escape(f"rules {report.rules_version}; code sets: {versions}"),
        "chart": _bar_chart(data["failing_rules"]),
        "by_procedure": _count_table("Lines by procedure", "procedure", data["by_procedure"], "by-procedure"),
        "by_check": _count_table("Findings by check", "check", data["by_check"], "by-check"),
        "note": escape(note),
        "rows": payload,
    }
    # One pass over the template, so a "{{rows}}" in a claim's own text is never filled in.
    page = _SLOT.sub(lambda match: slots[match[1]], template)
    stream.write(page)
