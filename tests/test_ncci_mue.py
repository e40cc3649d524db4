"""CMS NCCI practitioner MUE values: the sample, indicators and per-day limits, look-ups, header
matching as CMS publishes it, and the optional rationale column."""

from __future__ import annotations

from pathlib import Path

from claimcheck.refdata.ncci import MueLimit, MueTable, load_mue
from tests.ncci_tables import (
    MUE_SAMPLE,
    found,
    mue_fixture,  # noqa: F401 (the mue fixture)
    write_mue,
)

# --- MUE -----------------------------------------------------------------------------------------


def test_mue_sample(mue: MueTable) -> None:
    assert len(mue) == 6
    assert found(mue.get("36415")) == MueLimit(
        code="36415",
        limit=2,
        indicator=3,
        indicator_text="3 Date of Service Edit: Clinical",
        rationale="Clinical: Data",
        table="mue_sample.csv",
        line=7,
    )
    assert MUE_SAMPLE.read_text().splitlines()[6].startswith("36415,")


def test_mue_indicators_and_per_day(mue: MueTable) -> None:
    expected = {"0711T": (2, True), "0721T": (3, True), "75571": (2, True), "77011": (1, False), "99213": (2, True)}
    for code, (indicator, per_day) in expected.items():
        limit = found(mue.get(code))
        assert (limit.indicator, limit.per_day, limit.limit) == (indicator, per_day, 1), code
    assert found(mue.get("77011")).indicator_text == "1 Line Edit"


def test_mue_lookups(mue: MueTable) -> None:
    assert " 0711t " in mue
    assert "0710T" not in mue
    assert 711 not in mue
    assert mue.get("0710T") is None


def test_mue_info(mue: MueTable, tmp_path: Path) -> None:
    assert (mue.info.name, mue.info.version) == ("mue", "mue_sample")
    named = write_mue(
        tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv",
        "99213,1,2 Date of Service Edit: Policy,CMS Policy\n",
    )
    info = load_mue(named).info
    assert info.version == "2026-10-01"
    assert "2026-10-01" in info.label
    assert info.path == str(named)


def test_mue_header_matching_and_preamble(tmp_path: Path) -> None:
    path = tmp_path / "mue.csv"
    path.write_bytes(
        b'"CPT codes, descriptions and other data only are copyright 2025 AMA, All Rights Reserved.",,,\r\n'
        b'"A note that runs\r\nover two lines, with commas"\r\n'
        b"\r\n"
        b" hcpcs/cpt code ,MUE Rationale, PRACTITIONER  SERVICES MUE VALUES,Mue Adjudication Indicator \r\n"
        b"99213,CMS Policy \x96 visits,1,2 Date of Service Edit: Policy\r\n"
        b",,,\r\n"
        b" j1100 ,Clinical: Data,100,3\r\n"
    )
    table = load_mue(path)
    assert len(table) == 2
    visit = found(table.get("99213"))
    assert (visit.limit, visit.indicator, visit.rationale, visit.line) == (1, 2, "CMS Policy – visits", 6)
    drug = found(table.get("J1100"))
    assert (drug.limit, drug.indicator, drug.indicator_text, drug.line) == (100, 3, "3", 8)


def test_mue_header_cell_broken_over_two_lines_as_cms_publishes_it(tmp_path: Path) -> None:
    # The published file quotes its header's first cell with a line break after the slash
    # ("HCPCS/<CR><LF>CPT Code"), after a quoted AMA notice of several lines.
    path = tmp_path / "MCR_MUE_PractitionerServices_Eff_10-01-2026.csv"
    path.write_bytes(
        b'"CPT codes, descriptions and other data only are copyright 2025 American Medical Association.\r\n'
        b'All Rights Reserved. Applicable FARS/HHSARS apply.",,,\r\n'
        b'"HCPCS/\r\nCPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"\r\n'
        b'0001U,1,"2 Date of Service Edit: Policy","Code Descriptor / CPT Instruction"\r\n'
        b'36415,2,"3 Date of Service Edit: Clinical","Clinical: Data"\r\n'
    )
    table = load_mue(path)
    assert len(table) == 2
    venipuncture = found(table.get("36415"))
    assert (venipuncture.limit, venipuncture.indicator, venipuncture.line) == (2, 3, 6)


def test_mue_rationale_column_is_optional(tmp_path: Path) -> None:
    path = tmp_path / "mue.csv"
    path.write_text("HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator\n99213,0,1 Line Edit\n")
    limit = found(load_mue(path).get("99213"))
    assert isinstance(limit, MueLimit)
    assert (limit.limit, limit.rationale) == (0, "")
