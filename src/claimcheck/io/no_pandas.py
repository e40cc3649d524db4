"""pyarrow without its look for pandas, in the processes ``claimcheck check`` runs.

When pandas is installed (the ``spark`` extra brings it), pyarrow imports it the first time it
turns Python objects into an array, to recognise pandas ones: some 0.2 s, paid by the command
and again by every ``--jobs`` worker, for objects the batch pipeline never hands it. Only the
look is skipped: ``to_pandas()`` and ``import pandas`` still work afterwards. Library code does
not call this: a program that imports claimcheck keeps pyarrow as it found it.
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

import pyarrow as pa

__all__ = ["skip_pandas_lookup"]


class _PandasMissing(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def skip_pandas_lookup() -> None:
    """Have pyarrow look for pandas now, while the import fails, so that it does not later."""
    if "pandas" in sys.modules:  # imported already: nothing to save
        return
    finder = _PandasMissing()
    sys.meta_path.insert(0, finder)
    try:
        pa.array([None])  # pyarrow looks once and remembers the answer
    finally:
        sys.meta_path.remove(finder)
