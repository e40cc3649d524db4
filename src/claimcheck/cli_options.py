"""Options and wrappers the ``claimcheck`` commands share: rule pack, code sets, CMS tables,
dates, and the turning of claimcheck's own errors and SIGTERM into a clean exit."""

from __future__ import annotations

import functools
import shutil
import signal
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Any

import click

from claimcheck.errors import ClaimCheckError, InputError

__all__ = [
    "DASH",
    "code_set_option",
    "load_ruleset",
    "mue_option",
    "parse_as_of",
    "ptp_option",
    "reads_standard_input",
    "reports_errors",
    "rules_option",
    "terminate_unwinds",
]


def parse_as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None


def _parse_code_sets(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    overrides = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(f"{value!r} must be NAME=FILE, e.g. icd10cm=icd10cm-order-2027.txt")
        overrides[name.strip()] = path.strip()
    return overrides


rules_option = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(file_okay=False, path_type=Path),
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


ptp_option = click.option(
    "--ptp",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CMS NCCI practitioner PTP file (ccipra-v32xr0-f1.txt …); repeat for f1-f4.",
)
mue_option = click.option(
    "--mue",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The CMS practitioner MUE file (MCR_MUE_PractitionerServices_Eff_*.csv).",
)


def load_ruleset(
    rules_dir: Path | None, code_sets: dict[str, str], ptp: tuple[Path, ...] = (), mue: Path | None = None
) -> Any:
    from claimcheck.engine.ruleset import load_rules

    return load_rules(rules_dir, code_sets=code_sets or None, ptp=list(ptp) or None, mue=mue)


def reports_errors(function: Any) -> Any:
    """Turn claimcheck's own errors into a message on stderr and exit status 2."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ClaimCheckError as exc:
            click.echo(f"claimcheck: error: {exc}", err=True)
            sys.exit(2)

    return wrapper


def terminate_unwinds(function: Any) -> Any:
    """Let SIGTERM (a timeout, a scheduler stopping the job) unwind like Ctrl-C, so the
    temporary report and spool files are removed rather than left behind; exit status 143."""

    def raise_exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is not threading.main_thread():
            return function(*args, **kwargs)
        previous = signal.signal(signal.SIGTERM, raise_exit)
        try:
            return function(*args, **kwargs)
        finally:
            signal.signal(signal.SIGTERM, previous)

    return wrapper


# "-" on the command line: standard input among FILES, standard output as --output.
DASH = Path("-")


def reads_standard_input(function: Any) -> Any:
    """Let ``-`` among FILES stand for standard input: it is copied to a temporary file named
    ``stdin`` for the run, so its format is found from its content (X12, FHIR, JSON, CSV), the
    batch workers can read it, and messages say ``stdin line N``."""

    @functools.wraps(function)
    def wrapper(*args: Any, files: tuple[Path, ...], **kwargs: Any) -> Any:
        if DASH not in files:
            return function(*args, files=files, **kwargs)
        if files.count(DASH) > 1:
            raise click.UsageError("'-' (standard input) can be given once among FILES")
        if sys.stdin is None:
            raise click.UsageError("'-' reads claims from standard input, which is closed here: pipe a file in")
        source = sys.stdin.buffer
        if source.isatty():
            raise click.UsageError("'-' reads claims from standard input, which is a terminal here: pipe a file in")
        with tempfile.TemporaryDirectory(prefix="claimcheck-") as folder:
            copy = Path(folder) / "stdin"
            try:
                with copy.open("wb") as stream:
                    shutil.copyfileobj(source, stream, 1 << 20)
            except OSError as exc:
                raise InputError("stdin", f"cannot keep standard input for the run ({exc.strerror})") from None
            named = tuple(copy if path == DASH else path for path in files)
            try:
                return function(*args, files=named, **kwargs)
            except InputError as exc:
                if exc.file != str(copy):
                    raise
                raise InputError("stdin", exc.problem, line=exc.line, field=exc.field) from None

    return wrapper
