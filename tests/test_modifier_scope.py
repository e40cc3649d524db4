"""Modifiers valid on some procedure codes only: CPT Category II modifiers (1P, 2P, 3P, 8P) on
Category II codes, ambulance origin/destination pairs (RH) on ambulance codes. The rule cases
(fixtures/rule_cases/modifier.*.yaml) hold the findings; here, the rule-file side and the batch
engine's memo, which keys modifier.code_set on what kind of code the line has."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

import claimcheck
from claimcheck.engine.run import check_claim
from claimcheck.errors import RuleFileError
from claimcheck.io.batch import check_batch, line_results
from claimcheck.models.parse import parse_claim
from claimcheck.rules.loader import shipped_pack_path
from tests.conftest import AS_OF
from tests.rule_pack_edits import replace_once


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), target)
    return target


def test_ambulance_locations_without_ambulance_codes_are_refused(pack: Path) -> None:
    # Pairs are valid on ambulance codes only: a pack naming the letters but no codes would fail
    # every pair on every line.
    rule_file = pack / "general" / "modifier.yaml"
    replace_once(rule_file, "      ambulance_procedures:\n        - [A0021, A0999]\n", "")
    with pytest.raises(RuleFileError, match="needs ambulance_procedures") as caught:
        claimcheck.load_rules(pack)
    assert caught.value.file == str(rule_file)
    assert caught.value.key_path is not None and caught.value.key_path.endswith("ambulance_locations")


def test_category_ii_codes_are_a_pattern_of_the_rule(pack: Path) -> None:
    rule_file = pack / "general" / "modifier.yaml"
    replace_once(rule_file, "category_ii_procedures: '^\\d{4}F$'", "category_ii_procedures: '^\\d{4}[FT]$'")
    widened = claimcheck.load_rules(pack)
    claim = {
        "claim_id": "C1",
        "lines": [{"line_number": 1, "procedure_code": "0711T", "modifiers": ["8P"], "date_of_service": "2026-03-10"}],
    }
    report = claimcheck.validate(claim, rules=widened, as_of=AS_OF)
    assert [f.status.value for f in report.lines[0].findings if f.rule_id == "modifier.code_set"] == ["pass"]
    replace_once(rule_file, "'^\\d{4}[FT]$'", "'^(\\d{4}F$'")
    with pytest.raises(RuleFileError, match="not a valid regular expression"):
        claimcheck.load_rules(pack)


def _findings(results: object) -> list[list[tuple[str, str, str | None, str]]]:
    return [[(f.rule_id, f.status.value, f.subject, f.message) for f in r.findings] for r in results]  # type: ignore[attr-defined]


def test_batch_engine_judges_each_modifier_by_the_kind_of_code_of_its_line() -> None:
    # modifier.code_set is run once per (modifier, date, kind of code): a memo keyed on ambulance or
    # not would give 3074F-8P the judgement of 99213-8P, or the reverse, whichever came first.
    codes = ["99213", "3074F", "A0427", "0711T", "1036f", "a0425", "J1100"]
    modifiers = ["8P", "RH", "1P RH", "JG", "HR 2P"]
    rows = [(code, mods) for mods in modifiers for code in codes] + [
        (code, mods) for mods in modifiers for code in reversed(codes)
    ]
    lines = [
        {"line_number": str(n + 1), "procedure_code": c, "modifiers": m, "date_of_service": "2026-03-10"}
        for n, (c, m) in enumerate(rows)
    ]
    claim = {"claim_id": "C1", "lines": lines}
    rules = claimcheck.load_rules()
    columns = {"claim_id": ["C1"] * len(lines)} | {name: [line[name] for line in lines] for name in lines[0]}
    batch_lines, found, _ = check_batch(pa.record_batch(columns), rules, AS_OF)
    per_line = _findings(check_claim(parse_claim(claim), rules, AS_OF))
    assert _findings(line_results(batch_lines, found)) == per_line
    judged = {
        (c, m): {f[2]: f[1] for f in fs if f[0] == "modifier.code_set"}
        for (c, m), fs in zip(rows, per_line, strict=True)
    }
    assert judged[("3074F", "8P")] == {"8P": "pass"} and judged[("99213", "8P")] == {"8P": "fail"}
    assert judged[("A0427", "1P RH")] == {"1P": "fail", "RH": "pass"}
    assert judged[("1036f", "HR 2P")] == {"HR": "pass", "2P": "pass"}  # HR keeps its HCPCS meaning
    assert judged[("0711T", "RH")] == {"RH": "fail"}
