"""HCPCS modifiers valid on ambulance codes only (QM, QN, QL, GM: modifier.code_set's
ambulance_modifiers) on the rule-file side, and the batch engine's memo, which keys
modifier.code_set on the kind of code of the line. The findings are in
fixtures/rule_cases/modifier.code_set.yaml."""

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


def test_an_unknown_modifier_among_them_is_refused(pack: Path) -> None:
    rule_file = pack / "general" / "modifier.yaml"
    replace_once(rule_file, "- modifiers: [QM, QN]", "- modifiers: [QM, ZZ]")
    with pytest.raises(RuleFileError, match="ZZ") as caught:
        claimcheck.load_rules(pack)
    assert caught.value.file == str(rule_file)


def test_a_modifier_in_two_groups_is_refused(pack: Path) -> None:
    # Which group's source a finding cited would depend on the order of the groups.
    rule_file = pack / "general" / "modifier.yaml"
    replace_once(rule_file, "- modifiers: [GM]", "- modifiers: [GM, QM]")
    with pytest.raises(RuleFileError, match="QM is in ambulance_modifiers") as caught:
        claimcheck.load_rules(pack)
    assert caught.value.file == str(rule_file)


def test_without_ambulance_codes_they_are_refused(pack: Path) -> None:
    # Valid on ambulance codes only: a pack naming them but no codes would fail every one.
    rule_file = pack / "general" / "modifier.yaml"
    text = rule_file.read_text(encoding="utf-8")
    start, end = text.index("      ambulance_locations:\n"), text.index("      ambulance_procedures:\n")
    without = text[:start] + text[end:].replace("      ambulance_procedures:\n        - [A0021, A0999]\n", "", 1)
    rule_file.write_text(without, encoding="utf-8")
    with pytest.raises(RuleFileError, match="needs ambulance_procedures") as caught:
        claimcheck.load_rules(pack)
    assert caught.value.key_path is not None and caught.value.key_path.endswith("ambulance_modifiers")


def _findings(results: object) -> list[list[tuple[str, str, str | None, str]]]:
    return [[(f.rule_id, f.status.value, f.subject, f.message) for f in r.findings] for r in results]  # type: ignore[attr-defined]


def test_batch_engine_judges_them_by_the_kind_of_code_of_their_line() -> None:
    # A memo keyed on the modifier and date alone would give 99213-QM the judgement of A0428-QM.
    codes = ["A0428", "99213", "a0425", "3074F", "J1100", "A0999"]
    modifiers = ["QM", "RH QN", "GM QL", "QL 8P"]
    rows = [(c, m) for m in modifiers for c in codes] + [(c, m) for m in modifiers for c in reversed(codes)]
    lines = [
        {"line_number": str(n + 1), "procedure_code": c, "modifiers": m, "date_of_service": "2026-03-10"}
        for n, (c, m) in enumerate(rows)
    ]
    rules = claimcheck.load_rules()
    columns = {"claim_id": ["C1"] * len(lines)} | {name: [line[name] for line in lines] for name in lines[0]}
    batch_lines, found, _ = check_batch(pa.record_batch(columns), rules, AS_OF)
    per_line = _findings(check_claim(parse_claim({"claim_id": "C1", "lines": lines}), rules, AS_OF))
    assert _findings(line_results(batch_lines, found)) == per_line
    judged = {
        (c, m): {f[2]: f[1] for f in fs if f[0] == "modifier.code_set"}
        for (c, m), fs in zip(rows, per_line, strict=True)
    }
    assert judged[("A0428", "QM")] == {"QM": "pass"} and judged[("99213", "QM")] == {"QM": "fail"}
    assert judged[("a0425", "GM QL")] == {"GM": "pass", "QL": "pass"}
    assert judged[("3074F", "QL 8P")] == {"QL": "fail", "8P": "pass"}
    assert judged[("A0999", "RH QN")] == {"RH": "pass", "QN": "pass"}
