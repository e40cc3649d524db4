"""modifier.origin_destination on the rule-file side: its codes are ranges in order, and its pairs
are those of the pack's modifier_code_set rule, without which it is refused. The findings are in
fixtures/rule_cases/modifier.origin_destination.yaml."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import claimcheck
from claimcheck.errors import RuleFileError
from claimcheck.rules.loader import shipped_pack_path
from tests.rule_pack_edits import line_of, replace_once


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), target)
    return target


def test_its_codes_are_ranges_in_order(pack: Path) -> None:
    rule_file = pack / "general" / "modifier.yaml"
    replace_once(rule_file, "[A0425, A0436]", "[A0436, A0425]")
    with pytest.raises(RuleFileError, match="A0436 comes after A0425") as caught:
        claimcheck.load_rules(pack)
    assert caught.value.file == str(rule_file)


def test_a_pack_without_the_pairs_letters_is_refused(pack: Path) -> None:
    # Every ambulance line would fail as having no pair, whatever it carried.
    rule_file = pack / "general" / "modifier.yaml"
    text = rule_file.read_text(encoding="utf-8")
    without = re.sub(r"      ambulance_locations:\n(        .*\n)+      destination_only: \[X\]\n", "", text)
    assert without != text
    rule_file.write_text(without, encoding="utf-8")
    with pytest.raises(RuleFileError, match="needs a modifier_code_set rule with ambulance_locations") as caught:
        claimcheck.load_rules(pack)
    assert caught.value.file == str(rule_file)
    assert caught.value.line == line_of(rule_file, "id: modifier.origin_destination")
