"""CMS files given to the wrong option, or CMS files claimcheck does not take (the hospital PTP and
MUE tables, the DME MUE table, CMS's ZIP downloads, Excel workbooks): the error says what the file
looks like and which option, if any, takes it, where it was 'no PTP data rows' or 'no header row'."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from claimcheck.errors import CodeSetError
from claimcheck.refdata.ncci import load_mue, load_ptp
from tests.cli_runs import claims_csv, invoke
from tests.ncci_tables import MUE_SAMPLE, PTP_PREAMBLE, PTP_SAMPLE, ptp_row

MUE_NAME = "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"
# CMS's own preamble: a quoted copyright paragraph, then the first header cell broken after the slash.
MUE_TEXT = (
    '"CPT codes, descriptions and other data only are copyright 2025 American Medical Association.\r\n'
    '\r\nApplicable FARS/DFARS Restrictions Apply.",,,\r\n'
    '"HCPCS/\r\nCPT Code",{column},MUE Adjudication Indicator,MUE Rationale\r\n'
    "0001U,1,2 Date of Service Edit: Policy,Code Descriptor / CPT Instruction\r\n"
    "A4216,10,3 Date of Service Edit: Clinical,Nature of Equipment\r\n"
)
PRACTITIONER = "Practitioner Services MUE Values"
HOSPITAL = "Outpatient Hospital Services MUE Values"
DME = "DME Supplier Services MUE Values"


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode())
    return path


def refused(load: object, path: Path) -> str:
    with pytest.raises(CodeSetError) as caught:
        load(path)  # type: ignore[operator]
    assert caught.value.file == str(path)
    return caught.value.problem


def test_the_mue_table_given_as_ptp_is_named_with_the_option_that_takes_it(tmp_path: Path) -> None:
    problem = refused(load_ptp, write(tmp_path / MUE_NAME, MUE_TEXT.format(column=PRACTITIONER)))
    assert "practitioner MUE table" in problem
    assert "--mue" in problem


def test_the_ptp_file_given_as_mue_is_named_with_the_option_that_takes_it(tmp_path: Path) -> None:
    problem = refused(load_mue, PTP_SAMPLE)
    assert "PTP edits" in problem
    assert "--ptp" in problem
    # Also with no preamble and no header: the rows alone are tab-separated code pairs and dates.
    bare = write(tmp_path / "ptp_rows.txt", ptp_row("0710T", "0711T", "20220101"))
    assert "--ptp" in refused(load_mue, bare)


@pytest.mark.parametrize(("column", "what"), [(HOSPITAL, "outpatient hospital"), (DME, "DME supplier")])
def test_the_hospital_and_dme_mue_tables_are_named_as_such(tmp_path: Path, column: str, what: str) -> None:
    path = write(tmp_path / "mue.csv", MUE_TEXT.format(column=column))
    for load in (load_mue, load_ptp):
        problem = refused(load, path)
        assert f"{what} MUE table" in problem
        assert "MCR_MUE_PractitionerServices_Eff_" in problem  # the file --mue takes


def test_the_hospital_ptp_file_is_refused_by_its_cms_name(tmp_path: Path) -> None:
    # Its layout is the practitioner file's; only CMS's name (ccioph, not ccipra) tells them apart,
    # and its edits, loaded for professional claims, gave findings from the facility table.
    hospital = write(tmp_path / "ccioph-v323r0-f2.txt", PTP_PREAMBLE + ptp_row("0710T", "0711T", "20220101"))
    problem = refused(load_ptp, hospital)
    assert "hospital" in problem
    assert "ccipra-v323r0-f1 to -f4" in problem
    practitioner = write(tmp_path / "ccipra-v323r0-f2.txt", PTP_PREAMBLE + ptp_row("0710T", "0711T", "20220101"))
    assert len(load_ptp(practitioner)) == 1


def test_a_zip_download_says_which_cms_files_it_holds_and_which_option_takes_them(tmp_path: Path) -> None:
    ptp_zip = tmp_path / "medicare-ncci-2026q4-practitioner-ptp-edits-ccipra-v323r0-f1.zip"
    with zipfile.ZipFile(ptp_zip, "w") as zipped:
        zipped.writestr("ccipra-v323r0-f1.TXT", PTP_SAMPLE.read_text())
        zipped.writestr("NCCI PTP Edits README.pdf", "%PDF")
    mue_zip = tmp_path / "mue-practitioner.zip"
    with zipfile.ZipFile(mue_zip, "w") as zipped:
        zipped.writestr(MUE_NAME, MUE_SAMPLE.read_text())
    problem = refused(load_ptp, ptp_zip)
    assert "ZIP archive" in problem and "ccipra-v323r0-f1.TXT" in problem and "extract" in problem
    problem = refused(load_mue, ptp_zip)
    assert "ccipra-v323r0-f1.TXT" in problem and "--ptp" in problem
    problem = refused(load_ptp, mue_zip)
    assert MUE_NAME in problem and "--mue" in problem
    problem = refused(load_mue, mue_zip)
    assert MUE_NAME in problem and "extract" in problem


def test_excel_workbooks_are_named_as_workbooks_with_how_to_save_them(tmp_path: Path) -> None:
    ptp_book = tmp_path / "ccipra-v323r0-f1.xlsx"
    mue_book = tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.xlsx"
    for book in (ptp_book, mue_book):
        with zipfile.ZipFile(book, "w") as zipped:
            zipped.writestr("[Content_Types].xml", "<Types/>")
            zipped.writestr("xl/workbook.xml", "<workbook/>")
    problem = refused(load_ptp, ptp_book)
    assert "Excel workbook" in problem and "Tab delimited" in problem
    problem = refused(load_mue, mue_book)
    assert "Excel workbook" in problem and "CSV" in problem
    assert "--mue" in refused(load_ptp, mue_book)
    old = tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.xls"
    old.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))
    for load in (load_mue, load_ptp):
        assert "Excel 97-2003 workbook" in refused(load, old)


def test_cli_check_with_the_two_files_swapped_says_so(tmp_path: Path) -> None:
    claims = claims_csv(tmp_path, "C1,1,99213,,I10,,,1,2026-10-05,11")
    result = invoke("check", claims, "--ptp", MUE_SAMPLE, "--mue", PTP_SAMPLE)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "the two files are swapped" in result.output
    assert f"give --ptp {PTP_SAMPLE} and --mue {MUE_SAMPLE}" in result.output


def test_load_rules_with_the_two_files_swapped_says_so(tmp_path: Path) -> None:
    import claimcheck

    with pytest.raises(CodeSetError, match="the two files are swapped") as caught:
        claimcheck.load_rules(ptp=[MUE_SAMPLE], mue=PTP_SAMPLE)
    assert caught.value.file == str(MUE_SAMPLE)
    # One of them wrong alone is named as before, without a word of swapping.
    with pytest.raises(CodeSetError) as caught:
        claimcheck.load_rules(ptp=MUE_SAMPLE, mue=MUE_SAMPLE)
    assert "swapped" not in caught.value.problem and "which --mue takes" in caught.value.problem


def test_the_hospital_download_given_as_ptp_names_the_practitioner_files(tmp_path: Path) -> None:
    download = tmp_path / "medicare-ncci-2026q4-hospital-ptp-edits-ccioph-v323r0-f1.zip"
    with zipfile.ZipFile(download, "w") as zipped:
        zipped.writestr("ccioph-v323r0-f1.TXT", PTP_SAMPLE.read_text())
    problem = refused(load_ptp, download)
    assert "ZIP archive" in problem and "hospital outpatient PTP edits" in problem and "ccipra-v323r0-f1" in problem


def test_a_tab_separated_claims_file_given_as_mue_is_not_called_a_ptp_file(tmp_path: Path) -> None:
    claims = write(tmp_path / "claims.tsv", "CLM01\tLN001\t\t20261005\t1\n")
    assert refused(load_mue, claims).startswith("no header row")


def test_a_file_of_pairs_and_indicators_without_dates_is_named_as_no_edit_table(tmp_path: Path) -> None:
    # CMS's quarterly additions/deletions reports list column 1, column 2 and the modifier
    # indicator: each row was 'expected at least 6 tab-separated fields, found 3'.
    report = write(
        tmp_path / "additions.txt",
        '"CPT only copyright 2025 American Medical Association."\t\t\r\n'
        'Column 1\tColumn 2\t"Modifier\r\nIndicator"\r\n'
        "0002M\t0468U\t1\r\n"
        "99213\t99214\t0\r\n",
    )
    problem = refused(load_ptp, report)
    assert "3 fields" in problem and "without the effective and deletion dates" in problem
    assert "ccipra-v<release>-f1 to -f4" in problem


def test_an_opendocument_spreadsheet_is_named_as_one(tmp_path: Path) -> None:
    # LibreOffice's own format, as a sheet opened there and saved is by default: it was 'a ZIP archive'.
    sheet = tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.ods"
    with zipfile.ZipFile(sheet, "w") as zipped:
        zipped.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zipped.writestr("content.xml", "<office:document-content/>")
    problem = refused(load_mue, sheet)
    assert "OpenDocument spreadsheet (.ods)" in problem and "CSV (Comma delimited)" in problem


def test_the_ptp_sheet_saved_as_csv_says_how_to_save_it_as_tab_delimited_text(tmp_path: Path) -> None:
    # The workbook saved as 'CSV (Comma delimited)' was 'no PTP data rows'.
    sheet = write(
        tmp_path / "ccipra-v323r0-f1.csv",
        "CPT only copyright 2025 American Medical Association.,,,,,,\r\n"
        "Column 1,Column 2,*=in existence,Effective,Deletion,Modifier,PTP Edit Rationale\r\n"
        "0001A,0591T,,20220101,20231231,1,CPT Manual or CMS manual coding instruction\r\n",
    )
    problem = refused(load_ptp, sheet)
    assert "comma-separated" in problem and "Text (Tab delimited)" in problem


def test_the_hospital_ptp_file_given_as_mue_is_named_as_the_hospital_edits(tmp_path: Path) -> None:
    hospital = write(tmp_path / "ccioph-v323r0-f1.txt", PTP_PREAMBLE + ptp_row("0710T", "0711T", "20220101"))
    problem = refused(load_mue, hospital)
    assert problem.startswith("holds the CMS hospital outpatient PTP edits")
    assert "ccipra-v323r0-f1 to -f4" in problem


def test_a_zip_of_other_files_counts_them_without_naming_them(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("claims_smith_john.csv", "claim_id\n")
        zipped.writestr("notes.txt", "x")
    problem = refused(load_ptp, archive)
    assert problem.startswith("is a ZIP archive of 2 files, none named as a CMS NCCI table;")
    assert "smith" not in problem


def test_the_folder_of_an_extracted_download_names_the_files_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "ccipra-v323r0-f1"
    folder.mkdir()
    (folder / "ccipra-v323r0-f1.TXT").write_text(PTP_SAMPLE.read_text())
    (folder / "ccipra-v323r0-f1.xlsx").write_bytes(b"PK\x03\x04")
    problem = refused(load_ptp, folder)
    assert problem == "cannot read file: is a folder holding ccipra-v323r0-f1.TXT: give --ptp that file"
    assert refused(load_mue, folder) == "cannot read file: is a folder"
