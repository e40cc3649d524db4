"""RuleSet: a rule pack compiled against the code sets, immutable and safe to share across threads."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from claimcheck.engine.checks import KIND_IMPLEMENTATIONS, LineCheck
from claimcheck.engine.profiles import CompiledProfile, compile_profile
from claimcheck.errors import RuleFileError
from claimcheck.refdata import CodeSets, load_code_sets, shipped_code_sets
from claimcheck.rules.loader import RulePack, load_pack

__all__ = ["CodeSetOverrides", "RuleSet", "load_rules"]

CodeSetOverrides = Mapping[str, "str | os.PathLike[str] | tuple[str | os.PathLike[str], str]"]


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The compiled checks, in pack order, and the compiled procedure profiles."""

    pack: RulePack
    checks: tuple[LineCheck, ...]
    profiles: Mapping[str, CompiledProfile]

    @property
    def version(self) -> str:
        return self.pack.manifest.version

    @property
    def code_sets(self) -> CodeSets:
        return self.pack.code_sets

    def code_set_versions(self) -> dict[str, str]:
        return self.pack.code_sets.versions()


def compile_pack(pack: RulePack) -> RuleSet:
    checks = []
    for loaded in pack.rules:
        implementation = KIND_IMPLEMENTATIONS.get(loaded.rule.kind)
        if implementation is None:  # the loader validated the kind; this is a bug in claimcheck
            raise RuleFileError(
                loaded.file, "rule kind has no implementation", line=loaded.line, value=loaded.rule.kind
            )
        checks.append(implementation(loaded, pack.code_sets))
    profiles = {
        code: compile_profile(profile, pack.profile_files[code], pack.code_sets)
        for code, profile in pack.profiles.items()
    }
    return RuleSet(pack, tuple(checks), MappingProxyType(profiles))


_shipped_lock = threading.Lock()
_shipped: RuleSet | None = None


def load_rules(
    path: str | os.PathLike[str] | None = None,
    *,
    code_sets: CodeSets | CodeSetOverrides | None = None,
) -> RuleSet:
    """Load, validate and compile a rule pack.

    ``path`` is a pack directory (same layout as the shipped ``rules/``); None means the shipped
    pack. ``code_sets`` is a loaded ``CodeSets`` or a mapping of overrides such as
    ``{"icd10cm": "icd10cm-order-2027.txt"}``; None means the shipped code sets.
    Raises ``RuleFileError`` or ``CodeSetError``.
    """
    global _shipped
    if path is None and code_sets is None:
        with _shipped_lock:
            if _shipped is None:
                _shipped = compile_pack(load_pack(None, code_sets=shipped_code_sets()))
            return _shipped
    if code_sets is None:
        sets = shipped_code_sets()
    elif isinstance(code_sets, CodeSets):
        sets = code_sets
    else:
        sets = load_code_sets(code_sets)
    return compile_pack(load_pack(Path(path) if path is not None else None, code_sets=sets))
