"""Where ``claimcheck check`` writes its report: an ``--output`` that names no file, lies in a
folder that does not exist, or is a file the run reads (a claims file, a CMS table, a columns map,
a code set, a rule file) is refused before the run, so a report never replaces what it checks."""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

import click

__all__ = ["output_path", "refuse_replacing_inputs"]


def output_path(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Path | None:
    # Checked on the text: Path("report/") is "report", and the report would become a file of
    # that name where the user asked for a folder.
    if value is None:
        return None
    if not value or value.endswith(("/", os.sep)):
        raise click.BadParameter(f"{value!r} names no file: give the report's file name, e.g. report/claims.json")
    # '~' as the shell expands it everywhere but after '=' in '--output=~/report.json'.
    value = os.path.expanduser(value)
    if value.startswith("="):
        # click reads '-o=report.json' as the file '=report.json', and the report went where no
        # one looked for it.
        raise click.BadParameter(
            f"{value!r} begins with '=': write -o {value[1:]} (or --output={value[1:]}); "
            f"for a file so named, give its folder: ./{value}"
        )
    # Refused before the run, not after it as "cannot write the report (No such file or
    # directory)", which did not say that the missing one is the folder.
    folder = Path(value).parent
    if value != "-" and not folder.is_dir():
        existing = next((path for path in (folder, *folder.parents) if path.exists()), None)
        if existing is not None and not existing.is_dir():
            raise click.BadParameter(f"{value!r}: {existing} is not a folder")
        raise click.BadParameter(
            f"{value!r}: the folder {folder} does not exist (create it first: mkdir -p {shlex.quote(str(folder))})"
        )
    return Path(value)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:  # the output does not exist yet
        return False


def _is_standard_input(path: Path) -> bool:
    """Whether ``path`` is the file redirected into standard input (``- < claims.csv``); a device
    (``-o /dev/null < /dev/null``) is written in place, not replaced."""
    try:
        output = path.stat()
        return stat.S_ISREG(output.st_mode) and os.path.samestat(output, os.fstat(0))
    except OSError:  # the output does not exist yet, or standard input is closed
        return False


def refuse_replacing_inputs(
    output: Path,
    files: tuple[Path, ...],
    *,
    ptp: tuple[Path, ...],
    mue: Path | None,
    columns: str | None,
    code_sets: dict[str, str],
    reads_stdin: bool = False,
    rules_dir: Path | None = None,
) -> None:
    """A usage error when ``--output`` is a file the run reads: the report, renamed over it at the
    end, would destroy a claims file, or a CMS table or columns map the user downloaded or wrote.
    ``reads_stdin``: '-' is among FILES, which the run checks from a copy of standard input."""
    if any(_same_file(output, path) for path in files):
        raise click.UsageError(f"--output {output} is one of the FILES checked: the report would replace it")
    if reads_stdin and _is_standard_input(output):
        raise click.UsageError(
            f"--output {output} is one of the FILES checked (standard input): the report would replace it"
        )
    read = [*(("--ptp", path) for path in ptp), ("--mue", mue), ("--columns", columns)]
    read += [("--code-set", path) for path in code_sets.values()]
    for option, path in read:
        if path is not None and _same_file(output, Path(path)):
            raise click.UsageError(
                f"--output {output} is a file read by this run ({option}): the report would replace it"
            )
    _refuse_replacing_rule_files(output, rules_dir)


def _refuse_replacing_rule_files(output: Path, rules_dir: Path | None) -> None:
    """A usage error when ``--output`` is a file of the rule pack in use (through a link too): the
    report replaced a rule file of the user's pack, or of the shipped one in a development copy."""
    if not output.exists():
        return
    from claimcheck.rules.loader import shipped_pack_path

    pack = shipped_pack_path() if rules_dir is None else rules_dir
    if not (pack / "pack.yaml").is_file():
        return  # no pack: the loader says so
    if any(_same_file(output, path) for path in pack.rglob("*") if path.is_file()):
        shown = "the shipped rule pack" if rules_dir is None else f"the rule pack --rules {rules_dir}"
        raise click.UsageError(f"--output {output} is a file of {shown}: the report would replace it")
