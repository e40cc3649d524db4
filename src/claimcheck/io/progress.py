"""A progress bar on stderr for long runs: lines done, lines per second, and the time left
when the size of the input is known.

It appears only when stderr is a terminal and the run has taken more than a couple of seconds,
so short runs, pipes, CI logs and ``--quiet`` stay silent.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)

__all__ = ["RunProgress", "progress_bar", "with_progress"]

_T = TypeVar("_T")
_DELAY_SECONDS = 2.0
_STEP = 500  # items between updates of the bar


@dataclass
class RunProgress:
    """Lines checked and input bytes read so far, of ``total_bytes`` (0 when unknown)."""

    total_bytes: int = 0
    lines: int = 0
    bytes_done: int = 0
    listeners: list[Callable[[RunProgress], None]] = field(default_factory=list)

    def advance(self, lines: int, bytes_done: int | None = None) -> None:
        self.lines += lines
        if bytes_done is not None:
            self.bytes_done = max(self.bytes_done, bytes_done)
        for listener in self.listeners:
            listener(self)


@contextmanager
def progress_bar(
    progress: RunProgress, console: Console | None = None, delay: float = _DELAY_SECONDS
) -> Iterator[None]:
    """Show ``progress`` as a bar with the time left, once ``delay`` seconds have passed."""
    if console is None and not _stderr_is_a_terminal():
        yield
        return
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    started = time.monotonic()
    bar: Progress | None = None
    task = None

    def update(state: RunProgress) -> None:
        nonlocal bar, task
        elapsed = time.monotonic() - started
        if bar is None:
            if elapsed <= delay:
                return
            bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.fields[lines]:,} {task.fields[unit]} checked"),
                TextColumn("{task.fields[rate]:,.0f} lines/s"),
                BarColumn(),
                TaskProgressColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            bar.start()
            task = bar.add_task("check", total=state.total_bytes or None, lines=0, unit="lines", rate=0.0)
        assert task is not None
        unit = "line" if state.lines == 1 else "lines"
        bar.update(task, completed=state.bytes_done, lines=state.lines, unit=unit, rate=state.lines / elapsed)

    progress.listeners.append(update)
    try:
        yield
    finally:
        progress.listeners.remove(update)
        if bar is not None:
            bar.stop()


def _stderr_is_a_terminal() -> bool:
    """Whether stderr itself is a terminal: rich takes a log file for one when FORCE_COLOR or
    TTY_COMPATIBLE is set (as CI jobs do for coloured logs), and the bar's frames would fill it."""
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # a stand-in without isatty, or a closed stream
        return False


def with_progress(
    items: Iterable[_T],
    console: Console | None = None,
    delay: float = _DELAY_SECONDS,
    progress: RunProgress | None = None,
) -> Iterator[_T]:
    """Yield ``items`` unchanged, showing lines checked once ``delay`` seconds have passed, and the
    time left when ``progress`` knows its total bytes and whoever makes ``items`` advances them."""
    progress = progress or RunProgress()
    with progress_bar(progress, console, delay):
        done = 0
        for item in items:
            done += 1
            if done % _STEP == 0:
                progress.advance(_STEP)
            yield item
