"""modifier_conflict rules (modifier.26_tc, modifier.59_x) on the rule-file side: each rule says
what to do about its own conflict, and one without advice names the conflict alone. The findings
are in fixtures/rule_cases/modifier.26_tc.yaml and modifier.59_x.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import claimcheck
from claimcheck.cli import main
from claimcheck.rules.loader import shipped_pack_path
from tests.conftest import AS_OF
from tests.rule_pack_edits import replace_once


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), target)
    return target


def _messages(rules: claimcheck.RuleSet, modifiers: list[str], rule_id: str) -> list[str]:
    claim = {
        "claim_id": "C1",
        "lines": [
            {"line_number": 1, "procedure_code": "11102", "modifiers": modifiers, "date_of_service": "2026-03-10"}
        ],
    }
    report = claimcheck.validate(claim, rules=rules, as_of=AS_OF)
    return [f.message for f in report.lines[0].findings if f.rule_id == rule_id]


def test_each_conflict_rule_gives_its_own_advice() -> None:
    # The advice was written into the kind: any pair a pack listed was told to "bill the global
    # service", the 26/TC advice.
    rules = claimcheck.load_rules()
    assert _messages(rules, ["26", "TC"], "modifier.26_tc") == [
        "26 and TC on the same line: bill the global service without either, or the components on separate lines"
    ]
    [message] = _messages(rules, ["59", "XU"], "modifier.59_x")
    assert message.startswith("59 and XU on the same line: XE, XS, XP and XU are more selective versions of 59")
    assert "global service" not in message


def test_a_conflict_rule_without_advice_names_the_conflict_alone(pack: Path) -> None:
    rule_file = pack / "general" / "modifier.yaml"
    text = rule_file.read_text(encoding="utf-8")
    start = text.index("      advice:", text.index("id: modifier.59_x"))
    end = text.index("\n", start) + 1
    while text[end:].startswith("        "):  # the advice's folded lines
        end = text.index("\n", end) + 1
    rule_file.write_text(text[:start] + text[end:], encoding="utf-8")
    assert _messages(claimcheck.load_rules(pack), ["XS", "59"], "modifier.59_x") == ["59 and XS on the same line"]


def test_the_advice_is_shown_with_the_pairs() -> None:
    shown = CliRunner().invoke(main, ["rules", "show", "modifier.59_x"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "  pairs:\n    - [59, XE]\n    - [59, XS]\n    - [59, XP]\n    - [59, XU]\n  advice: " in shown.stdout


def test_an_unknown_modifier_in_a_pair_is_refused(pack: Path) -> None:
    rule_file = pack / "general" / "modifier.yaml"
    replace_once(rule_file, '["59", XU]', '["59", XZ]')
    with pytest.raises(claimcheck.RuleFileError, match="XZ"):
        claimcheck.load_rules(pack)
