"""Request and response bodies as pydantic models, for the OpenAPI document.

The claim models describe the JSON claims shape; they are not used to validate requests. A
claim with a wrong field must reach the engine, which reports it as an ``input`` finding on the
line; a pydantic 422 would drop the claim's other lines. Requests are only checked for being one
claim object or a list of at most ``MAX_CLAIMS`` objects (``ClaimsBody``).

The report models describe ``Report.to_dict()``, which endpoints return as is: the JSON report
shape is a contract and must not be reshaped by a second serializer.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.config import JsonDict

from claimcheck.models.finding import Check, Status

__all__ = [
    "MAX_CLAIMS",
    "MAX_LINES",
    "ClaimIn",
    "ClaimLineIn",
    "ClaimsBody",
    "Detail",
    "HealthOut",
    "ReportOut",
    "RulesOut",
]

MAX_CLAIMS = 1000
# Every line gets a row of findings, a bare 0 too: without a bound, 5 MB of "0," made 2.5 million
# rows and GBs of memory. 1,000 claims of 100 lines fit, as do 5 MB of lines that carry a code.
MAX_LINES = 100_000

_EXAMPLE_CLAIM: JsonDict = {
    "claim_id": "C1",
    "patient_sex": "F",
    "patient_birth_date": "1958-01-01",
    "payer": "Acme",
    "lines": [
        {
            "line_number": 1,
            "procedure_code": "0711T",
            "modifiers": ["26"],
            "diagnosis_codes": ["I70.213"],
            "rendering_taxonomy": "2085R0202X",
            "rendering_npi": "1234567893",
            "units": 1,
            "date_of_service": "2026-03-10",
            "place_of_service": "22",
        }
    ],
}


class ClaimLineIn(BaseModel):
    """One claim line. Codes are normalised (upper case; ICD-10-CM with or without the dot)."""

    line_number: int = Field(gt=0, description="Unique within the claim.")
    procedure_code: str = Field(description="CPT/HCPCS code, e.g. 0711T.")
    modifiers: list[str] = Field(default=[], max_length=4, description="Up to four modifiers.")
    diagnosis_codes: list[str] = Field(
        default=[], description="ICD-10-CM codes; the first is primary (an 837P claim has up to 12, an 837I up to 25)."
    )
    rendering_taxonomy: str | None = Field(default=None, description="NUCC taxonomy code of the rendering provider.")
    rendering_npi: str | None = Field(default=None, description="10-digit NPI of the rendering provider.")
    units: float = Field(default=1, gt=0)
    date_of_service: date
    place_of_service: str | None = Field(default=None, description="Two-digit CMS place-of-service code.")
    charge: float | None = Field(default=None, description="Billed amount of the line; read, not checked.")


class ClaimIn(BaseModel):
    """One claim in the JSON claims shape. A field that does not match becomes an ``input`` finding."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE_CLAIM]})

    claim_id: str = Field(min_length=1)
    patient_sex: Literal["F", "M", "U"] | None = None
    patient_birth_date: date | None = None
    payer: str | None = None
    lines: list[ClaimLineIn] = Field(min_length=1)


def _as_list(body: Any) -> Any:
    return [body] if isinstance(body, dict) else body


ClaimsBody = Annotated[
    list[dict[str, Any]],
    Field(max_length=MAX_CLAIMS),
    BeforeValidator(_as_list, json_schema_input_type=Annotated[list[ClaimIn], Field(max_length=MAX_CLAIMS)] | ClaimIn),
]
"""One claim object or a list of at most ``MAX_CLAIMS``; each claim's fields are left to the engine."""


class SourceOut(BaseModel):
    document: str
    section: str | None = None
    version: str | None = None
    table: str | None = None
    effective: str | None = None
    expires: str | None = None


class FindingOut(BaseModel):
    rule_id: str
    check: Check
    status: Status
    subject: str | None = Field(description="The value examined, as written on the claim.")
    message: str
    source: SourceOut | None


class LineOut(BaseModel):
    claim_id: str | None
    line_number: int | None
    procedure_code: str | None
    status: Status = Field(description="The worst status of the line's findings; pass when it has none.")
    location: dict[str, str | int | None] | None = Field(
        default=None, description="Where the line sits in an X12 body: interchange, claim, LX, segment."
    )
    findings: list[FindingOut]


class SummaryOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    lines: int
    pass_: int = Field(alias="pass")
    warn: int
    fail: int
    rules_version: str
    code_sets: dict[str, str]


class ReportOut(BaseModel):
    """The JSON report shape: every input line once, in input order."""

    summary: SummaryOut
    lines: list[LineOut]


class ProfileOut(BaseModel):
    code: str
    title: str


class RulesOut(BaseModel):
    rules_version: str
    code_sets: dict[str, str] = Field(description="Versions of the code sets, and of the CMS tables when loaded.")
    profiles: list[ProfileOut]


class HealthOut(BaseModel):
    status: Literal["ok"]


class Detail(BaseModel):
    detail: str
