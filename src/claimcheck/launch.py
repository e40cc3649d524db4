"""The ``claimcheck`` command's entry point: the CLI, with a Ctrl-C that comes before it is running.

Loading the CLI takes a tenth of a second or more (click, the option modules); a Ctrl-C in that
time would print Python's KeyboardInterrupt traceback. Once the CLI runs, its commands end a
Ctrl-C themselves (status 130, temporary files removed).
"""

from __future__ import annotations

import signal
import sys


def run() -> None:
    """Load and run the CLI; a Ctrl-C while it loads ends the run with status 130."""
    try:
        from claimcheck.cli import main
    except KeyboardInterrupt:
        print("claimcheck: interrupted", file=sys.stderr)
        raise SystemExit(128 + signal.SIGINT) from None
    main()
