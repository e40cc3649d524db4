"""The public library API at work: validate on a dict or a claim model, the README example as written,
a newer ICD-10-CM release, code sets passed directly, the JSON fixtures, validate_file's options."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

import claimcheck
from claimcheck.refdata import shipped_code_sets
from tests.api_claims import GOOD_CLAIM, _write_order_file
from tests.conftest import AS_OF, ROOT


def test_validate_a_dict_gives_the_json_report_shape() -> None:
    report = claimcheck.validate(GOOD_CLAIM, as_of=AS_OF)
    data = report.to_dict()
    assert set(data) == {"summary", "lines"}
    assert data["summary"]["lines"] == 1
    assert data["summary"]["pass"] == 1 and data["summary"]["fail"] == 0 and data["summary"]["warn"] == 0
    assert data["summary"]["code_sets"]["icd10cm"] == "2026"
    assert data["summary"]["code_sets"]["nucc"] == "25.1"
    assert data["summary"]["rules_version"] == claimcheck.load_rules().version
    line = data["lines"][0]
    assert {k: line[k] for k in ("claim_id", "line_number", "procedure_code", "status")} == {
        "claim_id": "C1",
        "line_number": 1,
        "procedure_code": "0711T",
        "status": "pass",
    }
    finding = line["findings"][0]
    assert set(finding) == {"rule_id", "check", "status", "subject", "message", "source"}


def test_validate_a_claim_model_gives_the_same_report() -> None:
    claim = claimcheck.Claim.model_validate(GOOD_CLAIM)
    assert claimcheck.validate(claim, as_of=AS_OF) == claimcheck.validate(GOOD_CLAIM, as_of=AS_OF)


@pytest.mark.parametrize("garbage", [None, [], "x", 42, {"claim_id": "C9"}, {"claim_id": "C9", "lines": "no"}])
def test_a_wrong_claim_never_raises(garbage: object) -> None:
    report = claimcheck.validate(garbage, as_of=AS_OF)
    assert len(report.lines) == 1
    assert report.lines[0].status is claimcheck.Status.FAIL
    assert {f.check for f in report.lines[0].findings} == {claimcheck.Check.INPUT}


def test_a_newer_icd10cm_release_needs_no_code_change(tmp_path: Path) -> None:
    order_file = tmp_path / "icd10cm-order-2027.txt"
    _write_order_file(order_file, {"I7027": False, "I70271": True})  # invented FY2027-style additions
    rules = claimcheck.load_rules(code_sets={"icd10cm": order_file})
    claim = {**GOOD_CLAIM, "lines": [{**GOOD_CLAIM["lines"][0], "diagnosis_codes": ["I70.271"]}]}
    report = claimcheck.validate(claim, rules=rules, as_of=date(2027, 1, 5))
    assert report.summary()["code_sets"]["icd10cm"] == "2027"
    assert report.lines[0].status is claimcheck.Status.PASS
    shipped = claimcheck.validate(claim, as_of=date(2027, 1, 5))
    assert shipped.lines[0].status is claimcheck.Status.FAIL


def test_the_readmes_library_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Its last call validated a ``claim`` the block never defined: a NameError for anyone pasting it.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = next(block for block in readme.split("```python\n")[1:] if "claimcheck.load_rules(" in block)
    example = example.split("```")[0]
    shutil.copytree(ROOT / "src" / "claimcheck" / "rulepack", tmp_path / "my-rules")
    shutil.copy(ROOT / "fixtures" / "demo" / "claims.csv", tmp_path / "claims.csv")
    _write_order_file(tmp_path / "icd10cm-order-2027.txt", {})
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {"AS_OF": AS_OF}
    exec(example.replace("validate(claim", "validate(claim, as_of=AS_OF"), names)
    assert names["report"].lines[0].status is claimcheck.Status.PASS  # type: ignore[attr-defined]
    rules = names["rules"]
    assert rules.code_set_versions()["icd10cm"] == "2027"  # type: ignore[attr-defined]
    again = claimcheck.validate(names["claim"], rules=rules, as_of=AS_OF)  # type: ignore[arg-type]
    assert again.lines[0].status is claimcheck.Status.PASS


def test_code_sets_object_can_be_passed_directly() -> None:
    rules = claimcheck.load_rules(code_sets=shipped_code_sets())
    assert rules.code_set_versions() == claimcheck.load_rules().code_set_versions()


def test_the_shipped_json_fixtures_read_the_same_as_json_and_jsonl() -> None:
    folder = ROOT / "fixtures" / "json"
    as_json = claimcheck.validate_file(folder / "claims.json", as_of=AS_OF)
    as_jsonl = claimcheck.validate_file(folder / "claims.jsonl", as_of=AS_OF)
    assert as_json == as_jsonl
    assert [(ln.claim_id, ln.line_number, ln.status.value) for ln in as_json.lines] == [
        ("J1", 1, "pass"),
        ("J1", 2, "fail"),
        ("J2", 1, "warn"),
    ]


def test_validate_file_takes_the_options_of_validate_files() -> None:
    # Its docstring says "options as for validate_files"; engine= was refused as unexpected.
    import inspect

    one = inspect.signature(claimcheck.validate_file).parameters
    many = inspect.signature(claimcheck.validate_files).parameters
    assert list(one)[1:] == list(many)[1:]
    with pytest.raises(ValueError, match="unknown engine 'fast'"):
        claimcheck.validate_file(ROOT / "fixtures" / "demo" / "claims.csv", engine="fast")
