"""Reading CSV, JSON and JSONL claim files: the input contract, and one result per input line."""

from __future__ import annotations

import datetime
import gzip
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.errors import InputError
from claimcheck.io.files import validate_file
from claimcheck.io.readers import detect_format, read_claims
from tests.conftest import ROOT

AS_OF = date(2026, 11, 22)
HEADER = (
    "claim_id,line_number,procedure_code,modifiers,diagnosis_codes,rendering_taxonomy,rendering_npi,units,"
    "date_of_service,place_of_service"
)
GOOD_ROW = "C1,1,0711T,26,I70.213,2085R0202X,1234567893,1,2026-03-10,22"
GOOD_LINE: dict[str, Any] = {
    "line_number": 1,
    "procedure_code": "0711T",
    "modifiers": ["26"],
    "diagnosis_codes": ["I70.213"],
    "rendering_taxonomy": "2085R0202X",
    "rendering_npi": "1234567893",
    "units": 1,
    "date_of_service": "2026-03-10",
    "place_of_service": "22",
}


@pytest.fixture(scope="module")
def rules() -> claimcheck.RuleSet:
    return claimcheck.load_rules()


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def csv_file(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "claims.csv") -> Path:
    return write(tmp_path, name, "\n".join([header, *rows]) + "\n")


def lines_of(path: Path) -> list[Any]:
    return [ln for claim in read_claims(path) for ln in claim.lines]


def check(path: Path, rules: claimcheck.RuleSet) -> claimcheck.Report:
    return validate_file(path, rules=rules, as_of=AS_OF)


def input_findings(result: Any) -> list[Any]:
    return [f for f in result.findings if f.check.value == "input"]


def _day(number: int) -> str:
    """A date of service per line number, so lines of one claim are not duplicates of each other."""
    return (datetime.date(2025, 1, 1) + datetime.timedelta(days=number)).isoformat()


def row(claim_id: str = "C1", number: int = 1, **changes: str) -> str:
    fields = dict(zip(HEADER.split(","), GOOD_ROW.split(","), strict=True))
    fields.update({"claim_id": claim_id, "line_number": str(number), "date_of_service": _day(number), **changes})
    return ",".join(fields.values())


# --- CSV -----------------------------------------------------------------------------------------


def test_good_csv_reads_one_normalised_line(tmp_path: Path, rules: claimcheck.RuleSet) -> None:
    path = csv_file(tmp_path, "C1,1,0711t,26,i70213,2085R0202X,1234567893,1,2026-03-10,2")
    (parsed,) = list(read_claims(path))
    assert parsed.claim_id == "C1"
    model = parsed.lines[0].line
    assert model is not None
    assert (model.procedure_code, model.diagnosis_codes, model.place_of_service) == ("0711T", ("I70.213",), "02")
    assert len(check(path, rules).lines) == 1


def test_header_names_are_case_insensitive_and_extra_columns_ignored(tmp_path: Path) -> None:
    header = "Claim_ID, LINE_NUMBER ,Procedure_Code,Favourite_Colour,Date_Of_Service,MODIFIERS"
    path = csv_file(tmp_path, "C1,1,0711T,blue,2026-03-10,26", header=header)
    (line,) = lines_of(path)
    assert line.problems == ()
    assert line.line is not None
    assert line.line.modifiers == ("26",)


@pytest.mark.parametrize("with_list_column", [True, False])
def test_numbered_modifier_and_dx_columns_are_merged(tmp_path: Path, with_list_column: bool) -> None:
    header = "claim_id,line_number,procedure_code,date_of_service,modifier_2,modifier_1,dx_10,dx_1,dx_2"
    data = "C1,1,0711T,2026-03-10,tc,26,I96,i70213,"
    if with_list_column:
        header += ",modifiers,diagnosis_codes"
        data += ",59,I10"
    (line,) = lines_of(csv_file(tmp_path, data, header=header))
    assert line.line is not None
    prefix_mod, prefix_dx = (("59",), ("I10",)) if with_list_column else ((), ())
    assert line.line.modifiers == (*prefix_mod, "26", "TC")
    assert line.line.diagnosis_codes == (*prefix_dx, "I70.213", "I96")


def test_utf8_bom_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", ("\ufeff" + HEADER + "\n" + GOOD_ROW + "\n").encode("utf-8"))
    (line,) = lines_of(path)
    assert line.problems == ()
    assert line.line is not None


@pytest.mark.parametrize("start", ["\ufeff\ufeff", '\ufeff"\ufeff'], ids=["doubled", "in_quotes"])
def test_a_bom_written_twice_is_ignored_too(tmp_path: Path, start: str) -> None:
    # A tool that adds a BOM to text that has one already leaves two: the second stayed in the
    # first name, and the file was refused for "missing required column(s): claim_id", which
    # its header shows.
    header = start + HEADER.replace(",", '",', 1) if '"' in start else start + HEADER
    path = write(tmp_path, "bom.csv", (header + "\n" + GOOD_ROW + "\n").encode("utf-8"))
    (line,) = lines_of(path)
    assert line.problems == ()
    assert line.line is not None


@pytest.mark.parametrize("delimiter", ["|", "\t"])
def test_delimiter_is_detected_from_the_header(tmp_path: Path, delimiter: str) -> None:
    text = "\n".join(s.replace(",", delimiter) for s in (HEADER, GOOD_ROW, row(number=2, modifiers="26 59")))
    (parsed,) = list(read_claims(write(tmp_path, "claims.txt", text + "\n"), "csv"))
    assert [ln.line.modifiers for ln in parsed.lines if ln.line] == [("26",), ("26", "59")]
    assert all(ln.problems == () for ln in parsed.lines)


def test_consecutive_rows_form_claims_and_a_reappearing_id_starts_a_new_one(tmp_path: Path) -> None:
    path = csv_file(tmp_path, row("C1", 1), row("C1", 2), row("C2", 1), row("C1", 3))
    claims = list(read_claims(path))
    assert [(c.claim_id, [ln.line_number for ln in c.lines]) for c in claims] == [
        ("C1", [1, 2]),
        ("C2", [1]),
        ("C1", [3]),
    ]


@pytest.mark.parametrize("bad", ["C1,2,0711T,26", GOOD_ROW.replace("C1,1", "C1,2") + ",extra,fields"])
def test_row_with_wrong_field_count_gets_an_input_finding(tmp_path: Path, rules: claimcheck.RuleSet, bad: str) -> None:
    path = csv_file(tmp_path, GOOD_ROW, bad, row("C1", 3))
    report = check(path, rules)
    assert [ln.line_number for ln in report.lines] == [1, 2, 3]
    subjects = [(f.check.value, f.subject) for f in input_findings(report.lines[1])]
    assert ("input", "row") in subjects
    assert "claims.csv line 3" in next(f.message for f in input_findings(report.lines[1]) if f.subject == "row")
    assert report.lines[0].status.value == "pass"
    assert report.lines[2].status.value == "pass"


def test_blank_lines_are_skipped(tmp_path: Path, rules: claimcheck.RuleSet) -> None:
    path = write(tmp_path, "claims.csv", f"{HEADER}\n\n{GOOD_ROW}\n,,,\n   \n{row('C1', 2)}\n\n")
    report = check(path, rules)
    assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [("C1", 1), ("C1", 2)]


@pytest.mark.parametrize(("hint", "delimiter"), [("sep=,", ","), ("\ufeffsep=;", ";"), ('"sep=|"', "|")])
def test_an_excel_sep_line_above_the_header_names_the_delimiter(
    tmp_path: Path, rules: claimcheck.RuleSet, hint: str, delimiter: str
) -> None:
    # Exports meant for Excel write "sep=;" above the header; it was read as the header, and the
    # file refused for missing every required column, at a line that holds none of them.
    rows = [HEADER, GOOD_ROW, row("C1", 2), row("C1", 3, units="x")]
    path = write(tmp_path, "claims.csv", "\n".join([hint, *(r.replace(",", delimiter) for r in rows)]) + "\n")
    report = check(path, rules)
    assert [(ln.line_number, ln.status.value) for ln in report.lines] == [(1, "pass"), (2, "pass"), (3, "fail")]
    assert [f.message for f in input_findings(report.lines[2])] == ["units must be a number (claims.csv line 5)"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_line_endings(tmp_path: Path, rules: claimcheck.RuleSet, newline: str) -> None:
    text = newline.join([HEADER, GOOD_ROW, row("C1", 2), row("C2", 1)]) + newline
    report = check(write(tmp_path, "claims.csv", text.encode("utf-8")), rules)
    assert [(ln.claim_id, ln.line_number, ln.status.value) for ln in report.lines] == [
        ("C1", 1, "pass"),
        ("C1", 2, "pass"),
        ("C2", 1, "pass"),
    ]


def test_missing_required_column_is_an_input_error(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "C1,1,0711T", header="claim_id,line_number,procedure_code")
    with pytest.raises(InputError) as caught:
        list(read_claims(path))
    message = str(caught.value)
    assert str(path) in message
    assert ":1:" in message
    assert "date_of_service" in message
    assert caught.value.line == 1


@pytest.mark.parametrize("content", [b"", b"\n\n", b"   \n"])
def test_empty_file_is_an_input_error(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(InputError, match="empty"):
        list(read_claims(write(tmp_path, "empty.csv", content)))


def test_non_utf8_header_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.csv", ("claim_id\xe9," + HEADER + "\n").encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        validate_file(path, as_of=AS_OF)


@pytest.mark.parametrize("suffix", ["csv.gz", "zip"])
def test_a_compressed_file_is_named_as_such(tmp_path: Path, suffix: str) -> None:
    demo = (ROOT / "fixtures" / "demo" / "claims.csv").read_bytes()
    if suffix == "zip":
        with zipfile.ZipFile(tmp_path / "claims.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("claims.csv", demo)
    else:
        (tmp_path / "claims.csv.gz").write_bytes(gzip.compress(demo))
    with pytest.raises(InputError, match="gzip-compressed: decompress it first" if suffix != "zip" else "zip archive"):
        list(read_claims(tmp_path / f"claims.{suffix}"))


@pytest.mark.parametrize("name", ["Claim.ndjson", "claims.jsonl", "claims.837", "claims.csv"])
@pytest.mark.parametrize(
    ("packing", "problem"),
    [
        (gzip.compress, "is gzip-compressed: decompress it first"),
        (lambda text: text.decode().encode("utf-16"), "is UTF-16 text"),
        (lambda text: text.decode().encode("utf-16-be").join([b"\xfe\xff", b""]), "is UTF-16 text"),
        # Without a BOM it was read as UTF-8 with a NUL after each letter: "missing required
        # column(s)", which the header has; UTF-32 was named UTF-16, and iconv -f UTF-16 garbles it.
        (lambda text: text.decode().encode("utf-16-le"), "is UTF-16 text"),
        (lambda text: text.decode().encode("utf-16-be"), "is UTF-16 text"),
        (lambda text: text.decode().encode("utf-32"), "is UTF-32 text"),
        (lambda text: text.decode().encode("utf-32-be"), "is UTF-32 text"),
    ],
)
def test_a_file_that_holds_no_utf8_text_is_named_as_such_whatever_its_name(
    tmp_path: Path, name: str, packing: Any, problem: str
) -> None:
    # Named .ndjson or .jsonl, gzip data gave one "not UTF-8" or "not valid JSON" row per chunk of
    # bytes, and UTF-16 (PowerShell's '>') one per line: nothing said why.
    demo = (ROOT / "fixtures" / "demo" / "claims.csv").read_bytes()
    path = write(tmp_path, name, packing(demo))
    with pytest.raises(InputError, match=problem):
        detect_format(path)
    with pytest.raises(InputError, match=problem):
        validate_file(path, as_of=AS_OF)
    if name.endswith(".csv") and "UTF" in problem:  # read as CSV when told so, too
        with pytest.raises(InputError, match=problem):
            list(read_claims(path, "csv"))


def test_quoted_multi_line_field_keeps_line_numbers(tmp_path: Path, rules: claimcheck.RuleSet) -> None:
    multi = 'C1,1,0711T,26,"I70.213\nI10",2085R0202X,1234567893,1,2026-03-10,22'
    path = csv_file(tmp_path, multi, row("C1", 2), row("C1", 3, units="abc"), "C1,4,0711T")
    report = check(path, rules)
    assert len(report.lines) == 4
    assert report.lines[0].status.value == "pass"
    units = next(f for f in input_findings(report.lines[2]) if f.subject == "units")
    assert "claims.csv line 5" in units.message
    bad_row = next(f for f in input_findings(report.lines[3]) if f.subject == "row")
    assert "claims.csv line 6" in bad_row.message


def non_utf8_file(tmp_path: Path, suffix: str, good_lines: int) -> tuple[Path, int]:
    """A file whose only non-UTF-8 byte sits on the returned (1-based) physical line."""
    if suffix == ".csv":
        body = [HEADER, *(row("C1", n) for n in range(1, good_lines + 1)), row("C\xe9", 1)]
    else:
        last = json.dumps(claim("C\xe9", 1), ensure_ascii=False)
        body = [*(json.dumps(claim("C1", n)) for n in range(1, good_lines + 1)), last]
    path = write(tmp_path, "latin" + suffix, ("\n".join(body) + "\n").encode("latin-1"))
    return path, len(body)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
@pytest.mark.parametrize("good_lines", [1, 400])
def test_non_utf8_line_becomes_an_input_finding_on_that_line(
    tmp_path: Path, rules: claimcheck.RuleSet, suffix: str, good_lines: int
) -> None:
    path, bad_line = non_utf8_file(tmp_path, suffix, good_lines)
    report = check(path, rules)
    assert len(report.lines) == good_lines + 1
    assert all(ln.status.value == "pass" for ln in report.lines[:-1])
    last = report.lines[-1]
    assert last.status.value == "fail"
    (finding,) = [f for f in input_findings(last) if "UTF-8" in f.message]
    assert f"{path.name} line {bad_line}" in finding.message
    assert "codec" not in finding.message


# --- JSON and JSONL ---------------------------------------------------------------------------------


def claim(claim_id: str, *numbers: int) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "lines": [{**GOOD_LINE, "line_number": n, "date_of_service": _day(n)} for n in numbers],
    }


def test_json_with_one_claim(tmp_path: Path, rules: claimcheck.RuleSet) -> None:
    path = write(tmp_path, "one.json", json.dumps(claim("C1", 1, 2), indent=2))
    report = check(path, rules)
    assert [(ln.claim_id, ln.line_number, ln.status.value) for ln in report.lines] == [
        ("C1", 1, "pass"),
        ("C1", 2, "pass"),
    ]


def test_json_with_a_list_of_claims(tmp_path: Path, rules: claimcheck.RuleSet) -> None:
    path = write(tmp_path, "many.json", json.dumps([claim("C1", 1), "not a claim", claim("C2", 1, 2)]))
    report = check(path, rules)
    assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [("C1", 1), (None, None), ("C2", 1), ("C2", 2)]
    assert [f.check.value for f in report.lines[1].findings] == ["input"]


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.json", '[\n  {"claim_id": "C1",\n   "lines": [}\n]\n')
    with pytest.raises(InputError) as caught:
        list(read_claims(path))
    assert caught.value.line == 3
    assert f"{path}:3" in str(caught.value)


@pytest.mark.parametrize("top", ["42", '"claims"', "null", "true"])
def test_json_top_level_scalar_is_an_input_error(tmp_path: Path, top: str) -> None:
    with pytest.raises(InputError, match="claim object"):
        list(read_claims(write(tmp_path, "scalar.json", top)))


def test_non_utf8_json_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.json", json.dumps(claim("C\xe9", 1), ensure_ascii=False).encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        list(read_claims(path))


def test_jsonl_one_claim_per_line_and_bad_lines_become_findings(tmp_path: Path, rules: claimcheck.RuleSet) -> None:
    text = "\n".join([json.dumps(claim("C1", 1, 2)), "", '{"claim_id": "C2", "lines": [', json.dumps(claim("C3", 1))])
    path = write(tmp_path, "claims.jsonl", text + "\n\n")
    report = check(path, rules)
    assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [("C1", 1), ("C1", 2), (None, None), ("C3", 1)]
    assert report.lines[2].status.value == "fail"
    (finding,) = report.lines[2].findings
    assert finding.check.value == "input"
    assert "line 3" in finding.message
    assert report.lines[3].status.value == "pass"


UNREADABLE_JSON = [
    pytest.param("[" * 100_000 + "]" * 100_000, "nested too deeply", id="deep"),
    # json.loads takes this depth; the walk that replaces the lone surrogate escape does not.
    pytest.param(
        '{"claim_id": "A\\udc00", "x": ' + "[" * 950 + "]" * 950 + "}", "nested too deeply", id="deep+surrogate"
    ),
    pytest.param('{"claim_id": "C1", "lines": [{"line_number": ' + "9" * 5000 + "}]}", "number too long", id="long"),
]


@pytest.mark.parametrize(("text", "expected"), UNREADABLE_JSON)
def test_json_the_parser_cannot_take_is_an_input_error(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        list(read_claims(write(tmp_path, "claims.json", text)))


@pytest.mark.parametrize(("text", "expected"), UNREADABLE_JSON)
def test_jsonl_line_the_parser_cannot_take_is_a_finding(
    tmp_path: Path, rules: claimcheck.RuleSet, text: str, expected: str
) -> None:
    path = write(tmp_path, "claims.jsonl", text + "\n" + json.dumps(claim("C2", 1)) + "\n")
    first, second = check(path, rules).lines
    (finding,) = first.findings
    assert finding.check.value == "input" and expected in finding.message
    assert (second.claim_id, second.status.value) == ("C2", "pass")


@pytest.mark.parametrize("name", ["claims.json", "claims.jsonl"])
def test_lone_surrogate_escapes_read_as_replacement_characters(
    tmp_path: Path, rules: claimcheck.RuleSet, name: str
) -> None:
    bad = claim("C\\ud800", 1)
    bad["lines"][0]["procedure_code"] = "BAD\\uDFFF"
    path = write(tmp_path, name, json.dumps(bad).replace("\\\\u", "\\u") + "\n")
    (line,) = check(path, rules).lines
    assert (line.claim_id, line.procedure_code) == ("C\ufffd", "BAD\ufffd")
    assert json.dumps(line.to_dict(), ensure_ascii=False).encode("utf-8")  # a UTF-8 report can hold it


def test_jsonl_field_problem_names_the_file_line(tmp_path: Path, rules: claimcheck.RuleSet) -> None:
    bad = claim("C2", 1)
    bad["lines"][0]["units"] = "abc"
    path = write(tmp_path, "claims.jsonl", json.dumps(claim("C1", 1)) + "\n" + json.dumps(bad) + "\n")
    (units,) = input_findings(check(path, rules).lines[1])
    assert units.subject == "units"
    assert "claims.jsonl line 2" in units.message


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("claims.json", json.dumps([claim("C1", 1), {"foo": 1}, 5]), ["claims.json [1]", "claims.json [2]"]),
        (
            "claims.jsonl",
            json.dumps(claim("C1", 1)) + '\n{"foo": 1}\n7\n',
            ["claims.jsonl line 2", "claims.jsonl line 3"],
        ),
    ],
)
def test_claims_without_lines_point_at_the_claim(
    tmp_path: Path, rules: claimcheck.RuleSet, name: str, text: str, where: list[str]
) -> None:
    _, *unreadable = check(write(tmp_path, name, text), rules).lines
    assert [{f.message.rsplit(" (", 1)[1].rstrip(")") for f in line.findings} for line in unreadable] == [
        {place} for place in where
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (json.dumps([claim("C1", 1)]), "json"),
        (json.dumps(claim("C1", 1), indent=2), "json"),
        ("  \n" + json.dumps(claim("C1", 1)), "json"),
        (json.dumps(claim("C1", 1)) + "\n" + json.dumps(claim("C2", 1)) + "\n", "jsonl"),
        (HEADER + "\n" + GOOD_ROW + "\n", "csv"),
    ],
)
def test_detect_format_by_content(tmp_path: Path, rules: claimcheck.RuleSet, text: str, expected: str) -> None:
    path = write(tmp_path, "claims", text)
    assert detect_format(path) == expected
    assert all(ln.status.value == "pass" for ln in check(path, rules).lines)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.CSV", HEADER + "\n", "csv"),
        ("a.tsv", HEADER.replace(",", "\t") + "\n", "csv"),
        ("a.json", "{}", "json"),
        ("a.ndjson", "{}", "jsonl"),
        ("a.csv", '{"claim_id": "C1"}', "json"),  # content wins over a misleading extension
        ("a.jsonl", HEADER + "\n" + GOOD_ROW + "\n", "csv"),
        ("a.json", HEADER.replace(",", "|") + "\n", "csv"),
        ("a.json", json.dumps(claim("C1", 1)) + "\n" + json.dumps(claim("C2", 1)) + "\n", "jsonl"),
        ("a.jsonl", json.dumps([claim("C1", 1)]), "json"),
        ("a.jsonl", '{"claim_id": "C1", "lines": [\n', "jsonl"),  # its reader reports the broken line
        ("a.json", "not json at all", "json"),  # no table either: the JSON reader's message names it
        ("a.837", "ISAA00A          A00A", "x12"),  # a letter as separator: the X12 reader says so
        ("a.edi", "", "x12"),
        ("a.edi", HEADER + "\n", "csv"),
        # A first column named ST (a state) or GS_... is a table, not an 837 that lost its ISA.
        ("a.csv", "ST," + HEADER + "\nUT," + GOOD_ROW + "\n", "csv"),
        ("a.psv", "GS_ID|" + HEADER.replace(",", "|") + "\n", "csv"),
        ("a.txt", "ISA_NO\t" + HEADER.replace(",", "\t") + "\n", "csv"),
        ("a.txt", "GS*HC*S*R*20260315*1200*101*X*005010X222A1~\nST*837*0101~\n", "x12"),  # no ISA
        ("a.txt", "ST*837*0101*005010X222A1~\n", "x12"),
        ("a.json", '{"id": "e", "status": "active",\n "resourceType": "ExplanationOfBenefit"}', "fhir"),
        ("a.json", '{"claim_id": "C1", "note": "' + "x" * 10_000 + '", "resourceType": "Claim"}', "fhir"),
        ("a.json", '{"claim_id": "C1", "patient": {"resourceType": "Patient"}, "lines": []}', "json"),  # nested
        ("a.jsonl", '{"claim_id": "C1", "lines": []}\n{"resourceType": "Claim"}\n', "jsonl"),  # a later line
        ("a.json", '{"note": "\\"resourceType\\": \\"Claim\\"", "lines": []}', "json"),  # inside a string
    ],
)
def test_detect_format_by_content_and_extension(tmp_path: Path, name: str, content: str, expected: str) -> None:
    assert detect_format(write(tmp_path, name, content)) == expected


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        list(read_claims(tmp_path / "nope.csv"))


# --- every input line gives one result ----------------------------------------------------------------

COUNT_CASES = {
    "good.csv": (HEADER + "\n" + "\n".join(row("C1", n) for n in range(1, 6)) + "\n", 5),
    "mixed.csv": (
        HEADER
        + "\n"
        + "\n".join(
            [GOOD_ROW, "C1,2", ",,,,,,,,,,,,,,", "C2,x,,,,,,,,", row("C3", 1, date_of_service="03/10/2026"), ",1,77011"]
        ),
        5,
    ),
    "claims.json": (json.dumps([claim("C1", 1, 2, 3), {"claim_id": "C2", "lines": []}, None]), 5),
    "claims.jsonl": ("\n".join([json.dumps(claim("C1", 1, 2)), "nope", "[]", json.dumps(claim("C2", 7))]), 5),
}


@pytest.mark.parametrize("name", sorted(COUNT_CASES))
def test_one_result_per_input_line(tmp_path: Path, rules: claimcheck.RuleSet, name: str) -> None:
    text, expected = COUNT_CASES[name]
    report = check(write(tmp_path, name, text), rules)
    assert len(report.lines) == expected
    assert report.summary()["lines"] == expected
    assert sum(report.counts().values()) == expected


def test_blank_lines_before_the_header_are_passed_over(tmp_path: Path, rules: claimcheck.RuleSet) -> None:
    # Such a file was refused as "is empty: expected a header row", though it holds claims.
    path = write(tmp_path, "claims.csv", "\n \r\n" + HEADER + "\n" + GOOD_ROW + "\n" + row("C1", 2, units="x") + "\n")
    report = check(path, rules)
    assert [(ln.claim_id, ln.line_number) for ln in report.lines] == [("C1", 1), ("C1", 2)]
    assert [f.message for f in report.lines[1].findings if f.rule_id == "input.field"] == [
        "units must be a number (claims.csv line 5)"
    ]
    missing = write(tmp_path, "missing.csv", "\n\nclaim_id,line_number\nC1,1\n")
    with pytest.raises(InputError, match="missing required column") as raised:
        lines_of(missing)
    assert raised.value.line == 3
