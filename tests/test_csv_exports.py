"""CSV files as other tools write them (pandas, spreadsheets, DOS-era systems), read alike on
both roads of ``claimcheck check`` (Arrow's and the per-line reader's) and by ``validate_batch``."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
from click.testing import CliRunner

from claimcheck import validate_batch
from claimcheck.cli import main
from claimcheck.io.fast_csv import fast_columns
from claimcheck.io.readers.text_lines import end_padding

AS_OF = ["--as-of", "2026-11-22", "--fail-on", "never", "--quiet"]


def _report(path: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "csv", *AS_OF, *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _both_roads(path: Path) -> list[dict[str, str]]:
    """The report's rows, once it is known that both roads of ``check`` wrote the same report."""
    fast = _report(path)
    # Naming the layout sends the file through the per-line reader and engine.
    assert _report(path, "--columns", "claimcheck") == fast
    return list(csv.DictReader(io.StringIO(fast)))


def _as_text(path: Path) -> pa.Table:
    names = pa_csv.open_csv(path).schema.names
    text = pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False)
    return pa_csv.read_csv(path, convert_options=text)


def _not_passed(rows: list[dict[str, str]]) -> list[tuple[str, str, str, str]]:
    return [(r["line_number"], r["rule_id"], r["status"], r["subject"]) for r in rows if r["status"] != "pass"]


def test_zero_padded_modifier_and_dx_columns_are_read_as_modifier_1_and_dx_1(tmp_path: Path) -> None:
    # dx_01, modifier_01 (as many tools number them) were neither read nor warned of: the line
    # failed diagnosis.required though its diagnosis was in the file.
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,MODIFIER_01,modifier_02,dx_01,dx_02,dx_010,rendering_taxonomy,"
        "rendering_npi,date_of_service,place_of_service\n"
        "C1,1,0711T,26,,I70.213,,,2085R0202X,1234567893,2026-03-10,22\n"
        "C1,2,0711T,TC,,,I70.213,,2085R0202X,1234567893,2026-03-11,22\n"
        "C2,1,99213,,25,I10,,E11.9,,,2026-03-10,11\n"
    )
    assert fast_columns(path) is not None  # Arrow's road
    rows = _both_roads(path)
    assert _not_passed(rows) == []
    read = {(r["line_number"], r["rule_id"], r["subject"]) for r in rows}
    assert {("1", "modifier.profile", "26"), ("2", "modifier.profile", "TC"), ("1", "modifier.code_set", "25")} <= read
    assert {("1", "diagnosis.code_set", "I70.213"), ("2", "diagnosis.code_set", "I70.213")} <= read
    assert {("1", "diagnosis.code_set", "I10"), ("1", "diagnosis.code_set", "E11.9")} <= read
    found = validate_batch(_as_text(path), as_of="2026-11-22").to_pylist()
    assert [r for r in found if r["status"] != "pass"] == []
    assert {(r["claim_id"], r["line_number"], r["subject"]) for r in found if r["rule_id"] == "diagnosis.code_set"} == {
        ("C1", 1, "I70.213"),
        ("C1", 2, "I70.213"),
        ("C2", 1, "I10"),
        ("C2", 1, "E11.9"),
    }


def test_numbered_columns_written_without_the_underscore_are_read_as_dx_1_and_modifier_1(tmp_path: Path) -> None:
    # DX1 ... DX12 and "Modifier 1" are as common in claim extracts as dx_01: they too were extra
    # columns, ignored, and the lines failed diagnosis.required. DX26 is past dx_25, as dx_26 is.
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,Modifier 1,DX1,DX2,dx-3,date_of_service,DX26\n"
        "C1,1,99213,25,I10,E11.9,Z00.00,2026-03-10,\n"
        "C1,2,99214,,I10,,,2026-03-11,R05\n"
    )
    rows = _both_roads(path)
    assert _not_passed(rows) == [("2", "input.not_checked", "warn", "DX26")]
    read = [(r["line_number"], r["rule_id"], r["subject"]) for r in rows if r["rule_id"].endswith("code_set")]
    assert read == [
        ("1", "modifier.code_set", "25"),
        ("1", "diagnosis.code_set", "I10"),
        ("1", "diagnosis.code_set", "E11.9"),
        ("1", "diagnosis.code_set", "Z00.00"),
        ("2", "diagnosis.code_set", "I10"),
    ]
    found = validate_batch(_as_text(path), as_of="2026-11-22").to_pylist()
    assert [
        (str(r["line_number"]), r["rule_id"], r["subject"]) for r in found if r["rule_id"].endswith("code_set")
    ] == read


def test_a_zero_padded_column_beside_the_same_column_unpadded_is_a_warning(tmp_path: Path) -> None:
    # dx_1 is read; the dx_01 beside it (or dx_0 of an export counting from 0) cannot be read as
    # well: its value is named as not checked rather than lost without a word; modifier_06 is
    # past modifier_5, as modifier_6 is.
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,date_of_service,dx_1,dx_01,dx_0,modifier_1,modifier_06\n"
        "C1,1,99213,2026-03-10,I10,E11.9,,25,\n"
        "C1,2,99213,2026-03-11,I10,,Z00.00,,59\n"
        "C1,3,99214,2026-03-12,I10,,,,\n"
    )
    rows = _both_roads(path)
    warned = [(r["line_number"], r["subject"], r["message"]) for r in rows if r["rule_id"] == "input.not_checked"]
    assert [row[:2] for row in warned] == [("1", "dx_01"), ("2", "dx_0"), ("2", "modifier_06")]
    assert warned[0][2] == (
        "dx_01 is not read: layout claimcheck reads diagnosis_codes column dx_1, which the header has too, "
        "so its value is not checked (claims.csv line 2)"
    )
    assert all(" is not read: " in message and "E11" not in message for _, _, message in warned)
    found = validate_batch(_as_text(path), as_of="2026-11-22").to_pylist()
    assert [(r["line_number"], r["subject"]) for r in found if r["rule_id"] == "input.not_checked"] == [
        (1, "dx_01"),
        (2, "dx_0"),
        (2, "modifier_06"),
    ]


_PANDAS_FLOATS = (
    # As pandas writes columns of numbers with an empty cell somewhere: as floats.
    "claim_id,line_number,procedure_code,modifier_1,modifier_2,diagnosis_codes,rendering_npi,units,date_of_service,"
    "place_of_service\n"
    "C1,1.0,99213.0,25.0,,I10,1234567893.0,1.0,2026-03-10,11.0\n"
    "C1,2.0,99214.0,59.0,76.0,I10,,2.00,2026-03-10,2.0\n"
    "C2,1.0,99213.0,,,I10,1234567893.5,1.5,2026-03-10,11.5\n"
    "C2,2.5,99213.0,,,I10,,,2026-03-11,\n"
)


def test_whole_numbers_written_as_floats_read_as_validate_reads_the_floats(tmp_path: Path) -> None:
    # A CSV written by pandas from float columns failed line_number, the NPI, the place of
    # service, the procedure code and modifiers, which validate() reads from the same floats.
    import claimcheck

    path = tmp_path / "claims.csv"
    path.write_text(_PANDAS_FLOATS)
    rows = _both_roads(path)
    failed = [(r["claim_id"], r["line_number"], r["rule_id"], r["subject"]) for r in rows if r["status"] != "pass"]
    # A fraction is no whole number: the line number fails, the NPI and place of service as written.
    assert failed == [
        ("C2", "1", "provider.npi", "1234567893.5"),
        ("C2", "1", "place_of_service.code_set", "11.5"),
        ("C2", "", "input.field", "line_number"),
    ]
    read = {(r["claim_id"], r["line_number"], r["rule_id"], r["subject"]) for r in rows}
    assert {("C1", "1", "procedure.format", "99213"), ("C1", "1", "modifier.code_set", "25")} <= read
    assert {("C1", "2", "modifier.code_set", "59"), ("C1", "2", "modifier.code_set", "76")} <= read
    assert {("C1", "1", "place_of_service.code_set", "11"), ("C1", "2", "place_of_service.code_set", "02")} <= read
    assert ("C1", "1", "provider.npi", "1234567893") in read
    batch = validate_batch(_as_text(path), as_of="2026-11-22").to_pylist()
    assert sorted((r["claim_id"], r["rule_id"], r["subject"]) for r in batch if r["status"] != "pass") == sorted(
        (claim, rule, subject) for claim, _, rule, subject in failed
    )
    # validate() of the floats themselves passes the lines of C1 alike.
    claim = {
        "claim_id": "C1",
        "lines": [
            {"line_number": 1.0, "procedure_code": 99213.0, "modifiers": [25.0], "diagnosis_codes": "I10",
             "rendering_npi": 1234567893.0, "units": 1.0, "date_of_service": "2026-03-10", "place_of_service": 11.0},
            {"line_number": 2.0, "procedure_code": 99214.0, "modifiers": [59.0, 76.0], "diagnosis_codes": "I10",
             "units": 2.0, "date_of_service": "2026-03-10", "place_of_service": 2.0},
        ],
    }  # fmt: skip
    report = claimcheck.validate(claim, as_of="2026-11-22")
    from_floats = {
        (str(line.line_number), f.rule_id, f.subject or "", f.status.value)
        for line in report.lines
        for f in line.findings
    }
    from_csv = {(r["line_number"], r["rule_id"], r["subject"], r["status"]) for r in rows if r["claim_id"] == "C1"}
    assert from_floats == from_csv


_HEADER = b"claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,place_of_service,payer\r\n"
_LINES = b"C1,1,99213,I10,2026-03-10,11,Acme\r\nC1,2,99214,I10,2026-03-10,11,Acme"


@pytest.mark.parametrize(
    "end", [b"\r\n\x1a", b"\x1a", b"\x1a\r\n", b"\r\n\x1a\x00\x00\x00\r\n\x00", b"\n\x1a\x1a"], ids=repr
)
def test_a_dos_end_of_file_mark_ends_a_csv_file(end: bytes, tmp_path: Path) -> None:
    # A Ctrl-Z at the end (DOS's end-of-file mark; NULs fill a transfer's last block) became a
    # row of its own that failed, or the end of the last row's payer, which then differed from
    # the claim's first row.
    path = tmp_path / "claims.csv"
    path.write_bytes(_HEADER + _LINES + end)
    rows = _both_roads(path)
    assert {(r["line_number"], r["status"]) for r in rows} == {("1", "pass"), ("2", "pass")}
    assert not any(r["check"] == "input" for r in rows)


def test_a_ctrl_z_with_rows_after_it_is_no_end_of_file(tmp_path: Path) -> None:
    # Only the end of the file is padding: a row of NULs longer than a read, with rows after
    # it, is a row of the file, reported (its NULs no longer dropped).
    path = tmp_path / "claims.csv"
    path.write_bytes(_HEADER + _LINES + b"\r\n" + b"\x00" * 70_000 + b"\x1a\r\nC2,1,99213,I10,2026-03-10,11,Acme\r\n")
    rows = _both_roads(path)
    assert {r["claim_id"] for r in rows if r["check"] == "input"} == {"\x00" * 70_000 + "\x1a"}  # held, then kept
    assert ("C2", "1", "pass") in {(r["claim_id"], r["line_number"], r["status"]) for r in rows}


def test_end_padding_is_the_ctrl_z_or_nuls_at_the_end_only() -> None:
    assert end_padding(b"a,b\r\n\x1a") == 5
    assert end_padding(b"a,b\x1a \x00\r\n") == 3
    assert end_padding(b"a,b\r\n  \r\n") == 9  # blank lines alone are no padding
    assert end_padding(b"a\x1ab\r\n") == 5
    assert end_padding(b"") == 0


def test_a_row_of_the_wrong_width_with_a_cell_past_csvs_field_limit_prints_no_traceback(tmp_path: Path) -> None:
    # Arrow hands a row of the wrong width to a handler that split it with csv, whose field size
    # limit (128 KiB) raised inside Arrow's call: "Exception ignored ... _csv.Error" on stderr.
    path = tmp_path / "claims.csv"
    path.write_bytes(_HEADER + _LINES + b"\r\n" + b"x" * 200_000 + b"\r\nC2,1,99213,I10,2026-03-10,11,Acme\r\n")
    command = [sys.executable, "-m", "claimcheck.cli", "check", str(path), "--format", "csv", *AS_OF]
    run = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert (run.returncode, run.stderr) == (0, "")
    careful = _report(path, "--columns", "claimcheck")
    assert run.stdout == careful
    assert "row has 1 fields where the header has 7 (claims.csv line 4)" in careful


def test_nan_in_a_float_column_is_no_value_to_validate_batch_as_to_validate() -> None:
    # A float column with NaN (polars, numpy; pandas' from_pandas makes it null) was read as the
    # text "nan": "NPI nan is not ten digits", "nan is not a place-of-service code", a modifier
    # "NAN", where validate() reads NaN as no value (and units' NaN as no number).
    import claimcheck

    nan = float("nan")
    lines = [
        {"line_number": 1.0, "rendering_npi": 1234567893.0, "place_of_service": nan, "units": nan, "modifier": nan},
        {"line_number": nan, "rendering_npi": nan, "place_of_service": 11.0, "units": 1.0, "modifier": 59.0},
    ]
    common = {"claim_id": "C1", "procedure_code": "99213", "diagnosis_codes": "I10", "date_of_service": "2026-03-10"}
    table = pa.table(
        {
            **{name: [value] * len(lines) for name, value in common.items()},
            **{name: pa.array([line[name] for line in lines], pa.float64()) for name in lines[0]},
        }
    ).rename_columns([*common, "line_number", "rendering_npi", "place_of_service", "units", "modifier_1"])
    found = validate_batch(table, as_of="2026-11-22").to_pylist()
    claim = {
        "claim_id": "C1",
        "lines": [
            {**{k: v for k, v in common.items() if k != "claim_id"}, **line, "modifiers": [line["modifier"]]}
            for line in lines
        ],
    }
    report = claimcheck.validate(claim, as_of="2026-11-22")
    expected = [
        (line.line_number, f.rule_id, f.status.value, f.subject) for line in report.lines for f in line.findings
    ]
    assert [(r["line_number"], r["rule_id"], r["status"], r["subject"]) for r in found] == expected
    assert {(r["line_number"], r["rule_id"], r["subject"]) for r in found if r["status"] != "pass"} == {
        (1, "input.field", "units"),
        (None, "input.field", "line_number"),
    }


def test_a_header_row_again_in_joined_files_is_said_to_be_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # cat jan.csv feb.csv: feb's header is a row of the joined file. It failed as a line of claim
    # "claim_id" whose line number "must be a whole number", which did not say what it was.
    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 256)  # headers at block edges too
    header = "Claim_ID,line_number,procedure_code,diagnosis_codes,date_of_service,payer\n"
    month = "".join(f"C{n},1,99213,I10,2026-03-10,Acme\nC{n},2,99214,I10,2026-03-10,Acme\n" for n in range(6))
    path = tmp_path / "joined.csv"
    path.write_text(header + month + header.lower() + month + header + header.upper().replace(",", " ,"))
    rows = _both_roads(path)
    again = [(r["claim_id"], r["line_number"], r["procedure_code"], r["status"], r["message"]) for r in rows]
    again = [row for row, r in zip(again, rows, strict=True) if r["subject"] == "row"]
    assert again == [
        ("", "", "", "warn", f"row repeats the header row, as files joined one after another do: it holds no line "
         f"(joined.csv line {number})")
        for number in (14, 27, 28)
    ]  # fmt: skip
    assert sum(r["rule_id"] == "procedure.format" for r in rows) == 24  # every line of both months was checked
    assert all(r["status"] == "pass" for r in rows if r["subject"] != "row")
    table = pa.table({name: [name.upper(), "C1"] for name in header.strip().split(",")})
    table = table.set_column(1, "line_number", pa.array(["LINE_NUMBER", "1"]))
    found = validate_batch(table, as_of="2026-11-22").to_pylist()
    assert [(r["claim_id"], r["rule_id"], r["subject"]) for r in found][:1] == [(None, "input.not_checked", "row")]


def test_a_date_with_its_time_of_day_is_read_as_its_day_as_validate_reads_a_datetime(tmp_path: Path) -> None:
    # SQL and pandas export datetime columns with their time (2026-03-10 00:00:00): every line
    # failed "must be a date written YYYY-MM-DD", where validate() reads a datetime as its day.
    from datetime import datetime

    import claimcheck

    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,patient_birth_date\n"
        "C1,1,99213,I10,2026-03-10 00:00:00,1958-01-01 00:00:00.000\n"
        "C1,2,99214,I10,2026-03-11T14:30:00Z,1958-01-01\n"
        "C1,3,99215,I10,20260312 09:15,\n"
        "C1,4,99212,I10,2026-03-13T25:00:00,\n"  # no hour 25: no time of day, and no date
        "C1,5,99211,I10,2026-02-30 00:00:00,\n"  # no such day
    )
    rows = _both_roads(path)
    assert _not_passed(rows) == [
        ("4", "input.field", "fail", "date_of_service"),
        ("5", "input.field", "fail", "date_of_service"),
    ]
    days = {(r["line_number"], r["subject"]) for r in rows if r["rule_id"] == "date.not_future"}
    assert days == {("1", "2026-03-10"), ("2", "2026-03-11"), ("3", "2026-03-12")}
    found = validate_batch(_as_text(path), as_of="2026-11-22").to_pylist()
    assert [(r["line_number"], r["rule_id"], r["subject"]) for r in found] == [
        (int(r["line_number"]) if r["line_number"] else None, r["rule_id"], r["subject"]) for r in rows
    ]
    line = {"procedure_code": "99213", "diagnosis_codes": "I10"}
    claim = {
        "claim_id": "C1",
        "patient_birth_date": datetime(1958, 1, 1),
        "lines": [{**line, "line_number": 1, "date_of_service": datetime(2026, 3, 10)}],
    }
    report = claimcheck.validate(claim, as_of="2026-11-22")
    expected = {(f.rule_id, f.status.value, f.subject) for f in report.lines[0].findings}
    assert {(r["rule_id"], r["status"], r["subject"]) for r in rows if r["line_number"] == "1"} == expected
