"""Run the line checks over claims and build line results and reports."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from claimcheck.engine.checks import LineContext
from claimcheck.engine.claim_checks import ClaimContext, ClaimLineRef
from claimcheck.engine.day import day_of_run
from claimcheck.engine.line_memo import LineMemo
from claimcheck.engine.ruleset import RuleSet, rules_or_shipped
from claimcheck.errors import shown_argument
from claimcheck.models.claim import Claim
from claimcheck.models.finding import Finding
from claimcheck.models.parse import InputProblem, ParsedClaim, parse_claim
from claimcheck.models.report import LineResult, Report

__all__ = ["ENGINES", "check_claim", "check_claims", "check_claims_with", "validate", "validate_many"]


def line_contexts(parsed: ParsedClaim, rules: RuleSet, as_of: date) -> list[LineContext]:
    """The context of each input line of ``parsed``, in input order (shared with the durable executor)."""
    contexts: list[LineContext] = []
    seen_numbers: set[int] = set()
    for parsed_line in parsed.lines:
        number = parsed_line.line_number
        repeated = number is not None and number in seen_numbers
        if number is not None:
            seen_numbers.add(number)
        line = parsed_line.line
        problems = parsed_line.problems
        contexts.append(
            LineContext(
                claim_id=parsed.claim_id,
                parsed=parsed_line,
                line=line,
                profile=rules.profiles.get(line.procedure_code) if line is not None else None,
                as_of=as_of,
                claim_problems=parsed.problems,
                repeated_line_number=repeated,
                unreadable=frozenset(p.field for p in problems),
                read_in_part=_read_in_part(problems) if problems else frozenset(),
            )
        )
    return contexts


def _read_in_part(problems: tuple[InputProblem, ...]) -> frozenset[str]:
    """The list fields of which only some codes did not read (and nothing else was wrong)."""
    whole = {p.field for p in problems if p.code is None}
    return frozenset(p.field for p in problems if p.code is not None and p.field not in whole)


def line_results(parsed: ParsedClaim, per_line: Iterable[Iterable[Finding]]) -> list[LineResult]:
    """A result per line of ``parsed`` from its findings, in input order (shared with the durable executor)."""
    return [
        LineResult(
            parsed.claim_id, parsed_line.line_number, parsed_line.procedure_code, tuple(findings), parsed_line.location
        )
        for parsed_line, findings in zip(parsed.lines, per_line, strict=True)
    ]


def check_claim(parsed: ParsedClaim, rules: RuleSet, as_of: date, memo: LineMemo | None = None) -> list[LineResult]:
    """One result per input line of ``parsed``, in input order: line checks, then claim checks.
    ``memo`` (built for ``rules`` and kept for one ``as_of``) reuses line checks' findings."""
    per_line: list[list[Finding]] = []
    readable: list[ClaimLineRef] = []
    for index, ctx in enumerate(line_contexts(parsed, rules, as_of)):
        if memo is not None and memo.applies(ctx):
            findings = memo.findings(ctx)
        else:
            findings = []
            for check in rules.checks:
                findings.extend(check(ctx))
        per_line.append(findings)
        if ctx.line is not None:
            readable.append(ClaimLineRef(index, ctx.line, ctx.unreadable))
    if rules.claim_checks and len(readable) > 0:
        claim_ctx = ClaimContext(parsed.claim_id, tuple(readable), as_of)
        for claim_check in rules.claim_checks:
            for index, finding in claim_check(claim_ctx):
                per_line[index].append(finding)
    return line_results(parsed, per_line)


def check_claims(
    claims: Iterable[ParsedClaim], rules: RuleSet, as_of: date | str | None = None
) -> Iterator[LineResult]:
    """Stream line results for a stream of parsed claims."""
    day = day_of_run(as_of)
    memo = LineMemo(rules, day)
    for parsed in claims:
        yield from check_claim(parsed, rules, day, memo)


ENGINES = ("compiled", "durable")


def check_claims_with(
    engine: str, claims: Iterable[ParsedClaim], rules: RuleSet, as_of: date | str | None = None
) -> Iterator[LineResult]:
    """``check_claims`` by the executor ``engine``: ``compiled`` (this module) or ``durable``
    (durable-rules, much slower, for cross-checking; needs claimcheck[durable])."""
    if engine == "durable":
        from claimcheck.engine.durable import check_claims_durable

        return check_claims_durable(claims, rules, as_of)
    if engine != "compiled":
        raise ValueError(f"unknown engine {engine!r}; engines: {', '.join(ENGINES)}")
    return check_claims(claims, rules, as_of)


def _parsed(claim: Any) -> ParsedClaim:
    return claim if isinstance(claim, ParsedClaim) else parse_claim(claim)


def validate(claim: Any, *, rules: RuleSet | None = None, as_of: date | str | None = None) -> Report:
    """Check one claim (a ``Claim`` or a dict in the JSON claims shape) and return its report.

    ``rules`` is a ``RuleSet`` from ``load_rules`` (None: the shipped pack, loaded once and
    shared); ``as_of`` is the day of the run, against which future dates of service fail: a
    ``date``, a ``datetime`` (its day) or ``"YYYY-MM-DD"`` (None: today). ``report.to_dict()``
    gives the JSON report shape; ``report.lines[0].status`` the line's worst status.

    A wrong claim never raises: what cannot be read becomes ``input`` findings. A wrong argument
    does: ``ValueError`` for an ``as_of`` that is not a calendar day, ``TypeError`` for ``rules``
    that is not a ``RuleSet`` or an ``as_of`` of another type.
    """
    return validate_many([claim], rules=rules, as_of=as_of)


def validate_many(claims: Iterable[Any], *, rules: RuleSet | None = None, as_of: date | str | None = None) -> Report:
    """Check several claims and return one report, lines in input order.

    ``claims`` is an iterable of what ``validate`` takes (read as it goes); ``rules`` and
    ``as_of`` are as there. One claim given alone is a ``TypeError``.
    """
    if isinstance(claims, (str, os.PathLike)):
        raise TypeError(
            f"validate_many takes an iterable of claims, not a file name or text ({shown_argument(claims)}); "
            "validate_file(path) checks a claim file"
        )
    if isinstance(claims, (bytes, Mapping, Claim)):
        # Iterated, one claim would pass as its keys or letters, each a claim with an input finding.
        raise TypeError(
            f"validate_many takes an iterable of claims, not one claim ({type(claims).__name__}); "
            "validate(claim) checks one"
        )
    arrow = type(claims).__module__.startswith("pyarrow")
    if arrow or (hasattr(claims, "columns") and hasattr(claims, "dtypes")):
        # A pandas or polars DataFrame iterates over its column names, and a pyarrow Table or
        # RecordBatch over its columns, each taken for a claim.
        example = (
            "validate_batch(table)"
            if arrow
            else "validate_batch(pyarrow.Table.from_pandas(df)) or validate_batch(df.to_arrow())"
        )
        raise TypeError(
            f"validate_many takes an iterable of claims, not a table ({type(claims).__name__}); "
            "a table of claim lines in the claimcheck layout goes to validate_batch "
            f"(e.g. {example})"
        )
    ruleset = rules_or_shipped(rules)
    lines = check_claims((_parsed(c) for c in claims), ruleset, as_of)
    return Report.build(lines, ruleset.version, ruleset.code_set_versions())
