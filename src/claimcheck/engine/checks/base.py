"""What every line check shares: the per-line context, the base class, and the kind registry."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from claimcheck.engine.profiles import CompiledProfile
from claimcheck.models.claim import ClaimLine
from claimcheck.models.finding import Check, Finding, Source, Status
from claimcheck.models.parse import InputProblem, ParsedLine
from claimcheck.refdata import CodeSetInfo, CodeSets
from claimcheck.rules.loader import LoadedRule
from claimcheck.rules.params import ModifierCodeSetParams
from claimcheck.rules.schema import Dated, SourceRef

if TYPE_CHECKING:
    from claimcheck.refdata.ncci import MueTable, PtpTable

__all__ = [
    "KIND_IMPLEMENTATIONS",
    "CompileEnv",
    "CompiledRule",
    "LineCheck",
    "LineContext",
    "code_set_source",
    "describe_codes",
    "implements",
    "join_or",
]


@dataclass(frozen=True, slots=True)
class LineContext:
    """Everything a check may look at for one line."""

    claim_id: str | None
    parsed: ParsedLine
    line: ClaimLine | None
    profile: CompiledProfile | None
    as_of: date
    claim_problems: tuple[InputProblem, ...] = ()
    repeated_line_number: bool = False
    unreadable: frozenset[str] = frozenset()  # line fields that could not be read (or in part)
    # List fields of ``unreadable`` read in part: a code left out, its other codes on the line.
    read_in_part: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CompileEnv:
    """What compiled rules may draw on: the code sets, the pack's identity, the CMS tables."""

    code_sets: CodeSets
    pack_path: str
    pack_version: str
    ptp: PtpTable | None = None
    mue: MueTable | None = None
    # The params of the pack's modifier_code_set rules: modifiers valid beyond the modifier file
    # (ambulance pairs, Category II), which the profile check judges as the code-set check does.
    modifier_code_set: tuple[ModifierCodeSetParams, ...] = ()


class CompiledRule:
    """A general rule of the pack, compiled. ``LineCheck`` and ``ClaimCheck`` build on it."""

    def __init__(self, loaded: LoadedRule, env: CompileEnv) -> None:
        rule = loaded.rule
        self.rule = rule
        self.rule_id = rule.id
        self.check: Check = rule.check
        self.status: Status = rule.status
        self.params = loaded.params
        self.env = env
        self.code_sets = env.code_sets
        self.table = _relative(loaded.file, env.pack_path)
        self._sources: dict[tuple[int, int, str | None], Source] = {}
        self.source = self.entry_source(rule.source, rule)
        self.setup()
        self._sealed = True

    def __setattr__(self, name: str, value: object) -> None:
        # A loaded rule set is shared (load_rules() caches the shipped one): once set up, its rules
        # are read-only, so one caller cannot change what another's claims are checked against.
        if getattr(self, "_sealed", False):
            raise AttributeError(f"{self.rule_id}: a compiled rule is read-only; cannot set {name!r}")
        super().__setattr__(name, value)

    def setup(self) -> None:
        """Precompute lookups from ``self.params`` and ``self.code_sets``."""

    def entry_source(self, ref: SourceRef, dated: Dated | None = None, table: str | None = None) -> Source:
        """The source of a finding: document and section, pack version, rule table, dates in force.

        ``table`` defaults to this rule's file; profile entries name their profile's file. Sources
        are built once per entry: findings are made per line, entries live as long as the rules.
        """
        key = (id(ref), id(dated), table)
        source = self._sources.get(key)
        if source is None:
            effective = dated.effective.isoformat() if dated and dated.effective else None
            expires = dated.expires.isoformat() if dated and dated.expires else None
            version = self.env.pack_version
            source = Source(ref.document, ref.section, version, table or self.table, effective, expires)
            self._sources[key] = source
        return source

    def profile_source(
        self, profile: CompiledProfile, ref: SourceRef | None = None, dated: Dated | None = None
    ) -> Source:
        """The source of a finding decided by a profile entry (or the profile itself)."""
        return self.entry_source(ref or profile.profile.source, dated, _relative(profile.file, self.env.pack_path))

    def finding(self, subject: str | None, status: Status, message: str, source: Source | None = None) -> Finding:
        return Finding(self.check, self.rule_id, subject, status, message, source or self.source)


@functools.cache
def _relative(file: str, root: str) -> str:
    try:
        return Path(file).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return file


class LineCheck(CompiledRule):
    """A general rule applied to each line. Subclasses implement ``run`` for one ``kind``.

    ``reads`` names the line fields the check judges: when one of them could not be read, the
    ``input`` finding already reports it and the check stays silent rather than judge a default.
    ``reads_in_part`` names the list fields of them it judges code by code: on a list read in
    part (a code that could not be read left out) it judges the codes read, but gives no
    verdict that the code left out might change ("no diagnosis supports the procedure").
    A dated rule is applied only to lines whose date of service it is in force on.
    """

    reads: tuple[str, ...] = ()
    reads_in_part: frozenset[str] = frozenset()
    needs_line = True
    # For the batch engine and the per-line road's memo, which run a check once per distinct key
    # (engine/batch, engine/line_memo.py): what the findings of a readable, problem-free line
    # (and claim) depend on. ``memo_key`` names the ``ClaimLine``
    # fields whose exact values matter, and ``era`` when all that matters of the date of
    # service is which dated entries are in force on it (entries of the rule, of the profiles
    # when the key has the procedure code, of the modifier list when it has the modifiers).
    # Every check declares it; a dated rule always adds ``era``. ``memo_each`` names a list
    # field when the findings are those for each of its items in turn; ``memo_first`` one when
    # they are the finding ``accepted`` gives for the first item it accepts, or, when it accepts
    # none, those of ``none_accepted``. ``needs_profile`` says a line whose code has no profile
    # gets no finding.
    memo_key: tuple[str, ...] | None = None
    memo_each: str | None = None
    # A field of which the findings depend only on ``fact(value)``, a small number (say, whether
    # the procedure is an ambulance code): keying on the whole value would multiply the keys.
    memo_fact: str | None = None
    memo_first: str | None = None
    needs_profile = False

    def applies(self, ctx: LineContext) -> bool:
        if self.needs_line and ctx.line is None:
            return False
        if self.reads and not ctx.unreadable.isdisjoint(self.reads) and not self._judges_read_codes(ctx):
            return False
        return ctx.line is None or not self.rule.dated or self.rule.in_force(ctx.line.date_of_service)

    def _judges_read_codes(self, ctx: LineContext) -> bool:
        """Whether each field of ``reads`` that did not read is a list read in part that the
        check judges code by code."""
        blocked = ctx.unreadable.intersection(self.reads)
        return blocked <= ctx.read_in_part and blocked <= self.reads_in_part

    def __call__(self, ctx: LineContext) -> Iterable[Finding]:
        return self.run(ctx) if self.applies(ctx) else ()

    def run(self, ctx: LineContext) -> Iterable[Finding]:
        raise NotImplementedError

    def fact(self, value: Any) -> int:
        """With ``memo_fact``: what of ``value`` the findings depend on, from 0 up."""
        raise NotImplementedError

    def accepted(self, ctx: LineContext, item: str) -> Finding | None:
        """With ``memo_first``: the line's finding when ``item`` is the first item the check
        accepts, None when it does not accept it."""
        raise NotImplementedError

    def none_accepted(self, ctx: LineContext) -> Iterable[Finding]:
        """With ``memo_first``: the line's findings when the check accepts none of its items
        (the batch engine, which has judged the items already, asks for these alone)."""
        raise NotImplementedError


_CODE_SET_NAMES = {
    "icd10cm": "ICD-10-CM",
    "nucc": "NUCC Health Care Provider Taxonomy",
    "modifiers": "CPT/HCPCS modifiers",
    "pos": "CMS Place of Service codes",
}


def code_set_source(info: CodeSetInfo) -> Source:
    """The source of a finding that a code set decided: the set, its release and its version."""
    return Source(_CODE_SET_NAMES.get(info.name, info.name), info.label, info.version)


KIND_IMPLEMENTATIONS: dict[str, type[CompiledRule]] = {}

_RuleT = TypeVar("_RuleT", bound=type[CompiledRule])


def implements(kind: str) -> Callable[[_RuleT], _RuleT]:
    """Register the class that implements rule ``kind`` (names listed in ``rules.kinds``)."""

    def register(cls: _RuleT) -> _RuleT:
        if kind in KIND_IMPLEMENTATIONS:
            raise RuntimeError(f"rule kind {kind!r} is implemented twice")
        KIND_IMPLEMENTATIONS[kind] = cls
        return cls

    return register


def join_or(items: list[str]) -> str:
    """``a, b or c``."""
    return ", ".join(items[:-1]) + f" or {items[-1]}" if len(items) > 1 else items[0]


def describe_codes(codes: Iterable[str], limit: int = 8) -> str:
    """``a, b, c`` or ``a, b, … (12 in all)``: lists in messages stay readable."""
    items = list(codes)
    if len(items) <= limit:
        return ", ".join(items) if items else "none"
    return ", ".join(items[:limit]) + f", … ({len(items)} in all)"
