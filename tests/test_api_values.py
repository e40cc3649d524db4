"""The public library API's values: findings, line results, reports and rule sets are immutable, hashable,
picklable and safe to share across threads; a line's status is its worst finding."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import claimcheck
from tests.api_claims import GOOD_CLAIM, _write_order_file
from tests.conftest import AS_OF, ROOT


def test_finding_is_a_small_immutable_sortable_value() -> None:
    report = claimcheck.validate(GOOD_CLAIM, as_of=AS_OF)
    findings = report.lines[0].findings
    with pytest.raises(dataclasses.FrozenInstanceError):
        findings[0].status = claimcheck.Status.FAIL  # type: ignore[misc]
    assert len(set(findings)) == len(findings)
    assert sorted(findings, reverse=True)[::-1] == sorted(findings)
    assert findings[0].to_dict()["status"] == "pass"
    assert claimcheck.Status("warn") is claimcheck.Status.WARN and str(claimcheck.Status.FAIL) == "fail"


def test_a_finding_made_with_plain_text_holds_the_members() -> None:
    made = claimcheck.Finding("modifier", "modifier.profile", "GN", "fail", "GN does not apply")  # type: ignore[arg-type]
    assert made.check is claimcheck.Check.MODIFIER and made.status is claimcheck.Status.FAIL
    assert made.to_dict()["status"] == "fail" and sorted([made, made]) == [made, made]
    with pytest.raises(ValueError, match="'maybe' is not a valid Status"):
        claimcheck.Finding(claimcheck.Check.MODIFIER, "modifier.profile", "GN", "maybe", "?")  # type: ignore[arg-type]


def test_line_status_is_the_worst_finding() -> None:
    claim = {**GOOD_CLAIM, "lines": [{**GOOD_CLAIM["lines"][0], "modifiers": ["78"]}]}
    assert claimcheck.validate(claim, as_of=AS_OF).lines[0].status is claimcheck.Status.WARN
    claim = {**GOOD_CLAIM, "lines": [{**GOOD_CLAIM["lines"][0], "modifiers": ["GN", "78"]}]}
    assert claimcheck.validate(claim, as_of=AS_OF).lines[0].status is claimcheck.Status.FAIL


def test_rule_set_is_loaded_once_and_immutable() -> None:
    rules = claimcheck.load_rules()
    assert claimcheck.load_rules() is rules
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.checks = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        rules.profiles["X"] = rules.profiles["0711T"]  # type: ignore[index]
    for check in (*rules.checks, *rules.claim_checks):  # the shared, cached rules, whose fields would leak
        with pytest.raises(AttributeError, match="read-only"):
            check.status = claimcheck.Status.PASS


def test_a_rule_set_is_safe_to_share_across_threads() -> None:
    rules = claimcheck.load_rules()
    demo = ROOT / "fixtures" / "demo" / "claims.csv"
    expected = claimcheck.validate_file(demo, rules=rules, as_of=AS_OF)
    with ThreadPoolExecutor(max_workers=8) as pool:
        reports = list(pool.map(lambda _: claimcheck.validate_file(demo, rules=rules, as_of=AS_OF), range(16)))
    assert all(report == expected for report in reports)


def test_line_results_hash_with_their_location() -> None:
    report = claimcheck.validate_file(ROOT / "fixtures" / "x12" / "professional.837", as_of=AS_OF)
    assert report.lines[0].location is not None
    assert len(set(report.lines)) == len(report.lines)
    again = claimcheck.validate_file(ROOT / "fixtures" / "x12" / "professional.837", as_of=AS_OF)
    assert hash(again.lines[0]) == hash(report.lines[0]) and again.lines[0] == report.lines[0]


def test_a_report_is_immutable_hashable_and_picklable_with_its_code_sets_and_locations() -> None:
    import pickle

    report = claimcheck.validate(GOOD_CLAIM, as_of=AS_OF)
    with pytest.raises(TypeError):
        report.code_sets["icd10cm"] = "1999"  # type: ignore[index]
    assert report.summary()["code_sets"]["icd10cm"] == "2026"
    assert hash(report) == hash(claimcheck.validate(GOOD_CLAIM, as_of=AS_OF))
    assert pickle.loads(pickle.dumps(report)) == report
    assert report.code_sets == claimcheck.load_rules().code_set_versions()
    x12 = claimcheck.validate_file(ROOT / "fixtures" / "x12" / "professional.837", as_of=AS_OF)
    line = x12.lines[0]
    assert line.location is not None
    before = hash(line)
    with pytest.raises(TypeError):
        line.location["file"] = "elsewhere.837"  # type: ignore[index]
    assert hash(line) == before and pickle.loads(pickle.dumps(x12)) == x12


def test_a_finding_compared_with_something_else_is_a_type_error() -> None:
    made = claimcheck.Finding(claimcheck.Check.MODIFIER, "modifier.profile", "GN", claimcheck.Status.FAIL, "m")
    for compare in (lambda: made < 1, lambda: made >= "x", lambda: sorted([made, None])):
        with pytest.raises(TypeError, match="not supported between instances of"):
            compare()


def test_a_report_built_by_hand_from_lists_holds_tuples() -> None:
    # The classes are public (merging the reports of several calls); a list kept as given left a
    # frozen report open to change and unhashable.
    made = claimcheck.validate(GOOD_CLAIM, as_of=AS_OF)
    line = made.lines[0]
    rebuilt = claimcheck.LineResult(line.claim_id, line.line_number, line.procedure_code, list(line.findings))  # type: ignore[arg-type]
    report = claimcheck.Report([rebuilt], made.rules_version, dict(made.code_sets))  # type: ignore[arg-type]
    assert type(rebuilt.findings) is tuple and type(report.lines) is tuple
    assert report == made and hash(report) == hash(made)


def test_a_rule_set_pickles_as_the_files_it_was_loaded_from(tmp_path: Path) -> None:
    # ProcessPoolExecutor.map(partial(validate, rules=rules), claims) pickles the rules; a rule
    # set failed with "cannot pickle 'mappingproxy' object".
    import pickle

    shipped = claimcheck.load_rules()
    assert pickle.loads(pickle.dumps(shipped)) is shipped
    order_file = tmp_path / "icd10cm-order-2027.txt"
    _write_order_file(order_file, {"I7027": False, "I70271": True})
    ptp = ROOT / "fixtures" / "ncci" / "ptp_sample.txt"
    custom = claimcheck.load_rules(ROOT / "rules", code_sets={"icd10cm": order_file}, ptp=[ptp])
    again = pickle.loads(pickle.dumps(custom))
    assert again.code_set_versions() == custom.code_set_versions() and again.version == custom.version
    claim = {**GOOD_CLAIM, "lines": [{**GOOD_CLAIM["lines"][0], "diagnosis_codes": ["I70.271"]}]}
    assert claimcheck.validate(claim, rules=again, as_of=AS_OF) == claimcheck.validate(claim, rules=custom, as_of=AS_OF)
    from_tables = claimcheck.load_rules(code_sets=shipped.code_sets, ptp=custom.ptp)
    with pytest.raises(TypeError, match=r"load_rules\(\.\.\.\) in each process"):
        pickle.dumps(from_tables)
