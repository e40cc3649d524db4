"""Errors raised by claimcheck.

A wrong *claim* never raises: it yields findings. A wrong *rule pack*, *code set* or an input
file that cannot be read at all raises one of these::

    ClaimCheckError                 base of everything claimcheck raises on purpose
    ├── RuleFileError               a rule file is broken (file, line, key path, bad value, allowed)
    ├── CodeSetError                a reference code set file is missing or malformed
    ├── InputError                  an input file cannot be read at all (file, line, field)
    └── OutputError                 a report cannot be written (file)

The CLI prints any of them on stderr, without a traceback, and exits with status 2.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["ClaimCheckError", "CodeSetError", "InputError", "OutputError", "RuleFileError", "shown_argument"]


def shown_argument(value: Any) -> str:
    """A path or text passed where it does not belong, as an error message may show it: a path
    or the name of a file as written, other text and bytes by their length only. They may be a
    claim's JSON or a file's content, patient data that an error tracker would keep."""
    if isinstance(value, os.PathLike) or (isinstance(value, str) and _names_a_file(value)):
        return repr(value)
    if isinstance(value, str):
        return f"text of {len(value):,} characters"
    return f"bytes, {len(value):,} of them" if isinstance(value, (bytes, bytearray)) else type(value).__name__


def _names_a_file(text: str) -> bool:
    try:
        return os.path.exists(text)
    except (OSError, ValueError):  # too long for a path, or a NUL in it
        return False


class ClaimCheckError(Exception):
    """Base class of the errors claimcheck raises on purpose."""


class RuleFileError(ClaimCheckError):
    """A rule file cannot be used: bad YAML, unknown key, wrong type, or a code not in the code sets.

    The message names the file, the line, the key path, the bad value and what is allowed, e.g.
    ``rules/procedures/0711T.yaml:68: modifiers[9].status: 'maybe': is not allowed; allowed: 'pass', 'warn' or 'fail'``.
    """

    def __init__(
        self,
        file: str | Path,
        problem: str,
        *,
        line: int | None = None,
        key_path: str | None = None,
        value: object = None,
        allowed: Iterable[str] | str | None = None,
    ) -> None:
        self.file = str(file)
        self.line = line
        self.key_path = key_path
        self.value = value
        self.problem = problem
        if allowed is None or isinstance(allowed, str):
            self.allowed: str | None = allowed
        else:
            self.allowed = ", ".join(str(a) for a in allowed)
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{where}: "
        if self.key_path:
            text += f"{self.key_path}: "
        if self.value is not None:
            text += f"{self.value!r}: "
        text += self.problem
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        return text


class CodeSetError(ClaimCheckError):
    """A reference code set file (ICD-10-CM, NUCC, modifiers, place of service) cannot be used."""

    def __init__(self, file: str | Path, problem: str, *, line: int | None = None) -> None:
        self.file = str(file)
        self.line = line
        self.problem = problem
        where = self.file if line is None else f"{self.file}:{line}"
        super().__init__(f"{where}: {problem}")


class InputError(ClaimCheckError):
    """An input file cannot be read at all (missing, unreadable, no usable header, not JSON).

    Problems inside a readable file are not raised: they become ``input`` findings on the line.
    Messages never quote patient data; they name the file, the line and the field.
    """

    def __init__(self, file: str | Path, problem: str, *, line: int | None = None, field: str | None = None) -> None:
        self.file = str(file)
        self.line = line
        self.field = field
        self.problem = problem
        where = self.file if line is None else f"{self.file}:{line}"
        text = f"{where}: "
        if field:
            text += f"{field}: "
        super().__init__(text + problem)


class OutputError(ClaimCheckError):
    """A report cannot be written (missing directory, no permission, disk full)."""

    def __init__(self, file: str | Path, problem: str) -> None:
        self.file = str(file)
        self.problem = problem
        super().__init__(f"{file}: {problem}")
