"""Claims files given as streams on the command line: ``-`` (standard input), ``/dev/stdin``, a
named pipe or a process substitution, each kept in a temporary copy for the run."""

from __future__ import annotations

import functools
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

import click

from claimcheck.errors import InputError

__all__ = ["DASH", "as_shown", "reads_streams"]

# "-" on the command line: standard input among FILES, standard output as --output.
DASH = Path("-")


def _is_stream(path: Path) -> bool:
    """Standard input, a pipe or a device (``/dev/stdin``, ``<(zcat claims.csv.gz)``): bytes
    that can be read once, where the readers open a file more than once (to find its format,
    read its header, then read it)."""
    if path == DASH:
        return True
    try:
        return not stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _keep(source: BinaryIO, shown: str, copy: Path) -> None:
    if source.isatty():
        raise click.UsageError(f"{shown} is a terminal here: pipe or redirect a file into it")
    try:
        with copy.open("wb") as stream:
            shutil.copyfileobj(source, stream, 1 << 20)
    except OSError as exc:
        raise InputError(shown, f"cannot keep it for the run ({exc.strerror})") from None


def _kept_streams(files: tuple[Path, ...], streams: set[Path], folder: Path) -> dict[Path, tuple[Path, str]]:
    """Each of ``streams`` (among ``files``), copied into ``folder``: its copy and the name it is
    shown by."""
    if files.count(DASH) > 1:
        raise click.UsageError("'-' (standard input) can be given once among FILES")
    from claimcheck.refdata._reading import file_label

    kept: dict[Path, tuple[Path, str]] = {}
    for index, path in enumerate(files):
        if path in kept or path not in streams:
            continue
        # The copy keeps the stream's name: input findings name it ("stdin line 7", "fd63 line 7").
        copy = folder / str(index) / ("stdin" if path == DASH else file_label(path))
        copy.parent.mkdir()
        if path == DASH:
            if sys.stdin is None:
                raise click.UsageError("'-' reads claims from standard input, which is closed here: pipe a file in")
            _keep(sys.stdin.buffer, "standard input ('-')", copy)
        else:
            try:
                with path.open("rb") as source:
                    _keep(source, str(path), copy)
            except OSError as exc:
                raise InputError(path, f"cannot read it ({exc.strerror})") from None
        kept[path] = (copy, "stdin" if path == DASH else str(path))
    return kept


def reads_streams(function: Any) -> Any:
    """Let FILES be streams: ``-`` (standard input), ``/dev/stdin``, a named pipe, a process
    substitution. Each is copied to a temporary file for the run, so its format is found from
    its content, the batch workers can read it, and nothing is lost to a second open."""

    @functools.wraps(function)
    def wrapper(*args: Any, files: tuple[Path, ...], **kwargs: Any) -> Any:
        streams = {path for path in files if _is_stream(path)}
        if not streams:
            return function(*args, files=files, stream_names={}, **kwargs)
        with tempfile.TemporaryDirectory(prefix="claimcheck-") as folder:
            kept = _kept_streams(files, streams, Path(folder))
            named = tuple(kept[path][0] if path in kept else path for path in files)
            # The function gets the names too: with several FILES it reports an unreadable one
            # itself and reads on, and its message must not name the temporary copy either.
            shown = {str(copy): name for copy, name in kept.values()}
            try:
                return function(*args, files=named, stream_names=shown, **kwargs)
            except InputError as exc:
                raise as_shown(exc, shown) from None

    return wrapper


def as_shown(error: InputError, stream_names: dict[str, str]) -> InputError:
    """``error`` naming the stream the user gave ("stdin", "/dev/fd/63") rather than its copy."""
    name = stream_names.get(error.file)
    return error if name is None else InputError(name, error.problem, line=error.line, field=error.field)
