"""The shape of a rule pack, as strict pydantic models.

A pack is a directory::

    pack.yaml                 name, version, and the explicit list of general files and profiles
    general/<name>.yaml       rules that apply to every line (``rules:`` list)
    procedures/<CODE>.yaml    one profile per procedure code: modifiers, diagnoses, specialties

Unknown keys are errors (``extra="forbid"``): a misspelt key must not silently switch a rule off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from claimcheck.models.fields import iso_date, normalise_diagnosis
from claimcheck.models.finding import Check, Status

__all__ = [
    "ENTRY_PROBLEM",
    "Dated",
    "Day",
    "DiagnosisEntry",
    "FrozenMapping",
    "GeneralFile",
    "GeneralRule",
    "ModifierEntry",
    "PackManifest",
    "ProcedureProfile",
    "SourceRef",
    "SpecialtyEntry",
    "entry_problem",
]

RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
PROCEDURE_CODE = re.compile(r"^(\d{5}|\d{4}[FTU]|[A-Z]\d{4})$", re.ASCII)


def _upper(value: str) -> str:
    return value.strip().upper()


def _rule_id(value: str) -> str:
    if not RULE_ID.match(value):
        raise ValueError(f"rule id must match {RULE_ID.pattern} (e.g. modifier.code_set)")
    return value


def _procedure_code(value: str) -> str:
    code = _upper(value)
    if not PROCEDURE_CODE.match(code):
        raise ValueError("must be a CPT code (5 digits, or 4 digits + F, T or U) or HCPCS Level II (letter + 4 digits)")
    return code


def _frozen(value: Any) -> Any:
    """Lists as tuples and mappings as read-only views, all the way down: a loaded pack is
    shared across threads and must not change under them."""
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def _day(value: Any) -> date:
    """A day written YYYY-MM-DD. Left to pydantic, ``effective: 86400`` read as a Unix time
    (1970-01-02), ``0`` as 1970-01-01 and ``2022-07-01T00:00`` as a day, each in force silently."""
    try:
        return iso_date(value if isinstance(value, (str, date)) else "")
    except ValueError:
        raise PydanticCustomError(
            "rule_date", "is not a day", {"expected": "a calendar date written YYYY-MM-DD, e.g. 2022-07-01"}
        ) from None


Day = Annotated[date, BeforeValidator(_day)]


ENTRY_PROBLEM = "rule_entry"


def entry_problem(message: str, at: tuple[str | int, ...], value: str | None = None) -> PydanticCustomError:
    """A problem an entry's validator finds across its keys (two entries for one code, dates
    backwards): the loader reports it at the key ``at`` below the entry, the one to fix, rather
    than at the entry quoted whole."""
    return PydanticCustomError(ENTRY_PROBLEM, "{message}", {"message": message, "at": at, "value": value})


_Key = TypeVar("_Key")
_Value = TypeVar("_Value")
FrozenMapping = Annotated[Mapping[_Key, _Value], AfterValidator(_frozen)]

UpperCode = Annotated[str, AfterValidator(_upper), Field(min_length=1)]
# ICD-10-CM as claims are read, with or without the dot: a profile listing I709 shows it as I70.9
# and is matched, deduplicated and reported in that spelling.
IcdCode = Annotated[str, AfterValidator(normalise_diagnosis), Field(min_length=1)]
ProcedureCode = Annotated[str, AfterValidator(_procedure_code)]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dated(_Strict):
    """Any rule or entry may be dated: in force from ``effective`` through ``expires`` (inclusive).

    The engine applies what is in force on each line's date of service.
    """

    effective: Day | None = None
    expires: Day | None = None

    @model_validator(mode="after")
    def _expires_after_effective(self) -> Dated:
        if self.effective and self.expires and self.expires < self.effective:
            raise entry_problem(f"is before effective ({self.effective})", ("expires",), self.expires.isoformat())
        return self

    def in_force(self, on: date) -> bool:
        return (self.effective is None or self.effective <= on) and (self.expires is None or on <= self.expires)

    @property
    def dated(self) -> bool:
        return self.effective is not None or self.expires is not None


class SourceRef(_Strict):
    """Where an entry comes from: the seed document and its section (both required, so every
    finding can be traced to the passage it rests on)."""

    document: Text
    section: Text


class PackManifest(_Strict):
    """``pack.yaml``: the explicit registry of a rule pack."""

    name: Text
    version: Text
    description: Text | None = None
    general: tuple[Text, ...] = Field(min_length=1)
    procedures: tuple[ProcedureCode, ...] = ()


class GeneralRule(Dated):
    """One rule applied to every line; ``kind`` names the check that implements it."""

    id: Annotated[str, AfterValidator(_rule_id)]
    check: Check
    kind: Text
    status: Literal[Status.WARN, Status.FAIL] = Field(description="status of a finding when the rule is broken")
    summary: Text
    why: Text
    source: SourceRef
    aliases: tuple[Annotated[str, AfterValidator(_rule_id)], ...] = ()
    params: FrozenMapping[str, Any] = Field(default={}, validate_default=True)


class GeneralFile(_Strict):
    """``general/<name>.yaml``."""

    rules: tuple[GeneralRule, ...] = Field(min_length=1)


class ModifierEntry(Dated):
    """A modifier the procedure's document discusses, with the verdict its "When to Use" gives."""

    code: UpperCode
    status: Status
    meaning: Text
    reason: Text
    document_meaning: Text | None = None
    source: SourceRef


class DiagnosisEntry(Dated):
    """An ICD-10-CM code that supports the procedure; a header matches all its billable descendants."""

    code: IcdCode
    title: Text
    document_code: IcdCode | tuple[IcdCode, ...] | None = None
    note: Text | None = None
    source: SourceRef


class SpecialtyEntry(Dated):
    """A NUCC taxonomy that is expected to render the procedure.

    A classification-level code (no specialisation, e.g. ``363A00000X``) matches every code of
    that classification.
    """

    code: UpperCode
    name: Text
    document_code: UpperCode | tuple[UpperCode, ...] | None = None
    note: Text | None = None
    source: SourceRef


def _listing(entries: tuple[Any, ...]) -> tuple[Any, ...]:
    # An empty list is a list that no code matches: every line of the procedure warned.
    if not entries:
        raise ValueError("an empty list warns on every line; leave the key out when the document lists none")
    return entries


class ProcedureProfile(_Strict):
    """``procedures/<CODE>.yaml``: what the documents say about one procedure code."""

    procedure: ProcedureCode
    title: Text
    source: SourceRef
    notes: tuple[Text, ...] = ()
    # Every profile judges modifiers: an empty list means the document lists none, so any
    # modifier on the line is "not listed". Diagnoses and specialties are judged only when listed.
    modifiers: tuple[ModifierEntry, ...] = ()
    diagnoses: Annotated[tuple[DiagnosisEntry, ...], AfterValidator(_listing)] | None = None
    specialties: Annotated[tuple[SpecialtyEntry, ...], AfterValidator(_listing)] | None = None
