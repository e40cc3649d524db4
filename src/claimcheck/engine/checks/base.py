"""What every line check shares: the per-line context, the base class, and the kind registry."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from claimcheck.engine.profiles import CompiledProfile
from claimcheck.models.claim import ClaimLine
from claimcheck.models.finding import Check, Finding, Source, Status
from claimcheck.models.parse import InputProblem, ParsedLine
from claimcheck.refdata import CodeSetInfo, CodeSets
from claimcheck.rules.loader import LoadedRule

__all__ = [
    "KIND_IMPLEMENTATIONS",
    "LineCheck",
    "LineContext",
    "code_set_source",
    "describe_codes",
    "implements",
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
    unreadable: frozenset[str] = frozenset()  # line fields that could not be read


class LineCheck:
    """A compiled general rule. Subclasses implement ``run`` for one ``kind``.

    ``reads`` names the line fields the check judges: when one of them could not be read, the
    ``input`` finding already reports it and the check stays silent rather than judge a default.
    """

    reads: tuple[str, ...] = ()
    needs_line = True

    def __init__(self, loaded: LoadedRule, code_sets: CodeSets) -> None:
        rule = loaded.rule
        self.rule_id = rule.id
        self.check: Check = rule.check
        self.status: Status = rule.status
        self.source = Source(rule.source.document, rule.source.section)
        self.params = loaded.params
        self.code_sets = code_sets
        self.setup()

    def setup(self) -> None:
        """Precompute lookups from ``self.params`` and ``self.code_sets``."""

    def finding(self, subject: str | None, status: Status, message: str, source: Source | None = None) -> Finding:
        return Finding(self.check, self.rule_id, subject, status, message, source or self.source)

    def __call__(self, ctx: LineContext) -> Iterable[Finding]:
        if self.needs_line and ctx.line is None:
            return ()
        if self.reads and not ctx.unreadable.isdisjoint(self.reads):
            return ()
        return self.run(ctx)

    def run(self, ctx: LineContext) -> Iterable[Finding]:
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


KIND_IMPLEMENTATIONS: dict[str, type[LineCheck]] = {}


def implements(kind: str) -> Callable[[type[LineCheck]], type[LineCheck]]:
    """Register the class that implements rule ``kind`` (names listed in ``rules.kinds``)."""

    def register(cls: type[LineCheck]) -> type[LineCheck]:
        if kind in KIND_IMPLEMENTATIONS:
            raise RuntimeError(f"rule kind {kind!r} is implemented twice")
        KIND_IMPLEMENTATIONS[kind] = cls
        return cls

    return register


def describe_codes(codes: Iterable[str], limit: int = 8) -> str:
    """``a, b, c`` or ``a, b, … (12 in all)``: lists in messages stay readable."""
    items = list(codes)
    if len(items) <= limit:
        return ", ".join(items) if items else "none"
    return ", ".join(items[:limit]) + f", … ({len(items)} in all)"
