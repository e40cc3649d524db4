"""Mistakes a billing engineer makes editing a copy of the rule pack: each is named by file, line,
key path, the value as written and what is allowed, on the command line as in the library."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import claimcheck
from claimcheck.errors import RuleFileError
from claimcheck.rules.loader import shipped_pack_path
from tests.rule_pack_edits import line_of, replace_once


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(shipped_pack_path(), tmp_path / "my-rules"))


def _refused(pack: Path) -> RuleFileError:
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    return caught.value


@pytest.mark.parametrize(
    ("file", "after", "key_path"),
    [
        ("procedures/0711T.yaml", "    status: warn\n    meaning: Left side\n", "modifiers[8].expires"),
        ("general/diagnosis.yaml", "    check: diagnosis\n    kind: diagnosis_required\n", "rules[0].expires"),
        ("general/date.yaml", "          effective: 2022-07-01\n", "rules[0].params.codes[0].expires"),
    ],
)
def test_an_entry_that_expires_before_it_takes_effect_points_at_expires(
    pack: Path, file: str, after: str, key_path: str
) -> None:
    """It pointed at the whole entry and quoted it cut short ({code: LT, status: warn, effecti…)."""
    path = pack / file
    dates = "effective: 2026-01-01\n" if "effective" not in after else ""
    indent = after.splitlines()[-1][: len(after.splitlines()[-1]) - len(after.splitlines()[-1].lstrip())]
    replace_once(
        path, after, after + "".join(f"{indent}{line}\n" for line in (*dates.splitlines(), "expires: 2021-12-31"))
    )
    error = _refused(pack)
    assert (error.line, error.key_path, error.value) == (line_of(path, "expires: 2021-12-31"), key_path, "2021-12-31")
    assert error.problem.startswith("is before effective (20")


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


def test_a_status_left_empty_is_named_empty(pack: Path) -> None:
    """'status:' with nothing after it was 'modifiers[9].status: is not allowed', no value shown."""
    path = pack / "procedures" / "0711T.yaml"
    replace_once(path, "status: fail", "status:")
    error = _refused(pack)
    assert (error.line, error.key_path, error.problem) == (68, "modifiers[9].status", "is empty")
    assert error.allowed == "'pass', 'warn' or 'fail'"


@pytest.mark.parametrize("text", ["", "\n\n", "# to do: list the modifiers\n", "---\n"])
def test_an_empty_rule_file_says_it_is_empty(pack: Path, text: str) -> None:
    """It said 'must be a mapping of keys to values', which an empty file does not look like it breaks."""
    path = pack / "procedures" / "0711T.yaml"
    path.write_text(text, encoding="utf-8")
    error = _refused(pack)
    assert (error.file, error.line, error.problem) == (str(path), None, "is empty")
    assert error.allowed is not None and error.allowed.startswith("a mapping with keys procedure, title, source")


def test_a_pair_of_three_says_how_many_items_a_pair_holds(pack: Path) -> None:
    """It was pydantic's 'Tuple should have at most 2 items after validation, not 3'."""
    path = pack / "general" / "modifier.yaml"
    replace_once(path, '- ["26", TC]', '- ["26", TC, "59"]')
    error = _refused(pack)
    assert (error.key_path, error.problem) == ("rules[1].params.pairs[0]", "must hold at most 2 items, not 3")
    replace_once(path, '- ["26", TC, "59"]', '- ["26"]')
    error = _refused(pack)
    assert (error.key_path, error.value, error.problem) == (
        "rules[1].params.pairs[0]",
        "[26]",
        "must hold at least 2 items, not 1",
    )


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


@pytest.mark.parametrize(("written", "meant"), [("Warn", "warn"), ("FAIL", "fail")])
def test_a_status_in_capitals_suggests_the_lower_case(pack: Path, written: str, meant: str) -> None:
    replace_once(pack / "general" / "diagnosis.yaml", "status: fail", f"status: {written}")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("rules[0].status", written)
    assert error.problem == f"is not allowed (did you mean {meant!r}?)"


def test_params_given_to_a_kind_that_takes_none_say_so(pack: Path) -> None:
    """It was 'unknown key' with nothing allowed named."""
    path = pack / "general" / "diagnosis.yaml"
    replace_once(path, "    kind: diagnosis_required\n", "    kind: diagnosis_required\n    params: {strict: true}\n")
    error = _refused(pack)
    assert (error.line, error.key_path) == (line_of(path, "params: {strict"), "rules[0].params.strict")
    assert error.problem == "unknown key; a rule of this kind takes no params (leave params out)"


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


def test_a_misspelt_kind_suggests_the_kind(pack: Path) -> None:
    replace_once(pack / "general" / "diagnosis.yaml", "kind: diagnosis_required", "kind: diagnosis_requried")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("rules[0].kind", "diagnosis_requried")
    assert error.problem == "unknown rule kind (did you mean 'diagnosis_required'?)"
    assert error.allowed is not None and "positive_units" in error.allowed


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


@pytest.mark.parametrize("written", ["units.yaml", "general/units.yaml", "units.yml"])
def test_pack_yaml_listing_a_file_by_its_path_says_to_list_its_name(pack: Path, written: str) -> None:
    replace_once(pack / "pack.yaml", "  - units\n", f"  - {written}\n")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("general[7]", written)
    assert error.problem.endswith("(list it as units: a file's name without its folder and .yaml)")


@pytest.mark.parametrize(
    ("written", "key_path", "allowed"),
    [
        ("{code: R02}", "diagnoses[3].document_code", "a valid string or a valid list"),
        ("[R02, {code: R03}]", "diagnoses[3].document_code[1]", "a valid string"),
    ],
)
def test_a_code_or_list_of_codes_of_the_wrong_type_names_the_key_as_written(
    pack: Path, written: str, key_path: str, allowed: str
) -> None:
    """The key path carried pydantic's name for a branch of the union: 'document_code.function-after[
    functools.partial(<function min_length_validator at 0x7f…>, …)]', and a second problem was counted."""
    path = pack / "procedures" / "0711T.yaml"
    replace_once(path, "document_code: R02", f"document_code: {written}")
    error = _refused(pack)
    assert (error.line, error.key_path, error.problem, error.allowed) == (
        line_of(path, "document_code: "),
        key_path,
        "is the wrong type",
        allowed,
    )


def test_a_long_text_value_is_quoted_cut_short(pack: Path) -> None:
    """A paragraph written where a list belongs was quoted whole in the one-line message."""
    path = pack / "procedures" / "0711T.yaml"
    replace_once(path, "notes:\n  - >-", "notes: >-")
    error = _refused(pack)
    assert (error.key_path, error.problem) == ("notes", "is the wrong type")
    assert repr(error.value) == "'Family 0710T (global) / 0711T (data preparation and transmi…'"


@pytest.mark.parametrize(
    ("file", "old", "new", "meant"),
    [
        (
            "general/diagnosis.yaml",
            "check: diagnosis\n    kind: diagnosis_required",
            "check: diagnoses\n    kind: diagnosis_required",
            "diagnosis",
        ),
        ("general/diagnosis.yaml", "status: fail", "status: failed", "fail"),
        ("procedures/0711T.yaml", "status: warn", "status: warning", "warn"),
    ],
)
def test_a_near_miss_of_an_allowed_value_suggests_it(pack: Path, file: str, old: str, new: str, meant: str) -> None:
    replace_once(pack / file, old, new)
    assert _refused(pack).problem == f"is not allowed (did you mean {meant!r}?)"


def test_a_general_rule_with_status_pass_says_what_its_status_means(pack: Path) -> None:
    replace_once(pack / "general" / "diagnosis.yaml", "status: fail", "status: pass")
    error = _refused(pack)
    assert (error.key_path, error.value, error.allowed) == ("rules[0].status", "pass", "'warn' or 'fail'")
    assert error.problem == "is not allowed (a rule's status is that of its finding when the line breaks it)"


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("I73.99", "; the nearest code above it is I73.9"),
        ("I70.2139", "; the nearest code above it is I70.213"),
        ("XYZ", ""),
    ],
)
def test_a_diagnosis_not_in_icd10cm_names_the_nearest_code_above_it(pack: Path, written: str, hint: str) -> None:
    """A digit too many was 'is not a code in ICD-10-CM 2026' only."""
    replace_once(pack / "procedures" / "0711T.yaml", "code: I73.9", f"code: {written}")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("diagnoses[2].code", written)
    assert error.problem == f"is not a code in ICD-10-CM 2026{hint}"


@pytest.mark.parametrize(
    ("old", "new", "key_path", "pattern"),
    [
        ("        D: a diagnostic", "        DD: a diagnostic", "rules[0].params.ambulance_locations.DD", "^[A-Z]$"),
        ("destination_only: [X]", "destination_only: [XX]", "rules[0].params.destination_only[0]", "^[A-Z]$"),
        ("        1P: Perf", "        1PP: Perf", "rules[0].params.category_ii_modifiers.1PP", "^[0-9][A-Z]$"),
    ],
)
def test_a_value_of_the_wrong_form_gives_the_form(pack: Path, old: str, new: str, key_path: str, pattern: str) -> None:
    """It was pydantic's "String should match pattern '^[A-Z]$'"."""
    path = pack / "general" / "modifier.yaml"
    replace_once(path, old, new)
    error = _refused(pack)
    assert (error.line, error.key_path) == (line_of(path, new.strip()), key_path)
    assert error.problem == f"must match {pattern}"


@pytest.mark.parametrize(
    ("file", "old", "new", "key_path", "problem"),
    [
        ("procedures/0711T.yaml", 'code: "22"', 'code: ""', "modifiers[0].code", "is empty"),
        ("procedures/0711T.yaml", 'code: "22"', 'code: "  "', "modifiers[0].code", "is empty"),
        ("procedures/77011.yaml", "title: CT guidance for stereotactic localization", 'title: ""', "title", "is empty"),
        ("general/input.yaml", "maximum: 4", "maximum: four", "rules[1].params.maximum", "must be a whole number"),
        ("general/input.yaml", "maximum: 4", "maximum: 2.5", "rules[1].params.maximum", "must be a whole number"),
    ],
)
def test_an_empty_text_or_a_number_that_is_not_whole_says_so(
    pack: Path, file: str, old: str, new: str, key_path: str, problem: str
) -> None:
    """They were 'must hold at least 1 item' (for text), pydantic's 'String should have at least 1
    character' and 'must be a valid integer, unable to parse string as an integer'."""
    replace_once(pack / file, old, new)
    error = _refused(pack)
    assert (error.key_path, error.problem.split(" (and")[0]) == (key_path, problem)
