"""The batch pipeline's input findings on both roads: a rules spec with one PTP file, values past the
layout's last modifier or diagnosis column, and claim fields that differ on a later row."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from claimcheck import validate_batch
from tests.pipeline_runs import _check


def _finding_rows_on_both_roads(path: Path, tmp_path: Path) -> bytes:
    """The CSV report, one row per finding, of ``path`` by the fast (Arrow) road, which must equal
    the careful (per-line) road's byte for byte."""
    args = ["--format", "csv", "--rows", "finding"]
    fast = _check(path, tmp_path / "fast.csv", *args)
    assert fast == _check(path, tmp_path / "careful.csv", *args, "--columns", "claimcheck")
    return fast


_PAYER_COLUMNS = ("claim_id", "line_number", "procedure_code", "diagnosis_codes", "date_of_service", "payer")
_PAYER_ROWS = (
    ("C1", "1", "99213", "I10", "2026-03-10", "ACME Health"),
    ("C1", "2", "99214", "I10", "2026-03-10", "Acme  health"),
    ("C1", "3", "99215", "I10", "2026-03-10", "Other"),
)


def test_a_rules_spec_takes_one_ptp_file_as_load_rules_does(tmp_path: Path) -> None:
    from claimcheck.io.workers import RulesSpec

    one = tmp_path / "ccipra-v323r0-f1.txt"
    assert RulesSpec.of(ptp=str(one)).ptp == RulesSpec.of(ptp=one).ptp == RulesSpec.of(ptp=[one]).ptp == (str(one),)


def test_a_value_in_a_column_past_the_layouts_last_modifier_or_dx_is_a_warning_on_both_roads(tmp_path: Path) -> None:
    # modifier_6 and dx_26 are past the columns the layout reads: their values were lost
    # without a word, where the X12 reader warns on a fifth modifier in SV101-7.
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,modifier_1,modifier_5,Modifier_6,dx_25,dx_26\n"
        "C1,1,99213,I10,2026-03-10,25,,59,,E11.9\n"
        "C1,2,99213,I10,2026-03-11,,,,,\n"
        "C2,1,99213,I10,2026-03-10,,,, ,\n"
    )
    fast = _finding_rows_on_both_roads(path, tmp_path)
    rows = list(csv.DictReader(io.StringIO(fast.decode())))
    warned = [(r["claim_id"], r["line_number"], r["status"], r["subject"], r["message"]) for r in rows]
    warned = [row for row, r in zip(warned, rows, strict=True) if r["rule_id"] == "input.not_checked"]
    assert [row[:4] for row in warned] == [("C1", "1", "warn", "Modifier_6"), ("C1", "1", "warn", "dx_26")]
    assert all(" is not read" in row[4] and row[4].endswith("(claims.csv line 2)") for row in warned)
    assert not any("59" in row[4] or "E11" in row[4] for row in warned)  # the column, not its value
    # validate_batch (and so Spark) warns of them too.
    from claimcheck.io.batch import validate_batch

    batch = pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            strings_can_be_null=False,
            column_types={name: pa.string() for name in path.read_text().splitlines()[0].split(",")},
        ),
    )
    found = validate_batch(batch, as_of="2026-11-22").to_pylist()
    assert [(r["line_number"], r["subject"]) for r in found if r["rule_id"] == "input.not_checked"] == [
        (1, "Modifier_6"),
        (1, "dx_26"),
    ]


def test_a_claim_field_that_differs_on_a_later_row_of_the_claim_is_an_input_finding(tmp_path: Path) -> None:
    # A claim takes its patient and payer from its first row; a later row that said otherwise
    # was not looked at, and its value lost without a word.
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,patient_sex,patient_birth_date,payer\n"
        "C1,1,99213,I10,2026-03-10,F,1960-01-01,Acme\n"
        "C1,2,99214,I10,2026-03-10,f,19600101,Acme\n"  # the same values, written otherwise
        "C1,3,99215,I10,2026-03-10,M,1961-01-01,\n"  # an empty cell says nothing
        "C2,1,99213,I10,2026-03-10,,,\n"
        "C2,2,99214,I10,2026-03-10,,,Other\n"
    )
    fast = _finding_rows_on_both_roads(path, tmp_path)
    found = [
        (r["claim_id"], r["line_number"], r["status"], r["subject"], r["message"])
        for r in csv.DictReader(io.StringIO(fast.decode()))
        if r["rule_id"] == "input.field"
    ]
    assert [row[:4] for row in found] == [
        ("C1", "3", "fail", "patient_sex"),
        ("C1", "3", "fail", "patient_birth_date"),
        ("C2", "2", "fail", "payer"),
    ]
    assert found[0][4] == (
        "patient_sex differs from the claim's first row (claims.csv line 2), whose value the claim is checked "
        "with (claims.csv line 4)"
    )
    assert not any(value in row[4] for row in found for value in ("1961", "Other", " M "))  # no values


def test_a_payer_written_in_other_capitals_on_a_later_row_is_not_a_different_payer(tmp_path: Path) -> None:
    # No rule reads the payer and the report does not show it: ACME and Acme on two rows of one
    # claim name one payer, and failing the second line for it blocked a claim for nothing.
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,payer\n"
        "C1,1,99213,I10,2026-03-10,ACME Health\n"
        "C1,2,99214,I10,2026-03-10,Acme  health\n"
        "C1,3,99215,I10,2026-03-10,Other\n"
    )
    fast = _finding_rows_on_both_roads(path, tmp_path)
    found = [
        (r["line_number"], r["subject"])
        for r in csv.DictReader(io.StringIO(fast.decode()))
        if r["rule_id"] == "input.field"
    ]
    assert found == [("3", "payer")]
    table = pa.table({name: [row[i] for row in _PAYER_ROWS] for i, name in enumerate(_PAYER_COLUMNS)})
    batch_found = [
        (r["line_number"], r["subject"]) for r in validate_batch(table).to_pylist() if r["rule_id"] == "input.field"
    ]
    assert batch_found == [(3, "payer")]
