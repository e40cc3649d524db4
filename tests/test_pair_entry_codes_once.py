"""A pair entry lists each of its codes once per column: a code listed twice was reported as the
entry clashing with itself ('0710T 0711T is in pairs[0] and pairs[0] on the same days')."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from claimcheck.errors import RuleFileError
from tests.rule_pack_copy import pack_fixture  # noqa: F401 (the pack fixture)
from tests.rule_pack_edits import replace_once


@pytest.mark.parametrize(
    ("written", "key_path", "problem"),
    [
        (
            "          column2: [0711T, 0712T, 0711T]\n",
            "column2[2]",
            "listed twice (also column2[0]); list each code once",
        ),
        ("        - column1: [0710T, 0710T]\n", "column1[1]", "listed twice (also column1[0]); list each code once"),
    ],
    ids=["column2", "column1"],
)
def test_a_code_listed_twice_in_a_column_is_named_at_its_second_listing(
    pack: Path, written: str, key_path: str, problem: str
) -> None:
    pairs = pack / "general" / "pair.yaml"
    original = "          column2: [0711T, 0712T, 0713T]\n" if "column2" in written else "        - column1: 0710T\n"
    replace_once(pairs, original, written)
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert (error.file, error.key_path, error.problem) == (str(pairs), f"rules[0].params.pairs[0].{key_path}", problem)
    assert error.value == ("0711T" if "column2" in written else "0710T")
