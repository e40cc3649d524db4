"""Findings: the small immutable values every check produces, and their vocabularies."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["Check", "Finding", "Source", "Status", "worst"]


class Status(StrEnum):
    """Outcome of one check.

    - ``pass``: the check looked at the subject and found nothing wrong.
    - ``warn``: a payer may question it; a person should look before submitting.
    - ``fail``: a payer will reject or deny it as it stands.

    Statuses compare by severity (pass < warn < fail), also against their text: ``status >= "warn"``.
    """

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"

    @property
    def severity(self) -> int:
        """0 for pass, 1 for warn, 2 for fail: statuses compare by it."""
        return _SEVERITY[self]

    # As text, "warn" > "fail": ``max(statuses)`` must give the worst, as the docstring promises,
    # and ``line.status >= "warn"`` (the text of a status) must compare by severity too.
    def __lt__(self, other: object) -> bool:
        rank = _rank(other)
        return NotImplemented if rank is None else self.severity < rank

    def __le__(self, other: object) -> bool:
        rank = _rank(other)
        return NotImplemented if rank is None else self.severity <= rank

    def __gt__(self, other: object) -> bool:
        rank = _rank(other)
        return NotImplemented if rank is None else self.severity > rank

    def __ge__(self, other: object) -> bool:
        rank = _rank(other)
        return NotImplemented if rank is None else self.severity >= rank


_SEVERITY: dict[str, int] = {Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2}


def _rank(other: object) -> int | None:
    """The severity of a status or of its text (ValueError for other text); None for anything else."""
    if not isinstance(other, str):
        return None
    rank = _SEVERITY.get(other)
    return _SEVERITY[Status(other)] if rank is None else rank


def worst(statuses: Any) -> Status:
    """The most severe of ``statuses`` (fail > warn > pass); ``pass`` when there are none."""
    result = Status.PASS
    for status in statuses:
        if _SEVERITY[status] > _SEVERITY[result]:
            result = status
    return result


class Check(StrEnum):
    """What a finding is about.

    - ``procedure``: the procedure code's format and whether a profile applies.
    - ``modifier``: a modifier on the line (code set, profile, 26/TC conflict).
    - ``diagnosis``: ICD-10-CM codes (present, in the code set, billable, supporting the procedure).
    - ``specialty``: the rendering provider's NUCC taxonomy.
    - ``provider``: the rendering NPI (format and check digit).
    - ``units``: service units.
    - ``date``: date of service against the code's effective date and the day of the run.
    - ``place_of_service``: the CMS place-of-service code.
    - ``pair``, ``duplicate``: claim-level edits across lines.
    - ``input``: the line could not be read as written (missing or malformed field).
    """

    PROCEDURE = "procedure"
    MODIFIER = "modifier"
    DIAGNOSIS = "diagnosis"
    SPECIALTY = "specialty"
    PROVIDER = "provider"
    UNITS = "units"
    DATE = "date"
    PLACE_OF_SERVICE = "place_of_service"
    PAIR = "pair"
    DUPLICATE = "duplicate"
    INPUT = "input"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a rule comes from.

    ``document`` and ``section`` name the seed document (or code set, or CMS file) the rule was
    drawn from; ``table`` the rule table that holds it (a rule file of the pack, or a loaded CMS
    file and line); ``version`` the version of that table; ``effective``/``expires`` the dates
    between which the rule is in force, for dated rules.
    """

    document: str
    section: str | None = None
    version: str | None = None
    table: str | None = None
    effective: str | None = None
    expires: str | None = None

    def to_dict(self) -> dict[str, str]:
        """The finding's ``source`` object: document, and each of the other fields that is set."""
        data = {"document": self.document}
        for key in ("section", "version", "table", "effective", "expires"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of one rule on one subject of a claim line.

    Findings sort by check, rule id, subject, then severity, so reports are stable.
    """

    check: Check
    rule_id: str
    subject: str | None
    status: Status
    message: str
    source: Source | None = None

    def __post_init__(self) -> None:
        # Plain text ("fail") compares and hashes as its member, but has no .value for to_dict and
        # sort_key: keep the members, and refuse a word that is none.
        if type(self.check) is not Check:
            object.__setattr__(self, "check", Check(self.check))
        if type(self.status) is not Status:
            object.__setattr__(self, "status", Status(self.status))

    def sort_key(self) -> tuple[str, str, str, int, str]:
        """Check, rule id, subject, severity, message: the order findings sort in."""
        return (self.check.value, self.rule_id, self.subject or "", _SEVERITY[self.status], self.message)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self.sort_key() >= other.sort_key()

    def to_dict(self) -> dict[str, Any]:
        """The finding object of the JSON report: rule_id, check, status, subject, message, source."""
        return {
            "rule_id": self.rule_id,
            "check": self.check.value,
            "status": self.status.value,
            "subject": self.subject,
            "message": self.message,
            "source": None if self.source is None else self.source.to_dict(),
        }
