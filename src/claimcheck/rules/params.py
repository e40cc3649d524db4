"""Parameter schemas of the line-level rule kinds, and what every kind's parameters share.

The loader validates a rule's ``params`` block against its kind's schema (see ``kinds``), so a
bad block is refused with its file and key path before the engine sees it.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from claimcheck.rules.schema import Day, FrozenMapping, ProcedureCode, SourceRef, UpperCode, entry_problem
from claimcheck.rules.yamlsource import KeyPath

__all__ = [
    "AmbulanceModifiers",
    "EffectiveDateParams",
    "EffectiveDates",
    "ModifierCode",
    "ModifierCodeSetParams",
    "ModifierConflictParams",
    "ModifierCountParams",
    "NoParams",
    "OriginDestinationParams",
    "Params",
    "ProcedureFormatParams",
    "modifier_codes",
]


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


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(Params):
    """This kind takes no parameters."""


class ModifierCountParams(Params):
    maximum: int = Field(4, gt=0)


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None
    return value


class ProcedureFormatParams(Params):
    formats: FrozenMapping[str, Annotated[str, AfterValidator(_regex)]] = Field(min_length=1)


class EffectiveDates(Params):
    """Codes in the code set from ``effective`` through ``expires`` (inclusive; None: not deleted)."""

    codes: tuple[ProcedureCode, ...] = Field(min_length=1)
    effective: Day
    expires: Day | None = None
    source: SourceRef

    @model_validator(mode="after")
    def _expires_after_effective(self) -> EffectiveDates:
        if self.expires is not None and self.expires < self.effective:
            raise entry_problem(f"is before effective ({self.effective})", ("expires",), self.expires.isoformat())
        return self


class EffectiveDateParams(Params):
    codes: tuple[EffectiveDates, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_group_per_code(self) -> EffectiveDateParams:
        # A code in two groups took the later group's dates without a word.
        first: dict[str, int] = {}
        for index, group in enumerate(self.codes):
            for code in group.codes:
                if first.setdefault(code, index) != index:
                    message = f"{code} is in codes[{first[code]}] and codes[{index}]; a code has one effective date"
                    raise entry_problem(message, ("codes", index, "codes"))
        return self


def check_ranges_in_order(ranges: tuple[tuple[str, str], ...], key: str) -> None:
    """Each (first, last) range of procedure codes runs forward."""
    for index, (first, last) in enumerate(ranges):
        if first > last:
            raise entry_problem(f"{first} comes after {last}", (key, index))


def in_ranges(code: str, ranges: tuple[tuple[str, str], ...]) -> bool:
    """Whether ``code`` lies in one of the (first, last) ranges, codes of the same length."""
    return any(len(code) == len(first) and first <= code <= last for first, last in ranges)


class AmbulanceModifiers(Params):
    """HCPCS modifiers that describe an ambulance service or trip (QM, GM), with the document
    that says so: valid on ambulance procedures only."""

    modifiers: tuple[ModifierCode, ...] = Field(min_length=1)
    source: SourceRef


class ModifierCodeSetParams(Params):
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
    # even when a HCPCS modifier is spelled alike (JG, terminated; HR, current), and on no other
    # code is a pair valid.
    ambulance_procedures: tuple[tuple[ProcedureCode, ProcedureCode], ...] = ()
    # The codes the Category II modifiers are valid on: CPT Category II codes (nnnnF).
    category_ii_procedures: Annotated[str, AfterValidator(_regex)] = r"^\d{4}F$"
    # Modifiers of the modifier file valid on ambulance_procedures only, in groups by source.
    ambulance_modifiers: tuple[AmbulanceModifiers, ...] = ()

    @model_validator(mode="after")
    def _ranges_in_order(self) -> ModifierCodeSetParams:
        # Pairs and ambulance modifiers are valid on ambulance codes only: without the codes every
        # one would fail.
        for key in ("ambulance_locations", "ambulance_modifiers"):
            if getattr(self, key) and not self.ambulance_procedures:
                raise entry_problem("needs ambulance_procedures, the codes they go on", (key,))
        check_ranges_in_order(self.ambulance_procedures, "ambulance_procedures")
        first: dict[str, int] = {}
        for index, group in enumerate(self.ambulance_modifiers):
            for code in group.modifiers:
                if first.setdefault(code, index) != index:
                    message = (
                        f"{code} is in ambulance_modifiers[{first[code]}] and [{index}]; a modifier has one source"
                    )
                    raise entry_problem(message, ("ambulance_modifiers", index, "modifiers"), code)
        return self

    def ambulance_source(self, code: str) -> SourceRef | None:
        """The source of ``code`` when it is valid on ambulance procedures only, else None."""
        return next((g.source for g in self.ambulance_modifiers if code in g.modifiers), None)

    def is_ambulance_procedure(self, code: str) -> bool:
        return in_ranges(code, self.ambulance_procedures)

    def is_category_ii_procedure(self, code: str) -> bool:
        return re.search(self.category_ii_procedures, code) is not None

    def is_ambulance_pair(self, code: str) -> bool:
        """True when ``code`` is an origin letter followed by a destination letter."""
        return (
            len(code) == 2
            and code[0] not in self.destination_only
            and code[0] in self.ambulance_locations
            and code[1] in self.ambulance_locations
        )


class OriginDestinationParams(Params):
    """First and last code of each range of procedures whose lines need an ambulance
    origin/destination modifier (the pairs are those of the modifier_code_set rules)."""

    procedures: tuple[tuple[ProcedureCode, ProcedureCode], ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ranges_in_order(self) -> OriginDestinationParams:
        check_ranges_in_order(self.procedures, "procedures")
        return self

    def needs_pair(self, code: str) -> bool:
        return in_ranges(code, self.procedures)


class ModifierConflictParams(Params):
    """Pairs of modifiers that do not go on one line, and what to do instead: the advice ends the
    finding's message ("26 and TC on the same line: <advice>"); without it the message names the
    pair alone."""

    pairs: tuple[tuple[ModifierCode, ModifierCode], ...] = Field(min_length=1)
    advice: Annotated[str, Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _each_pair_once(self) -> ModifierConflictParams:
        # A pair listed again, in either order, gave a line carrying both one finding per listing.
        first: dict[frozenset[str], int] = {}
        for index, (one, other) in enumerate(self.pairs):
            if one == other:
                message = f"{one} is paired with itself; a conflict is between two modifiers"
                raise entry_problem(message, ("pairs", index))
            earlier = first.setdefault(frozenset((one, other)), index)
            if earlier != index:
                listed = self.pairs[earlier]
                if listed == (one, other):
                    message = f"{one} {other} is pairs[{earlier}] again; list each pair once"
                else:
                    message = (
                        f"{one} {other} is pairs[{earlier}] ({' '.join(listed)}) the other way round; "
                        "a conflict has no order, list it once"
                    )
                raise entry_problem(message, ("pairs", index))
        return self
