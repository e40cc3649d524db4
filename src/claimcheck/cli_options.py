"""Options and wrappers the ``claimcheck`` commands share: rule pack, code sets, CMS tables,
dates, and the turning of claimcheck's own errors and SIGTERM into a clean exit."""

from __future__ import annotations

import functools
import os
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from claimcheck.cli_choices import did_you_mean
from claimcheck.errors import ClaimCheckError

__all__ = [
    "CLOSED_PIPE_STATUS",
    "ExistingFile",
    "code_set_option",
    "columns_layout",
    "load_ruleset",
    "mue_option",
    "parse_as_of",
    "ptp_option",
    "reports_errors",
    "rules_option",
    "warn_past_code_sets",
]


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    if not _ISO_DAY.fullmatch(value):
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        # Written right, but February 30th: "not written YYYY-MM-DD" sent the user to the format.
        raise click.BadParameter(f"{value!r}: there is no such day (a date written YYYY-MM-DD)") from None


def warn_past_code_sets(as_of: date, overrides: dict[str, str]) -> None:
    """Say on stderr when the day of the run is past the years the shipped code sets still in use
    are for: a date of service up to it passes the future-date check, and is checked against
    codes that may have been added or deleted since (2099-01-01 is likely a typing slip)."""
    from claimcheck.refdata.codesets import CODE_SET_NAMES, shipped_through

    covered = shipped_through(name for name in CODE_SET_NAMES if name not in overrides)
    if covered is None or as_of <= covered[0]:
        return
    through, versions = covered
    shipped = ", ".join(f"{name} {version}" for name, version in versions.items())
    click.echo(
        f"claimcheck: warning: --as-of {as_of.isoformat()} is past {through.isoformat()}, the last day the shipped "
        f"code sets are for ({shipped}): codes added or deleted since are not known to them; "
        "pass newer releases with --code-set NAME=FILE",
        err=True,
    )


def _parse_code_sets(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    from claimcheck.refdata.codesets import CODE_SET_NAMES

    overrides = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(f"{value!r} must be NAME=FILE, e.g. icd10cm=icd10cm-order-2027.txt")
        # Names in any case (ICD10CM, NUCC), as codes are; '~' as the shell expands it
        # everywhere but after '=' in '--code-set=icd10cm=~/x'.
        name, path = name.strip().lower(), os.path.expanduser(path.strip())
        if name not in CODE_SET_NAMES:
            raise click.BadParameter(
                f"{value!r}: {name!r} is no code set{did_you_mean(name, CODE_SET_NAMES)}; "
                f"NAME is one of {', '.join(CODE_SET_NAMES)}"
            )
        if name in overrides:  # one would silently lose to the other
            raise click.BadParameter(f"{name} is given twice ({overrides[name]} and {path})")
        overrides[name] = path
    # Checked here, as click checks --ptp and --mue: the loader's "x.txt: file not found" named
    # neither the option nor the set.
    for name, path in overrides.items():
        if os.path.isdir(path):
            raise click.BadParameter(f"{name}={path}: {path} is a directory: give the {name} release file")
        if not os.path.exists(path):
            raise click.BadParameter(f"{name}={path}: {path} does not exist")
    return overrides


def columns_layout(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A shipped layout's name (in any case) or a columns map file that exists; a near miss of a
    name is refused with the name meant, a missing file as missing, before any file is read."""
    if value is None:
        return None
    from claimcheck.io.readers.layouts import SHIPPED_LAYOUTS

    if value.lower() in SHIPPED_LAYOUTS:  # as the loader takes it: the name, whatever is in the folder
        return value.lower()
    path = os.path.expanduser(value)
    shipped = f"shipped layouts: {', '.join(SHIPPED_LAYOUTS)}"
    if os.path.isdir(path):
        raise click.BadParameter(f"{value!r} is a directory: give a columns map YAML file, or one of the {shipped}")
    if os.path.exists(path):
        return path
    if "/" in value or os.sep in value or value.lower().endswith((".yaml", ".yml")):
        raise click.BadParameter(f"{value!r}: the columns map file does not exist")
    raise click.BadParameter(
        f"{value!r} is no shipped layout{did_you_mean(value, SHIPPED_LAYOUTS)} and no file; {shipped}"
    )


def _rules_dir(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    # '~' as the shell expands it everywhere but after '=' in '--rules=~/my-rules'.
    value = None if value is None else Path(os.path.expanduser(value))
    # The repository's rules/ is a relative link to the package's pack: 'cp -r rules my-rules'
    # copies the link, which then points nowhere, and "not found" for a name ls shows puzzles.
    if value is not None and value.is_symlink() and not value.exists():
        raise click.BadParameter(
            f"{value} is a link to {os.readlink(value)}, which does not exist "
            "(copy a pack with its files, e.g. cp -rL rules my-rules)"
        )
    return value


rules_option = click.option(
    "--rules",
    "rules_dir",
    callback=_rules_dir,
    # A file is let through: the loader says it is no pack and, for pack.yaml, names the directory.
    type=click.Path(path_type=Path),
    help="Rule pack directory (same layout as the shipped rules/) to use instead of the shipped one.",
)
code_set_option = click.option(
    "--code-set",
    "code_sets",
    multiple=True,
    callback=_parse_code_sets,
    metavar="NAME=FILE",
    help="Use FILE for a code set instead of the shipped release; NAME is icd10cm, nucc, modifiers "
    "or pos (e.g. icd10cm=icd10cm-order-2027.txt). Repeatable.",
)


class ExistingFile(click.Path):
    """An existing file, '~' read as the shell reads it at the start of a word: it leaves it
    alone after '=' in '--ptp=~/ccipra-v323r0-f1.txt', which was then 'does not exist'."""

    def __init__(self) -> None:
        super().__init__(exists=True, dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return super().convert(os.path.expanduser(value) if isinstance(value, str) else value, param, ctx)


ptp_option = click.option(
    "--ptp",
    multiple=True,
    type=ExistingFile(),
    help="A CMS NCCI practitioner PTP file (ccipra-v32xr0-f1.txt …); repeat for f1-f4. For a code pair "
    "they list, their rows replace the rule pack's.",
)


def _one_mue(_ctx: click.Context, _param: click.Parameter, values: tuple[Path, ...]) -> Path | None:
    # Taken as repeatable so that a second --mue is refused: click would keep the last one and
    # silently drop the edits of the first, where --ptp, beside it, adds every file given.
    if len(values) > 1:
        raise click.BadParameter(
            f"give one MUE file, not {len(values)} ({', '.join(map(str, values))}): a run checks "
            "against one MUE table, the one for the claims' type of service"
        )
    return values[0] if values else None


mue_option = click.option(
    "--mue",
    multiple=True,
    callback=_one_mue,
    type=ExistingFile(),
    help="The CMS practitioner MUE file (MCR_MUE_PractitionerServices_Eff_*.csv); one only. For a code "
    "it lists, its limit replaces the rule pack's.",
)


def load_ruleset(
    rules_dir: Path | None, code_sets: dict[str, str], ptp: tuple[Path, ...] = (), mue: Path | None = None
) -> Any:
    from claimcheck.engine.ruleset import load_rules

    return load_rules(rules_dir, code_sets=code_sets or None, ptp=list(ptp) or None, mue=mue)


# The shell's status for a command a closed pipe stopped (128 + SIGPIPE, which Windows lacks).
CLOSED_PIPE_STATUS = 141


def reports_errors(function: Any) -> Any:
    """Turn claimcheck's own errors into a message on stderr and exit status 2. A reader of
    standard output that goes away (``| head``) ends the command quietly with status 141, as it
    would ``grep`` or ``cat``: not click's 1, which here means some line failed."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ClaimCheckError as exc:
            click.echo(f"claimcheck: error: {exc}", err=True)
            sys.exit(2)
        except BrokenPipeError:
            from claimcheck.io.files import discard_pending

            discard_pending(sys.stdout)
            sys.exit(CLOSED_PIPE_STATUS)

    return wrapper
