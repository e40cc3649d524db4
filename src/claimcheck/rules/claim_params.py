"""Parameter schemas of the claim-level (cross-line) rule kinds: NCCI procedure-to-procedure
pairs, add-on codes and their primaries, unit limits, duplicate lines and split components.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from claimcheck.rules.params import ModifierCode, Params
from claimcheck.rules.schema import Dated, ProcedureCode, SourceRef, Text, entry_problem

__all__ = [
    "AddonEntry",
    "AddonParams",
    "DuplicateParams",
    "PairEntry",
    "PairParams",
    "SplitComponentParams",
    "UnitLimit",
    "UnitLimitParams",
]


def _listed(value: object) -> object:
    """A single code may be written without brackets."""
    return [value] if isinstance(value, str) else value


def _indicator(allowed: tuple[int, ...]) -> AfterValidator:
    def check(value: int) -> int:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(map(str, allowed))}")
        return value

    return AfterValidator(check)


Codes = Annotated[tuple[ProcedureCode, ...], BeforeValidator(_listed), Field(min_length=1)]


def _overlap(one: Dated, other: Dated) -> bool:
    start = max(one.effective or date.min, other.effective or date.min)
    return start <= min(one.expires or date.max, other.expires or date.max)


def _once_a_day(entries: Sequence[Dated], keys: Callable[[Any], Iterable[str]], field: str, what: str) -> None:
    """Refuse a key (a code, a pair) in two of ``entries`` in force on a common day: the engine
    applied both (two findings for one edit, of different verdicts) or the first alone, without
    a word either way."""
    seen: dict[str, list[int]] = {}
    for index, entry in enumerate(entries):
        for key in keys(entry):
            for earlier in seen.get(key, ()):
                if _overlap(entries[earlier], entry):
                    message = f"{key} is in {field}[{earlier}] and {field}[{index}] on the same days; {what}"
                    raise entry_problem(message, (field, index))
            seen.setdefault(key, []).append(index)


class PairEntry(Dated):
    """Column-1 codes that may not be billed on one day with column-2 codes (every combination)."""

    column1: Codes
    column2: Codes
    modifier_indicator: Annotated[int, _indicator((0, 1, 9))]
    rationale: Text
    source: SourceRef

    @model_validator(mode="after")
    def _not_with_itself(self) -> PairEntry:
        for column in ("column1", "column2"):
            codes: tuple[str, ...] = getattr(self, column)
            for index, code in enumerate(codes):
                if codes.index(code) != index:
                    # Else reported as the entry clashing with itself ("is in pairs[0] and pairs[0]").
                    message = f"listed twice (also {column}[{codes.index(code)}]); list each code once"
                    raise entry_problem(message, (column, index), code)
        # The check pairs lines of different codes: such a pair was loaded and never applied.
        both = [code for code in self.column1 if code in self.column2]
        if both:
            message = f"{', '.join(both)} is in column1 and column2; a code is not paired with itself"
            raise entry_problem(message, ("column2",))
        return self


def _one_column_order(entries: Sequence[PairEntry]) -> None:
    """Refuse two codes paired both ways round on a common day: each line was then the other's
    column-2 line, and both failed, or one failed as no modifier allowing the pair while the other
    passed by the 59 on the first (CMS lists a pair in one order: its column-2 code is denied)."""
    seen: dict[tuple[str, str], list[int]] = {}
    for index, entry in enumerate(entries):
        for first in entry.column1:
            for second in entry.column2:
                for earlier in seen.get((second, first), ()):
                    if _overlap(entries[earlier], entry):
                        message = (
                            f"{second} {first} is in pairs[{earlier}] and {first} {second} in pairs[{index}] "
                            "on the same days; a pair has one column order (keep the entry whose column-2 "
                            "code is the one denied, or date the entries apart)"
                        )
                        raise entry_problem(message, ("pairs", index))
                seen.setdefault((first, second), []).append(index)


class PairParams(Params):
    bypass_modifiers: tuple[ModifierCode, ...] = Field(min_length=1)
    pairs: tuple[PairEntry, ...] = ()

    @model_validator(mode="after")
    def _one_edit_a_day(self) -> PairParams:
        def pairs_of(entry: PairEntry) -> Iterator[str]:
            return (f"{first} {second}" for first in entry.column1 for second in entry.column2)

        _once_a_day(self.pairs, pairs_of, "pairs", "a pair has one edit on a day (date the entries apart)")
        _one_column_order(self.pairs)
        return self


class AddonEntry(Dated):
    addon: ProcedureCode
    primaries: Codes
    source: SourceRef


class AddonParams(Params):
    addons: tuple[AddonEntry, ...] = ()

    @model_validator(mode="after")
    def _one_entry_a_day(self) -> AddonParams:
        what = "list all its primaries in one entry (or date the entries apart)"
        _once_a_day(self.addons, lambda entry: [f"add-on {entry.addon}"], "addons", what)
        return self


class UnitLimit(Dated):
    code: ProcedureCode
    limit: int = Field(ge=0)
    indicator: Annotated[int, _indicator((1, 2, 3))]
    rationale: Text
    source: SourceRef


class UnitLimitParams(Params):
    limits: tuple[UnitLimit, ...] = ()

    @model_validator(mode="after")
    def _one_limit_a_day(self) -> UnitLimitParams:
        what = "a code has one unit limit on a day (date the entries apart)"
        _once_a_day(self.limits, lambda entry: [entry.code], "limits", what)
        return self


class DuplicateParams(Params):
    repeat_modifiers: tuple[ModifierCode, ...] = Field(min_length=1)


class SplitComponentParams(Params):
    professional: ModifierCode = "26"
    technical: ModifierCode = "TC"

    @model_validator(mode="after")
    def _two_components(self) -> SplitComponentParams:
        # One modifier for both: a line carrying it held "both" components and was never judged.
        if self.professional == self.technical:
            raise ValueError(f"professional and technical are both {self.professional}; they name two modifiers")
        return self
