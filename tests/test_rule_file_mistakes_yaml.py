"""Mistakes a billing engineer makes writing YAML in a copy of the rule pack: tabs, unquoted colons, a
second document, an unclosed bracket, rules without the rules key, an empty file, a misspelt key; each
named by file and line, counted once, long values cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rule_pack_edits import line_of, replace_once
from tests.rule_pack_mistakes import (
    _refused,
    pack_fixture,  # noqa: F401 (the pack fixture)
)


def test_a_misspelt_key_is_one_problem_not_two(pack: Path) -> None:
    """'sumary' was also counted as the missing 'summary': '(and 1 more problem in this file)'
    sent the author looking for a second mistake that fixing the first one fixes."""
    path = pack / "general" / "diagnosis.yaml"
    replace_once(path, "    summary: Every line has", "    sumary: Every line has")
    error = _refused(pack)
    assert (error.line, error.key_path) == (line_of(path, "sumary:"), "rules[0].sumary")
    assert error.problem == "unknown key (did you mean 'summary'?)"


def test_a_second_real_problem_is_still_counted(pack: Path) -> None:
    path = pack / "general" / "diagnosis.yaml"
    replace_once(path, "    summary: Every line has", "    sumary: Every line has")
    replace_once(path, "    status: fail\n", "    status: maybe\n")
    assert _refused(pack).problem == "unknown key (did you mean 'summary'?) (and 1 more problem in this file)"


@pytest.mark.parametrize("text", ["", "\n\n", "# to do: list the modifiers\n", "---\n"])
def test_an_empty_rule_file_says_it_is_empty(pack: Path, text: str) -> None:
    """It said 'must be a mapping of keys to values', which an empty file does not look like it breaks."""
    path = pack / "procedures" / "0711T.yaml"
    path.write_text(text, encoding="utf-8")
    error = _refused(pack)
    assert (error.file, error.line, error.problem) == (str(path), None, "is empty")
    assert error.allowed is not None and error.allowed.startswith("a mapping with keys procedure, title, source")


def test_a_rule_written_without_the_rules_key_is_pointed_at_it(pack: Path) -> None:
    path = pack / "general" / "units.yaml"
    text = path.read_text(encoding="utf-8").split("\n\n")[0]
    path.write_text(text.replace("rules:\n  - ", "").replace("\n    ", "\n"), encoding="utf-8")
    error = _refused(pack)
    assert (error.line, error.key_path) == (1, "id")
    assert error.problem.startswith("unknown key; a rule goes under rules:, as an item of its list (- id: …)")


def test_rules_written_without_the_rules_key_are_pointed_at_it(pack: Path) -> None:
    """A general file that is a list of rules: 'must be a mapping' did not say of what."""
    path = pack / "general" / "units.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("rules:\n", "", 1).replace("\n  ", "\n").lstrip(" "), encoding="utf-8")
    error = _refused(pack)
    assert (error.line, error.problem) == (1, "is a list; a general file holds its list of rules under the key rules")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('  - code: "22"', '\t- code: "22"'),
        ("    status: pass\n    meaning: Increased", "    status:\tpass\n    meaning: Increased"),
    ],
)
def test_a_tab_says_to_use_spaces(pack: Path, old: str, new: str) -> None:
    """PyYAML says "found character '\\t' that cannot start any token", which does not say what to do."""
    path = pack / "procedures" / "0711T.yaml"
    replace_once(path, old, new)
    error = _refused(pack)
    assert error.line == line_of(path, "\t")
    assert error.problem == "invalid YAML: a tab where YAML allows only spaces; indent and separate with spaces"


def test_a_colon_in_a_text_value_says_to_quote_it(pack: Path) -> None:
    """'reason: note: …' is a common slip; PyYAML's 'mapping values are not allowed here' is all it said."""
    path = pack / "procedures" / "0711T.yaml"
    replace_once(path, "reason: the document allows it when data preparation", "reason: note: the document allows it")
    error = _refused(pack)
    assert error.line == line_of(path, "reason: note:")
    assert error.problem == (
        "invalid YAML: mapping values are not allowed here (a text value holding ': ' needs quotes,"
        " or a key is indented differently from the keys around it)"
    )


def test_a_second_yaml_document_says_a_rule_file_holds_one(pack: Path) -> None:
    """PyYAML's problem alone was 'invalid YAML: but found another document'."""
    path = pack / "procedures" / "0711T.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "---\nprocedure: 0711T\n", encoding="utf-8")
    error = _refused(pack)
    assert error.line == len(path.read_text(encoding="utf-8").splitlines()) - 1
    assert error.problem == "invalid YAML: a second document (---) begins here; a rule file holds one"


def test_an_unclosed_bracket_gives_what_pyyaml_expected(pack: Path) -> None:
    path = pack / "procedures" / "0711T.yaml"
    replace_once(path, "section: Billing Code Overview}", "section: Billing Code Overview")
    error = _refused(pack)
    assert (error.line, error.problem) == (
        6,
        "invalid YAML: expected ',' or '}', but got ':' (in the { opened on line 5)",
    )


def test_a_long_text_value_is_quoted_cut_short(pack: Path) -> None:
    """A paragraph written where a list belongs was quoted whole in the one-line message."""
    path = pack / "procedures" / "0711T.yaml"
    replace_once(path, "notes:\n  - >-", "notes: >-")
    error = _refused(pack)
    assert (error.key_path, error.problem) == ("notes", "is the wrong type")
    assert repr(error.value) == "'Family 0710T (global) / 0711T (data preparation and transmi…'"
