"""The progress bar shows only on a terminal, after a delay, and never changes what is yielded."""

from __future__ import annotations

import io

from click.testing import CliRunner
from rich.console import Console

from claimcheck.cli import main
from claimcheck.io.progress import with_progress
from tests.conftest import ROOT


def test_silent_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()
    assert list(with_progress(range(1000), Console(file=stream, force_terminal=False), delay=0)) == list(range(1000))
    assert stream.getvalue() == ""


def test_shown_on_a_terminal_after_the_delay() -> None:
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, width=100)
    assert list(with_progress(range(2000), console, delay=0)) == list(range(2000))
    assert "lines checked" in stream.getvalue()


def test_quiet_and_the_text_summary() -> None:
    result = CliRunner().invoke(main, ["check", str(ROOT / "fixtures" / "demo" / "claims.csv"), "--quiet"])
    assert result.exit_code == 1
    assert "top failing rules:" in result.stdout and result.stderr == ""
