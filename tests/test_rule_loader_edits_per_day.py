"""Rule files with edits that would clash on a day are refused: a pair with two edits, split components,
a code paired with itself, an add-on with two entries, a code with two unit limits."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from claimcheck.errors import RuleFileError
from tests.rule_pack_copy import pack_fixture  # noqa: F401 (the pack fixture)
from tests.rule_pack_edits import replace_once

_SECOND_PAIR = """        - column1: {first}
          column2: [{second}]
          modifier_indicator: 1
          {dates}rationale: mine
          source: {{document: mine, section: x}}
        - column1: 0623T
"""


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        # A second entry for 0710T/0711T gave the 0711T line two pair.ptp findings, one saying no
        # modifier allows the pair and one that a 59 would.
        ("0710T", "0711T", "0710T 0711T is in pairs[0] and pairs[1] on the same days"),
        # 0710T/0711T at indicator 0 and 0711T/0710T at indicator 1: a claim of both, 59 on the
        # 0711T line, failed that line (no modifier allows the pair) and passed the 0710T line by the 59.
        ("0711T", "0710T", "0710T 0711T is in pairs[0] and 0711T 0710T in pairs[1] on the same days"),
    ],
    ids=["same order", "reversed"],
)
@pytest.mark.parametrize(
    ("dates", "refused"),
    [("", True), ("effective: 2024-01-01\n          ", True), ("expires: 2022-06-30\n          ", False)],
    ids=["undated", "overlapping", "before the first"],
)
def test_a_pair_has_one_edit_on_a_day(
    pack: Path, first: str, second: str, message: str, dates: str, refused: bool
) -> None:
    pairs = pack / "general" / "pair.yaml"
    replace_once(pairs, "        - column1: 0623T\n", _SECOND_PAIR.format(first=first, second=second, dates=dates))
    if not refused:
        claimcheck.load_rules(pack)
        return
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert (error.file, error.key_path) == (str(pairs), "rules[0].params.pairs[1]")
    assert message in error.problem


def test_split_components_are_two_modifiers(pack: Path) -> None:
    # With one modifier for both, a line carrying it had "both" components and none was judged.
    pairs = pack / "general" / "pair.yaml"
    replace_once(pairs, "      technical: TC\n", '      technical: "26"\n')
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.key_path == "rules[2].params"
    assert "professional and technical are both 26" in caught.value.problem


def test_a_code_is_not_paired_with_itself(pack: Path) -> None:
    # Accepted, and never applied: the check pairs lines of different codes.
    pairs = pack / "general" / "pair.yaml"
    replace_once(pairs, "          column2: [0711T, 0712T, 0713T]\n", "          column2: [0711T, 0710T]\n")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.key_path == "rules[0].params.pairs[0].column2"
    assert "0710T is in column1 and column2" in caught.value.problem


def test_an_add_on_has_one_entry_on_a_day(pack: Path) -> None:
    pairs = pack / "general" / "pair.yaml"
    entry = "        - addon: 0722T\n          primaries: [70450]\n          source: {document: mine, section: x}\n"
    replace_once(pairs, "      addons:\n", "      addons:\n" + entry)
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert "add-on 0722T is in addons[0] and addons[1] on the same days" in caught.value.problem


def test_a_code_has_one_unit_limit_on_a_day(pack: Path) -> None:
    # The first limit in force was applied and the other ignored without a word.
    units = pack / "general" / "units.yaml"
    limit = "{code: 77011, limit: %d, indicator: 1, rationale: r, source: {document: d, section: s}}"
    replace_once(units, "      limits: []\n", f"      limits:\n        - {limit % 1}\n        - {limit % 3}\n")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.key_path == "rules[1].params.limits[1]"
    assert "77011 is in limits[0] and limits[1] on the same days" in caught.value.problem
