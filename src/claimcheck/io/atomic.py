"""The report written to a temporary file beside its name and renamed into place at the end."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from claimcheck.errors import OutputError

__all__ = ["atomic_output"]


# The temporary name adds a dot, eight random characters and '.part' to the report's name: a
# name near the file system's 255 bytes is cut to this many, so a report that can exist can be written.
_TEMPORARY_STEM_BYTES = 200


def _shortened(name: str) -> str:
    encoded = os.fsencode(name)
    return name if len(encoded) <= _TEMPORARY_STEM_BYTES else os.fsdecode(encoded[:_TEMPORARY_STEM_BYTES])


def _not_a_file(named: Path) -> bool:
    """Whether ``named`` (followed through links) exists and is not a regular file: a device
    such as /dev/null or a named pipe, which a rename would replace instead of writing to (and a
    directory, which the open then refuses before the run). The kernel follows the links: the
    path ``realpath`` makes of /dev/stdout on a pipe (/proc/N/fd/pipe:[...]) does not exist."""
    try:
        return not stat.S_ISREG(named.stat().st_mode)
    except OSError:
        return False


def _refuse_a_loop(named: Path) -> None:
    """An OutputError when ``named`` is a loop of links (``ln -s loop loop``): realpath hands such
    a path back as it is, and the rename then replaced the link with the report."""
    try:
        named.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(named, f"cannot write the report ({exc.strerror})") from None


@contextmanager
def _written_in_place(target: Path, binary: bool) -> Iterator[Any]:
    try:
        stream = open(target, "wb") if binary else open(target, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise OutputError(target, f"cannot write the report ({exc.strerror})") from None
    try:
        with stream:
            yield stream
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            # A reader that went away (-o /dev/stdout | head): the command line ends the run
            # quietly with 141, as for standard output.
            raise BrokenPipeError(errno.EPIPE, exc.strerror) from None
        raise OutputError(target, f"cannot write the report ({exc.strerror})") from None


@contextmanager
def atomic_output(path: str | Path, *, binary: bool = False) -> Iterator[Any]:
    """Write to a temporary file beside ``path`` and rename it into place only on success,
    so an interrupted run never leaves a partial report that looks complete.

    A link is followed, so the report replaces the file it points to and the link stays; a
    device or named pipe (``-o /dev/null``, ``-o >(gzip > r.gz)``) is written directly.
    """
    named = Path(path)
    _refuse_a_loop(named)
    target = Path(os.path.realpath(path))
    if _not_a_file(named):
        with _written_in_place(named, binary) as stream:
            yield stream
        return
    # The name is chosen before the file exists and every step after is inside the try: a
    # signal landing just after the file appeared (a loaded machine) left it behind.
    temporary = None
    try:
        for _ in range(100):
            temporary = _temporary_name(target)
            handle = _created(temporary)
            if handle is not None:
                break
            temporary = None  # another run's
        else:
            raise FileExistsError(errno.EEXIST, "no free temporary name beside it")
        with os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            _keep_permissions(stream.fileno(), target)
            yield stream
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise OutputError(named, f"cannot write the report ({exc.strerror})") from None
    except BaseException:
        _remove(temporary)
        raise


_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def _temporary_name(target: Path) -> str:
    token = "".join(secrets.choice(_LETTERS) for _ in range(8))
    return os.path.join(target.parent, f".{_shortened(target.name)}.{token}.part")


def _created(temporary: str) -> int | None:
    """The descriptor of the new file ``temporary``, None if the name is taken. Mode 0666 less
    the umask, as any new file gets (mkstemp's 0600 and a chmod after it read the umask by
    setting it, for every thread)."""
    try:
        return os.open(temporary, _CREATE, 0o666)
    except FileExistsError:
        return None


def _keep_permissions(descriptor: int, target: Path) -> None:
    """Give the new report the mode and group of the report it replaces, as writing over it
    with '>' would: a report made private (0600: claim ids, NPIs, diagnoses) became readable by
    everyone when a run replaced it with a new file (0666 less the umask)."""
    try:
        replaced = target.stat()
    except OSError:
        return  # nothing there yet
    if not stat.S_ISREG(replaced.st_mode) or not hasattr(os, "fchmod"):
        return
    # Best effort: a group the user is not in is refused, and file systems without Unix modes
    # (a Windows share, vfat) may refuse a chmod; neither must keep the report from being written.
    with contextlib.suppress(OSError):
        os.fchown(descriptor, -1, replaced.st_gid)
    with contextlib.suppress(OSError):
        os.fchmod(descriptor, replaced.st_mode & 0o777)


def _remove(temporary: str | None) -> None:
    """Remove the temporary file, if it was made. Its name is chosen before the file exists, and
    where it cannot be made (a path under a regular file, a folder that cannot be searched) the
    unlink fails too: that must not replace the error being cleaned up after with a traceback."""
    if temporary is not None:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
