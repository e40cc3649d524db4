"""Broken rule files stop the load with a RuleFileError naming file, line, key path, value and what is
allowed: bad YAML, unknown keys and kinds, wrong types, empty keys and lists, duplicates, aliases,
anchors, merge keys, and dates that are no YYYY-MM-DD day."""

from __future__ import annotations

from pathlib import Path

import pytest

import claimcheck
from claimcheck.errors import RuleFileError
from tests.rule_pack_copy import pack_fixture  # noqa: F401 (the pack fixture)
from tests.rule_pack_edits import line_of, replace_once


def test_bad_status_names_file_line_key_value_and_allowed(pack: Path) -> None:
    profile = pack / "procedures" / "0711T.yaml"
    replace_once(profile, "status: fail", "status: maybe")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert error.file == str(profile)
    assert error.line == line_of(profile, "status: maybe")
    assert error.key_path == "modifiers[9].status"
    assert error.value == "maybe"
    assert error.allowed is not None and all(s in error.allowed for s in ("pass", "warn", "fail"))
    assert f"{profile}:{error.line}: modifiers[9].status: 'maybe'" in str(error)


def test_unknown_key_lists_the_allowed_keys(pack: Path) -> None:
    profile = pack / "procedures" / "75571.yaml"
    replace_once(profile, "    reason:", "    reasn:")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.key_path == "modifiers[0].reasn"
    assert caught.value.line == line_of(profile, "reasn:")
    assert "unknown key (did you mean 'reason'?)" in str(caught.value)
    assert caught.value.allowed is not None and "reason" in caught.value.allowed


def test_wrong_type_is_reported(pack: Path) -> None:
    profile = pack / "procedures" / "77011.yaml"
    replace_once(profile, "title: CT guidance for stereotactic localization", "title: [CT, guidance]")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.key_path == "title"
    assert caught.value.line == line_of(profile, "title: [CT")
    assert "valid string" in str(caught.value)


def test_bad_yaml_names_the_line(pack: Path) -> None:
    profile = pack / "procedures" / "0624T.yaml"
    profile.write_text("procedure: 0624T\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.file == str(profile)
    assert caught.value.line is not None and caught.value.line >= 2
    assert "invalid YAML" in str(caught.value)


def test_yaml_11_scalars_stay_strings(pack: Path) -> None:
    # Unquoted 26, 0711T-style codes and NO would be int/False under PyYAML's YAML 1.1 resolver.
    profile = pack / "procedures" / "75571.yaml"
    profile.write_text(
        "procedure: 75571\ntitle: CT heart\nsource: {document: d, section: s}\n"
        "modifiers:\n"
        "  - {code: 26, status: pass, meaning: Professional component, reason: r, source: {document: d, section: s}}\n",
        encoding="utf-8",
    )
    manifest = pack / "pack.yaml"
    version_line = next(line for line in manifest.read_text().splitlines() if line.startswith("version:"))
    replace_once(manifest, version_line, "version: NO")
    rules = claimcheck.load_rules(pack)
    assert rules.version == "NO"
    assert set(rules.profiles["75571"].modifiers) == {"26"}


def test_duplicate_key_and_duplicate_entry(pack: Path) -> None:
    profile = pack / "procedures" / "75571.yaml"
    replace_once(profile, "title:", "title: first\ntitle:")
    with pytest.raises(RuleFileError, match="twice"):
        claimcheck.load_rules(pack)


def test_unknown_rule_kind_lists_the_kinds(pack: Path) -> None:
    replace_once(pack / "general" / "units.yaml", "kind: positive_units", "kind: positive_unit")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.key_path == "rules[0].kind"
    assert caught.value.allowed is not None and "positive_units" in caught.value.allowed


def test_bad_params_are_reported_with_their_path(pack: Path) -> None:
    replace_once(pack / "general" / "procedure.yaml", "CPT PLA: '^\\d{4}U$'", "CPT PLA: '^(\\d{4}U$'")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.key_path == "rules[0].params.formats.CPT PLA"
    assert "regular expression" in str(caught.value)


def test_a_key_left_empty_is_named_empty_not_the_wrong_type(pack: Path) -> None:
    replace_once(pack / "pack.yaml", "version: 2026.11.1", "version:")
    with pytest.raises(RuleFileError, match=r"pack\.yaml:4: version: is empty; allowed: "):
        claimcheck.load_rules(pack)


def test_rule_ids_are_validated(pack: Path) -> None:
    replace_once(pack / "general" / "units.yaml", "id: units.positive", "id: Units Positive")
    with pytest.raises(RuleFileError, match="rule id must match"):
        claimcheck.load_rules(pack)


@pytest.mark.parametrize(
    ("file", "old", "new", "key_path", "shown", "allowed"),
    [
        ("procedures/0711T.yaml", "status: fail", "status: [pass]", "modifiers[9].status", "[pass]", "'fail'"),
        ("procedures/75571.yaml", "  - code:", "    code:", "modifiers", "{code: 26, status: pass, ", "a valid list"),
        ("general/input.yaml", "maximum: 4", "maximum: [4]", "rules[1].params.maximum", "[4]", "a valid integer"),
        ("pack.yaml", "version: 2026.11.1", "version: [1]", "version", "[1]", "a valid string"),
        ("procedures/77011.yaml", "source: {", "source: [", "source", "[{document: 004_", "keys document, section"),
    ],
)
def test_wrong_type_names_the_value_and_what_is_expected(
    pack: Path, file: str, old: str, new: str, key_path: str, shown: str, allowed: str
) -> None:
    path = pack / file
    replace_once(path, old, new)
    if new == "source: [":
        replace_once(path, "}\n", "]\n")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    at = "modifiers:" if key_path == "modifiers" else new
    assert (error.key_path, error.line) == (key_path, line_of(path, at))
    assert f"{key_path}: {shown}" in str(error)
    assert len(error.value) <= 60, "a long value is cut short"
    assert error.allowed is not None and allowed in error.allowed


@pytest.mark.parametrize(
    ("file", "old", "new", "problem"),
    [
        ("general/duplicate.yaml", "status: fail", "status: nope", "is not allowed; allowed: 'warn' or 'fail'"),
        ("general/input.yaml", "maximum: 4", "maximum: 0", "'0': must be greater than 0"),
        ("general/units.yaml", "status: fail", "status: [fail]", "is not allowed"),
    ],
)
def test_one_problem_is_not_counted_twice_and_values_are_not_called_the_wrong_type(
    pack: Path, file: str, old: str, new: str, problem: str
) -> None:
    replace_once(pack / file, old, new)
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert problem in str(caught.value) and "more problem" not in str(caught.value)
    assert "wrong type" not in str(caught.value)


def test_an_empty_rule_list_says_it_needs_a_rule(pack: Path) -> None:
    (pack / "general" / "duplicate.yaml").write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"rules: \[\]: must hold at least 1 item$"):
        claimcheck.load_rules(pack)


def test_aliases_that_expand_without_end_are_refused(pack: Path) -> None:
    # Nine aliases of nine aliases, nine deep: 387 million values from ten lines (a "billion
    # laughs"); the reader built them all, holding the run until memory ran out.
    laughs = "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"x{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n" for n in range(1, 10)
    )
    profile = pack / "procedures" / "0711T.yaml"
    replace_once(profile, "notes:\n", laughs + "notes:\n")
    with pytest.raises(RuleFileError, match=r"aliases expand to more than 100,000 values") as caught:
        claimcheck.load_rules(pack)
    assert (caught.value.file, caught.value.line) == (str(profile), line_of(profile, "x5: &a5"))


def test_an_anchored_block_may_be_reused(pack: Path) -> None:
    profile = pack / "procedures" / "0711T.yaml"
    section = "source: {document: 000_5ab7308402be0f6e.txt, section: Coding Specifications}"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(
        text.replace(
            section, "source: &spec {document: 000_5ab7308402be0f6e.txt, section: Coding Specifications}", 1
        ).replace(section, "source: *spec"),
        encoding="utf-8",
    )
    rules = claimcheck.load_rules(pack)
    assert {m.source.section for m in rules.profiles["0711T"].modifiers.values()} == {"Coding Specifications"}


@pytest.mark.parametrize(
    ("written", "file", "key_path"),
    [
        ("86400", "procedures/0711T.yaml", "modifiers[6].effective"),  # read as 1970-01-02
        ("0", "procedures/0711T.yaml", "modifiers[6].effective"),  # read as 1970-01-01
        ("1656633600", "general/date.yaml", "rules[0].params.codes[0].effective"),  # 2022-07-01 as a Unix time
        ("20220701", "procedures/0711T.yaml", "modifiers[6].effective"),
        ("2022-07-01T00:00:00", "procedures/0711T.yaml", "modifiers[6].effective"),
        ("2022-7-1", "procedures/0711T.yaml", "modifiers[6].effective"),
        ("2022-02-30", "procedures/0711T.yaml", "modifiers[6].effective"),
        ("yes", "procedures/0711T.yaml", "modifiers[6].effective"),
    ],
)
def test_a_date_in_a_rule_file_is_a_day_written_yyyy_mm_dd(pack: Path, written: str, file: str, key_path: str) -> None:
    # pydantic took a number for a Unix time: an unquoted 86400 put the entry in force from
    # 1970-01-02 without a word, and 20220701 was refused as a "datetime" with a time of day.
    path = pack / file
    if file.startswith("general"):
        replace_once(path, "effective: 2022-07-01", f"effective: {written}")
    else:
        replace_once(path, "    status: warn\n", f"    status: warn\n    effective: {written}\n")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert (error.file, error.line) == (str(path), line_of(path, f"effective: {written}"))
    assert (error.key_path, error.value) == (key_path, written)
    assert error.allowed is not None and "YYYY-MM-DD" in error.allowed


def test_a_merge_key_says_it_is_not_supported(pack: Path) -> None:
    # It was an "unknown key" in source, with "2 more problems" for the keys it was to bring in.
    profile = pack / "procedures" / "0711T.yaml"
    section = "source: {document: 000_5ab7308402be0f6e.txt, section: Coding Specifications}"
    replace_once(profile, section, "source: &spec {document: 000_5ab7308402be0f6e.txt, section: Coding Specifications}")
    replace_once(profile, section, "source: {<<: *spec}")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert (error.line, error.key_path) == (line_of(profile, "{<<: *spec}"), "modifiers[1].source.<<")
    assert error.problem == "merge keys are not supported"
    assert error.allowed is not None and "alias" in error.allowed
