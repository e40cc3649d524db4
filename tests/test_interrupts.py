"""A second Ctrl-C (or SIGTERM) while a run unwinds from the first does not cut its clean-up short."""

from __future__ import annotations

import os
import signal

import pytest

from claimcheck.cli_signals import terminate_unwinds


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("first", [signal.SIGINT, signal.SIGTERM])
def test_a_second_signal_during_the_clean_up_of_the_first_is_held_off(
    first: signal.Signals, second: signal.Signals
) -> None:
    cleaned = []

    @terminate_unwinds
    def run() -> None:
        try:
            os.kill(os.getpid(), first)
            raise AssertionError("the first signal did not stop the run")
        finally:
            # The clean-up (removing the temporary report, shutting the workers down) meets a
            # second signal: the user pressed Ctrl-C again. Cut short, it left the spool folder
            # behind and could leave the run waiting for its workers for ever.
            os.kill(os.getpid(), second)
            cleaned.append(True)

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with pytest.raises(SystemExit) as stopped:
        run()
    assert stopped.value.code == 128 + first
    assert cleaned == [True]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
