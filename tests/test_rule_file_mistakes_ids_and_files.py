"""Mistakes a billing engineer makes across a copy of the rule pack: a rule id used twice or as another's
alias, profile files and pack.yaml listings named wrongly, entries that clash; each points at the place
to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rule_pack_edits import line_of, replace_once
from tests.rule_pack_mistakes import (
    _refused,
    pack_fixture,  # noqa: F401 (the pack fixture)
)


def test_a_rule_id_used_twice_names_both_places(pack: Path) -> None:
    """It named the other file only: in a pack of many rules the author had to search it."""
    modifier, diagnosis = pack / "general" / "modifier.yaml", pack / "general" / "diagnosis.yaml"
    replace_once(modifier, "id: modifier.26_tc", "id: diagnosis.required")
    error = _refused(pack)
    assert (error.file, error.line, error.key_path) == (str(diagnosis), 2, "rules[0].id")
    first = line_of(modifier, "id: diagnosis.required")
    assert error.problem == f"rule id is already used in {modifier}:{first} (rules[1].id)"


def test_an_alias_used_as_another_rule_id_is_named_at_the_alias(pack: Path) -> None:
    """It was reported at the rule's id, which is not the duplicate."""
    diagnosis = pack / "general" / "diagnosis.yaml"
    replace_once(
        diagnosis, "    kind: diagnosis_required\n", "    kind: diagnosis_required\n    aliases: [modifier.26_tc]\n"
    )
    error = _refused(pack)
    assert (error.line, error.key_path, error.value) == (
        line_of(diagnosis, "aliases: [modifier.26_tc]"),
        "rules[0].aliases[0]",
        "modifier.26_tc",
    )
    modifier = pack / "general" / "modifier.yaml"
    assert (
        error.problem
        == f"rule id is already used in {modifier}:{line_of(modifier, 'id: modifier.26_tc')} (rules[1].id)"
    )


def test_a_profile_file_named_in_lower_case_is_pointed_out(pack: Path) -> None:
    """The manifest reads 0711t as 0711T; with the file 0711t.yaml, 'no file procedures/0711T.yaml'
    left the author looking at a file that is there."""
    (pack / "procedures" / "0711T.yaml").rename(pack / "procedures" / "0711t.yaml")
    replace_once(pack / "pack.yaml", "  - 0711T", "  - 0711t")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("procedures[0]", "0711t")
    assert error.problem == (
        "no file procedures/0711T.yaml in the pack (0711t.yaml is there: a profile's file is named by"
        " its code in capitals)"
    )


def test_a_code_listed_twice_in_pack_yaml_is_quoted_as_written(pack: Path) -> None:
    replace_once(pack / "pack.yaml", "  - 0711T\n", "  - 0711T\n  - 0711t\n")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("procedures[1]", "0711t")
    assert error.problem == "listed twice (also procedures[0]); list each file once"


_LIMIT = "{code: 77011, limit: %d, indicator: 1, rationale: r, source: {document: d, section: s}}"


@pytest.mark.parametrize(
    ("file", "old", "new", "marker", "key_path", "problem"),
    [
        (
            "general/units.yaml",
            "      limits: []\n",
            f"      limits:\n        - {_LIMIT % 1}\n        - {_LIMIT % 3}  # second\n",
            "# second",
            "rules[1].params.limits[1]",
            "77011 is in limits[0] and limits[1] on the same days",
        ),
        (
            "general/pair.yaml",
            "          column2: [0711T, 0712T, 0713T]\n",
            "          column2: [0711T, 0710T]\n",
            "column2: [0711T, 0710T]",
            "rules[0].params.pairs[0].column2",
            "0710T is in column1 and column2; a code is not paired with itself",
        ),
        (
            "general/date.yaml",
            "        - codes: [0721T, 0722T]\n",
            "        - codes: [0721T, 0722T, 0711T]\n",
            "codes: [0721T, 0722T, 0711T]",
            "rules[0].params.codes[1].codes",
            "0711T is in codes[0] and codes[1]; a code has one effective date",
        ),
        (
            "general/modifier.yaml",
            "[A0021, A0999]",
            "[A0999, A0021]",
            "[A0999, A0021]",
            "rules[0].params.ambulance_procedures[0]",
            "A0999 comes after A0021",
        ),
    ],
)
def test_a_clash_between_entries_points_at_the_entry_to_fix(
    pack: Path, file: str, old: str, new: str, marker: str, key_path: str, problem: str
) -> None:
    """These pointed at the whole params block (or entry) and quoted it cut short:
    'rules[1].params: {limits: [{code: 0711T, limit: 1, indicator: 2, rationale: …: 0711T is in …'."""
    path = pack / file
    replace_once(path, old, new)
    error = _refused(pack)
    assert (error.line, error.key_path, error.value) == (line_of(path, marker), key_path, None)
    assert error.problem.startswith(problem)


@pytest.mark.parametrize("written", ["units.yaml", "general/units.yaml", "units.yml"])
def test_pack_yaml_listing_a_file_by_its_path_says_to_list_its_name(pack: Path, written: str) -> None:
    replace_once(pack / "pack.yaml", "  - units\n", f"  - {written}\n")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("general[7]", written)
    assert error.problem.endswith("(list it as units: a file's name without its folder and .yaml)")
