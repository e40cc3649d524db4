"""Notes on stderr for options that a run will not use: given where they do nothing, they
changed nothing and said nothing, and the user took the report for what the option promised
(a file validated against the TR3, a column map applied, passing findings listed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from claimcheck.errors import InputError
from claimcheck.io.readers import detect_format

__all__ = ["note_unused_options"]

# What a report other than text holds of the passing findings -v would list.
_VERBOSE_ELSEWHERE = {
    "finding": "report holds them already",
    "line": "report counts them (its pass column)",
    "html": "report counts them in its summary and lists the lines with a warning or a failure",
}


def note_unused_options(
    files: Sequence[Path],
    *,
    output_format: str,
    rows: str | None,
    verbose: bool,
    x12_strict: bool,
    columns: str | None,
    input_format: str | None,
    stream_names: Mapping[str, str],
) -> None:
    """Say on stderr which of ``-v``, ``--x12-strict`` and ``--columns`` this run will not use."""
    if verbose and output_format != "text":
        held = _VERBOSE_ELSEWHERE["html" if output_format == "html" else rows or "finding"]
        _note(f"-v lists passing findings in the text report; the {output_format} {held}")
    if input_format is not None or not (x12_strict or columns):
        return  # with --input-format, a contradiction is a usage error, checked before
    formats = _formats(files)
    if x12_strict and formats and "x12" not in formats.values():
        _note(f"--x12-strict validates X12 837 files, and {_named(formats, stream_names)} no such file")
    if columns is not None and formats and "csv" not in formats.values():
        _note(f"--columns maps delimited files, and {_named(formats, stream_names)} no such file")


def _formats(files: Sequence[Path]) -> dict[Path, str]:
    """The format each readable file will be read in; files detection cannot read are left out,
    for the run to report as it reads them."""
    found: dict[Path, str] = {}
    for path in files:
        try:
            found[path] = detect_format(path)
        except (InputError, OSError):
            continue
    return found


def _named(formats: Mapping[Path, str], stream_names: Mapping[str, str]) -> str:
    names = [f"{stream_names.get(str(path), str(path))} ({kind})" for path, kind in formats.items()]
    if len(names) == 1:
        return f"{names[0]} is"
    return f"{', '.join(names)} hold"


def _note(text: str) -> None:
    click.echo(f"claimcheck: note: {text}", err=True)
