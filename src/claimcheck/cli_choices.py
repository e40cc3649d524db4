"""Option values the user picks from a list: taken in any case, and a mistyped one refused with
the value it most likely meant ("did you mean 'json'?"), as click already does for commands and
option names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

import click

__all__ = ["INPUT_FORMAT_NAMES", "REPORT_FORMAT_NAMES", "Choice", "did_you_mean"]


def did_you_mean(typed: str, allowed: Iterable[str]) -> str:
    """ " (did you mean 'json'?)" for the allowed value closest to ``typed``, "" when none is close."""
    allowed = list(allowed)
    by_lower = {value.lower(): value for value in allowed}
    wanted = typed.strip().lower()
    close = difflib.get_close_matches(wanted, by_lower, n=1, cutoff=0.6)
    if not close:
        # A prefix ("tuva" for tuva_medical_claim) is too short for the ratio but plain to a reader.
        starting = [value for value in by_lower if len(wanted) >= 3 and value.startswith(wanted)]
        close = starting if len(starting) == 1 else []  # 'cms' starts two layouts: no guess
    return f" (did you mean {by_lower[close[0]]!r}?)" if close else ""


class Choice(click.Choice):
    """``click.Choice`` in any case (``--format JSON``), whose refusal suggests the value meant.
    ``other_names``: what to say for a value users know by another name (``ndjson``, ``837``),
    which difflib cannot find: 'ndjson' is nearer 'json' than the 'jsonl' or 'fhir' it means."""

    def __init__(self, choices: Iterable[str], other_names: Mapping[str, str] | None = None) -> None:
        super().__init__(tuple(choices), case_sensitive=False)
        self.other_names = {name.lower(): advice for name, advice in (other_names or {}).items()}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            allowed = ", ".join(map(repr, self.choices))
            advice = self.other_names.get(str(value).strip().lower())
            if advice is not None:
                self.fail(f"{value!r} is not one of {allowed}: {advice}.", param, ctx)
            self.fail(f"{value!r} is not one of {allowed}{did_you_mean(str(value), self.choices)}.", param, ctx)


_X12 = "'x12' reads X12 837 files (837P and 837I)"
INPUT_FORMAT_NAMES = {
    "ndjson": "use 'jsonl' for claims in JSON Lines, 'fhir' for FHIR NDJSON",
    "837": _X12,
    "837p": _X12,
    "837i": _X12,
    "edi": _X12,
    "tsv": "'csv' reads delimited files, tab-separated ones too",
    "txt": "name the format the text is in: 'csv' for delimited rows, 'x12' for an 837",
}
REPORT_FORMAT_NAMES = {
    "ndjson": "'jsonl' writes JSON Lines",
    "tsv": "'csv' is the delimited report",
    "xlsx": "write 'csv', which a spreadsheet opens",
    "xls": "write 'csv', which a spreadsheet opens",
    "excel": "write 'csv', which a spreadsheet opens",
}
