"""A modifier_conflict rule lists each pair once: the same two modifiers again, in either order,
gave a line carrying them one finding per listing."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from claimcheck.errors import RuleFileError
from tests.rule_pack_copy import pack_fixture  # noqa: F401 (the pack fixture)
from tests.rule_pack_edits import replace_once


@pytest.mark.parametrize(
    ("again", "problem"),
    [
        ('[TC, "26"]', "TC 26 is pairs[0] (26 TC) the other way round; a conflict has no order, list it once"),
        ('["26", tc]', "26 TC is pairs[0] again; list each pair once"),
    ],
    ids=["reversed", "same order"],
)
def test_a_conflict_listed_twice_is_a_rule_file_error(pack: Path, again: str, problem: str) -> None:
    rule_file = pack / "general" / "modifier.yaml"
    replace_once(rule_file, '        - ["26", TC]\n', f'        - ["26", TC]\n        - {again}\n')
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    lines = rule_file.read_text(encoding="utf-8").splitlines()
    assert (error.file, error.key_path) == (str(rule_file), "rules[1].params.pairs[1]")
    assert error.line is not None and lines[error.line - 1] == f"        - {again}"
    assert error.problem == problem


def test_a_modifier_is_not_in_conflict_with_itself(pack: Path) -> None:
    # Never applied: a line lists a modifier once, and a pair of one modifier would fail any line with it.
    rule_file = pack / "general" / "modifier.yaml"
    replace_once(rule_file, '        - ["59", XU]\n', '        - ["59", XU]\n        - [XU, XU]\n')
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.key_path == "rules[2].params.pairs[4]"
    assert caught.value.problem == "XU is paired with itself; a conflict is between two modifiers"
