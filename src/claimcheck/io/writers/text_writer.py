"""``text``: a rich table of the lines and their warn/fail findings, then a summary."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from claimcheck.models.finding import Status
from claimcheck.models.report import LineResult, Report

__all__ = ["write_text"]

_STYLE = {Status.PASS: "green", Status.WARN: "yellow", Status.FAIL: "bold red"}
_MARK = {Status.PASS: "✓", Status.WARN: "!", Status.FAIL: "✗"}


def _findings_cell(line: LineResult, verbose: bool) -> str:
    from rich.markup import escape

    shown = line.findings if verbose else line.problems()
    rows = [
        f"[{_STYLE[f.status]}]{_MARK[f.status]} {f.status.value}[/] [dim]{escape(f.rule_id)}[/] {escape(f.message)}"
        for f in shown
    ]
    passed = len(line.findings) - len(shown)
    if passed:
        rows.append(f"[dim]{passed} check{'s' if passed != 1 else ''} passed[/]")
    return "\n".join(rows) or "[dim]no findings[/]"


def write_text(report: Report, stream: TextIO, *, verbose: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, width=None if stream.isatty() else 140, soft_wrap=False)
    table = Table(title="claimcheck findings", show_lines=True)
    for column in ("claim", "line", "code", "status"):
        table.add_column(column, no_wrap=True)
    table.add_column("findings")
    for line in report.lines:
        status = f"[{_STYLE[line.status]}]{line.status.value}[/]"
        table.add_row(
            line.claim_id or "?",
            "?" if line.line_number is None else str(line.line_number),
            line.procedure_code or "?",
            status,
            _findings_cell(line, verbose),
        )
    console.print(table)

    counts = report.counts()
    by_check = Counter(f.check.value for line in report.lines for f in line.problems())
    summary = (
        f"{len(report.lines)} lines: [green]{counts['pass']} pass[/], "
        f"[yellow]{counts['warn']} warn[/], [bold red]{counts['fail']} fail[/]"
    )
    console.print(summary)
    if by_check:
        console.print("problems by check: " + ", ".join(f"{k} {v}" for k, v in by_check.most_common()))
    top_rules = Counter(f.rule_id for line in report.lines for f in line.findings if f.status is Status.FAIL)
    if top_rules:
        console.print("top failing rules: " + ", ".join(f"{k} {v}" for k, v in top_rules.most_common(5)))
    versions = ", ".join(f"{name} {version}" for name, version in report.code_sets.items())
    console.print(f"[dim]rules {report.rules_version}; code sets: {versions}[/]")
