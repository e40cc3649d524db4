"""Ctrl-C during `claimcheck rules list` or `rules show` ends as `check` and `serve` end it: status
130 and one line, not click's "Aborted!" and status 1."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import claimcheck.cli_rules_command as rules_command
from claimcheck.cli import main


@pytest.mark.parametrize("args", [["rules", "list"], ["rules", "show", "0711T"]])
def test_rules_interrupted_while_the_rules_load_ends_with_130(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(rules_command, "load_ruleset", interrupted)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 130
    assert result.stderr == "claimcheck: interrupted\n"
    assert result.stdout == ""
