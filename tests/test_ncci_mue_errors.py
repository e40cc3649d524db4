"""CMS NCCI MUE tables that cannot be read (zip, xlsx, UTF-16, corrupt gzip, missing, no header or rows,
bad rows, huge values, Windows-1252), and a CMS table with no rule in the pack to apply it."""

from __future__ import annotations

import gzip
import os
import shutil
import zipfile
from pathlib import Path

import pytest

import claimcheck
from claimcheck.errors import ClaimCheckError, CodeSetError
from claimcheck.refdata.ncci import MueLimit, load_mue
from tests.ncci_tables import (
    MUE_HEADER,
    MUE_SAMPLE,
    PTP_SAMPLE,
    found,
    mue_fixture,  # noqa: F401 (the mue fixture)
    ptp_fixture,  # noqa: F401 (the ptp fixture)
    write_mue,
)

SHIPPED_PACK = Path(claimcheck.__file__).parent / "rulepack"


def test_mue_zip_xlsx_and_utf16_files_get_a_clear_error(tmp_path: Path) -> None:
    # CMS publishes the MUE table as a ZIP holding a CSV and an Excel workbook; either the ZIP or
    # the .xlsx passed as --mue was 'no header row' or 'not UTF-8 or Windows-1252 text'.
    archive = tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("MCR_MUE_PractitionerServices_Eff_10-01-2026.csv", MUE_SAMPLE.read_text())
    workbook = tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.xlsx"
    with zipfile.ZipFile(workbook, "w") as zipped:
        zipped.writestr("xl/workbook.xml", "<workbook/>")
    for path, what in ((archive, "ZIP archive"), (workbook, "Excel workbook")):
        with pytest.raises(CodeSetError, match=what) as caught:
            load_mue(path)
        assert "CSV" in caught.value.problem
    utf16 = tmp_path / "mue.csv"
    utf16.write_text(MUE_SAMPLE.read_text(), encoding="utf-16")
    with pytest.raises(CodeSetError, match="UTF-16"):
        load_mue(utf16)


def test_mue_gzip_file_read_from_a_pipe_and_corrupt_gzip() -> None:
    import subprocess
    import sys

    script = (
        "import gzip, os, sys\n"
        "from claimcheck.refdata.ncci import load_mue\n"
        "read, write = os.pipe()\n"
        "data = gzip.compress(open(sys.argv[1], 'rb').read())\n"
        "if os.fork() == 0:\n"
        "    os.close(read); os.write(write, data); os._exit(0)\n"
        "os.close(write)\n"
        "print(len(load_mue(f'/dev/fd/{read}')))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(claimcheck.__file__).parent.parent)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(MUE_SAMPLE)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.stdout.strip() == str(len(load_mue(MUE_SAMPLE))), done.stderr


def test_mue_corrupt_gzip_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mue.csv.gz"
    path.write_bytes(gzip.compress(MUE_SAMPLE.read_bytes())[:-12])
    with pytest.raises(CodeSetError, match="gzip"):
        load_mue(path)


def test_mue_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CodeSetError, match="file not found") as caught:
        load_mue(tmp_path / "MCR_MUE.csv")
    assert caught.value.file == str(tmp_path / "MCR_MUE.csv")


def test_mue_no_header_or_no_rows(tmp_path: Path) -> None:
    no_header = tmp_path / "a.csv"
    no_header.write_text("Code,Value\n99213,1\n")
    with pytest.raises(CodeSetError, match="no header row"):
        load_mue(no_header)
    with pytest.raises(CodeSetError, match="no MUE rows after the header") as caught:
        load_mue(write_mue(tmp_path / "b.csv"))
    assert caught.value.line == 2
    short = tmp_path / "c.csv"
    short.write_text("HCPCS/CPT Code,MUE Rationale\n99213,x\n")
    with pytest.raises(CodeSetError, match="header lacks column") as caught:
        load_mue(short)
    assert caught.value.line == 1


def test_mue_bad_rows_are_all_reported_with_line_numbers(tmp_path: Path) -> None:
    path = write_mue(
        tmp_path / "mue.csv",
        "99213,1,2 Date of Service Edit: Policy,CMS Policy\n",  # line 3: fine
        "9921,1,2 Date of Service Edit: Policy,CMS Policy\n",  # 4
        "99214,-1,2 Date of Service Edit: Policy,CMS Policy\n",  # 5
        "99215,1.5,2 Date of Service Edit: Policy,CMS Policy\n",  # 6
        "36415,2,4 Date of Service Edit: Other,Clinical: Data\n",  # 7
        "77011,1,Line Edit,Anatomic Consideration\n",  # 8
        "77012,1\n",  # 9
        "99213,2,1 Line Edit,CMS Policy\n",  # 10
        "77013,,1 Line Edit,CMS Policy\n",  # 11
    )
    with pytest.raises(CodeSetError) as caught:
        load_mue(path)
    error = caught.value
    assert (error.file, error.line) == (str(path), 4)
    message = str(error)
    assert message.startswith(f"{path}:4: 8 bad rows: ")
    for expected in (
        "line 4: HCPCS/CPT code '9921' is not a CPT/HCPCS code",
        "line 5: MUE value '-1' is not a whole number",
        "line 6: MUE value '1.5' is not a whole number",
        "line 7: MUE adjudication indicator '4 Date of Service Edit: Other' does not start with 1, 2 or 3",
        "line 8: MUE adjudication indicator 'Line Edit' does not start with 1, 2 or 3",
        "line 9: expected at least 3 fields, found 2",
        "line 10: code 99213 listed twice (first on line 3)",
        "line 11: MUE value '' is not a whole number",
    ):
        assert expected in message


def test_mue_values_of_thousands_of_digits_are_bad_rows_not_a_crash(tmp_path: Path) -> None:
    path = write_mue(
        tmp_path / "mue.csv",
        "99213," + "9" * 5000 + ",2 Date of Service Edit: Policy,CMS Policy\n",  # line 3
        "99214,1," + "2" * 5000 + ",CMS Policy\n",  # line 4
    )
    with pytest.raises(CodeSetError) as caught:
        load_mue(path)
    message = str(caught.value)
    assert "line 3: MUE value '9999" in message and "line 4: MUE adjudication indicator '2222" in message
    assert len(message) < 500


def test_mue_windows_1252_file(tmp_path: Path) -> None:
    path = tmp_path / "mue.csv"
    path.write_bytes(MUE_HEADER.encode() + b"99213,1,1 Line Edit,Policy \x93quoted\x94\n")
    limit = found(load_mue(path).get("99213"))
    assert isinstance(limit, MueLimit)
    assert limit.rationale == "Policy “quoted”"


@pytest.mark.parametrize(
    ("general", "option", "kind"),
    [("pair", "ptp", "ptp_pairs"), ("units", "mue", "mue_units")],
)
def test_a_cms_table_with_no_rule_to_apply_it_is_refused(tmp_path: Path, general: str, option: str, kind: str) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(SHIPPED_PACK, pack)
    (pack / "general" / f"{general}.yaml").unlink()
    manifest = pack / "pack.yaml"
    manifest.write_text(manifest.read_text().replace(f"  - {general}\n", ""))
    tables = {"ptp": PTP_SAMPLE, "mue": MUE_SAMPLE}
    with pytest.raises(
        ClaimCheckError,
        match=f"no {kind} rule, so the CMS {option.upper()} table \\(--{option}\\) would not be applied",
    ):
        claimcheck.load_rules(pack, **{option: tables[option]})
