"""Column layouts: which source column holds which claim field, for CSV exports of other systems.

A layout is a small YAML file (``--columns FILE``), or one shipped here by name
(``--columns tuva_medical_claim``). ``claimcheck`` is the contract layout of DESIGN.md. When no
layout is named, the reader picks the first shipped layout whose required columns the header has.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from claimcheck.errors import InputError, RuleFileError
from claimcheck.io.readers.layouts.dates import check_day_format, read_day
from claimcheck.rules.yamlsource import read_yaml, render_key_path

__all__ = ["SHIPPED_LAYOUTS", "ColumnLayout", "detect_layout", "load_layout"]

CLAIM_FIELDS = ("claim_id", "patient_sex", "patient_birth_date", "payer")
LINE_FIELDS = (
    "line_number",
    "procedure_code",
    "modifiers",
    "diagnosis_codes",
    "rendering_taxonomy",
    "rendering_npi",
    "units",
    "date_of_service",
    "place_of_service",
)
LIST_FIELDS = ("modifiers", "diagnosis_codes")
_LINE_NEEDS = ("claim_id", "line_number", "procedure_code", "date_of_service")  # DESIGN.md's required columns
DATE_FIELDS = ("date_of_service", "patient_birth_date")
_HERE = Path(__file__).resolve().parent
SHIPPED_LAYOUTS = ("claimcheck", "tuva_medical_claim", "cms_carrier", "cms_outpatient")


def _columns(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Columns = Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_columns), Field(min_length=1)]


class Icd9Flags(BaseModel):
    """A diagnosis is ICD-9-CM (not supported) when its flag column holds one of ``values``.
    ``columns`` maps a diagnosis column to its flag column; ``*`` covers every diagnosis column."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    values: list[str] = Field(min_length=1)
    columns: dict[str, str] = Field(min_length=1)


class ColumnLayout(BaseModel):
    """Which columns hold each field. A list means: every non-empty one (modifiers, diagnoses),
    or the first non-empty one (other fields), in the order given."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str | None = None
    delimiter: str | None = Field(None, min_length=1, max_length=1)
    date_formats: list[str] = ["%Y-%m-%d"]
    required: list[str] = ["claim_id", "line_number", "procedure_code", "date_of_service"]
    columns: dict[str, Columns]
    icd9_flags: Icd9Flags | None = None

    @field_validator("date_formats")
    @classmethod
    def _reads_days(cls, formats: list[str]) -> list[str]:
        for pattern in formats:
            check_day_format(pattern)
        return formats

    @field_validator("columns")
    @classmethod
    def _one_field_per_column(cls, columns: dict[str, list[str]]) -> dict[str, list[str]]:
        # One column read as two fields (an NPI column named for the taxonomy too) fails every
        # line of the file with findings that are the map's fault, not the claims'.
        seen: dict[str, str] = {}
        for field, names in columns.items():
            for column in names:
                other = seen.setdefault(column.strip().lower(), field)
                if other != field:
                    raise ValueError(f"names column {column} for {other} and {field}: a column holds one field")
            repeated = [c for i, c in enumerate(names) if c.strip().lower() in {n.strip().lower() for n in names[:i]}]
            if repeated:
                raise ValueError(f"names column {repeated[0]} twice for {field}: a column holds one field")
        return columns

    def model_post_init(self, _context: Any) -> None:
        unknown = set(self.columns) - {*CLAIM_FIELDS, *LINE_FIELDS}
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(sorted(unknown))}; fields: {', '.join((*CLAIM_FIELDS, *LINE_FIELDS))}"
            )
        # ``required`` names the columns a header must have; the fields every line needs must
        # have columns whatever it says, or each line of the file would fail for want of them.
        needed = [*self.required, *(name for name in _LINE_NEEDS if name not in self.required)]
        missing = [name for name in needed if name not in self.columns]
        if missing:
            raise ValueError(f"required field(s) without columns: {', '.join(missing)}")
        # A flag for a column the map does not read as a diagnosis is never looked at, and the
        # ICD-9 codes it was to flag are read as ICD-10-CM ones.
        diagnoses = {c.lower() for c in self.columns.get("diagnosis_codes", ())}
        for column in self.icd9_flags.columns if self.icd9_flags else ():
            if column != "*" and column.lower() not in diagnoses:
                raise ValueError(f"icd9_flags names {column}, which is not a diagnosis_codes column of the map")

    def missing_columns(self, header: list[str]) -> list[str]:
        """Required fields none of whose columns is in ``header`` (compared case-insensitively)."""
        present = {h.strip().lower() for h in header}
        return [f for f in self.required if not any(c.lower() in present for c in self.columns[f])]

    def absent_columns(self, header: list[str]) -> list[str]:
        """Every column the layout names that ``header`` lacks, as ``COLUMN (field)``."""
        present = {h.strip().lower() for h in header}
        named = [(column, field) for field, columns in self.columns.items() for column in columns]
        if self.icd9_flags:
            named += [(column, "icd9_flags") for column in dict.fromkeys(self.icd9_flags.columns.values())]
        return [f"{column} ({field})" for column, field in named if column.lower() not in present]

    def column_positions(self, header: list[str]) -> dict[str, int]:
        """Each name of ``header`` (lower-cased; the first of a repeated name) and its position.
        In a shipped layout a numbered column written otherwise, as many tools write them
        (``dx_01``, ``DX1``, ``Modifier 1``), stands for the layout's own (``dx_1``) when the header
        has no column of that name: read, not left unread while its line fails for want of it."""
        index: dict[str, int] = {}
        for position, name in enumerate(header):
            index.setdefault(name.strip().lower(), position)
        if self.shipped:
            keyed = self._numbered()
            for position, name in enumerate(header):
                if (key := _number_key(name)) in keyed:
                    index.setdefault(keyed[key].strip().lower(), position)  # type: ignore[index]
        return index

    def _numbered(self) -> dict[tuple[str, int], str]:
        """The list fields' numbered columns by their number key (``dx_1``: ``("dx", 1)``)."""
        return {
            key: column
            for field in LIST_FIELDS
            for column in self.columns.get(field, ())
            if (key := _number_key(column)) is not None
        }

    def past_columns(self, header: list[str]) -> list[tuple[int, str, str]]:
        """The columns of ``header`` named like a numbered run of a list field's columns that
        the layout does not read (``modifier_6`` after ``modifier_5``, ``dx_26``; ``dx_01`` beside
        a ``dx_1``): each one's position and name, and what a value there is said to be."""
        runs: dict[str, tuple[int, str, str]] = {}  # prefix -> the last number, its column, field
        for field in LIST_FIELDS:
            for column in self.columns.get(field, ()):
                key = _number_key(column)
                if key and key[1] >= runs.get(key[0], (0,))[0]:
                    runs[key[0]] = (key[1], column, field)
        keyed = self._numbered()
        named = {c.strip().lower() for columns in self.columns.values() for c in columns}
        index = self.column_positions(header)
        read = {index[name] for name in named if name in index}
        past = []
        for position, name in enumerate(header):
            key = _number_key(name)
            run = runs.get(key[0]) if key else None
            if key is None or run is None or position in read or name.strip().lower() in named:
                continue
            last, column, field = run
            own = keyed.get(key, "").strip().lower()
            if key[1] > last:
                message = f"is not read: layout {self.name} reads {field} up to column {column}"
            elif own in index:
                other = header[index[own]].strip()
                said = "which the header has too" if other.lower() == own else f"from the header's {other}"
                message = f"is not read: layout {self.name} reads {field} column {own}, {said}"
            else:  # dx_0 of an export that counts from 0
                message = f"is not read: layout {self.name} reads {field} from numbered columns up to {column}"
            past.append((position, name.strip(), message + ", so its value is not checked"))
        return past

    @property
    def shipped(self) -> bool:
        """Whether this is one of the layouts claimcheck ships (which name optional columns)."""
        return any(self is _shipped(name) for name in SHIPPED_LAYOUTS)

    def describe_columns(self, fields: list[str]) -> str:
        """The columns this layout reads ``fields`` from, for messages: ``CLM_ID (claim_id)``, or
        ``claim_id`` alone where the column bears the field's name. The fix is to the file's
        header, so the message names what the header should hold."""
        named = []
        for field in fields:
            columns = " or ".join(self.columns[field])
            named.append(columns if self.columns[field] == [field] else f"{columns} ({field})")
        return ", ".join(named)

    def parse_date(self, text: str) -> str:
        """An ISO date for ``text`` in one of the layout's formats; ``text`` unchanged otherwise,
        so the model reports it as an unreadable date (see ``dates.read_day``)."""
        return read_day(text, self.date_formats)


# A numbered column's name: dx_1, DX1, Dx 01 and dx-1 all end in the number 1 after the word dx.
_NUMBERED = re.compile(r"(\D*?)[ _-]*(\d+)", re.ASCII)


def _number_key(name: str) -> tuple[str, int] | None:
    """``("dx", 1)`` for ``dx_1``, ``DX1``, ``dx_01`` or ``Dx 1``; None for a name not so numbered."""
    numbered = _NUMBERED.fullmatch(name.strip().lower())
    if numbered is None or not numbered[1]:
        return None
    return numbered[1], int(numbered[2])


def load_layout(name_or_path: str | Path) -> ColumnLayout:
    """A shipped layout by name, or a layout file."""
    if str(name_or_path) in SHIPPED_LAYOUTS:
        return _shipped(str(name_or_path))
    return _read(Path(name_or_path))


@functools.cache
def _shipped(name: str) -> ColumnLayout:
    return _read(_HERE / f"{name}.yaml")


def _read(path: Path) -> ColumnLayout:
    if not path.is_file():
        raise InputError(path, f"no such columns map; shipped layouts: {', '.join(SHIPPED_LAYOUTS)}")
    try:
        doc = read_yaml(path)
    except RuleFileError as exc:
        raise InputError(path, exc.problem, line=exc.line) from None
    if not isinstance(doc.data, dict):
        raise InputError(
            path,
            "is not a columns map: expected a YAML mapping with 'name:' and 'columns:' (field: column name)",
            line=1,
        )
    try:
        return ColumnLayout.model_validate(doc.data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = tuple(error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        raise InputError(path, message, line=doc.line_of(loc), field=render_key_path(loc) if loc else None) from None


def detect_layout(header: list[str]) -> ColumnLayout | None:
    """The first shipped layout whose required columns are all in ``header``."""
    for name in SHIPPED_LAYOUTS:
        layout = load_layout(name)
        if not layout.missing_columns(header):
            return layout
    return None
