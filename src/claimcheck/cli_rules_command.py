"""``claimcheck rules``: the rules a run would apply, listed or shown one code or rule at a time."""

from __future__ import annotations

from pathlib import Path

import click

from claimcheck.cli_options import code_set_option, load_ruleset, mue_option, ptp_option, reports_errors, rules_option
from claimcheck.cli_signals import terminate_unwinds

__all__ = ["rules"]


@click.group()
def rules() -> None:
    """Show the rules the engine will apply."""


@rules.command("list")
@rules_option
@code_set_option
@ptp_option
@mue_option
@reports_errors
@terminate_unwinds
def rules_list(rules_dir: Path | None, code_sets: dict[str, str], ptp: tuple[Path, ...], mue: Path | None) -> None:
    """List the procedure profiles and the general rules."""
    from claimcheck.cli_rules import print_rule_list
    from claimcheck.io.files import standard_output

    ruleset = load_ruleset(rules_dir, code_sets, ptp, mue)
    with standard_output(what="the rule list"):
        print_rule_list(ruleset)


@rules.command("show")
@click.argument("code")
@rules_option
@code_set_option
@ptp_option
@mue_option
@reports_errors
@terminate_unwinds
def rules_show(
    code: str, rules_dir: Path | None, code_sets: dict[str, str], ptp: tuple[Path, ...], mue: Path | None
) -> None:
    """Show what applies to procedure CODE (or the rule with id CODE), with the rows of the --ptp
    and --mue files that a check run given them applies."""
    from claimcheck.cli_rules import print_rule_detail
    from claimcheck.io.files import standard_output

    ruleset = load_ruleset(rules_dir, code_sets, ptp, mue)
    with standard_output(what="the rules"):
        print_rule_detail(ruleset, code)
