"""LineResult and Report: what a run produces, built from findings only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from claimcheck.models.finding import Check, Finding, Status, worst

__all__ = ["FrozenDict", "LineResult", "Report", "Tally"]

_ACROSS_LINES = (Check.PAIR, Check.DUPLICATE)


class FrozenDict(dict[str, Any]):
    """A dict that refuses changes and hashes by its items: the mappings a frozen report holds.

    A dict, not a read-only proxy, so that ``json.dumps`` and ``pickle`` (a report handed back
    by a process pool) take it as the plain dict these fields used to be.
    """

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("a report's mappings are read-only; copy with dict(...) to change one")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[str, Any]]]:
        # pickle's default for a dict subclass fills an empty one item by item, which is refused.
        return (type(self), (dict(self),))


@dataclass(frozen=True, slots=True)
class LineResult:
    """The findings for one input line; its status is the worst of them (pass when none)."""

    claim_id: str | None
    line_number: int | None
    procedure_code: str | None
    findings: tuple[Finding, ...]
    location: Mapping[str, str | int | None] | None = None
    status: Status = field(init=False)

    def __post_init__(self) -> None:
        if type(self.findings) is not tuple:
            object.__setattr__(self, "findings", tuple(self.findings))
        object.__setattr__(self, "status", worst(f.status for f in self.findings))
        # The readers hand over a dict; held as it came, a change to it changed the line's hash.
        if self.location is not None and type(self.location) is not FrozenDict:
            object.__setattr__(self, "location", FrozenDict(self.location))

    def problems(self) -> tuple[Finding, ...]:
        """The warn and fail findings."""
        return tuple(f for f in self.findings if f.status is not Status.PASS)

    def notable(self) -> tuple[Finding, ...]:
        """What a person reviewing the line is shown: the warn and fail findings, and the passes of
        edits across lines, which name the line, bypass or repeat modifier that allowed a pair or a
        repeat (the other passes are only counted)."""
        return tuple(f for f in self.findings if f.status is not Status.PASS or f.check in _ACROSS_LINES)

    def head(self) -> dict[str, Any]:
        """The line object's keys before its findings: the line's keys, status and location."""
        data: dict[str, Any] = {
            "claim_id": self.claim_id,
            "line_number": self.line_number,
            "procedure_code": self.procedure_code,
            "status": self.status.value,
        }
        if self.location is not None:
            data["location"] = dict(self.location)
        return data

    def to_dict(self) -> dict[str, Any]:
        """The line object of the JSON report: its keys, status, location (when known) and findings."""
        data = self.head()
        data["findings"] = [f.to_dict() for f in self.findings]
        return data


class Tally:
    """Lines counted by status as they stream past, for a summary without keeping the lines."""

    def __init__(self) -> None:
        self.by_status: Counter[str] = Counter()
        self.lines = 0

    def add(self, line: LineResult) -> None:
        self.lines += 1
        self.by_status[line.status.value] += 1

    def add_counts(self, lines: int, by_status: Mapping[str, int]) -> None:
        """Count ``lines`` lines at once, ``by_status`` of them per status."""
        self.lines += lines
        self.by_status.update(by_status)

    @property
    def status(self) -> Status:
        return worst(Status(name) for name in self.by_status)

    def counts(self) -> dict[str, int]:
        """Lines by status: ``{"pass": n, "warn": n, "fail": n}``."""
        return {status.value: self.by_status.get(status.value, 0) for status in Status}

    def summary(self, rules_version: str, code_sets: Mapping[str, str]) -> dict[str, Any]:
        return {
            "lines": self.lines,
            **self.counts(),
            "rules_version": rules_version,
            "code_sets": dict(code_sets),
        }


@dataclass(frozen=True, slots=True)
class Report:
    """Line results in input order, with the rule-pack version and code-set versions that made them."""

    lines: tuple[LineResult, ...]
    rules_version: str
    code_sets: Mapping[str, str]

    def __post_init__(self) -> None:
        if type(self.lines) is not tuple:
            object.__setattr__(self, "lines", tuple(self.lines))
        # A plain dict here let a caller rewrite the versions a frozen report states, and made
        # the report unhashable.
        if type(self.code_sets) is not FrozenDict:
            object.__setattr__(self, "code_sets", FrozenDict(self.code_sets))

    @classmethod
    def build(cls, lines: Iterable[LineResult], rules_version: str, code_sets: Mapping[str, str]) -> Report:
        """A report of ``lines`` (consumed now), made by that rule-pack version and those code sets."""
        return cls(tuple(lines), rules_version, code_sets)

    @property
    def status(self) -> Status:
        """The worst status of the lines (pass when there are none)."""
        return worst(line.status for line in self.lines)

    def _tally(self) -> Tally:
        tally = Tally()
        for line in self.lines:
            tally.add(line)
        return tally

    def counts(self) -> dict[str, int]:
        """Lines by status: ``{"pass": n, "warn": n, "fail": n}``."""
        return self._tally().counts()

    def summary(self) -> dict[str, Any]:
        """The report's ``summary`` object: lines, lines by status, rules_version and code_sets."""
        return self._tally().summary(self.rules_version, self.code_sets)

    def to_dict(self) -> dict[str, Any]:
        """The JSON report shape of DESIGN.md: ``{"summary": {...}, "lines": [...]}``."""
        return {"summary": self.summary(), "lines": [line.to_dict() for line in self.lines]}
