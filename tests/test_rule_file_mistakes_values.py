"""Mistakes a billing engineer makes in the values of a rule file: dates that expire too early, empty or
capitalised statuses, pairs of three, params for a kind that takes none, misspelt kinds, codes of the
wrong type, near misses, unknown diagnoses, values of the wrong form; each says what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rule_pack_edits import line_of, replace_once
from tests.rule_pack_mistakes import (
    _refused,
    pack_fixture,  # noqa: F401 (the pack fixture)
)


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


def test_a_status_left_empty_is_named_empty(pack: Path) -> None:
    """'status:' with nothing after it was 'modifiers[9].status: is not allowed', no value shown."""
    path = pack / "procedures" / "0711T.yaml"
    replace_once(path, "status: fail", "status:")
    error = _refused(pack)
    assert (error.line, error.key_path, error.problem) == (68, "modifiers[9].status", "is empty")
    assert error.allowed == "'pass', 'warn' or 'fail'"


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


def test_a_misspelt_kind_suggests_the_kind(pack: Path) -> None:
    replace_once(pack / "general" / "diagnosis.yaml", "kind: diagnosis_required", "kind: diagnosis_requried")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("rules[0].kind", "diagnosis_requried")
    assert error.problem == "unknown rule kind (did you mean 'diagnosis_required'?)"
    assert error.allowed is not None and "positive_units" in error.allowed


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
