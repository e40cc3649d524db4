"""How each claim field is read: the coercions and the annotated types the claim models use.

Every value a reader or caller hands in passes through one of these on its way into a
``ClaimLine`` or ``ClaimHeader`` (see ``claim``), so a field is spelled one way whatever wrote it.
"""

from __future__ import annotations

import math
import numbers
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PlainSerializer

from claimcheck.models.invisible import seen as _seen
from claimcheck.models.invisible import seen_codes as _seen_codes

__all__ = [
    "MODIFIER_SEPARATORS",
    "BirthDate",
    "Charge",
    "ClaimId",
    "Code",
    "DateOfService",
    "Diagnoses",
    "FreeText",
    "LineNumber",
    "Modifiers",
    "OptionalCode",
    "OptionalText",
    "PatientSex",
    "PlaceOfService",
    "Units",
    "iso_date",
    "normalise_diagnosis",
    "split_diagnoses",
    "split_modifiers",
]

MODIFIER_SEPARATORS = re.compile(r"[\s,:;]+")
_DIAGNOSIS_SEPARATORS = re.compile(r"[\s,;]+")
# The shape of an ICD-10-CM code without its dot; only such strings get a dot inserted, so a
# stray value stays recognisable in the finding that reports it.
_ICD_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
# What float() takes, less its "nan", "inf", "1_000" and other scripts' digits, none of them a count of units.
_UNITS = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", re.ASCII)
# Line numbers leave as 64-bit integers (Arrow, Parquet, the batch engine's arrays); a larger one
# is no line number a claim system writes, and one kept in the batch engine's shared vocabulary
# broke every later batch of the run.
_LINE_NUMBER_MAX = 2**63 - 1


def _whole(value: Any) -> bool:
    """An integer of any kind (int, numpy's), not a bool: codes and ids written as numbers."""
    # int first: the ABC check costs more, on every line of every claim.
    return type(value) is int or (isinstance(value, numbers.Integral) and not isinstance(value, bool))


def _real(value: Any) -> bool:
    """A number of any kind a billing system holds: float, Decimal (SQL NUMERIC), Fraction, numpy's."""
    if type(value) in (int, float):
        return True
    return isinstance(value, (numbers.Real, Decimal)) and not isinstance(value, bool)


def _empty(value: Any) -> bool:
    """None, or what a DataFrame holds for an empty cell (NaN, pandas' NA and NaT): no value, as an
    empty CSV cell is. Required fields and units keep their own messages for these."""
    if value is None:
        return True
    if isinstance(value, str):
        return False
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType") and type(value).__module__.startswith("pandas")


def _whole_text(value: Any) -> str | None:
    """A number that is a whole one as its digits, else None. A DataFrame column of codes with an
    empty cell is a float column (an NPI 1234567893.0), which the batch road reads as Arrow casts it,
    1234567893; a fraction is no code."""
    if _whole(value):
        return str(int(value))
    if _real(value):
        try:
            number = int(value)
        except (ValueError, OverflowError, ArithmeticError):  # NaN, infinity
            return None
        return str(number) if number == value else None
    return None


def _text(value: Any, *, seen: bool = True) -> str:
    """``value`` as trimmed text; ``seen=False`` lets an invisible character through (to name
    the line of a field that did not read)."""
    if isinstance(value, str):
        return _seen(value.strip()) if seen else value.strip()
    text = _whole_text(value)
    if text is None:
        raise ValueError("must be text")
    return text


def _code(value: Any, *, seen: bool = True) -> str:
    return _text(value, seen=seen).upper()


def _optional_code(value: Any) -> str | None:
    if _empty(value):
        return None
    text = _code(value)
    return text or None


def _optional_text(value: Any) -> str | None:
    if _empty(value):
        return None
    text = _text(value)
    return text or None


def _free_text(value: Any) -> str | None:
    """A name (the payer), which no rule reads: a no-break space in it is as good as a space."""
    if _empty(value):
        return None
    return _text(value, seen=False) or None


def _tokens(value: Any, separators: re.Pattern[str]) -> list[str]:
    if _empty(value):
        return []
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 1:
        value = value.tolist()  # a Parquet list column's cell, as pandas reads it
    if isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, str) or _whole_text(value) is not None:
        items = [value]
    else:
        raise ValueError("must be text or a list of codes")
    tokens: list[str] = []
    for item in items:
        if _empty(item):
            continue
        if isinstance(item, (list, tuple)):
            # The JSON form of a tuple's item that holds a separator (see ``_dump_codes``).
            tokens.extend(_items(tuple(item), separators))
            continue
        tokens.extend(t for t in separators.split(_code(item, seen=False)) if t)
    return tokens


def _items(value: Any, separators: re.Pattern[str]) -> list[str]:
    """The codes of a list field. A tuple's items are codes already, one each: it is the form a
    line holds, and what readers of formats with one code per element hand on (an X12 composite's
    component), so "I70 2" or "2 6" stays the one code sent, and fails as such, rather than
    becoming two codes the claim never sent. Text and lists are split on ``separators``."""
    if isinstance(value, tuple):
        return [token for item in value if not _empty(item) and (token := _code(item, seen=False))]
    return _tokens(value, separators)


def _dump_codes(separators: re.Pattern[str]) -> Any:
    """A JSON serialiser for a tuple of codes. JSON has no tuples, and a list's items are split, so
    a code holding a separator ("I70 2" as an 837 sent it) is written as a list of its own, which
    reads back whole; other codes stay plain list items."""

    def dump(codes: tuple[str, ...]) -> list[str | list[str]]:
        return [[code] if separators.search(code) else code for code in codes]

    return PlainSerializer(dump, return_type=list[str | list[str]], when_used="json")


def split_modifiers(value: Any) -> tuple[str, ...]:
    """Modifiers as a tuple, from a list or a string separated by space, comma, colon or semicolon
    (a tuple's items are taken whole, see ``_items``)."""
    return tuple(_items(value, MODIFIER_SEPARATORS))


def normalise_diagnosis(code: str) -> str:
    """``i70213`` and ``I70.213`` both become ``I70.213``; anything not shaped like ICD-10-CM is kept."""
    text = code.strip().upper()
    category, dot, rest = text.partition(".")
    # The dot goes after the category, as the code set's lookup requires: I7.0213 or I70.21.3 is
    # no way of writing I70.213, and a payer rejects it, so it stays as written and fails.
    if dot and (len(category) != 3 or "." in rest):
        return text
    bare = category + rest
    if _ICD_SHAPE.match(bare):
        return bare if len(bare) == 3 else f"{bare[:3]}.{bare[3:]}"
    return text


def split_diagnoses(value: Any) -> tuple[str, ...]:
    """Diagnosis codes as a tuple in dotted form, from a list or a string separated by space, comma
    or semicolon (a tuple's items are taken whole, see ``_items``); a code given twice (I702 and
    I70.2 alike) once, where it first appears."""
    return tuple(dict.fromkeys(normalise_diagnosis(t) for t in _items(value, _DIAGNOSIS_SEPARATORS)))


def _line_number(value: Any) -> int:
    if _whole(value):
        number = int(value)
    elif _real(value):
        # JSON does not tell 1 from 1.0, and writers with a float column (pandas) write the latter.
        try:
            number = int(value)
        except (ValueError, OverflowError, ArithmeticError):  # NaN, infinity
            raise ValueError("must be a whole number") from None
        if number != value:
            raise ValueError("must be a whole number")
    elif not isinstance(value, str):
        raise ValueError("must be a whole number")
    else:
        text = _seen(value.strip())
        if not (text.isascii() and text.isdigit()):
            raise ValueError("must be a whole number")
        # int() refuses text of over 4,300 digits with its own message; no line number is that long.
        significant = text.lstrip("0")
        number = int(significant or "0") if len(significant) <= 19 else _LINE_NUMBER_MAX + 1
    if abs(number) > _LINE_NUMBER_MAX:
        raise ValueError(f"must be at most {_LINE_NUMBER_MAX}")
    return number


def _units(value: Any) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1.0
    if _real(value):
        try:
            units = float(value)
        except (ValueError, OverflowError, ArithmeticError):  # a signalling NaN, an int past float
            raise ValueError("must be a number") from None
    elif not isinstance(value, str):
        raise ValueError("must be a number")
    else:
        text = _seen(value.strip())
        if not _UNITS.match(text):
            raise ValueError("must be a number")
        units = float(text)
    # "1e309" reads as inf, as does a float column's inf, which a batch reads as the text "inf" and
    # refuses: infinite units summed into an MUE day made the report depend on the road taken.
    if not math.isfinite(units):
        raise ValueError("must be a number")
    return units


def _charge(value: Any) -> float | None:
    """An amount as billing exports write it ("1,250.00", "$85"); anything else is None, not an
    input error: no rule reads charges, and a line must not fail for one."""
    if isinstance(value, bool) or value is None:
        return None
    text = (value if isinstance(value, str) else str(value)).strip().removeprefix("$").replace(",", "")
    if not _UNITS.match(text):
        return None
    amount = float(text)
    return amount if math.isfinite(amount) else None


def iso_date(value: Any) -> date:
    """A date, a datetime (its day, as ``as_of`` and the batch road read one), or text written
    YYYY-MM-DD (ASCII digits, a real calendar day); ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _seen(value.strip()) if isinstance(value, str) else ""
    if not _ISO_DATE.match(text):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("must be a real calendar date written YYYY-MM-DD") from None


def _optional_date(value: Any) -> date | None:
    if _empty(value) or (isinstance(value, str) and not value.strip()):
        return None
    return iso_date(value)


def _place_of_service(value: Any) -> str | None:
    text = _optional_code(value)
    # Spreadsheets drop the leading zero of "02"; put it back rather than fail the line.
    if text is not None and len(text) == 1 and text.isdigit():
        return "0" + text
    return text


Code = Annotated[str, BeforeValidator(_code), Field(min_length=1)]
OptionalCode = Annotated[str | None, BeforeValidator(_optional_code)]
OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]
FreeText = Annotated[str | None, BeforeValidator(_free_text)]

LineNumber = Annotated[int, BeforeValidator(_line_number), Field(gt=0)]
Modifiers = Annotated[tuple[str, ...], BeforeValidator(_seen_codes(split_modifiers)), _dump_codes(MODIFIER_SEPARATORS)]
Diagnoses = Annotated[
    tuple[str, ...], BeforeValidator(_seen_codes(split_diagnoses)), _dump_codes(_DIAGNOSIS_SEPARATORS)
]
Units = Annotated[float, BeforeValidator(_units)]
DateOfService = Annotated[date, BeforeValidator(iso_date)]
PlaceOfService = Annotated[str | None, BeforeValidator(_place_of_service)]
Charge = Annotated[float | None, BeforeValidator(_charge)]
ClaimId = Annotated[str, BeforeValidator(_text), Field(min_length=1)]
PatientSex = Annotated[Literal["F", "M", "U"] | None, BeforeValidator(_optional_code)]
BirthDate = Annotated[date | None, BeforeValidator(_optional_date)]
