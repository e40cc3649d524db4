"""Characters a billing engineer cannot see, in every input format.

Unicode blanks around a value (a no-break space pasted from a web page) are trimmed as ASCII
blanks are; an invisible character in a value (a zero-width space, a byte-order mark inside the
file, a no-break space inside a code) is reported as such, with its code point and position, and
never echoed: "0711T\u200b is not a procedure code" showed nothing wrong.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from claimcheck import load_rules, validate
from claimcheck.engine.run import check_claims
from claimcheck.io.readers import read_claims
from tests.conftest import AS_OF, ROOT
from tests.two_roads import batch_rows, csv_reports_of_both_roads, per_line_rows

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
]
CLEAN = ["C1", "1", "0711T", "26", "I70.213", "2085R0202X", "1234567893", "1", "2026-03-10", "22", "M", "1958-01-01"]
SECOND = ["C1", "2", "0711T", "TC", "I70.213", "2085R0202X", "1234567893", "1", "2026-03-10", "22", "M", "1958-01-01"]
RULES = load_rules()
ZWSP, NBSP, BOM, WORD_JOINER, IDEOGRAPHIC_SPACE = "\u200b", "\u00a0", "\ufeff", "\u2060", "\u3000"


def _write(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([HEADER, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _findings(path: Path) -> list[tuple[str, str, str, str]]:
    """(claim id, rule id, subject, message) of each warn or fail finding of ``path``."""
    return [
        (str(line.claim_id), finding.rule_id, str(finding.subject), finding.message)
        for line in check_claims(read_claims(path), RULES, AS_OF)
        for finding in line.findings
        if finding.status.value != "pass"
    ]


def _with(field: str, value: str) -> list[str]:
    row = list(CLEAN)
    row[HEADER.index(field)] = value
    return row


_SINGLE = {
    "procedure_code": "0711T",
    "rendering_taxonomy": "2085R0202X",
    "rendering_npi": "1234567893",
    "place_of_service": "22",
    "units": "1",
    "date_of_service": "2026-03-10",
    "line_number": "1",
    "patient_sex": "M",
    "patient_birth_date": "1958-01-01",
}


@pytest.mark.parametrize("field", sorted(_SINGLE))
@pytest.mark.parametrize("character", [ZWSP, BOM, WORD_JOINER], ids=["zwsp", "bom", "word_joiner"])
def test_an_invisible_character_after_a_value_is_named_with_its_position(
    field: str, character: str, tmp_path: Path
) -> None:
    value = _SINGLE[field]
    found = _findings(_write(tmp_path / "claims.csv", [_with(field, value + character), SECOND]))
    code_point = f"U+{ord(character):04X}"
    about = [f for f in found if f[1].startswith("input") and code_point in f[3]]
    # A claim's own field (patient_sex) is read from its first row and named on each of its lines.
    assert len(about) == (2 if field.startswith("patient") else 1), found
    (_, rule, subject, message) = about[0]
    assert (rule, subject) == ("input.field", field)
    assert f"at position {len(value) + 1}" in message and "claims.csv line 2" in message
    assert value not in message.replace(field, "")  # the value itself is not echoed
    about = about[:1]
    # Nothing else fails for it: no "0711T\u200b is not a procedure code". (The claim's next row,
    # which gives its patient without the character, differs from the first: true, and said.)
    others = [f for f in found if f not in about and f[0] == "C1" and "line 2" in f[3]]
    assert [f for f in others if "differs from the claim's first row" not in f[3]] == []
    assert not any(character in f[2] + f[3] for f in found)


@pytest.mark.parametrize("field", ["procedure_code", "rendering_taxonomy", "rendering_npi", "date_of_service"])
@pytest.mark.parametrize("character", [ZWSP, NBSP, IDEOGRAPHIC_SPACE], ids=["zwsp", "nbsp", "ideographic_space"])
def test_an_invisible_character_inside_a_code_is_named_with_its_position(
    field: str, character: str, tmp_path: Path
) -> None:
    value = _SINGLE[field]
    found = _findings(_write(tmp_path / "claims.csv", [_with(field, value[:2] + character + value[2:])]))
    assert [(f[1], f[2]) for f in found] == [("input.field", field)]
    assert f"U+{ord(character):04X}" in found[0][3] and "at position 3" in found[0][3]


@pytest.mark.parametrize("character", [NBSP, IDEOGRAPHIC_SPACE, "\u2007", "\u202f"])
def test_unicode_blanks_around_values_are_trimmed_as_ascii_blanks_are(character: str, tmp_path: Path) -> None:
    clean = _findings(_write(tmp_path / "clean.csv", [CLEAN, SECOND]))
    padded = [[f"{character}{cell}{character}" for cell in row] for row in (CLEAN, SECOND)]
    assert _findings(_write(tmp_path / "padded.csv", padded)) == clean


def test_unicode_blanks_between_codes_separate_them_as_spaces_do(tmp_path: Path) -> None:
    spaced = _findings(_write(tmp_path / "spaced.csv", [_with("modifiers", "26 59")]))
    nbsp = _findings(_write(tmp_path / "nbsp.csv", [_with("modifiers", f"26{NBSP}59")]))
    assert [f[1:] for f in nbsp] == [f[1:] for f in spaced]


@pytest.mark.parametrize(
    ("field", "cell", "code", "position"),
    [
        ("modifiers", f"26 T{ZWSP}C", 2, 2),
        ("modifiers", f"{ZWSP}26", 1, 1),
        ("diagnosis_codes", f"I10;I70.213{BOM}", 2, 8),
        ("diagnosis_codes", f"I70{WORD_JOINER}.213", 1, 4),
    ],
)
def test_an_invisible_character_in_a_list_names_the_code_and_position(
    field: str, cell: str, code: int, position: int, tmp_path: Path
) -> None:
    found = _findings(_write(tmp_path / "claims.csv", [_with(field, cell)]))
    about = [f for f in found if f[1] == "input.field"]
    assert [f[2] for f in about] == [field]
    assert f"code {code}" in about[0][3] and f"at position {position}" in about[0][3]
    assert not any(ch in f[2] + f[3] for f in found for ch in (ZWSP, BOM, WORD_JOINER))


def test_an_invisible_character_in_a_claim_id_is_named_on_its_lines(tmp_path: Path) -> None:
    found = _findings(_write(tmp_path / "claims.csv", [CLEAN, _with("claim_id", f"C1{ZWSP}")]))
    about = [f for f in found if f[1] == "input.field"]
    assert [(f[2], "U+200B" in f[3], "at position 3" in f[3]) for f in about] == [("claim_id", True, True)]


def test_several_invisible_characters_are_all_named(tmp_path: Path) -> None:
    found = _findings(_write(tmp_path / "claims.csv", [_with("procedure_code", f"{ZWSP}07{NBSP}11T{BOM}")]))
    (message,) = [f[3] for f in found]
    assert "U+200B" in message and "at position 1" in message
    assert "U+00A0" in message and "at position 4" in message
    assert "U+FEFF" in message and "at position 8" in message


def test_the_library_reads_invisible_characters_as_files_do() -> None:
    claim = {
        "claim_id": "C1",
        "lines": [
            {
                "line_number": 1,
                "procedure_code": f"0711T{ZWSP}",
                "modifiers": ["26", f"5{ZWSP}9"],
                "diagnosis_codes": [f"{NBSP}I70.213{NBSP}"],
                "date_of_service": "2026-03-10",
            }
        ],
    }
    (line,) = validate(claim, as_of=AS_OF).lines
    fields = sorted(f.subject or "" for f in line.findings if f.rule_id == "input.field")
    assert fields == ["modifiers", "procedure_code"]
    (modifiers,) = [f.message for f in line.findings if f.subject == "modifiers"]
    assert "code 2" in modifiers and "at position 2" in modifiers


def test_json_and_jsonl_claims_name_the_character(tmp_path: Path) -> None:
    claim = {
        "claim_id": "C1",
        "lines": [
            {"line_number": 1, "procedure_code": "0711T", "rendering_npi": f"1234567893{ZWSP}"},
        ],
    }
    claim["lines"][0]["date_of_service"] = "2026-03-10"
    for path in (tmp_path / "claims.json", tmp_path / "claims.jsonl"):
        path.write_text(json.dumps(claim, ensure_ascii=path.suffix == ".json") + "\n", encoding="utf-8")
        found = _findings(path)
        assert [(f[1], f[2]) for f in found if f[1] == "input.field"] == [("input.field", "rendering_npi")]
        assert not any(f[1] == "provider.npi" for f in found)


_X12 = ROOT / "fixtures" / "x12" / "professional.837"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("HC:0711T:26", f"HC:0711T{ZWSP}:26", "procedure_code"),
        ("HC:0711T:26", f"HC:0711T:2{ZWSP}6", "modifiers"),
        ("HC:0711T:26", f"HC:0711T{NBSP}:26", None),  # trimmed, as a space would be
        ("ABK:I70213", f"ABK:I70{NBSP}213", "diagnosis_codes"),
        ("SMITH*ANNA****XX*1234567893~", f"SMITH*ANNA****XX*1234567893{BOM}~", "rendering_npi"),
        ("D8*20260310", f"D8*20260310{ZWSP}", "date_of_service"),
        ("CLM*P001", f"CLM*P001{ZWSP}", "claim_id"),
    ],
)
def test_x12_names_the_character(old: str, new: str, field: str | None, tmp_path: Path) -> None:
    text = _X12.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "claims.837"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    found = _findings(path)
    if field is None:
        assert found == _findings(_X12)
        return
    about = [f for f in found if f[0].startswith("P001") and f[1] == "input.field" and f[2] == field]
    # A claim's field is named on each of its lines (P001 has two), a line's on that line.
    assert len(about) == (2 if field == "claim_id" else 1) and "U+" in about[0][3], found
    assert "at position" in about[0][3]
    # The claim id names the claim in the finding's place ("claim P001"), as written.
    assert field == "claim_id" or not any(ch in f[2] + f[3] for f in found for ch in (ZWSP, NBSP, BOM))


_FHIR = ROOT / "fixtures" / "fhir" / "claim-professional.json"


def test_fhir_names_the_character(tmp_path: Path) -> None:
    pytest.importorskip("fhir.resources")
    claim = json.loads(_FHIR.read_text(encoding="utf-8"))
    coding = claim["item"][0]["productOrService"]["coding"][0]
    coding["code"] = coding["code"] + ZWSP
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim), encoding="utf-8")
    found = _findings(path)
    about = [f for f in found if f[2] == "procedure_code"]
    assert [f[1] for f in about] == ["input.field"] and "U+200B" in about[0][3]
    assert not any(f[1] == "procedure.format" for f in found)


_CELLS = [
    ("claim_id", f"C1{ZWSP}"),
    ("claim_id", f"{NBSP}C1"),
    ("procedure_code", f"0711T{ZWSP}"),
    ("procedure_code", f"07{NBSP}11T"),
    ("modifiers", f"26{NBSP}T{BOM}C"),
    ("diagnosis_codes", f"I70.213{WORD_JOINER}"),
    ("rendering_taxonomy", f"{ZWSP}2085R0202X"),
    ("rendering_npi", f"{IDEOGRAPHIC_SPACE}1234567893{IDEOGRAPHIC_SPACE}"),
    ("units", f"1{ZWSP}"),
    ("date_of_service", f"2026-03-10{BOM}"),
    ("place_of_service", f"2{ZWSP}2"),
    ("line_number", f"1{ZWSP}"),
    ("patient_sex", f"M{ZWSP}"),
    ("patient_birth_date", f"1958{NBSP}-01-01"),
]


def test_the_batch_road_finds_what_the_per_line_road_finds(tmp_path: Path) -> None:
    rows = []
    for number, (field, cell) in enumerate(_CELLS, 1):
        row = _with(field, cell) if field != "claim_id" else [cell, *CLEAN[1:]]
        if field != "claim_id":
            row[0] = f"C{number}"
        rows += [row, [row[0], "2", *SECOND[2:]]]
    path = _write(tmp_path / "claims.csv", rows)
    per_line = per_line_rows(path, RULES)
    assert batch_rows(path, HEADER, RULES) == per_line
    assert sum("U+" in row[-6] or any("U+" in cell for cell in row) for row in per_line) >= len(_CELLS) - 2


def test_check_writes_the_same_report_on_both_roads(tmp_path: Path) -> None:
    rows = [_with(field, cell) if field != "claim_id" else [cell, *CLEAN[1:]] for field, cell in _CELLS]
    path = _write(tmp_path / "claims.csv", rows)
    reports = csv_reports_of_both_roads(path, tmp_path)
    assert reports[0] == reports[1]
    assert b"U+200B" in reports[0]


def test_numbered_list_columns_read_alike_on_both_roads(tmp_path: Path) -> None:
    # modifier_N and dx_N cells are joined by a space on the batch road and handed on one by one
    # on the per-line road: a code's place in its list is the same on both.
    header = "claim_id,line_number,procedure_code,modifier_1,modifier_2,dx_1,dx_2,dx_3,date_of_service,payer"
    rows = [
        f"C1,1,0711T,26,T{ZWSP}C,I70.213,I10{WORD_JOINER},I70.213,2026-03-10,Ac{ZWSP}me",
        f"C1,2,0711T,{NBSP}TC{NBSP},,I70.213,,,2026-03-10,Acme",
        f"C2,1,0711T,26,,{ZWSP}I70.213,,,2026-03-10,Acme",
    ]
    path = tmp_path / "claims.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    reports = [report.decode("utf-8") for report in csv_reports_of_both_roads(path, tmp_path)]
    assert reports[0] == reports[1]
    assert "modifiers holds, in its code 2, an invisible character: U+200B" in reports[0]
    assert "diagnosis_codes holds, in its code 2, an invisible character: U+2060" in reports[0]
    assert "diagnosis_codes holds, in its code 1, an invisible character: U+200B" in reports[0]
    assert "payer" not in reports[0]  # the payer, which no rule reads, is taken as written
