"""JSON claims files as other tools and people write them: their mistakes said plainly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import claimcheck
from claimcheck.cli import main
from tests.conftest import ROOT

AS_OF = ["--as-of", "2026-11-22", "--fail-on", "never", "--quiet"]
AS_OF_DAY = "2026-11-22"


def _report(path: Path) -> str:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "csv", *AS_OF])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", ["claims.json", "claims.jsonl"])
def test_a_dos_end_of_file_mark_ends_a_json_claims_file(name: str, tmp_path: Path) -> None:
    # A .json file failed as a whole ("Extra data"), a .jsonl one had a line that was no JSON.
    path = tmp_path / name
    path.write_bytes((ROOT / "fixtures" / "json" / name).read_bytes() + b"\x1a")
    result = CliRunner().invoke(main, ["check", str(path), "--format", "csv", *AS_OF])
    assert result.exit_code == 0, result.stderr
    assert ",input.field," not in result.stdout


def test_a_json_record_of_a_whole_line_is_told_how_a_claim_holds_its_lines(tmp_path: Path) -> None:
    # A table's rows written as JSON records (pandas' to_json(orient="records", lines=True)) put
    # a line's fields beside the claim id; "lines must be a non-empty list" did not say why.
    path = tmp_path / "claims.jsonl"
    path.write_text(
        '{"claim_id": "C1", "line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10"}\n'
        '{"claim_id": "C2"}\n'
    )
    rows = list(csv.DictReader(io.StringIO(_report(path))))
    assert [r["message"] for r in rows] == [
        "lines must be a non-empty list of lines; this object gives line_number, procedure_code, date_of_service "
        "at the claim's level, where a claim lists each line under lines (claims.jsonl line 1)",
        "lines must be a non-empty list of lines (claims.jsonl line 2)",
    ]


def test_claims_wrapped_in_an_object_are_told_how_a_claim_looks(tmp_path: Path) -> None:
    # {"claims": [...]}, as APIs send lists, was read as one claim that "is required" a claim_id
    # and lines, without a word of the list of claims under its key.
    path = tmp_path / "claims.json"
    line = {"line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10"}
    path.write_text(json.dumps({"claims": [{"claim_id": "C1", "lines": [line]}]}))
    rows = list(csv.DictReader(io.StringIO(_report(path))))
    assert [(r["subject"], r["message"]) for r in rows] == [
        ("claim_id", "claim_id is required (claims.json [0])"),
        (
            "lines",
            "lines must be a non-empty list of lines; this object holds a list of objects under claims: a claim "
            "gives its claim_id and lines itself (claims.json [0])",
        ),
    ]


def test_an_empty_json_claims_file_is_said_to_be_empty(tmp_path: Path) -> None:
    # It was "claims.json:4: is not valid JSON (Expecting value, column 1)", past its end.
    path = tmp_path / "claims.json"
    path.write_bytes(b"\xef\xbb\xbf\n\n  \n")
    result = CliRunner().invoke(main, ["check", str(path), "--input-format", "json", *AS_OF])
    assert result.exit_code == 2
    assert result.stderr == (
        f"claimcheck: error: {path}: is empty: it holds no claim "
        "(a .json file holds one claim object or a list of them)\n"
    )


@pytest.mark.parametrize("input_format", ["json", "jsonl"])
def test_utf16_json_claims_read_with_their_format_named_are_said_to_be_utf16(input_format: str, tmp_path: Path) -> None:
    # Detection says so; with --input-format named, each line failed as "not valid JSON".
    path = tmp_path / f"claims.{input_format}"
    path.write_bytes((ROOT / "fixtures" / "json" / f"claims.{input_format}").read_text().encode("utf-16-le"))
    result = CliRunner().invoke(main, ["check", str(path), "--input-format", input_format, *AS_OF])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"claimcheck: error: {path}: is UTF-16 text")


def _line_findings(line: dict[str, object]) -> list[tuple[str, str, str, str]]:
    claim = {"claim_id": "C1", "lines": [{"line_number": 1, "date_of_service": "2026-03-10", **line}]}
    report = claimcheck.validate(claim, as_of=AS_OF_DAY)
    return [(f.rule_id, f.status.value, f.subject or "", f.message) for f in report.lines[0].findings]


def test_wide_layout_keys_in_a_json_line_are_read_as_the_csv_wide_layout_reads_them() -> None:
    # A CSV row of the wide layout turned into a dict (dx_1, modifier_1 ...), as validate_batch
    # and the CSV reader take them, was read without its codes: the line failed diagnosis.required.
    wide = _line_findings(
        {"procedure_code": "0711T", "modifier_1": "26", "dx_1": "I70.213", "dx_2": "I10", "rendering_taxonomy": ""}
    )
    listed = _line_findings({"procedure_code": "0711T", "modifiers": ["26"], "diagnosis_codes": ["I70.213", "I10"]})
    assert wide == listed
    assert ("modifier.profile", "pass", "26") in [finding[:3] for finding in wide]
    assert not [finding for finding in wide if finding[0] == "diagnosis.required"]
    both = _line_findings({"procedure_code": "99213", "diagnosis_codes": "I10", "DX_2": "E11.9", "modifier_1": None})
    assert [f[2] for f in both if f[0] == "diagnosis.code_set"] == ["I10", "E11.9"]


def test_numbered_keys_a_json_line_does_not_read_are_warned_of_as_csv_columns_are() -> None:
    # As the CSV reader warns of modifier_6 or a dx_01 beside a dx_1: a code not checked is said.
    found = _line_findings(
        {"procedure_code": "99213", "DX1": "I10", "dx_01": "E11.9", "modifier_6": "59", "dx_2": "", "note": "x"}
    )
    assert [f[2] for f in found if f[0] == "diagnosis.code_set"] == ["I10"]
    warned = [(rule, subject, message) for rule, status, subject, message in found if rule.startswith("input")]
    assert warned == [
        (
            "input.not_checked",
            "modifier_6",
            "modifier_6 is not read: a line reads modifiers and modifier_1 to modifier_5, so its value is not checked",
        ),
        (
            "input.not_checked",
            "dx_01",
            "dx_01 is not read: DX1 is read for diagnosis_codes 1, so its value is not checked",
        ),
    ]


def test_an_unknown_key_of_a_line_in_a_json_claims_file_is_a_warning_naming_it(tmp_path: Path) -> None:
    # {"modifier": "26"} for "modifiers" was dropped without a word and the line passed with no
    # modifier checked; a CSV column past the layout's is an input.not_checked warning, as here.
    line = {"line_number": 1, "procedure_code": "99213", "diagnosis_codes": ["I10"], "date_of_service": "2026-03-10"}
    claim = {"claim_id": "C1", "payer": "Acme", "lines": [{**line, "modifier": "26", "payer": "Acme", "note": ""}]}
    for name, text in (("claims.json", json.dumps([claim])), ("claims.jsonl", json.dumps(claim) + "\n")):
        path = tmp_path / name
        path.write_text(text)
        rows = list(csv.DictReader(io.StringIO(_report(path))))
        warned = [(r["rule_id"], r["status"], r["subject"], r["message"]) for r in rows if r["check"] == "input"]
        assert len(warned) == 1 and warned[0][:3] == ("input.not_checked", "warn", "modifier")
        assert warned[0][3].startswith("modifier is not read: a claim line has no such field (its fields: line_number,")
        assert "26" not in warned[0][3]


def test_an_unknown_key_of_a_claim_in_a_json_claims_file_is_a_warning_naming_it(tmp_path: Path) -> None:
    # {"patient_gender": "F"} for patient_sex was dropped without a word, as a line's unknown key
    # was: the sex edits then judged the claim as if no sex were given.
    line = {"line_number": 1, "procedure_code": "99213", "diagnosis_codes": ["I10"], "date_of_service": "2026-03-10"}
    claim = {"claim_id": "C1", "patient_gender": "F", "note": "", "lines": [line, {**line, "line_number": 2}]}
    for name, text in (("claims.json", json.dumps([claim])), ("claims.jsonl", json.dumps(claim) + "\n")):
        path = tmp_path / name
        path.write_text(text)
        rows = list(csv.DictReader(io.StringIO(_report(path))))
        warned = [(r["line_number"], r["rule_id"], r["status"], r["subject"], r["message"]) for r in rows]
        warned = [row for row in warned if row[1].startswith("input")]
        assert [row[:4] for row in warned] == [
            ("1", "input.not_checked", "warn", "patient_gender"),
            ("2", "input.not_checked", "warn", "patient_gender"),
        ]
        assert warned[0][4].startswith("patient_gender is not read: a claim has no such field (its fields: claim_id,")
        assert "F" not in warned[0][4].removeprefix("patient_gender is not read")
    # validate() passes over a claim's other keys, as it does a line's (a DataFrame's rows carry them).
    assert not [f for r in claimcheck.validate(claim, as_of=AS_OF_DAY).lines for f in r.findings if f.check == "input"]


def _input_rows(path: Path) -> list[tuple[str, str, str, str, str]]:
    rows = csv.DictReader(io.StringIO(_report(path)))
    return [
        (r["line_number"], r["rule_id"], r["status"], r["subject"], r["message"]) for r in rows if r["check"] == "input"
    ]


def test_a_key_given_twice_in_a_json_claims_file_is_a_warning_naming_it(tmp_path: Path) -> None:
    # {"modifiers": "GN", ..., "modifiers": "26"}: Python's JSON reader keeps the last value, others
    # the first; the 26 was checked and passed, and the GN a payer's reader may take went unremarked.
    line = '"line_number": 1, "procedure_code": "0711T", "modifiers": "GN", "date_of_service": "2026-03-10"'
    claim = '{"claim_id": "C1", "payer": "Acme", "payer": "Other", "lines": [{' + line + ', "modifiers": "26"}]}'
    for name, text in (("claims.json", f"[{claim}]"), ("claims.jsonl", claim + "\n")):
        path = tmp_path / name
        path.write_text(text)
        warned = _input_rows(path)
        assert [row[:4] for row in warned] == [
            ("1", "input.not_checked", "warn", "payer"),
            ("1", "input.not_checked", "warn", "modifiers"),
        ], name
        assert warned[1][4].startswith("modifiers is given 2 times in one object, so its value is not checked")
        assert "GN" not in warned[1][4] and "Other" not in warned[0][4]
        # Neither value is judged: the modifier checks stay silent, as for a value that cannot be read.
        assert not [r for r in csv.DictReader(io.StringIO(_report(path))) if r["check"] == "modifier"]


def test_keys_given_once_and_repeated_keys_elsewhere_in_the_value_say_nothing(tmp_path: Path) -> None:
    # Only a claim's and a line's own keys are its fields; a repeat inside a value is no field of the claim.
    line = '"line_number": 1, "procedure_code": "99213", "diagnosis_codes": ["I10"], "date_of_service": "2026-03-10"'
    path = tmp_path / "claims.jsonl"
    path.write_text('{"claim_id": "C1", "lines": [{' + line + "}]}\n")
    assert _input_rows(path) == []


def test_a_numbered_key_given_twice_leaves_the_field_it_feeds_unjudged(tmp_path: Path) -> None:
    # {"modifier_1": "26", "modifier_1": "ZZ"}: modifier_1 is read for modifiers, so the warning must
    # silence the modifier checks; they judged the last value (ZZ failed the code set) while the
    # warning said the value was not checked.
    line = '"line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10", "diagnosis_codes": ["I10"]'
    path = tmp_path / "claims.jsonl"
    path.write_text('{"claim_id": "C1", "lines": [{' + line + ', "modifier_1": "26", "modifier_1": "ZZ"}]}\n')
    rows = list(csv.DictReader(io.StringIO(_report(path))))
    assert not [r for r in rows if r["check"] == "modifier"]
    warned = _input_rows(path)
    assert [row[:4] for row in warned] == [("1", "input.not_checked", "warn", "modifiers")]
    assert warned[0][4].startswith("modifiers is not checked: modifier_1 is given 2 times in one object")
    assert "ZZ" not in warned[0][4] and "26" not in warned[0][4]


def test_a_claims_lines_given_twice_say_which_are_checked(tmp_path: Path) -> None:
    # {"lines": [...], "lines": [...]}: the last list's lines are checked (and reported) and the
    # first's are not read; the warning said the value was "not checked", on lines that were.
    line = '{"line_number": %d, "procedure_code": "99213", "date_of_service": "2026-03-10", "diagnosis_codes": ["I10"]}'
    path = tmp_path / "claims.jsonl"
    path.write_text('{"claim_id": "C1", "lines": [' + line % 1 + '], "lines": [' + line % 2 + "]}\n")
    warned = _input_rows(path)
    assert [row[:4] for row in warned] == [("2", "input.not_checked", "warn", "lines")]
    assert warned[0][4].startswith(
        "lines is given 2 times in one object: the lines of the last are checked, those of the others are not read"
    )


def test_modifiers_given_twice_are_neither_counted_nor_searched_for_repeats(tmp_path: Path) -> None:
    # {"modifiers": "25", "modifiers": ["26", "26", "TC", "59", "76"]}: the warning says the value is
    # not checked, but the count (5 modifiers, a fail) and repeat (26 twice) checks judged and quoted it.
    line = '"line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10", "diagnosis_codes": ["I10"]'
    path = tmp_path / "claims.jsonl"
    path.write_text(
        '{"claim_id": "C1", "lines": [{'
        + line
        + ', "modifiers": "25", "modifiers": ["26", "26", "TC", "59", "76"]}]}\n'
    )
    assert [row[1:4] for row in _input_rows(path)] == [("input.not_checked", "warn", "modifiers")]


@pytest.mark.parametrize(
    ("key", "twice"),
    [
        ("procedure_code", '"procedure_code": "99214", "procedure_code": "99213"'),
        ("date_of_service", '"date_of_service": "2026-03-03", "date_of_service": "2026-03-02"'),
    ],
)
def test_a_lines_code_or_date_given_twice_leaves_the_line_unchecked(tmp_path: Path, key: str, twice: str) -> None:
    # The claim edits compared the last value (a duplicate of line 1 failed) and the profile checks
    # used its code's profile, under a warning that the value was not checked; a reader taking the
    # first value sees no duplicate. Such a line is not built, as one whose code cannot be read.
    fields = {"procedure_code": '"99213"', "date_of_service": '"2026-03-02"'}
    first = ", ".join(f'"{name}": {value}' for name, value in fields.items())
    second = ", ".join(f'"{name}": {value}' for name, value in fields.items() if name != key) + ", " + twice
    lines = f'{{"line_number": 1, {first}}}, {{"line_number": 2, {second}}}'
    path = tmp_path / "claims.json"
    path.write_text('[{"claim_id": "C1", "lines": [' + lines + "]}]")
    rows = list(csv.DictReader(io.StringIO(_report(path))))
    assert [(r["rule_id"], r["status"], r["subject"]) for r in rows if r["line_number"] == "2"] == [
        ("input.not_checked", "warn", key)
    ]
