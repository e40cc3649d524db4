"""Column layouts: the shipped CSV layouts on the real samples, and a columns map of our own."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import claimcheck
from claimcheck.cli import main
from claimcheck.errors import InputError
from claimcheck.io.readers import read_claims
from claimcheck.io.readers.layouts import SHIPPED_LAYOUTS, load_layout
from tests.conftest import AS_OF, ROOT

WIDE = ROOT / "fixtures" / "csv" / "wide_export.psv"
WIDE_MAP = ROOT / "fixtures" / "csv" / "wide_export_columns.yaml"


def _data_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as stream:
        return sum(1 for row in csv.reader(stream, delimiter="|" if path.suffix == ".psv" else ",") if row) - 1


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("tuva__medical_claim_seed.csv", "tuva_medical_claim"),
        ("bfd__sample-a-bcarrier-multiple-lines.psv", "cms_carrier"),
        ("bfd__samhsa_sample-a-carrier.psv", "cms_carrier"),
        ("bfd__sample-a-outpatient.psv", "cms_outpatient"),
    ],
)
def test_each_csv_sample_reads_one_result_per_row(shared_dir: Path, name: str, layout: str) -> None:
    path = shared_dir / "samples" / "csv" / name
    detected = claimcheck.validate_file(path, as_of=AS_OF)
    named = claimcheck.validate_file(path, as_of=AS_OF, columns=layout)
    assert len(detected.lines) == len(named.lines) == _data_rows(path)
    assert detected == named
    row_problems = [f for line in named.lines for f in line.findings if f.subject == "row"]
    assert row_problems == []  # the outpatient sample's trailing "|" is an empty field, not a problem


def test_cms_carrier_dates_and_diagnoses(shared_dir: Path) -> None:
    path = shared_dir / "samples" / "csv" / "bfd__sample-a-bcarrier-multiple-lines.psv"
    (claim,) = list(read_claims(path))
    first = claim.lines[0].line
    assert claim.claim_id == "9991831999" and first is not None
    assert first.date_of_service.isoformat() == "1999-10-27"
    assert first.diagnosis_codes[:3] == ("A52", "A02", "A06")  # line diagnosis first, then the claim's, deduplicated
    assert first.modifiers == ("LT",) and first.procedure_code == "92999"


def test_icd9_diagnoses_are_reported_not_misread(shared_dir: Path) -> None:
    path = shared_dir / "samples" / "csv" / "bfd__samhsa_sample-a-carrier.psv"
    report = claimcheck.validate_file(path, as_of=AS_OF)
    first = report.lines[0]
    (problem,) = [f for f in first.findings if f.subject == "diagnosis_codes"]
    assert "ICD-9-CM" in problem.message
    assert not any(f.subject == "291" for f in first.findings)


def test_a_columns_map_reads_a_wide_pipe_delimited_export() -> None:
    layout = load_layout(WIDE_MAP)
    claims = list(read_claims(WIDE, columns=layout))
    lines = [parsed.line for claim in claims for parsed in claim.lines]
    assert [c.claim_id for c in claims] == ["W1", "W2"]
    assert lines[0] is not None and lines[1] is not None and lines[2] is not None
    assert lines[0].diagnosis_codes == ("I70.213",) and lines[0].date_of_service.isoformat() == "2026-03-10"
    assert lines[1].diagnosis_codes == ("Z13.0", "J44.9") and lines[1].date_of_service.isoformat() == "2026-03-11"
    assert lines[2].modifiers == ("22", "52", "53", "59", "LT")
    report = claimcheck.validate_file(WIDE, columns=WIDE_MAP, as_of=AS_OF)
    assert any(f.rule_id == "input.modifier_count" for f in report.lines[2].findings)


def test_a_date_no_format_of_a_columns_map_reads_names_the_maps_formats(tmp_path: Path) -> None:
    # The map reads MM/DD/YYYY; a bad day was reported as "must be a date written YYYY-MM-DD",
    # which sent the user to rewrite a file whose format was right.
    layout = tmp_path / "map.yaml"
    layout.write_text(
        'name: mdy\ndate_formats: ["%m/%d/%Y"]\ncolumns: {claim_id: CLAIM, line_number: LN, procedure_code: CPT,'
        " date_of_service: DOS, patient_birth_date: DOB}\n"
    )
    data = tmp_path / "claims.csv"
    data.write_text(
        "CLAIM,LN,CPT,DOS,DOB\nA1,1,99213,03/10/2026,01/31/1958\nA2,1,99213,13/45/2026,02/30/1958\nA3,1,99213,,\n"
    )
    good, bad, empty = read_claims(data, columns=load_layout(layout))
    assert good.lines[0].line is not None and not good.problems and not good.lines[0].problems
    expected = "is not a date written as columns map mdy reads them (%m/%d/%Y)"
    assert [(p.field, p.message) for p in bad.problems] == [("patient_birth_date", expected)]
    assert [(p.field, p.message) for p in bad.lines[0].problems] == [("date_of_service", expected)]
    assert [(p.field, p.message) for p in empty.lines[0].problems] == [("date_of_service", "is required")]


def test_cli_columns_option_and_unknown_layout() -> None:
    ok = CliRunner().invoke(main, ["check", str(WIDE), "--columns", str(WIDE_MAP), "--format", "jsonl"])
    assert ok.exit_code == 1 and len(ok.stdout.splitlines()) == 3
    missing = CliRunner().invoke(main, ["check", str(WIDE)])
    assert missing.exit_code == 2 and "--columns" in missing.stderr
    bad = CliRunner().invoke(main, ["check", str(WIDE), "--columns", "no_such_layout"])
    assert bad.exit_code == 2 and "shipped layouts" in bad.stderr


def test_a_named_layout_missing_its_columns_names_them_as_the_header_should() -> None:
    # The demo file has claim_id, line_number ...: naming those fields as missing would say the
    # opposite of what the header shows.
    demo = ROOT / "fixtures" / "demo" / "claims.csv"
    result = CliRunner().invoke(main, ["check", str(demo), "--columns", "cms_carrier"])
    assert result.exit_code == 2
    assert (
        "missing required column(s) of layout cms_carrier: CLM_ID (claim_id), LINE_NUM (line_number), "
        "HCPCS_CD (procedure_code), LINE_1ST_EXPNS_DT or CLM_FROM_DT (date_of_service)"
    ) in result.stderr
    contract = CliRunner().invoke(main, ["check", str(WIDE), "--columns", "claimcheck"])
    assert "of layout claimcheck: claim_id, line_number, procedure_code, date_of_service" in contract.stderr


def test_a_broken_columns_map_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("name: x\ncolumns:\n  claim_id: A\n  procedure_code: B\n  date_of_service: C\n  colour: D\n")
    with pytest.raises(InputError, match="unknown field"):
        load_layout(path)
    path.write_text("name: x\ncolumns:\n  claim_id: A\n")
    with pytest.raises(InputError, match="required field"):
        load_layout(path)


@pytest.mark.parametrize("required", ["", "required: [claim_id, procedure_code, date_of_service]\n"])
def test_a_columns_map_without_a_line_number_column_is_refused_when_loaded(tmp_path: Path, required: str) -> None:
    # Every line needs a line number, yet a map without one loaded and then failed each line of
    # the file with "line_number is required", a finding no edit of the file could fix.
    path = tmp_path / "map.yaml"
    path.write_text(f"name: x\n{required}columns:\n  claim_id: A\n  procedure_code: B\n  date_of_service: C\n")
    with pytest.raises(InputError, match=r"required field\(s\) without columns: line_number$"):
        load_layout(path)


def test_a_column_of_ones_own_map_the_header_lacks_is_named_not_left_empty(tmp_path: Path) -> None:
    # A typo in a map ('units: QTYY') left the field empty on every line without a word: units
    # went to the default of one and the MUE and units checks judged that instead.
    text = (
        WIDE_MAP.read_text().replace("units: QTY", "units: QTYY").replace("rendering_npi: NPI", "rendering_npi: NPPI")
    )
    typo = tmp_path / "typo.yaml"
    typo.write_text(text)
    result = CliRunner().invoke(main, ["check", str(WIDE), "--columns", str(typo), "--format", "csv"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "wide_export.psv:1: the columns map wide_export names column(s) the header does not have: " in result.stderr
    assert "NPPI (rendering_npi), QTYY (units); the header has: CLAIM_NO, LINE, CPT," in result.stderr
    # A shipped layout names optional columns an export may leave out, so it is not held to all.
    assert load_layout("tuva_medical_claim").shipped and not load_layout(typo).shipped


@pytest.mark.parametrize("pattern", ["%Q", "%Y-%m", "%d/%m", "not a format"])
def test_a_date_format_that_cannot_read_a_day_is_refused_when_the_map_loads(tmp_path: Path, pattern: str) -> None:
    # It loaded, and every date of the file then failed as unreadable, the fault of the map.
    path = tmp_path / "map.yaml"
    path.write_text(WIDE_MAP.read_text().replace('"%Y%m%d"', f'"{pattern}"'))
    with pytest.raises(InputError, match="does not read a day: a format needs the year, month and day") as raised:
        load_layout(path)
    assert raised.value.field == "date_formats" and raised.value.line == 5


@pytest.mark.parametrize("text", ["", "claim_id,line_number\n", "- name: x\n"])
def test_a_file_that_is_not_a_mapping_is_not_taken_for_a_columns_map(tmp_path: Path, text: str) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match="is not a columns map: expected a YAML mapping with 'name:' and 'columns:'"):
        load_layout(path)


def test_every_shipped_layout_loads() -> None:
    assert {load_layout(name).name for name in SHIPPED_LAYOUTS} == set(SHIPPED_LAYOUTS)


@pytest.mark.parametrize("name", SHIPPED_LAYOUTS)
@pytest.mark.parametrize(
    "text",
    ["2026-11-22", "2026-02-30", "2026-1-05", "20261122", "22-Nov-2026", "٢٠٢٦-١١-٢٢", "2026-11-22T00", "2026/11/22"],
)
def test_dates_read_as_strptime_reads_them(name: str, text: str) -> None:
    """The ISO shortcut gives what trying each of the layout's formats with strptime gives."""
    layout = load_layout(name)
    expected = text
    for pattern in layout.date_formats:
        try:
            expected = datetime.strptime(text, pattern).date().isoformat()
            break
        except ValueError:
            continue
    assert layout.parse_date(text) == expected


@pytest.mark.parametrize("name", ["claimcheck", "tuva_medical_claim"])
def test_dates_in_other_scripts_digits_are_left_unread(name: str) -> None:
    """strptime reads Arabic-Indic digits in a year; the model then reports the date as unreadable."""
    assert load_layout(name).parse_date("\u0662\u0660\u0662\u0666-03-10") == "\u0662\u0660\u0662\u0666-03-10"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-10", "2026-03-10"),
        ("20260310", "2026-03-10"),  # as exports write dates
        ("10-MAR-2026", "2026-03-10"),
        ("10-mar-2026", "2026-03-10"),
        ("2026031", "2026031"),  # strptime alone reads this as 2026-03-01
        ("202603100", "202603100"),
        ("03/10/2026", "03/10/2026"),  # month or day first: ambiguous, left for the model to report
    ],
)
def test_the_claimcheck_layout_reads_compact_and_month_name_dates(text: str, expected: str) -> None:
    assert load_layout("claimcheck").parse_date(text) == expected


@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_a_shipped_layout_named_for_a_copy_with_another_delimiter_reads_it(
    shared_dir: Path, tmp_path: Path, delimiter: str
) -> None:
    # cms_carrier names "|", as the RIF files are written; a comma or tab copy of one (a
    # spreadsheet's export) was refused with "missing ... CLM_ID" though its header has CLM_ID,
    # while the same file read without --columns was found to be a carrier file and read.
    sample = shared_dir / "samples" / "csv" / "bfd__sample-a-bcarrier-multiple-lines.psv"
    copy = tmp_path / "carrier.csv"
    copy.write_text(sample.read_text(encoding="utf-8").replace("|", delimiter), encoding="utf-8")
    named = claimcheck.validate_file(copy, as_of=AS_OF, columns="cms_carrier")
    assert named == claimcheck.validate_file(copy, as_of=AS_OF)
    assert len(named.lines) == _data_rows(sample)
    assert not [f for line in named.lines for f in line.findings if f.rule_id.startswith("input")]


def test_a_columns_map_delimiter_the_header_lacks_is_not_used_to_split_it(tmp_path: Path) -> None:
    map_file = tmp_path / "map.yaml"
    map_file.write_text(WIDE_MAP.read_text(encoding="utf-8"), encoding="utf-8")
    copy = tmp_path / WIDE.name  # the same name, so that the findings' places read alike
    copy.write_text(WIDE.read_text(encoding="utf-8").replace("|", ","), encoding="utf-8")
    assert claimcheck.validate_file(copy, as_of=AS_OF, columns=map_file) == claimcheck.validate_file(
        WIDE, as_of=AS_OF, columns=map_file
    )


@pytest.mark.parametrize(
    ("columns", "named"),
    [
        ("  rendering_npi: NPI\n  rendering_taxonomy: npi\n", "npi for rendering_npi and rendering_taxonomy"),
        ("  modifiers: [M1, M2, M1]\n", "M1 twice for modifiers"),
    ],
)
def test_a_columns_map_naming_one_column_twice_is_refused_when_loaded(tmp_path: Path, columns: str, named: str) -> None:
    # It loaded, and the NPI column read as the taxonomy too failed every line of the file with
    # "1234567893 is not a NUCC taxonomy code", a finding about the claims that was the map's fault.
    path = tmp_path / "map.yaml"
    path.write_text(
        "name: x\ncolumns:\n  claim_id: A\n  line_number: B\n  procedure_code: C\n  date_of_service: D\n" + columns
    )
    with pytest.raises(InputError, match=f"names column {named}: a column holds one field") as raised:
        load_layout(path)
    assert raised.value.field == "columns" and raised.value.line == 2


def test_an_icd9_flag_column_of_ones_own_map_the_header_lacks_is_named(tmp_path: Path) -> None:
    # A typo in the flag column ('DX_VERS' for DX_VER) left every ICD-9 code to be read as an
    # ICD-10-CM one: misread, where the map asked for it to be reported.
    path = tmp_path / "map.yaml"
    path.write_text(
        "name: x\ncolumns: {claim_id: A, line_number: B, procedure_code: C, date_of_service: D, diagnosis_codes: DX}\n"
        "icd9_flags: {values: ['9'], columns: {DX: DX_VERS}}\n"
    )
    data = tmp_path / "claims.csv"
    data.write_text("A,B,C,D,DX,DX_VER\nX1,1,99213,2026-03-10,4019,9\n")
    with pytest.raises(InputError, match=r"names column\(s\) the header does not have: DX_VERS \(icd9_flags\)"):
        list(read_claims(data, columns=load_layout(path)))


def test_an_icd9_flag_for_a_column_that_is_no_diagnosis_column_is_refused_when_loaded(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(
        "name: x\ncolumns: {claim_id: A, line_number: B, procedure_code: C, date_of_service: D,"
        " diagnosis_codes: DX_1}\n"
        "icd9_flags: {values: ['9'], columns: {DX1: DX_VER}}\n"
    )
    with pytest.raises(InputError, match="icd9_flags names DX1, which is not a diagnosis_codes column of the map"):
        load_layout(path)


@pytest.mark.parametrize("text", ["31-FEB-2026", "31-feb-2026", "20260231", "29-FEB-2027"])
def test_a_day_that_does_not_exist_in_an_export_format_is_told_so_on_both_roads(tmp_path: Path, text: str) -> None:
    # The claimcheck layout reads DD-MON-YYYY and YYYYMMDD, yet 31-FEB-2026 was "must be a date
    # written YYYY-MM-DD", which sent the user to rewrite dates written in a form it reads.
    path = tmp_path / "claims.csv"
    path.write_text(f"claim_id,line_number,procedure_code,dx_1,date_of_service\nC1,1,99213,I10,{text}\n")
    for columns in (None, "claimcheck"):
        (line,) = claimcheck.validate_file(path, as_of=AS_OF, columns=columns).lines
        assert [f.message for f in line.findings] == [
            "date_of_service must be a real calendar date written YYYY-MM-DD (claims.csv line 2)"
        ]
