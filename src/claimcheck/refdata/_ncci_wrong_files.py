"""Telling CMS's NCCI files apart, so that a file given to the wrong option is named for what it is.

Each quarter CMS publishes PTP edits for practitioners (``ccipra-v323r0-f1..f4``) and for hospital
outpatient facilities (``ccioph-...``), and MUE tables for practitioners, outpatient hospitals and DME
suppliers (``MCR_MUE_<Setting>Services_Eff_<date>.csv``), each as a ZIP download holding text or CSV
files and Excel workbooks. claimcheck takes the practitioner PTP text files (--ptp) and the
practitioner MUE CSV file (--mue). Given another, the loaders said only 'no PTP data rows' or 'no
header row', which did not tell a user who had swapped the two files what to do.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CHANGES_REPORT",
    "MUE",
    "PTP",
    "CmsFile",
    "excel_97_problem",
    "folder_problem",
    "hospital_ptp_problem",
    "ptp_without_rows_problem",
    "swapped_problem",
    "table_in_text",
    "wrong_table_problem",
    "zip_problem",
]

PTP = "--ptp"
MUE = "--mue"
CHANGES_REPORT = (
    "its first row has 3 fields, column 1, column 2 and a modifier indicator, without the effective and "
    "deletion dates of a PTP edit row: it looks like one of CMS's quarterly additions/deletions "
    "reports; --ptp takes the practitioner edit files, ccipra-v<release>-f1 to -f4"
)


@dataclass(frozen=True, slots=True)
class CmsFile:
    """One of CMS's NCCI files: what it is, and the option that takes it (None: claimcheck takes none)."""

    what: str
    looks: str  # how its content shows it
    option: str | None
    # Whose claims it is for, when claimcheck does not take it.
    setting: str = ""


_PTP_LOOKS = "tab-separated column 1 and column 2 codes with effective and deletion dates"
_HOSPITAL = "hospital outpatient facility"
PRACTITIONER_PTP = CmsFile("the CMS practitioner PTP edits", _PTP_LOOKS, PTP)
HOSPITAL_PTP = CmsFile("the CMS hospital outpatient PTP edits", _PTP_LOOKS, None, _HOSPITAL)
PRACTITIONER_MUE = CmsFile("the CMS practitioner MUE table", "a 'Practitioner Services MUE Values' column", MUE)
HOSPITAL_MUE = CmsFile(
    "the CMS outpatient hospital MUE table", "an 'Outpatient Hospital Services MUE Values' column", None, _HOSPITAL
)
DME_MUE = CmsFile("the CMS DME supplier MUE table", "a 'DME Supplier Services MUE Values' column", None, "DME supplier")

# The MUE tables differ in the name of their values column; the PTP files have one layout.
_MUE_COLUMNS = {
    "practitioner services mue values": PRACTITIONER_MUE,
    "outpatient hospital services mue values": HOSPITAL_MUE,
    "dme supplier services mue values": DME_MUE,
}
_NAMES = (
    ("ccipra", PRACTITIONER_PTP),
    ("ccioph", HOSPITAL_PTP),
    ("practitionerservices", PRACTITIONER_MUE),
    ("outpatienthospital", HOSPITAL_MUE),
    ("dmesupplier", DME_MUE),
)
# Two CPT/HCPCS codes, the pre-1996 mark, an effective date: a PTP row, also without its header.
_CODE = rb"\"?(?:\d{5}|\d{4}[FTUMA]|[A-Z]\d{4})\"?"
_PTP_ROW = re.compile(rb"^\s*" + _CODE + rb"\t" + _CODE + rb"\t[^\t]*\t\"?\d{8}\"?\t", re.IGNORECASE | re.MULTILINE)
_PTP_CSV_ROW = re.compile(rb"^\s*" + _CODE + rb"," + _CODE + rb",[^,]*,\"?\d{8}\"?,", re.IGNORECASE | re.MULTILINE)
_PTP_HEADER = re.compile(r"^\s*column 1\tcolumn 2\t", re.IGNORECASE | re.MULTILINE)
_HOSPITAL_RELEASE = re.compile(r"ccioph(-v\d+r\d+)", re.IGNORECASE)
_DATE_IN_MUE_NAME = re.compile(r"Eff_\d\d-\d\d-\d{4}", re.IGNORECASE)
_LISTED = 4  # how many of a ZIP archive's files a message names
_WORKBOOKS = (".xlsx", ".xls", ".ods")
# A part every workbook of the kind holds.
_WORKBOOK_PARTS = {"xl/workbook.xml": "an Excel workbook (.xlsx)", "content.xml": "an OpenDocument spreadsheet (.ods)"}
_SAVE_AS = {
    PTP: "give --ptp CMS's tab-delimited text files, or save each sheet as 'Text (Tab delimited)'",
    MUE: "give --mue the CSV file in CMS's download, or save the sheet as 'CSV (Comma delimited)'",
}


def table_in_name(name: str) -> CmsFile | None:
    """The CMS file that ``name`` is CMS's name of, if any."""
    folded = name.lower().replace("_", "").replace("-", "").replace(" ", "")
    return next((kind for mark, kind in _NAMES if mark in folded), None)


def table_in_text(head: bytes) -> CmsFile | None:
    """The CMS table whose header or rows the start of a file holds, if any."""
    text = " ".join(head.decode("utf-8", errors="replace").lower().split())
    found = [kind for column, kind in _MUE_COLUMNS.items() if column in text]
    if found:
        return found[0]
    if _PTP_ROW.search(head) or _PTP_HEADER.search(head.decode("utf-8", errors="replace")):
        return PRACTITIONER_PTP
    return None


def wrong_table_problem(kind: CmsFile | None, option: str, name: str) -> str | None:
    """What to say of a file whose content is ``kind`` given to ``option``; None when it is the right one."""
    if kind is PRACTITIONER_PTP and table_in_name(name) is HOSPITAL_PTP:
        kind = HOSPITAL_PTP  # the two PTP tables share a layout: CMS's name tells them apart
    if kind is None or kind.option == option:
        return None
    if kind.option is None:
        return f"holds {kind.what} ({kind.looks}), {_not_taken(kind, name)}"
    return f"holds {kind.what} ({kind.looks}), which {kind.option} takes, not {option}"


def ptp_without_rows_problem(head: bytes, name: str) -> str | None:
    """What a file given to --ptp without a PTP row holds, when its first lines tell."""
    other = wrong_table_problem(table_in_text(head), PTP, name)
    if other is None and _PTP_CSV_ROW.search(head):
        return f"holds {PRACTITIONER_PTP.what} as comma-separated values (CSV); {_SAVE_AS[PTP]}"
    return other


def swapped_problem(ptp: Path, mue: Path, heads: Callable[[Path], bytes]) -> str | None:
    """The problem of a PTP file given to --mue and an MUE file to --ptp, when the heads of the two say so."""
    if table_in_text(heads(ptp)) is not PRACTITIONER_MUE or table_in_text(heads(mue)) is not PRACTITIONER_PTP:
        return None
    return (
        f"holds {PRACTITIONER_MUE.what}, and {mue}, given to --mue, {PRACTITIONER_PTP.what}: the two files "
        f"are swapped; give --ptp {mue} and --mue {ptp}"
    )


def hospital_ptp_problem(name: str) -> str | None:
    """The problem of a PTP file that CMS's name says holds the hospital edits, whose layout is the
    practitioner files' own; None for any other name."""
    if table_in_name(name) is not HOSPITAL_PTP:
        return None
    return f"is named as {HOSPITAL_PTP.what} (ccioph), {_not_taken(HOSPITAL_PTP, name)}"


def excel_97_problem(option: str, name: str) -> str:
    return f"is an Excel 97-2003 workbook (.xls); {_as_text(table_in_name(name), option, name)}"


def zip_problem(path: Path, option: str) -> str:
    """What a ZIP file given to ``option`` holds: an Excel workbook, CMS's download of a table, or else."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):  # a pipe cannot seek; a torn download
        names = []
    workbook = _WORKBOOK_PARTS.get(next((part for part in _WORKBOOK_PARTS if part in names), ""))
    if workbook is not None:
        return f"is {workbook}; {_as_text(table_in_name(path.name), option, path.name)}"
    kinds = [(Path(name).name, table_in_name(Path(name).name)) for name in names]
    own = [name for name, kind in kinds if kind is not None and kind.option == option]
    # CMS's download may hold the same table as text and as a workbook: the text file is the one to give.
    own = [name for name in own if not name.lower().endswith(_WORKBOOKS)] or own
    if own:
        extract = f"extract it and give {option} that {_format(option)} file"
        return f"is a ZIP archive (CMS's download) holding {_listed(own)}: {extract}"
    other = next(((name, kind) for name, kind in kinds if kind is not None), None)
    if other is not None:
        name, kind = other
        taken = f"which {kind.option} takes once extracted" if kind.option else _not_taken(kind, name)
        return f"is a ZIP archive holding {name}, {kind.what}, {taken}"
    # Other files are counted, not named: a name may be anything, a patient's among them.
    held = f" of {len(kinds)} file{'s' if len(kinds) != 1 else ''}, none named as a CMS NCCI table" if kinds else ""
    return f"is a ZIP archive{held}; extract the {_format(option)} file CMS put in it and give {option} that"


def folder_problem(path: Path, option: str) -> str:
    """A folder given as a file, such as the one a ZIP download was extracted to: the files of
    ``option``'s table in it (other files are not named: a name may be anything)."""
    try:
        names = sorted(entry.name for entry in path.iterdir() if entry.is_file())
    except OSError:
        names = []
    own = [name for name in names if (kind := table_in_name(name)) is not None and kind.option == option]
    own = [name for name in own if not name.lower().endswith(_WORKBOOKS)]
    if not own:
        return "is a folder"
    return f"is a folder holding {_listed(own)}: give {option} {'that file' if len(own) == 1 else 'those files'}"


def _as_text(kind: CmsFile | None, option: str, name: str) -> str:
    """For a workbook: the text file to give instead, and to which option."""
    if kind is None or kind.option == option:
        return _SAVE_AS[option]
    if kind.option is None:
        return f"its name says {kind.what}, {_not_taken(kind, name)}"
    return f"its name says {kind.what}, which {kind.option} takes: {_SAVE_AS[kind.option]}"


def _not_taken(kind: CmsFile, name: str) -> str:
    if kind is HOSPITAL_PTP:
        release = _HOSPITAL_RELEASE.search(name)
        wanted = f"--ptp takes the practitioner files, ccipra{release.group(1) if release else '-v<release>'}-f1 to -f4"
    else:
        dated = _DATE_IN_MUE_NAME.search(name)
        effective = dated.group() if dated else "Eff_<date>"
        wanted = f"--mue takes the practitioner table, MCR_MUE_PractitionerServices_{effective}.csv"
    return f"for {kind.setting} claims; claimcheck checks practitioner claims: {wanted}"


def _format(option: str) -> str:
    return "tab-delimited text" if option == PTP else "CSV"


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    return shown if len(names) <= _LISTED else f"{shown} and {len(names) - _LISTED} more"
