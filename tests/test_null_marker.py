r"""``\N``, the NULL of database exports (PostgreSQL's COPY text format, MySQL's SELECT ... INTO
OUTFILE), in a CSV cell: no value, as an empty cell, on the per-line and the batch road alike.
Read as text it failed "\N is not a CMS place-of-service code" and the like on every line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from claimcheck import load_rules
from tests.two_roads import batch_rows, csv_reports_of_both_roads, per_line_rows

RULES = load_rules()
NULL = "\\N"
HEADER = [
    "claim_id",
    "line_number",
    "procedure_code",
    "modifiers",
    "diagnosis_codes",
    "rendering_taxonomy",
    "rendering_npi",
    "units",
    "date_of_service",
    "place_of_service",
    "patient_sex",
    "patient_birth_date",
    "payer",
    "modifier_6",
]
ROWS = [
    [
        "C1",
        "1",
        "0711T",
        "26",
        "I70.213",
        "2085R0202X",
        "1234567893",
        "1",
        "2026-03-10",
        "22",
        "M",
        "1958-01-01",
        "Acme",
        "",
    ],
    ["C1", "2", "0711T", "", "I70.213", "", "", "", "2026-03-10", "", "", "", "", ""],
    ["C2", "1", "0711T", "26", "", "2085R0202X", "1234567893", "2", "2026-03-11", "11", "", "", "Acme", ""],
    ["", "1", "0711T", "26", "I70.213", "2085R0202X", "1234567893", "1", "2026-03-10", "22", "F", "", "", ""],
    ["C4", "1", "", "26", "I70.213", "", "", "", "", "", "", "", "", ""],
]


def _write(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows([HEADER, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _marked(rows: list[list[str]], marker: str = NULL) -> list[list[str]]:
    return [[cell or marker for cell in row] for row in rows]


def _without_origins(rows: list[list[str]], name: str) -> list[list[str]]:
    return [[cell.replace(name, "FILE") for cell in row] for row in rows]


@pytest.mark.parametrize("marker", [NULL, f" {NULL} "], ids=["bare", "padded"])
def test_a_lone_null_marker_reads_as_an_empty_cell(marker: str, tmp_path: Path) -> None:
    empty = per_line_rows(_write(tmp_path / "empty.csv", ROWS), RULES)
    marked = per_line_rows(_write(tmp_path / "marked.csv", _marked(ROWS, marker)), RULES)
    assert _without_origins(marked, "marked.csv") == _without_origins(empty, "empty.csv")
    assert not any(NULL in cell for row in marked for cell in row)


def test_a_mysql_tab_export_reads_as_its_csv_twin(tmp_path: Path) -> None:
    empty = per_line_rows(_write(tmp_path / "empty.csv", ROWS), RULES)
    marked = per_line_rows(_write(tmp_path / "marked.tsv", _marked(ROWS), delimiter="\t"), RULES)
    assert _without_origins(marked, "marked.tsv") == _without_origins(empty, "empty.csv")


def test_a_marker_inside_a_value_is_the_value(tmp_path: Path) -> None:
    rows = [[*ROWS[0][:3], f"26{NULL}", *ROWS[0][4:]]]
    found = per_line_rows(_write(tmp_path / "claims.csv", rows), RULES)
    assert any(row[7] == f"26{NULL}" and row[4] == "modifier.code_set" for row in found)


def test_a_row_of_markers_only_is_a_row(tmp_path: Path) -> None:
    # A database row of NULLs is a row of the table: its line is reported, every field empty.
    found = per_line_rows(_write(tmp_path / "claims.csv", [ROWS[0], [NULL] * len(HEADER)]), RULES)
    assert {(row[4], row[7]) for row in found if row[1] == ""} >= {("input.field", "claim_id")}


def test_validate_batch_reads_the_marker_as_the_per_line_reader_does(tmp_path: Path) -> None:
    rows = [*_marked(ROWS), [NULL] * len(HEADER), [" \\N", "3", "0711T", *[f"{NULL} "] * (len(HEADER) - 3)]]
    rows[1][-1] = NULL  # modifier_6, a column past the layout's: no value, no warning
    path = _write(tmp_path / "claims.csv", rows)
    assert batch_rows(path, HEADER, RULES) == per_line_rows(path, RULES)


def test_check_writes_the_same_report_on_both_roads(tmp_path: Path) -> None:
    path = _write(tmp_path / "claims.csv", [*_marked(ROWS), [NULL] * len(HEADER)])
    reports = csv_reports_of_both_roads(path, tmp_path)
    assert reports[0] == reports[1]
    assert NULL.encode() not in reports[0]
