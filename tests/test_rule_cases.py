"""One parametrized runner over fixtures/rule_cases/<rule id>.yaml: rule tests as data.

Each case gives a claim line (overrides of a plain, valid base line; ``~`` removes a field),
several ``lines``, or a ``file`` of the repository to read (an 837 line no JSON claim can
express), and the findings the file's rule must produce, in order, as status and
subject (and optionally a fragment of the message, and the section of the source document the
finding cites). ``expect: []`` means the rule stays silent. Each case that is a claim is also
run through the batch engine and the durable executor, which must give every line the same findings.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import claimcheck
from claimcheck.engine.run import check_claim
from claimcheck.io.batch import check_batch, line_results
from claimcheck.models.parse import parse_claim
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


def _texts(claim: dict[str, Any]) -> dict[str, Any] | None:
    """``claim`` with every value as the text a CSV cell holds, or None when a value is no
    scalar (a mapping of modifiers) or a line lacks a column the batch layout requires."""
    lines = claim["lines"]
    values = [v for k, v in claim.items() if k != "lines"] + [v for line in lines for v in line.values()]
    if any(isinstance(v, (dict, list)) for v in values):
        return None
    if not all(name in line for line in lines for name in ("line_number", "procedure_code", "date_of_service")):
        return None

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    fields = {k: text(v) for k, v in claim.items() if k != "lines"}
    return {**fields, "lines": [{k: text(v) for k, v in line.items()} for line in lines]}


def _findings(results: Any) -> list[list[tuple[str, str, str | None, str]]]:
    return [[(f.rule_id, f.status.value, f.subject, f.message) for f in r.findings] for r in results]


@functools.cache
def _durable(ptp: str | None, mue: str | None) -> Any:
    from claimcheck.engine.durable import DurableExecutor

    return DurableExecutor(_rules(ptp, mue))


@pytest.mark.parametrize(("rule_id", "case"), [c for c in _cases() if "file" not in c.values[1]])
def test_rule_case_is_judged_alike_by_every_engine(rule_id: str, case: dict[str, Any]) -> None:
    """The per-line engine, the batch engine (on the case as CSV cells) and, when installed,
    the durable executor give each line of the case the same findings, every rule's."""
    del rule_id
    tables = case.get("tables") or {}
    rules = _rules(tables.get("ptp"), tables.get("mue"))
    parsed = parse_claim(_claim(case))
    compiled = _findings(check_claim(parsed, rules, AS_OF))
    if importlib.util.find_spec("durable") is not None:
        durable = _durable(tables.get("ptp"), tables.get("mue"))
        assert _findings(durable.check_claim(parsed, AS_OF)) == compiled
    texts = _texts(_claim(case))
    if texts is None:
        return
    names = dict.fromkeys(name for line in texts["lines"] for name in line)
    columns = {name: [texts[name]] * len(texts["lines"]) for name in texts if name != "lines"}
    columns.update({name: [line.get(name, "") for line in texts["lines"]] for name in names})
    lines, found, _ = check_batch(pa.record_batch(columns), rules, AS_OF)
    assert _findings(line_results(lines, found)) == _findings(check_claim(parse_claim(texts), rules, AS_OF))


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
