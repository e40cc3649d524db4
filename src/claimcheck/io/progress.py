"""A progress bar on stderr for long runs: lines done and lines per second.

It appears only when stderr is a terminal and the run has taken more than a couple of seconds,
so short runs, pipes, CI logs and ``--quiet`` stay silent.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

__all__ = ["with_progress"]

_T = TypeVar("_T")
_DELAY_SECONDS = 2.0


def with_progress(items: Iterable[_T], console: Console | None = None, delay: float = _DELAY_SECONDS) -> Iterator[_T]:
    """Yield ``items`` unchanged, showing a progress line once ``delay`` seconds have passed."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield from items
        return
    started = time.monotonic()
    progress: Progress | None = None
    task = None
    done = 0
    try:
        for item in items:
            done += 1
            if progress is None and time.monotonic() - started > delay:
                progress = Progress(
                    SpinnerColumn(),
                    TextColumn("{task.completed:,} lines checked"),
                    TextColumn("{task.fields[rate]:,.0f} lines/s"),
                    TimeElapsedColumn(),
                    console=console,
                    transient=True,
                )
                progress.start()
                task = progress.add_task("check", total=None, rate=0.0)
            if progress is not None and task is not None and done % 500 == 0:
                progress.update(task, completed=done, rate=done / (time.monotonic() - started))
            yield item
    finally:
        if progress is not None:
            progress.stop()
