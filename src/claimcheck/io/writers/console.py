"""A rich console that lets a closed pipe be the command line's business."""

from __future__ import annotations

import errno

from rich.console import Console

__all__ = ["ReportConsole"]


class ReportConsole(Console):
    """rich's ``Console``, except that a reader who goes away (``| head``) raises
    ``BrokenPipeError`` rather than rich's own exit with status 1, which claimcheck's command
    line uses for "some line fails"; the command line ends such a run with status 141."""

    def on_broken_pipe(self) -> None:
        self.quiet = True  # nothing more is written to the closed pipe
        raise BrokenPipeError(errno.EPIPE, "the reader of the output went away")
