"""``text``: a rich table of the (first) lines and their warn/fail findings, then a summary."""

from __future__ import annotations

from collections import Counter
from typing import Any, TextIO

from claimcheck.models.finding import Status
from claimcheck.models.report import LineResult, Report

__all__ = ["TABLE_LIMIT", "TextStream", "write_text"]

# Lines shown in the table; the summary counts them all.
TABLE_LIMIT = 2_000

_STYLE = {Status.PASS: "green", Status.WARN: "yellow", Status.FAIL: "bold red"}
_MARK = {Status.PASS: "✓", Status.WARN: "!", Status.FAIL: "✗"}


def _visible(text: str) -> str:
    """``text`` with control and format characters written as escapes (``\\x1b``): a claim file's
    ESC sequences printed raw would clear the screen or retitle the terminal, and a bidi
    override would reorder what the reader sees."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _findings_cell(line: LineResult, verbose: bool) -> str:
    from rich.markup import escape

    shown = line.findings if verbose else line.notable()
    rows = [
        f"[{_STYLE[f.status]}]{_MARK[f.status]} {f.status.value}[/] [dim]{escape(f.rule_id)}[/] "
        + escape(_visible(f.message))
        for f in shown
    ]
    passed = len(line.findings) - len(shown)
    if passed:
        rows.append(f"[dim]{passed} check{'s' if passed != 1 else ''} passed[/]")
    return "\n".join(rows) or "[dim]no findings[/]"


class TextStream:
    """Collects what the text report needs as lines stream past: the first ``table_limit`` lines
    for the table, and counts for the summary, so a run of millions of lines stays in flat memory.
    """

    def __init__(
        self, stream: TextIO, *, verbose: bool = False, table_limit: int = TABLE_LIMIT, plain: bool = False
    ) -> None:
        """``plain``: no colour or other terminal escapes unless ``stream`` is a terminal, whatever
        FORCE_COLOR or TTY_COMPATIBLE say (which colour CI logs): a report saved with -o."""
        self._stream = stream
        self._plain = plain
        self._verbose = verbose
        self._limit = table_limit
        self._shown: list[LineResult] = []
        self._lines = 0
        self._by_status: Counter[Status] = Counter()
        self._by_check: Counter[str] = Counter()
        self._failing: Counter[str] = Counter()

    def write(self, line: LineResult) -> None:
        self._lines += 1
        self._by_status[line.status] += 1
        for finding in line.problems():
            self._by_check[finding.check.value] += 1
            if finding.status is Status.FAIL:
                self._failing[finding.rule_id] += 1
        if len(self._shown) < self._limit:
            self._shown.append(line)

    def close(self, summary: dict[str, Any]) -> None:
        from rich.markup import escape
        from rich.table import Table
        from rich.text import Text

        from claimcheck.io.writers.console import ReportConsole

        stream = self._stream
        terminal = stream.isatty()
        plain = {"force_terminal": False, "color_system": None} if self._plain and not terminal else {}
        console = ReportConsole(file=stream, width=None if terminal else 140, soft_wrap=False, **plain)
        table = Table(title="claimcheck findings", show_lines=True)
        # A claim id can be as wide as the page (a UUID, a long export key), a procedure code cell
        # too when it holds something else: they fold, and the findings keep the room rich
        # squeezed to nothing beside them.
        table.add_column("claim", overflow="fold", max_width=24)
        table.add_column("line", no_wrap=True)
        table.add_column("code", overflow="fold", max_width=12)
        table.add_column("status", no_wrap=True)
        table.add_column("findings")
        for line in self._shown:
            status = f"[{_STYLE[line.status]}]{line.status.value}[/]"
            table.add_row(  # claim id and code are the input's text: Text keeps "[/]" from being read as markup
                Text(_visible(line.claim_id or "?")),
                "?" if line.line_number is None else str(line.line_number),
                Text(_visible(line.procedure_code or "?")),
                status,
                _findings_cell(line, self._verbose),
            )
        console.print(table)
        # The summary's lines are not wrapped at the table's width: each stays one line for a
        # grep or a log parser (a terminal folds them as it shows them).
        hidden = self._lines - len(self._shown)
        if hidden:
            note = f"[dim]… {hidden:,} more {_noun(hidden)} not shown; --format csv or jsonl lists them all[/]"
            console.print(note, soft_wrap=True)
        counts = self._by_status
        console.print(
            f"{self._lines} {_noun(self._lines)}: [green]{counts[Status.PASS]} pass[/], "
            f"[yellow]{counts[Status.WARN]} warn[/], [bold red]{counts[Status.FAIL]} fail[/]",
            soft_wrap=True,
        )
        if self._by_check:
            by_check = ", ".join(f"{k} {v}" for k, v in self._by_check.most_common())
            console.print("problems by check: " + by_check, soft_wrap=True)
        if self._failing:
            top = self._failing.most_common(5)
            failing = ", ".join(f"{escape(rule)} {count}" for rule, count in top)
            console.print("top failing rules: " + failing, soft_wrap=True)
        versions = ", ".join(f"{name} {version}" for name, version in summary["code_sets"].items())
        console.print(f"[dim]rules {summary['rules_version']}; code sets: {versions}[/]", soft_wrap=True)


def _noun(count: int) -> str:
    return "line" if count == 1 else "lines"


def write_text(report: Report, stream: TextIO, *, verbose: bool = False) -> None:
    writer = TextStream(stream, verbose=verbose)
    for line in report.lines:
        writer.write(line)
    writer.close(report.summary())
