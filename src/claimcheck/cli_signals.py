"""How a run ends on a signal: unwound, so that its temporary files go, with the shell's exit status."""

from __future__ import annotations

import functools
import os
import signal
import threading
from typing import Any

import click

__all__ = ["terminate_unwinds"]


def _ending_signals() -> list[signal.Signals]:
    """SIGTERM, and SIGHUP (the terminal or ssh session closed) unless ignored: under nohup the
    run goes on."""
    hangup = getattr(signal, "SIGHUP", None)  # not on Windows
    ignored = hangup is None or signal.getsignal(hangup) == signal.SIG_IGN
    return [signal.SIGTERM] if ignored else [signal.SIGTERM, hangup]


class _Unwinding:
    """The signal handlers of a run: the first ending signal unwinds it (the ``finally`` blocks
    remove the temporary report and spool files and shut the workers down); a second one while
    that clean-up runs is held off, since cutting it short left the spool folder behind and could
    leave the run waiting for its workers for ever; a third ends the process at once."""

    def __init__(self) -> None:
        self.signals = 0

    def _again(self, signum: int) -> None:
        self.signals += 1
        if self.signals > 2:
            os._exit(128 + signum)

    def interrupt(self, signum: int, _frame: object) -> None:
        self._again(signum)
        if self.signals == 1:
            raise KeyboardInterrupt

    def end(self, signum: int, _frame: object) -> None:
        self._again(signum)
        if self.signals == 1:
            raise SystemExit(128 + signum)


def terminate_unwinds(function: Any) -> Any:
    """Let SIGTERM (a timeout, a scheduler stopping the job) and SIGHUP unwind like Ctrl-C, so
    the temporary report and spool files are removed rather than left behind; exit status 143
    (129 for SIGHUP). Ctrl-C ends with 130, the shell's status for SIGINT, not click's "Aborted!"
    and 1. A second signal during that clean-up waits for it; a third ends the process at once."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():
            return function(*args, **kwargs)
        unwinding = _Unwinding()
        previous = {signum: signal.signal(signum, unwinding.end) for signum in _ending_signals()}
        # An ignored SIGINT (a background job of a shell without job control) stays ignored.
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            previous[signal.SIGINT] = signal.signal(signal.SIGINT, unwinding.interrupt)
        try:
            return function(*args, **kwargs)
        except KeyboardInterrupt:
            click.echo("claimcheck: interrupted", err=True)
            raise SystemExit(128 + signal.SIGINT) from None
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    return wrapper
