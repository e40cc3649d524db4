"""Claim files: the format detected by content and extension, a missing file, and one result for every
input line whatever the format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import claimcheck
from claimcheck.errors import InputError
from claimcheck.io.readers import detect_format, read_claims
from tests.reader_inputs import (
    GOOD_ROW,
    HEADER,
    check,
    claim,
    lines_of,
    row,
    rules_fixture,  # noqa: F401 (the rules fixture)
    write,
)


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
