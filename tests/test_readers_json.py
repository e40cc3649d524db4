"""Reading JSON and JSONL claim files: one claim or a list, JSONL lines that cannot be read as findings,
JSON the parser cannot take, lone surrogates, claims without lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import claimcheck
from claimcheck.errors import InputError
from claimcheck.io.readers import read_claims
from tests.reader_inputs import (
    check,
    claim,
    input_findings,
    rules_fixture,  # noqa: F401 (the rules fixture)
    write,
)

# --- JSON and JSONL ---------------------------------------------------------------------------------


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


def test_non_utf8_json_is_an_input_finding_on_its_claims_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.json", json.dumps(claim("C\xe9", 1), ensure_ascii=False).encode("latin-1"))
    (parsed,) = read_claims(path)
    assert [problem.message for problem in parsed.problems] == [
        "is not UTF-8 text in claim_id (the bytes that could not be read were replaced)"
    ]


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
