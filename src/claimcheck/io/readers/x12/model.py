"""The values passed between the X12 reader's stages: where a segment sits, loops being read,
and the claims handed on to ``parse_claim``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from claimcheck.io.readers.x12.diagnoses import Diagnoses
from claimcheck.io.readers.x12.fields import Provider, iso_date
from claimcheck.io.readers.x12.named import Named
from claimcheck.io.readers.x12.tokens import Segment
from claimcheck.models.invisible import describe_invisible
from claimcheck.models.parse import InputProblem

__all__ = ["ClaimLoop", "Context", "EmptyTransaction", "LineLoop", "Location", "Person", "RawClaim", "RawLine"]

Location = dict[str, str | int]


@dataclass(frozen=True, slots=True)
class Context:
    """The envelope a segment sits in: file, ISA13, GS06 (and GS08), ST02 and the ST's ordinal."""

    file: str
    interchange: str | None = None
    group: str | None = None
    version: str = ""
    transaction: str | None = None
    ordinal: int = 0  # of the last ST opened; counted the same way as the envelope pass counts
    st_position: int = 0
    institutional: bool = False
    professional: bool = False  # neither, when ST03 and GS08 name another version

    def enter(self, **changes: Any) -> Context:
        return dataclasses.replace(self, **changes)

    def open_transaction(self, control: str, position: int, institutional: bool, professional: bool) -> Context:
        return dataclasses.replace(
            self,
            transaction=control,
            ordinal=self.ordinal + 1,
            st_position=position,
            institutional=institutional,
            professional=professional,
        )

    @property
    def transaction_ordinal(self) -> int:
        """The ordinal of the open transaction, 0 outside one."""
        return self.ordinal if self.transaction is not None else 0

    def location(self, **extra: str | int | None) -> Location:
        values = {
            "file": self.file,
            "interchange": self.interchange,
            "group": self.group,
            "transaction": self.transaction,
            **extra,
        }
        return {key: value for key, value in values.items() if value is not None}

    def origin(self, position: int, detail: str = "") -> str:
        return f"{self.file} segment {position}" + (f" ({detail})" if detail else "")


@dataclass(slots=True)
class Person:
    """The subscriber or patient of a claim, from the DMG of 2010BA or 2010CA."""

    sex: str | None = None
    birth_date: str | None = None
    problem: InputProblem | None = None

    def read(self, dmg: Segment) -> None:
        self.sex = dmg.get(3) or None
        value = dmg.get(2)
        self.birth_date = iso_date(value) if value and dmg.get(1) == "D8" else None
        if value and self.birth_date is None:
            invisible = describe_invisible(value)
            self.problem = InputProblem(
                "patient_birth_date",
                f"DMG02 at segment {dmg.position} is not a D8 (CCYYMMDD) date"
                + (f": it holds {invisible}" if invisible else ""),
            )


@dataclass(slots=True)
class LineLoop:
    """A 2400 loop being read."""

    position: int
    lx: str | None
    service: Segment | None = None
    date: Segment | None = None
    provider: Provider | None = None  # 2420A rendering provider, overriding the claim's
    last_nm1: str = ""
    unnamed_nm1: Named = field(default_factory=Named)  # positions of NM1s without NM101
    undecoded: Named = field(default_factory=Named)  # its segments with bytes that are not UTF-8


@dataclass(slots=True)
class ClaimLoop:
    """A 2300 loop being read, with what the hierarchy above it said."""

    clm: Segment | None
    start: int
    end: int
    context: Context
    billing: Provider
    payer: str | None
    hierarchy: tuple[int, ...]  # positions of the HL segments of the loops it is under
    diagnoses: Diagnoses = field(default_factory=Diagnoses)
    dates: dict[str, Segment] = field(default_factory=dict)  # by DTP01, of ``lines.CLAIM_DATES`` only
    provider: Provider | None = None  # 2310B rendering provider
    last_nm1: str = ""
    unnamed_nm1: Named = field(default_factory=Named)  # positions of NM1s without NM101
    other_payers: bool = False  # inside 2320/2330, whose NM1/DTP are not the claim's own
    lines: list[LineLoop] = field(default_factory=list)  # of the block being read (``lines.MOST_LINES`` at most)
    blocks: int = 0  # blocks of lines already handed on, for a claim longer than any 837 allows
    problems: list[InputProblem] = field(default_factory=list)  # for every line of the claim
    undecoded: Named = field(default_factory=Named)  # segments with bytes that are not UTF-8, for every line


@dataclass(frozen=True, slots=True)
class RawLine:
    """One service line in the JSON claims shape, with what X12 says is wrong with it."""

    data: dict[str, Any]
    problems: tuple[InputProblem, ...]
    origin: str
    location: Location
    position: int


@dataclass(frozen=True, slots=True)
class RawClaim:
    """One claim: header fields, its lines, claim-level problems and where it sits."""

    data: dict[str, Any]
    lines: tuple[RawLine, ...]
    problems: tuple[InputProblem, ...]
    transaction: int  # ordinal of its transaction in the file, 0 outside any
    hierarchy: tuple[int, ...]  # positions of the HL segments of the loops it is under
    start: int
    end: int
    origin: str
    location: Location
    continued: bool = False  # a later block of a claim's lines (``lines.MOST_LINES``): its header was handed on


@dataclass(frozen=True, slots=True)
class EmptyTransaction:
    """A transaction that closed without a claim: its envelope problems still need a line."""

    transaction: int
    position: int
    origin: str
    location: Location
