"""The ICD-10-CM file formats claimcheck reads, detected from the first line.

* compact: the shipped TSV, header ``code_nodot<TAB>billable<TAB>parent``.
* order: the CDC/NCHS ``icd10cm-order-YYYY.txt`` fixed-width file (no parents: derived).
* csv: ``code,code_nodot,level,billable,parent[,description]`` as in the shared refdata.

The CDC codes file (``icd10cm-codes-YYYY.txt``) is refused: it lacks the non-billable headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimcheck.errors import CodeSetError
from claimcheck.refdata._reading import csv_records, first_line, parse_flag

__all__ = ["COMPACT_HEADER", "IcdRecords", "dotted", "parse_icd10cm"]

COMPACT_HEADER = "code_nodot\tbillable\tparent"

# Categories are letter + two characters (A00, C4A, QA0); subcategories add up to four more.
_CODE = re.compile(r"[A-Z][0-9A-Z]{2,6}")
_COMPACT_ROW = r"[A-Z][0-9A-Z]{2,6}\t[YN01]\t[^\t\r\n]*"
_COMPACT_BODY = re.compile(rf"(?:{_COMPACT_ROW}\n)*(?:{_COMPACT_ROW})?")
# Order file: 5-digit order number, code padded to 7, billable flag, then descriptions.
_ORDER_LINE = re.compile(r"\d{5} [0-9A-Z]{3}[0-9A-Z ]{4} [01] ")
# CDC's codes file: a code, spaces, its title. It lists billable codes only, so headers (I70.2)
# would read as unknown codes: refused by name rather than misread as a CSV at its first comma.
_CODES_LINE = re.compile(r"[A-Z][0-9][0-9A-Z]{1,5} +\S")


@dataclass(frozen=True, slots=True)
class IcdRecords:
    """Codes without the dot. Kept as columns (not one object per code) because ~98,000 small
    objects cost more to create than everything else in loading the shipped sets."""

    parents: dict[str, str | None]
    billable: frozenset[str]


def dotted(code_nodot: str) -> str:
    return code_nodot if len(code_nodot) <= 3 else f"{code_nodot[:3]}.{code_nodot[3:]}"


def parse_icd10cm(file: str, text: str) -> IcdRecords:
    head = first_line(text)
    if head == COMPACT_HEADER:
        return _parse_compact(file, text)
    if _ORDER_LINE.match(head):
        return _parse_order(file, text)
    if _CODES_LINE.match(head):
        raise CodeSetError(
            file,
            "this is the CDC codes file (icd10cm-codes-YYYY.txt), which lists billable codes only; "
            "use icd10cm-order-YYYY.txt of the same release, which lists the headers too",
            line=1,
        )
    if "," in head:
        return _parse_csv(file, text)
    raise CodeSetError(
        file,
        "unrecognised ICD-10-CM format; expected the CDC order file (icd10cm-order-YYYY.txt), "
        "a CSV with header code,code_nodot,level,billable,parent[,description], "
        f"or a TSV with header {COMPACT_HEADER!r}",
        line=1,
    )


def _check_code(file: str, line: int, code: str) -> str:
    if not _CODE.fullmatch(code):
        raise CodeSetError(file, f"{code!r} is not an ICD-10-CM code", line=line)
    return code


def _parse_compact(file: str, text: str) -> IcdRecords:
    # The shipped file is read on every run: one regex checks the whole body, then the columns
    # are sliced out. Only a file failing that check is walked row by row to name the bad line.
    body = text.partition("\n")[2]
    if _COMPACT_BODY.fullmatch(body):
        cells = body.replace("\t", "\n").split("\n")
        del cells[len(cells) - len(cells) % 3 :]  # the "" after the final newline
        codes, flags, parents = cells[0::3], cells[1::3], cells[2::3]
        records = IcdRecords(
            parents={code: parent or None for code, parent in zip(codes, parents, strict=True)},
            billable=frozenset(code for code, flag in zip(codes, flags, strict=True) if flag in ("Y", "1")),
        )
        if len(records.parents) == len(parents):
            return records
    return _parse_compact_rows(file, text)


def _parse_compact_rows(file: str, text: str) -> IcdRecords:
    parents: dict[str, str | None] = {}
    billable: set[str] = set()
    for line, row in enumerate(text.splitlines()[1:], start=2):
        if not row:
            continue
        fields = row.split("\t")
        if len(fields) != 3:
            raise CodeSetError(file, f"expected 3 tab-separated fields, found {len(fields)}", line=line)
        code, flag, parent = fields
        if code in parents:
            raise CodeSetError(file, f"code {code} listed twice", line=line)
        parents[_check_code(file, line, code)] = parent or None
        if parse_flag(file, line, flag, "billable flag"):
            billable.add(code)
    return IcdRecords(parents, frozenset(billable))


def _parse_order(file: str, text: str) -> IcdRecords:
    codes: dict[str, int] = {}
    billable: set[str] = set()
    for line, row in enumerate(text.splitlines(), start=1):
        if not row.strip():
            continue
        if len(row) < 15 or not row[:5].isdigit() or row[5] != " " or row[13] != " ":
            raise CodeSetError(
                file,
                "not in the order-file layout (order number, space, 7-character code, space, flag)",
                line=line,
            )
        code = _check_code(file, line, row[6:13].rstrip())
        if code in codes:
            raise CodeSetError(file, f"code {code} listed twice (first on line {codes[code]})", line=line)
        codes[code] = line
        if parse_flag(file, line, row[14], "billable flag"):
            billable.add(code)
    return IcdRecords({code: _longest_listed_prefix(code, codes) for code in codes}, frozenset(billable))


def _longest_listed_prefix(code: str, codes: dict[str, int]) -> str | None:
    # 7th-character codes skip the unlisted placeholder level (S0000XA → S00.00), as in the tabular.
    for size in range(len(code) - 1, 2, -1):
        if code[:size] in codes:
            return dotted(code[:size])
    return None


def _parse_csv(file: str, text: str) -> IcdRecords:
    parents: dict[str, str | None] = {}
    billable: set[str] = set()
    first_lines: dict[str, int] = {}
    rows = csv_records(file, text, required=("code", "code_nodot", "billable", "parent"))
    for line, row in rows:
        code = _check_code(file, line, row["code_nodot"].upper())
        if row["code"].upper().replace(".", "") != code:
            raise CodeSetError(file, f"code {row['code']!r} does not match code_nodot {code!r}", line=line)
        is_billable = parse_flag(file, line, row["billable"], "billable flag")
        parent = row["parent"] or None
        if parent is not None and parent.upper() == row["code"].upper():
            # A block holding a single category shares the category's code (B20); the tabular
            # names that block "B20-B20". Keeping "B20" would make the code its own parent.
            parent = f"{row['code']}-{row['code']}"
        if code in parents:
            if parents[code] != parent or (code in billable) != is_billable:
                raise CodeSetError(
                    file,
                    f"code {code} listed twice with different values (first on line {first_lines[code]})",
                    line=line,
                )
            continue
        parents[code] = parent
        first_lines[code] = line
        if is_billable:
            billable.add(code)
    return IcdRecords(parents, frozenset(billable))
