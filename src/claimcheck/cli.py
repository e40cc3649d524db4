"""The ``claimcheck`` command line.

Exit codes: 0 no line at or above the ``--fail-on`` level; 1 some line is; 2 usage error,
unreadable file, broken rule file or unwritable report (message on stderr, no traceback);
130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP), 141 standard output
closed (``| head``).
"""

from __future__ import annotations

import stat
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from claimcheck.cli_choices import INPUT_FORMAT_NAMES, REPORT_FORMAT_NAMES, Choice
from claimcheck.cli_notes import note_unused_options
from claimcheck.cli_options import (
    code_set_option,
    columns_layout,
    mue_option,
    parse_as_of,
    ptp_option,
    reports_errors,
    rules_option,
    warn_past_code_sets,
)
from claimcheck.cli_output import output_path, refuse_replacing_inputs
from claimcheck.cli_reports import RunOptions, write_batch_report, write_line_report
from claimcheck.cli_rules_command import rules
from claimcheck.cli_serve import serve
from claimcheck.cli_signals import terminate_unwinds
from claimcheck.cli_streams import DASH, as_shown, reads_streams
from claimcheck.errors import ClaimCheckError, InputError

__all__ = ["main"]

FORMATS = ("text", "json", "jsonl", "csv", "html", "parquet")
ENCODED_FORMATS = ("csv", "jsonl", "parquet")  # written by the batch pipeline, --jobs applies
ROWS = ("finding", "line")
FAIL_ON = ("fail", "warn", "never")
_THRESHOLDS = {"fail": ("fail",), "warn": ("warn", "fail"), "never": ()}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="claimcheck")
def main() -> None:
    """Scrub medical claim lines against CPT/HCPCS, ICD-10-CM and NUCC rules before they reach a payer."""


_CHECK_EXIT_STATUSES = (
    "Exit status: 0 no line at or above the --fail-on level; 1 some line is; 2 usage error, unreadable "
    "file, broken rule file or a report that cannot be written (one message on stderr); 130 Ctrl-C, "
    "143 SIGTERM, 129 SIGHUP (terminal closed), 141 standard output closed early (| head)."
)


@main.command(epilog=_CHECK_EXIT_STATUSES)
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path)
)
@rules_option
@code_set_option
@click.option(
    "--format",
    "output_format",
    type=Choice(FORMATS, other_names=REPORT_FORMAT_NAMES),
    help="Report format: text (a table of the first 2,000 lines' warn and fail findings, and a summary), "
    "json, jsonl, csv (a row per finding), html "
    "(a page for people), parquet (needs --output FILE, or '-o -' into a pipe). Default: the --output "
    "file's extension (.json, .jsonl, .csv, .html, .parquet), else text.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    callback=output_path,
    help="Write the report to this file instead of standard output ('-': standard output).",
)
@click.option(
    "--fail-on",
    type=Choice(FAIL_ON),
    default="fail",
    show_default=True,
    help="Exit with status 1 when some line has at least this status; never: 0 whatever the findings.",
)
@click.option(
    "--as-of",
    callback=parse_as_of,
    metavar="YYYY-MM-DD",
    help="Day of the run, for the future-date check (default: today).",
)
@click.option(
    "--input-format",
    type=Choice(("csv", "json", "jsonl", "fhir", "x12"), other_names=INPUT_FORMAT_NAMES),
    help="Read every FILE in this format instead of detecting it.",
)
@click.option(
    "--columns",
    metavar="LAYOUT|FILE",
    callback=columns_layout,
    help="Column layout of delimited files: tuva_medical_claim, cms_carrier, cms_outpatient, claimcheck, "
    "or a columns map YAML file (default: found from each file's header).",
)
@ptp_option
@mue_option
@click.option(
    "--x12-strict",
    is_flag=True,
    help="X12 837 files: also validate them against the 5010 TR3 with pyx12 (pip install 'claimcheck[x12]'); "
    "each TR3 error becomes an input finding on the line, claim or transaction it falls in.",
)
@click.option(
    "--engine",
    type=Choice(("compiled", "durable")),
    default="compiled",
    show_default=True,
    help="Executor: compiled Python lookups, or durable-rules (pip install 'claimcheck[durable]', Python < 3.13; "
    "several times slower, for cross-checking).",
)
@click.option(
    "--rows",
    type=Choice(ROWS),
    help="csv, jsonl and parquet: one row per finding (with its line's keys; the csv and parquet default), "
    "or one row per line (its status, counts by status, and the rules that warned or failed with their "
    "messages). Without it jsonl writes each line as the JSON report's line object, findings inside.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes for csv, jsonl and parquet reports of CSV files in the claimcheck layout "
    "(default and most: the cores this run may use; more is cut to that, with a note on stderr). "
    "The report is byte-for-byte the same whatever the number.",
)
@click.option("--verbose", "-v", is_flag=True, help="Text format: list passing findings too.")
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress bar on stderr, nor warnings or notes (--jobs cut to the cores, options this run does not use).",
)
@reports_errors
@terminate_unwinds
@reads_streams
def check(
    files: tuple[Path, ...],
    rules_dir: Path | None,
    code_sets: dict[str, str],
    output_format: str | None,
    output: Path | None,
    fail_on: str,
    as_of: date | None,
    input_format: str | None,
    columns: str | None,
    ptp: tuple[Path, ...],
    mue: Path | None,
    x12_strict: bool,
    engine: str,
    rows: str | None,
    jobs: int | None,
    verbose: bool,
    quiet: bool,
    stream_names: dict[str, str],
) -> None:
    """Check the claim lines in FILES (CSV, JSON, JSONL, X12 837 or FHIR; '-' reads standard input)
    and report every finding.

    Reports are streamed: memory stays flat whatever the size of the input (the text and HTML
    reports keep their counts and the lines they list). For csv, jsonl and parquet reports, CSV
    files in the claimcheck layout are checked in batches on all cores (--jobs); other inputs and
    formats are checked line by line in one process.
    """
    if output_format is None:
        # '-o findings.csv' alone meant a CSV report, and got the text table under that name.
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        output_format = suffix if suffix in FORMATS and suffix != "text" else "text"
    if columns is not None and input_format not in (None, "csv"):
        raise click.UsageError(f"--columns maps delimited files; --input-format {input_format} reads none")
    if x12_strict and input_format not in (None, "x12"):
        raise click.UsageError(f"--x12-strict validates X12 837 files; --input-format {input_format} reads none")
    if rows is not None and output_format not in ENCODED_FORMATS:
        raise click.UsageError(f"--rows {rows} applies to --format {', '.join(ENCODED_FORMATS)}")
    # Standard output may be closed (None): the report's writer then says so.
    to_terminal = output == DASH and sys.stdout is not None and sys.stdout.isatty()
    if output_format == "parquet" and (output is None or to_terminal):
        raise click.UsageError("--format parquet writes a binary file: give --output FILE (or '-o -' into a pipe)")
    if output == DASH:  # '-o -': standard output, as without --output
        output = None
    _refuse_repeated_files(files)
    if output is not None:
        stdin = "stdin" in stream_names.values()
        refuse_replacing_inputs(
            output,
            files,
            ptp=ptp,
            mue=mue,
            columns=columns,
            code_sets=code_sets,
            reads_stdin=stdin,
            rules_dir=rules_dir,
        )
    if as_of is not None and not quiet:
        warn_past_code_sets(as_of, code_sets)
    if not quiet:
        note_unused_options(
            files,
            output_format=output_format,
            rows=rows,
            verbose=verbose,
            x12_strict=x12_strict,
            columns=columns,
            input_format=input_format,
            stream_names=stream_names,
        )
    skipped: list[str] = []

    def read_on(error: ClaimCheckError) -> None:
        if isinstance(error, InputError):
            error = as_shown(error, stream_names)
        click.echo(f"claimcheck: error: {error}", err=True)
        skipped.append(str(error))

    # With several FILES, one that cannot be read is reported and the others still checked;
    # the exit status is then 2 all the same.
    unreadable = read_on if len(files) > 1 else None
    run = RunOptions(rules_dir, code_sets, ptp, mue, as_of, input_format, columns, x12_strict, engine, quiet)
    if output_format in ENCODED_FORMATS:
        status = write_batch_report(
            files,
            run,
            output_format=output_format,
            rows=rows,
            jobs=jobs,
            output=output,
            unreadable=unreadable,
        )
    else:
        status = write_line_report(
            files,
            run,
            output_format=output_format,
            verbose=verbose,
            output=output,
            unreadable=unreadable,
        )
    sys.exit(_exit_status(status, fail_on, skipped))


def _refuse_repeated_files(files: tuple[Path, ...]) -> None:
    """A usage error for a file given twice (a glob and its own name, a link beside its file):
    its lines were checked, reported and counted twice."""
    seen: dict[tuple[int, int], int] = {}
    for index, path in enumerate(files):
        try:
            status = path.stat()
        except OSError:
            continue  # the run reports it where it reads it
        if not stat.S_ISREG(status.st_mode):
            continue
        key = (status.st_dev, status.st_ino)
        if key in seen:
            first = files[seen[key]]
            same = "" if first == path else f" (it is the same file as {first})"
            raise click.UsageError(f"{path} is given twice among FILES{same}: give each file once")
        seen[key] = index


def _exit_status(status: Any, fail_on: str, skipped: list[str]) -> int:
    if skipped:
        return 2
    return 1 if status.value in _THRESHOLDS[fail_on] else 0


main.add_command(serve)


main.add_command(rules)


if __name__ == "__main__":  # pragma: no cover
    main()
