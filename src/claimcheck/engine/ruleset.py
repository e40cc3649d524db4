"""RuleSet: a rule pack compiled against the code sets, immutable and safe to share across threads."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from claimcheck.engine.checks import KIND_IMPLEMENTATIONS, LineCheck
from claimcheck.engine.checks.base import CompileEnv
from claimcheck.engine.claim_checks import ClaimCheck
from claimcheck.engine.profiles import CompiledProfile, compile_profile
from claimcheck.errors import ClaimCheckError, CodeSetError, RuleFileError
from claimcheck.refdata import CodeSets, load_code_sets, shipped_code_sets
from claimcheck.refdata.ncci import MueTable, PtpTable, load_mue, load_ptp, swapped_files
from claimcheck.rules.loader import RulePack, load_pack
from claimcheck.rules.params import ModifierCodeSetParams

__all__ = ["CodeSetOverrides", "RuleSet", "load_rules", "rules_or_shipped"]


CodeSetOverrides = Mapping[str, "str | os.PathLike[str] | tuple[str | os.PathLike[str], str]"]


@dataclass(frozen=True, slots=True)
class Recipe:
    """The files a rule set was loaded from, as absolute paths: how a pickled one loads again."""

    path: str | None = None
    code_sets: tuple[tuple[str, str | tuple[str, str]], ...] = ()
    ptp: tuple[str, ...] = ()
    mue: str | None = None

    def load(self) -> RuleSet:
        return load_rules(self.path, code_sets=dict(self.code_sets) or None, ptp=self.ptp or None, mue=self.mue)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The compiled line and claim checks, in pack order, the compiled procedure profiles, and
    the CMS tables (PTP, MUE) loaded for this rule set, if any.

    For callers: ``version``, ``code_sets``, ``ptp``, ``mue`` and ``code_set_versions()``; the
    tables can be handed to another ``load_rules`` call. ``pack``, ``checks``, ``claim_checks``
    and ``profiles`` are the engine's compiled form, private and subject to change.
    """

    pack: RulePack
    checks: tuple[LineCheck, ...]
    claim_checks: tuple[ClaimCheck, ...]
    profiles: Mapping[str, CompiledProfile]
    ptp: PtpTable | None = None
    mue: MueTable | None = None
    recipe: Recipe | None = field(default=None, compare=False, repr=False)

    def __reduce__(self) -> tuple[Any, tuple[Recipe]]:
        # A process pool pickles the rules it is handed (partial(validate, rules=rules)); the
        # compiled checks do not pickle, the files they came from do.
        if self.recipe is None:
            raise TypeError(
                "a RuleSet loaded from tables in memory (a CodeSets, PtpTable or MueTable) cannot be "
                "pickled: call claimcheck.load_rules(...) in each process, e.g. in the pool's initializer"
            )
        return (_reload, (self.recipe,))

    @property
    def version(self) -> str:
        """The rule pack's version (``version`` in its pack.yaml), which reports carry."""
        return self.pack.manifest.version

    @property
    def code_sets(self) -> CodeSets:
        """The reference code sets (ICD-10-CM, NUCC, modifiers, place of service) the pack was checked against."""
        return self.pack.code_sets

    def code_set_versions(self) -> dict[str, str]:
        """Versions of the code sets, and of the CMS tables when loaded (``ptp``, ``mue``)."""
        versions = self.pack.code_sets.versions()
        for name, table in (("ptp", self.ptp), ("mue", self.mue)):
            if table is not None:
                versions[name] = table.info.version
        return versions


def compile_pack(
    pack: RulePack, ptp: PtpTable | None = None, mue: MueTable | None = None, recipe: Recipe | None = None
) -> RuleSet:
    beyond_file = tuple(loaded.params for loaded in pack.rules if isinstance(loaded.params, ModifierCodeSetParams))
    env = CompileEnv(pack.code_sets, pack.path, pack.manifest.version, ptp, mue, beyond_file)
    line_checks: list[LineCheck] = []
    claim_checks: list[ClaimCheck] = []
    for loaded in pack.rules:
        implementation = KIND_IMPLEMENTATIONS.get(loaded.rule.kind)
        if implementation is None:  # the loader validated the kind; this is a bug in claimcheck
            raise RuleFileError(
                loaded.file, "rule kind has no implementation", line=loaded.line, value=loaded.rule.kind
            )
        compiled = implementation(loaded, env)
        if isinstance(compiled, ClaimCheck):
            claim_checks.append(compiled)
        else:
            assert isinstance(compiled, LineCheck)
            line_checks.append(compiled)
    for claim_check in claim_checks:
        claim_check.link(claim_checks)
    kinds = {loaded.rule.kind for loaded in pack.rules}
    for table, name, kind in ((ptp, "PTP", "ptp_pairs"), (mue, "MUE", "mue_units")):
        if table is not None and kind not in kinds:
            # Loaded and listed among the code sets but never consulted: say so rather than pass quietly.
            raise ClaimCheckError(
                f"{pack.path}: the rule pack has no {kind} rule, so the CMS {name} table (--{name.lower()}) "
                f"would not be applied; add one (see the shipped general/{'pair' if name == 'PTP' else 'units'}.yaml)"
            )
    profiles = {
        code: compile_profile(profile, pack.profile_files[code], pack.code_sets)
        for code, profile in pack.profiles.items()
    }
    return RuleSet(pack, tuple(line_checks), tuple(claim_checks), MappingProxyType(profiles), ptp, mue, recipe)


def _is_path(value: object) -> bool:
    return isinstance(value, (str, os.PathLike))


def _cms_arguments(ptp: Any, mue: Any) -> tuple[Any, Any]:
    """``ptp`` and ``mue`` checked, PTP files given by an iterator read into a list.

    Said here: the loaders, handed a number or the other table, failed on its letters or items
    ("'int' object is not iterable").
    """
    if not (ptp is None or isinstance(ptp, PtpTable) or _is_path(ptp)):
        files = list(ptp) if isinstance(ptp, Iterable) and not isinstance(ptp, (bytes, Mapping)) else None
        if files is None or not all(_is_path(item) for item in files):
            raise TypeError(f"ptp must be a CMS PTP file, a list of them or a PtpTable, not {type(ptp).__name__}")
        ptp = files  # a generator (Path.glob) is read once
    if not (mue is None or isinstance(mue, MueTable) or _is_path(mue)):
        raise TypeError(f"mue must be a CMS MUE file or a MueTable, not {type(mue).__name__}")
    return ptp, mue


def _recipe(path: Any, code_sets: Any, ptp: Any, mue: Any) -> Recipe | None:
    """The files of a ``load_rules`` call, or None when a table in memory was passed."""
    if isinstance(ptp, PtpTable) or isinstance(mue, MueTable):
        return None
    if isinstance(code_sets, CodeSets) and code_sets is not shipped_code_sets():
        return None
    overrides: list[tuple[str, str | tuple[str, str]]] = []
    if isinstance(code_sets, Mapping):
        for name, value in code_sets.items():
            if isinstance(value, tuple):
                overrides.append((name, (os.path.abspath(value[0]), value[1])))
            else:
                overrides.append((name, os.path.abspath(value)))
    return Recipe(
        None if path is None else os.path.abspath(path),
        tuple(overrides),
        tuple(os.path.abspath(p) for p in ([ptp] if _is_path(ptp) else ptp or ())),
        None if mue is None else os.path.abspath(mue),
    )


_reload_lock = threading.Lock()
_reloaded: dict[Recipe, RuleSet] = {}


def _reload(recipe: Recipe) -> RuleSet:
    """The rule set of ``recipe``, loaded once per process however many tasks bring it."""
    with _reload_lock:
        rules = _reloaded.get(recipe)
        if rules is None:
            rules = _reloaded[recipe] = recipe.load()
        return rules


def _cms_tables(ptp: Any, mue: Any) -> tuple[PtpTable | None, MueTable | None]:
    if ptp is None and mue is None:
        return None, None
    try:
        ptp_table = ptp if ptp is None or isinstance(ptp, PtpTable) else load_ptp(ptp)
        mue_table = mue if mue is None or isinstance(mue, MueTable) else load_mue(mue)
    except CodeSetError:
        swapped = swapped_files(ptp, mue)
        if swapped is not None:
            raise swapped from None
        raise
    return ptp_table, mue_table


_shipped_lock = threading.Lock()
_shipped: RuleSet | None = None


def load_rules(
    path: str | os.PathLike[str] | None = None,
    *,
    code_sets: CodeSets | CodeSetOverrides | None = None,
    ptp: PtpTable | str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
    mue: MueTable | str | os.PathLike[str] | None = None,
) -> RuleSet:
    """Load, validate and compile a rule pack.

    ``path`` is a pack directory (same layout as the shipped ``rules/``); None means the shipped
    pack. ``code_sets`` is a loaded ``CodeSets`` or a mapping of overrides such as
    ``{"icd10cm": "icd10cm-order-2027.txt"}``; None means the shipped code sets. ``ptp`` and
    ``mue`` are the CMS practitioner PTP file(s) and MUE file (or tables already loaded); for a
    code pair or a code they list, their rows replace the pack's.
    Raises ``RuleFileError`` or ``CodeSetError``, and ``ClaimCheckError`` when a CMS table is given to a
    pack with no rule that applies it; an argument of the wrong type (a number for ``ptp``, a path
    for ``code_sets``) is a ``TypeError`` that says what to pass.
    """
    global _shipped
    ptp, mue = _cms_arguments(ptp, mue)
    ptp_table, mue_table = _cms_tables(ptp, mue)
    if path is None and code_sets is None and ptp_table is None and mue_table is None:
        with _shipped_lock:
            if _shipped is None:
                _shipped = compile_pack(load_pack(None, code_sets=shipped_code_sets()), recipe=Recipe())
            return _shipped
    if code_sets is None:
        sets = shipped_code_sets()
    elif isinstance(code_sets, CodeSets):
        sets = code_sets
    elif isinstance(code_sets, Mapping):
        sets = load_code_sets(code_sets)
    else:
        raise TypeError(
            "code_sets must be a CodeSets or a mapping of code set to file such as "
            f"{{'icd10cm': 'icd10cm-order-2027.txt'}}, not {type(code_sets).__name__}"
        )
    pack = load_pack(Path(path) if path is not None else None, code_sets=sets)
    return compile_pack(pack, ptp_table, mue_table, _recipe(path, code_sets, ptp, mue))


def rules_or_shipped(rules: RuleSet | None) -> RuleSet:
    """``rules``, or the shipped rule set for None. Anything else is a ``TypeError`` that says what
    to pass: a pack's path handed over as ``rules`` used to fail deep in the engine."""
    if rules is None:
        return load_rules()
    if not isinstance(rules, RuleSet):
        raise TypeError(
            f"rules must be a RuleSet from claimcheck.load_rules(), not {type(rules).__name__} "
            "(for a rule pack directory, pass rules=claimcheck.load_rules(path))"
        )
    return rules
