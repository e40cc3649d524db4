"""Check whole files: read claims, run the engine, write the report atomically."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimcheck.engine.day import day_of_run
from claimcheck.engine.ruleset import RuleSet, rules_or_shipped
from claimcheck.engine.run import ENGINES, check_claims, check_claims_with
from claimcheck.errors import InputError, OutputError, shown_argument
from claimcheck.io.atomic import atomic_output
from claimcheck.io.fast_csv import fast_eligible
from claimcheck.io.readers import READERS, read_claims, unreadable_file
from claimcheck.io.readers.layouts import ColumnLayout, load_layout
from claimcheck.io.writers import StreamWriter
from claimcheck.models.report import LineResult, Report, Tally

if TYPE_CHECKING:
    from claimcheck.io.progress import RunProgress

__all__ = [
    "atomic_output",
    "check_files",
    "discard_pending",
    "input_progress",
    "standard_output",
    "stream_report",
    "validate_file",
    "validate_files",
]


def check_files(
    paths: Sequence[str | Path],
    *,
    rules: RuleSet,
    as_of: date | str | None = None,
    input_format: str | None = None,
    columns: str | Path | ColumnLayout | None = None,
    x12_strict: bool = False,
    engine: str = "compiled",
    unreadable: Callable[[InputError], None] | None = None,
    progress: RunProgress | None = None,
) -> Iterator[LineResult]:
    """Stream the line results of ``paths``, in input order, without keeping them.

    ``engine`` is ``compiled`` (the default) or ``durable`` (the durable-rules executor, much
    slower, for cross-checking). ``columns`` names the column layout of delimited files: a
    shipped layout (``tuva_medical_claim``, ``cms_carrier``, ``cms_outpatient``), a columns map
    file, or a loaded ``ColumnLayout``; by default it is found from each file's header. CSV
    files in the claimcheck layout go through the batch engine; the findings are the same.
    A file that cannot be read raises ``InputError``; with ``unreadable``, the error is handed to
    it instead and the run goes on with the next file (after the lines read before the error).
    ``progress`` learns the input bytes done: within CSV files on the fast road, else file by file.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; engines: {', '.join(ENGINES)}")
    layout = load_layout(columns) if isinstance(columns, (str, os.PathLike)) else columns
    if layout is not None and not isinstance(layout, ColumnLayout):
        raise TypeError(
            "columns must be a layout name, a columns map file or a ColumnLayout, not " + type(columns).__name__
        )
    day = day_of_run(as_of)
    offset = 0
    for path in paths:
        try:
            _refuse_stream(Path(path))
            names = fast_eligible(Path(path), input_format, layout, engine)
            if names is not None:
                # Arrow and the batch engine load only for the files that take them.
                from claimcheck.io.batch.pipeline import fast_results

                yield from fast_results(Path(path), names, rules, day, progress, offset)
            else:
                claims = read_claims(path, input_format, columns=layout, x12_strict=x12_strict)
                yield from check_claims_with(engine, claims, rules, day)
        except InputError as exc:
            if unreadable is None:
                raise
            unreadable(exc)
            yield from check_claims([unreadable_file(exc)], rules, day)
        if progress is not None:
            from claimcheck.io.workers import file_size  # the command line's: loaded there already

            offset += file_size(Path(path))
            progress.advance(0, offset)


def _refuse_stream(path: Path) -> None:
    """An ``InputError`` for a pipe or device (``/dev/stdin``, a FIFO), which the readers would
    find empty or half read on their second open (the command line copies such a stream first)."""
    try:
        mode = path.stat().st_mode
    except OSError:  # the reader says why
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise InputError(
            path,
            "is a pipe or device, not a file: it is read more than once (its format, then its lines), "
            "so save it to a file first",
        )


def input_progress(
    paths: Sequence[str | Path], input_format: str | None, columns: str | None, engine: str
) -> RunProgress:
    """Progress for a ``check_files`` run: its total is the input's bytes when every file takes
    the fast road, which counts them as it goes; the other readers say nothing until a file
    ends, so then the bar shows lines and lines/s without a total."""
    from claimcheck.io.progress import RunProgress
    from claimcheck.io.workers import file_size

    progress = RunProgress()
    try:
        fast = columns is None and all(fast_eligible(Path(p), input_format, None, engine) for p in paths)
    except InputError:  # reported in its turn by the run
        fast = False
    if fast:
        progress.total_bytes = sum(file_size(Path(p)) for p in paths)
    return progress


def validate_files(
    paths: Sequence[str | Path],
    *,
    rules: RuleSet | None = None,
    as_of: date | str | None = None,
    input_format: str | None = None,
    columns: str | Path | ColumnLayout | None = None,
    x12_strict: bool = False,
    engine: str = "compiled",
) -> Report:
    """Check every line of the files ``paths`` and return one report, lines in input order.

    ``rules`` and ``as_of`` are as for ``validate``. ``input_format`` is ``csv``, ``json``,
    ``jsonl``, ``fhir`` or ``x12`` (None: found from each file's content). ``columns`` names the
    column layout of delimited files: a shipped layout (``tuva_medical_claim``, ``cms_carrier``,
    ``cms_outpatient``), a columns map file, or a loaded ``ColumnLayout`` (None: found from each
    file's header). ``x12_strict`` also validates 837 files with pyx12 (``claimcheck[x12]``);
    ``engine`` is ``compiled`` or ``durable`` (``claimcheck[durable]``, much slower, for
    cross-checking). A file that cannot be read at all raises ``InputError``; wrong lines in a
    readable file become ``input`` findings. The report holds every line: for big files, the
    command line streams instead (``claimcheck check --format jsonl``).
    """
    if isinstance(paths, (str, bytes, os.PathLike)):
        # Iterated, a path would be read letter by letter ("/: cannot read the file").
        raise TypeError(
            f"validate_files takes a sequence of paths, not one path ({shown_argument(paths)}); "
            "validate_file(path) checks one"
        )
    if input_format is not None and input_format not in READERS:
        # A wrong argument, as an unknown engine is, not a file that cannot be read.
        raise ValueError(f"unknown input_format {input_format!r}; input formats: {', '.join(READERS)}")
    ruleset = rules_or_shipped(rules)
    lines = check_files(
        paths,
        rules=ruleset,
        as_of=as_of,
        input_format=input_format,
        columns=columns,
        x12_strict=x12_strict,
        engine=engine,
    )
    return Report.build(lines, ruleset.version, ruleset.code_set_versions())


def stream_report(lines: Iterable[LineResult], writer: StreamWriter, rules: RuleSet) -> Tally:
    """Write ``lines`` through ``writer`` as they come, then the summary; the tally says how it went."""
    tally = Tally()
    for line in lines:
        tally.add(line)
        writer.write(line)
    writer.close(tally.summary(rules.version, rules.code_set_versions()))
    return tally


def validate_file(
    path: str | Path,
    *,
    rules: RuleSet | None = None,
    as_of: date | str | None = None,
    input_format: str | None = None,
    columns: str | Path | ColumnLayout | None = None,
    x12_strict: bool = False,
    engine: str = "compiled",
) -> Report:
    """Check every line of the file ``path`` and return its report (options as for ``validate_files``)."""
    return validate_files(
        [path],
        rules=rules,
        as_of=as_of,
        input_format=input_format,
        columns=columns,
        x12_strict=x12_strict,
        engine=engine,
    )


@contextmanager
def standard_output(*, binary: bool = False, what: str = "the report", utf8: bool = False) -> Iterator[Any]:
    """Standard output for a report (or ``what`` else): a write that fails (a full disk behind a
    redirection) becomes an ``OutputError``; a closed pipe (``| head``) is left to the command line.
    Text is written in the locale's encoding, what it cannot encode replaced (a table on a Latin-1
    terminal), or with ``utf8`` in UTF-8 whatever the locale, as ``-o`` writes a JSON or HTML file:
    either way, not a UnicodeEncodeError part-way."""
    if sys.stdout is None:  # started with it closed (">&-", some service managers)
        raise OutputError("standard output", f"closed, so {what} cannot be written")
    stream = sys.stdout.buffer if binary else sys.stdout
    if not binary:
        # A stand-in without reconfigure (a StringIO) writes text as it is.
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(**({"encoding": "utf-8"} if utf8 else {"errors": "replace"}))
    try:
        yield stream
        stream.flush()
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        discard_pending(stream)
        raise OutputError("standard output", f"cannot write {what} ({exc.strerror})") from None


def discard_pending(stream: Any) -> None:
    """Point standard output at the null device, so that the text it still holds is not
    written (and failed) again when the interpreter exits; also after a closed pipe."""
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    finally:
        os.close(null)
