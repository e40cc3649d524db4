"""The kinds of general rule a pack may declare, and the parameters each kind takes.

A general rule names its ``kind``; the engine has one implementation per kind (a test checks
that the two lists agree). Keeping the parameter schemas here lets the loader reject a bad
``params`` block with the file and line, before the engine sees it.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from claimcheck.models.finding import Check
from claimcheck.rules.schema import Dated, Day, FrozenMapping, ProcedureCode, SourceRef, Text, UpperCode
from claimcheck.rules.yamlsource import KeyPath

__all__ = ["KIND_CHECK", "KIND_PARAMS", "ModifierCodeSetParams", "modifier_codes"]


class _ModifierCodeMark:
    """Marks a parameter that holds a modifier, so the loader checks it against the code set."""


_MODIFIER_CODE = _ModifierCodeMark()
ModifierCode = Annotated[UpperCode, _MODIFIER_CODE]


def modifier_codes(params: BaseModel, base: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every modifier in ``params`` with its key path, found through the ``ModifierCode`` type."""
    for name, field in type(params).model_fields.items():
        yield from _codes_in(field.annotation, field.metadata, getattr(params, name), (*base, name))


def _codes_in(annotation: Any, metadata: list[Any], value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if any(mark is _MODIFIER_CODE for mark in metadata):
        yield path, value
        return
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        yield from _codes_in(args[0], list(args[1:]), value, path)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from modifier_codes(value, path)
    elif origin is list or (origin is tuple and args[-1] is Ellipsis):
        for index, item in enumerate(value):
            yield from _codes_in(args[0], [], item, (*path, index))
    elif origin is tuple:
        for index, (item_type, item) in enumerate(zip(args, value, strict=True)):
            yield from _codes_in(item_type, [], item, (*path, index))
    elif origin in (dict, Mapping):
        for key, item in value.items():
            yield from _codes_in(args[1], [], item, (*path, key))


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(_Params):
    """This kind takes no parameters."""


class ModifierCountParams(_Params):
    maximum: int = Field(4, gt=0)


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None
    return value


class ProcedureFormatParams(_Params):
    formats: FrozenMapping[str, Annotated[str, AfterValidator(_regex)]] = Field(min_length=1)


class EffectiveDates(_Params):
    """Codes in the code set from ``effective`` through ``expires`` (inclusive; None: not deleted)."""

    codes: tuple[ProcedureCode, ...] = Field(min_length=1)
    effective: Day
    expires: Day | None = None
    source: SourceRef

    @model_validator(mode="after")
    def _expires_after_effective(self) -> EffectiveDates:
        if self.expires is not None and self.expires < self.effective:
            raise ValueError("expires is before effective")
        return self


class EffectiveDateParams(_Params):
    codes: tuple[EffectiveDates, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_group_per_code(self) -> EffectiveDateParams:
        # A code in two groups took the later group's dates without a word.
        first: dict[str, int] = {}
        for index, group in enumerate(self.codes):
            for code in group.codes:
                if first.setdefault(code, index) != index:
                    raise ValueError(
                        f"{code} is in codes[{first[code]}] and codes[{index}]; a code has one effective date"
                    )
        return self


class ModifierCodeSetParams(_Params):
    """Ambulance origin/destination modifiers are pairs of location letters (RH = residence to
    hospital) that the HCPCS modifier file does not list one by one."""

    ambulance_locations: FrozenMapping[Annotated[str, Field(pattern=r"^[A-Z]$")], str] = Field(
        default={}, validate_default=True
    )
    destination_only: tuple[Annotated[str, Field(pattern=r"^[A-Z]$")], ...] = ()
    # Valid modifiers the shipped modifier file lacks (its CPT rows are the Level I modifiers
    # only), each with its meaning.
    category_ii_modifiers: FrozenMapping[Annotated[str, Field(pattern=r"^[0-9][A-Z]$")], str] = Field(
        default={}, validate_default=True
    )
    # First and last code of each range of ambulance procedures: on these a pair is read as one
    # even when a HCPCS modifier is spelled alike (JG, terminated; HR, current).
    ambulance_procedures: tuple[tuple[ProcedureCode, ProcedureCode], ...] = ()

    @model_validator(mode="after")
    def _ranges_in_order(self) -> ModifierCodeSetParams:
        for index, (first, last) in enumerate(self.ambulance_procedures):
            if first > last:
                raise ValueError(f"ambulance_procedures[{index}]: {first} comes after {last}")
        return self

    def is_ambulance_procedure(self, code: str) -> bool:
        return any(len(code) == len(first) and first <= code <= last for first, last in self.ambulance_procedures)

    def is_ambulance_pair(self, code: str) -> bool:
        """True when ``code`` is an origin letter followed by a destination letter."""
        return (
            len(code) == 2
            and code[0] not in self.destination_only
            and code[0] in self.ambulance_locations
            and code[1] in self.ambulance_locations
        )


class ModifierConflictParams(_Params):
    pairs: tuple[tuple[ModifierCode, ModifierCode], ...] = Field(min_length=1)


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
                    raise ValueError(f"{key} is in {field}[{earlier}] and {field}[{index}] on the same days; {what}")
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
        # The check pairs lines of different codes: such a pair was loaded and never applied.
        both = [code for code in self.column1 if code in self.column2]
        if both:
            raise ValueError(f"{', '.join(both)} is in column1 and column2; a code is not paired with itself")
        return self


class PairParams(_Params):
    bypass_modifiers: tuple[ModifierCode, ...] = Field(min_length=1)
    pairs: tuple[PairEntry, ...] = ()

    @model_validator(mode="after")
    def _one_edit_a_day(self) -> PairParams:
        def pairs_of(entry: PairEntry) -> Iterator[str]:
            return (f"{first} {second}" for first in entry.column1 for second in entry.column2)

        _once_a_day(self.pairs, pairs_of, "pairs", "a pair has one edit on a day (date the entries apart)")
        return self


class AddonEntry(Dated):
    addon: ProcedureCode
    primaries: Codes
    source: SourceRef


class AddonParams(_Params):
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


class UnitLimitParams(_Params):
    limits: tuple[UnitLimit, ...] = ()

    @model_validator(mode="after")
    def _one_limit_a_day(self) -> UnitLimitParams:
        what = "a code has one unit limit on a day (date the entries apart)"
        _once_a_day(self.limits, lambda entry: [entry.code], "limits", what)
        return self


class DuplicateParams(_Params):
    repeat_modifiers: tuple[ModifierCode, ...] = Field(min_length=1)


class SplitComponentParams(_Params):
    professional: ModifierCode = "26"
    technical: ModifierCode = "TC"


# The check whose findings each kind makes: a rule filed under another check labelled them
# wrongly (a units rule's findings reported, and counted, as diagnosis ones).
KIND_CHECK: dict[str, Check] = {
    **dict.fromkeys(("unreadable_field", "unchecked_value", "modifier_count", "unique_line_number"), Check.INPUT),
    "procedure_format": Check.PROCEDURE,
    **dict.fromkeys(("code_effective_date", "date_not_after_run"), Check.DATE),
    **dict.fromkeys(("modifier_code_set", "modifier_conflict", "profile_modifiers"), Check.MODIFIER),
    **dict.fromkeys(
        ("diagnosis_required", "diagnosis_code_set", "diagnosis_billable", "profile_diagnoses"), Check.DIAGNOSIS
    ),
    **dict.fromkeys(("taxonomy_code_set", "profile_specialties"), Check.SPECIALTY),
    "npi_check_digit": Check.PROVIDER,
    **dict.fromkeys(("positive_units", "mue_units"), Check.UNITS),
    "place_of_service_code_set": Check.PLACE_OF_SERVICE,
    **dict.fromkeys(("ptp_pairs", "addon_primary", "split_components"), Check.PAIR),
    "duplicate_lines": Check.DUPLICATE,
}

KIND_PARAMS: dict[str, type[BaseModel]] = {
    "unreadable_field": NoParams,
    "unchecked_value": NoParams,
    "modifier_count": ModifierCountParams,
    "unique_line_number": NoParams,
    "procedure_format": ProcedureFormatParams,
    "code_effective_date": EffectiveDateParams,
    "date_not_after_run": NoParams,
    "modifier_code_set": ModifierCodeSetParams,
    "modifier_conflict": ModifierConflictParams,
    "profile_modifiers": NoParams,
    "diagnosis_required": NoParams,
    "diagnosis_code_set": NoParams,
    "diagnosis_billable": NoParams,
    "profile_diagnoses": NoParams,
    "taxonomy_code_set": NoParams,
    "profile_specialties": NoParams,
    "npi_check_digit": NoParams,
    "positive_units": NoParams,
    "place_of_service_code_set": NoParams,
    "ptp_pairs": PairParams,
    "addon_primary": AddonParams,
    "split_components": SplitComponentParams,
    "mue_units": UnitLimitParams,
    "duplicate_lines": DuplicateParams,
}
