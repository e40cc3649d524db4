"""One parametrized runner over fixtures/rule_cases/<rule id>.yaml: rule tests as data.

Each case gives a claim line (overrides of a plain, valid base line; ``~`` removes a field),
several ``lines``, or a ``file`` of the repository to read (an 837 line no JSON claim can
express), and the findings the file's rule must produce, in order, as status and
subject (and optionally a fragment of the message, and the section of the source document the
finding cites). ``expect: []`` means the rule stays silent.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.rules.yamlsource import read_yaml
from tests.conftest import AS_OF, ROOT

CASES_DIR = ROOT / "fixtures" / "rule_cases"
BASE_LINE: dict[str, Any] = {
    "line_number": "1",
    "procedure_code": "99213",
    "diagnosis_codes": "E11.9",
    "units": "1",
    "date_of_service": "2026-03-10",
}
CASE_KEYS = {"name", "line", "lines", "claim", "file", "tables", "expect"}
NCCI = ROOT / "fixtures" / "ncci"
EXPECT_KEYS = {"status", "subject", "message", "section"}


def _case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml"))


def _cases() -> list[Any]:
    params = []
    for path in _case_files():
        doc = read_yaml(path).data
        for case in doc["cases"]:
            params.append(pytest.param(doc["rule"], case, id=f"{path.stem}: {case['name']}"))
    return params


def _line(overrides: dict[str, Any], number: int) -> dict[str, Any]:
    line = {**BASE_LINE, "line_number": str(number), **overrides}
    return {key: value for key, value in line.items() if value is not None}


def _claim(case: dict[str, Any]) -> dict[str, Any]:
    lines = case.get("lines") or [case.get("line") or {}]
    return {"claim_id": "CASE", **(case.get("claim") or {}), "lines": [_line(o, i + 1) for i, o in enumerate(lines)]}


@functools.cache
def _rules(ptp: str | None, mue: str | None) -> claimcheck.RuleSet:
    """The shipped rules, with the sample CMS tables a case names (``tables: {mue: file}``)."""
    return claimcheck.load_rules(ptp=ptp and NCCI / ptp, mue=mue and NCCI / mue)


@pytest.mark.parametrize(("rule_id", "case"), _cases())
def test_rule_case(rule_id: str, case: dict[str, Any]) -> None:
    assert set(case) <= CASE_KEYS, f"unknown case keys {set(case) - CASE_KEYS}"
    tables = case.get("tables") or {}
    rules = _rules(tables.get("ptp"), tables.get("mue"))
    if "file" in case:
        report = claimcheck.validate_file(ROOT / case["file"], rules=rules, as_of=AS_OF)
    else:
        report = claimcheck.validate(_claim(case), rules=rules, as_of=AS_OF)
    got = [f for line in report.lines for f in line.findings if f.rule_id == rule_id]
    expected = case["expect"] or []
    assert [(f.status.value, f.subject) for f in got] == [(e["status"], e.get("subject")) for e in expected], "\n".join(
        f.message for f in got
    )
    for finding, wanted in zip(got, expected, strict=True):
        assert set(wanted) <= EXPECT_KEYS
        if "message" in wanted:
            assert wanted["message"] in finding.message
        if "section" in wanted:
            assert finding.source is not None and finding.source.section == wanted["section"]


def test_every_shipped_rule_has_passing_and_failing_cases(ruleset: claimcheck.RuleSet) -> None:
    covered: dict[str, set[str]] = {}
    for path in _case_files():
        doc = read_yaml(path).data
        assert path.stem == doc["rule"], f"{path.name} must be named after its rule"
        kinds = covered.setdefault(doc["rule"], set())
        for case in doc["cases"]:
            statuses = {e["status"] for e in case["expect"] or []}
            kinds.add("problem" if statuses & {"warn", "fail"} else "clean")
    rule_ids = {loaded.rule.id for loaded in ruleset.pack.rules}
    assert rule_ids == set(covered), "each rule needs exactly one case file named after it"
    for rule_id, kinds in covered.items():
        assert kinds == {"problem", "clean"}, f"{rule_id} needs a clean case and a problem case"
