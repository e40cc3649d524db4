"""``html``: one self-contained page for people — summary, the most frequent failing rules as a
bar chart, counts by procedure and by check, and a filterable, paged table of the lines with a warning,
a failure or a bypass (a modifier that let a pair or a repeat pass).

Everything is inline (CSS, JavaScript, SVG): the page fetches nothing. Totals are aggregated
here, so the page stays light at a million lines; the table lists at most ``max_lines`` of those
lines and says when there were more.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from html import escape
from importlib import resources
from typing import Any, TextIO

from claimcheck.models.finding import Finding, Status
from claimcheck.models.report import LineResult, Report

__all__ = ["MAX_LINES", "HtmlStream", "write_html"]

MAX_LINES = 5000
_TOP_RULES = 12
_LABEL_CHARS = 32  # of a rule id in the chart: as many as its 222 px label column holds at 12 px
# A column mapped wrong (a charge or a claim number where the code goes) gives every line a code
# of its own, and a page of a row per line; the rest of the codes share one row.
_TOP_PROCEDURES = 100
_POINTERS = ("line", "resource", "entry", "item", "segment")  # of the location keys, what a person looks for
_SLOT = re.compile(r"\{\{(\w+)\}\}")
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)  # the page's code; its data blocks have a type


_STATUSES = tuple(status.value for status in Status)

_PIECE = 1 << 16  # characters of the page written at a time


class HtmlStream:
    """Aggregates the page's figures as lines stream past, and keeps only the first ``max_lines``
    lines it lists: a report of millions of lines is written in flat memory, as the JSON and CSV
    reports are, and the page is the same as from the whole report."""

    def __init__(self, stream: TextIO, *, max_lines: int = MAX_LINES) -> None:
        self._stream = stream
        self._max_lines = max_lines
        self._failing_rules: Counter[str] = Counter()
        # Per code and per check, lines or findings by status in Status order: three counts, not
        # a Counter each, as a column mapped wrong gives every line a code of its own.
        self._by_procedure: dict[str, list[int]] = {}
        self._by_check: dict[str, list[int]] = {}
        self._rows: list[dict[str, Any]] = []
        self._listed_lines = 0  # lines with a warning, a failure or a bypass that let a pair or repeat pass

    def write(self, line: LineResult) -> None:
        _count(self._by_procedure, line.procedure_code or "(none)", line.status.value)
        for finding in line.findings:
            _count(self._by_check, finding.check.value, finding.status.value)
            if finding.status is Status.FAIL:
                self._failing_rules[finding.rule_id] += 1
        notable = line.notable()
        if not notable:
            return
        self._listed_lines += 1
        if len(self._rows) < self._max_lines:
            self._rows.append(_row(line, notable))

    def close(self, summary: dict[str, Any]) -> None:
        page = _page(
            summary,
            failing_rules=self._failing_rules.most_common(_TOP_RULES),
            failing_rule_count=len(self._failing_rules),
            by_procedure=_top_procedures(self._by_procedure),
            by_check=sorted(self._by_check.items()),
            rows=self._rows,
            listed_lines=self._listed_lines,
        )
        # In pieces: one write of the whole page into a pipe that closed (| head) took what the
        # pipe held and reported no error, where the next piece's write reports the closed pipe.
        for at in range(0, len(page), _PIECE):
            self._stream.write(page[at : at + _PIECE])


def _count(table: dict[str, list[int]], key: str, status: str) -> None:
    counts = table.get(key)
    if counts is None:
        counts = table[key] = [0] * len(_STATUSES)
    counts[_STATUSES.index(status)] += 1


def _row(line: LineResult, notable: tuple[Finding, ...]) -> dict[str, Any]:
    return {
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


def _top_procedures(by_procedure: dict[str, list[int]]) -> list[tuple[str, list[int]]]:
    """The most frequent codes, most lines first, then one row totalling the others."""
    ranked = sorted(by_procedure.items(), key=lambda item: -sum(item[1]))
    if len(ranked) <= _TOP_PROCEDURES + 1:
        return ranked
    others = [sum(column) for column in zip(*(counts for _, counts in ranked[_TOP_PROCEDURES:]), strict=True)]
    return [*ranked[:_TOP_PROCEDURES], (f"{len(ranked) - _TOP_PROCEDURES:,} other procedure codes", others)]


def _label(rule: str) -> str:
    """A rule id short enough for the chart's label column, its start (what the rule is about)
    and end kept: the label is right-aligned, and a long one ran off the chart's left edge."""
    if len(rule) <= _LABEL_CHARS:
        return escape(rule)
    head = (_LABEL_CHARS - 1) // 2
    short = f"{rule[:head]}…{rule[head + 1 - _LABEL_CHARS :]}"
    return f"{escape(short)}<title>{escape(rule)}</title>"


def _bar_chart(failing_rules: list[tuple[str, int]], failing_rule_count: int) -> str:
    if not failing_rules:
        return '<p class="empty">No failing rules.</p>'
    note = (
        f'<p class="note">The {len(failing_rules)} most frequent of {failing_rule_count:,} failing rules, '
        "by failing findings; the findings by check below count them all.</p>"
        if failing_rule_count > len(failing_rules)
        else ""
    )
    width, bar_height, label_width = 760, 22, 230
    height = len(failing_rules) * (bar_height + 6) + 6
    most = failing_rules[0][1]
    # The viewBox lets the page's style shrink the chart to a printed page or a narrow window.
    parts = [
        note,
        f'<svg id="rule-chart" role="img" aria-label="Most frequent failing rules" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
    ]
    for index, (rule, count) in enumerate(failing_rules):
        y = 6 + index * (bar_height + 6)
        length = max(2, int((width - label_width - 70) * count / most))
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">{_label(rule)}</text>'
            f'<rect class="bar" x="{label_width}" y="{y}" width="{length}" height="{bar_height}">'
            f"<title>{escape(rule)}: {count}</title></rect>"
            f'<text x="{label_width + length + 6}" y="{y + 16}">{count:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _count_table(title: str, key: str, items: list[tuple[str, list[int]]], table_id: str) -> str:
    head = "".join(f"<th>{status}</th>" for status in _STATUSES)
    body = "".join(
        f"<tr><td>{escape(name)}</td>" + "".join(f"<td>{count:,}</td>" for count in counts) + "</tr>"
        for name, counts in items
    )
    return (
        f'<section><h2>{title}</h2><table id="{table_id}"><thead><tr><th>{key}</th>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></section>"
    )


def _policy(template: str) -> str:
    """The page's Content-Security-Policy: its own script (by hash, so the template's script must
    hold no slot), inline styles, and no fetch of any kind. Claim text is escaped where it enters
    the page; should some slip through, it could neither run nor send what the page shows away."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode('utf-8')).digest()).decode('ascii')}'"
        for script in _SCRIPT.findall(template)
    )
    return f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _page(
    summary: dict[str, Any],
    *,
    failing_rules: list[tuple[str, int]],
    failing_rule_count: int,
    by_procedure: list[tuple[str, list[int]]],
    by_check: list[tuple[str, list[int]]],
    rows: list[dict[str, Any]],
    listed_lines: int,
) -> str:
    template = resources.files("claimcheck.io.writers").joinpath("html_template.html").read_text(encoding="utf-8")
    shown = len(rows)
    note = (
        f"Showing the first {shown:,} of {listed_lines:,} lines with warnings, failures or bypasses."
        if listed_lines > shown
        else f"{shown:,} line{'' if shown == 1 else 's'} with warnings, failures or bypasses."
    )
    versions = ", ".join(f"{k} {v}" for k, v in summary["code_sets"].items())
    # "<" in a script block can end it ("</script") or start a comment ("<!--") that swallows the
    # rest of the page; JSON's \u003c spelling of it is read back as the same character.
    payload = json.dumps(rows, ensure_ascii=False).replace("<", "\\u003c")
    slots = {
        "policy": _policy(template),
        "lines": f"{summary['lines']:,}",
        "lines_noun": "line" if summary["lines"] == 1 else "lines",
        **{status: f"{summary[status]:,}" for status in _STATUSES},
        "versions": escape(f"rules {summary['rules_version']}; code sets: {versions}"),
        "chart": _bar_chart(failing_rules, failing_rule_count),
        "by_procedure": _count_table("Lines by procedure", "procedure", by_procedure, "by-procedure"),
        "by_check": _count_table("Findings by check", "check", by_check, "by-check"),
        "note": escape(note),
        "listed": str(listed_lines),
        "rows": payload,
    }
    # One pass over the template, so a "{{rows}}" in a claim's own text is never filled in.
    return _SLOT.sub(lambda match: slots[match[1]], template)


def write_html(report: Report, stream: TextIO, *, max_lines: int = MAX_LINES) -> None:
    writer = HtmlStream(stream, max_lines=max_lines)
    for line in report.lines:
        writer.write(line)
    writer.close(report.summary())
