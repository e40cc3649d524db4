"""Broken rule files stop the load with a RuleFileError naming file, line, key path, value, allowed."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from enum import Enum
from pathlib import Path

import pytest
from pydantic import BaseModel

import claimcheck
from claimcheck.errors import RuleFileError
from claimcheck.rules.loader import shipped_pack_path
from tests.rule_pack_edits import line_of, replace_once


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), target)
    return target


def test_shipped_pack_loads_and_copy_loads_the_same(pack: Path) -> None:
    shipped = claimcheck.load_rules()
    copied = claimcheck.load_rules(pack)
    assert set(shipped.profiles) == {"0711T", "0721T", "0624T", "75571", "77011"}
    assert [c.rule_id for c in copied.checks] == [c.rule_id for c in shipped.checks]


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


@pytest.mark.parametrize(
    ("old", "new", "key_path", "value"),
    [
        ("  - code: I96\n", "  - code: R02\n", "diagnoses[3].code", "R02"),
        ("  - code: 2085R0204X\n", "  - code: 207RX0400X\n", "specialties[1].code", "207RX0400X"),
        ('  - code: "22"\n', "  - code: ZZ\n", "modifiers[0].code", "ZZ"),
    ],
)
def test_code_not_in_code_sets_stops_the_load(pack: Path, old: str, new: str, key_path: str, value: str) -> None:
    profile = pack / "procedures" / "0711T.yaml"
    replace_once(profile, old, new)
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.key_path == key_path
    assert caught.value.value == value
    assert "document_code" in str(caught.value)


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


def test_profile_must_match_its_file_name(pack: Path) -> None:
    replace_once(pack / "procedures" / "77011.yaml", 'procedure: "77011"', 'procedure: "77012"')
    with pytest.raises(RuleFileError, match="must equal the file name"):
        claimcheck.load_rules(pack)


def test_unlisted_file_is_an_error_not_ignored(pack: Path) -> None:
    shutil.copy(pack / "procedures" / "77011.yaml", pack / "procedures" / "77012.yaml")
    with pytest.raises(RuleFileError, match="not listed"):
        claimcheck.load_rules(pack)


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


def test_missing_pack_and_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="not found"):
        claimcheck.load_rules(tmp_path / "nowhere")
    with pytest.raises(RuleFileError, match=r"pack\.yaml"):
        claimcheck.load_rules(tmp_path)


def test_a_pack_file_given_for_its_directory_is_named_as_such(pack: Path) -> None:
    meant = rf"is a file, not a rule pack directory .*; the pack is its directory, {re.escape(str(pack))}$"
    with pytest.raises(RuleFileError, match=meant):
        claimcheck.load_rules(pack / "pack.yaml")
    with pytest.raises(RuleFileError, match=r"units\.yaml: is a file, not a rule pack directory \(a directory holding"):
        claimcheck.load_rules(pack / "general" / "units.yaml")
    # A device is there and is no directory: it was 'rule pack directory not found'.
    with pytest.raises(RuleFileError, match=r"^/dev/null: is not a rule pack directory$"):
        claimcheck.load_rules("/dev/null")


def test_rule_ids_are_validated(pack: Path) -> None:
    replace_once(pack / "general" / "units.yaml", "id: units.positive", "id: Units Positive")
    with pytest.raises(RuleFileError, match="rule id must match"):
        claimcheck.load_rules(pack)


@pytest.mark.parametrize(
    ("file", "old", "new", "key_path"),
    [
        ("modifier.yaml", '- ["26", TC]', '- ["26", ZQ]', "rules[1].params.pairs[0][1]"),
        ("duplicate.yaml", '["76", "77", "91"]', '["76", "77", "ZQ"]', "rules[0].params.repeat_modifiers[2]"),
        ("pair.yaml", "bypass_modifiers: [59,", "bypass_modifiers: [ZQ,", "rules[0].params.bypass_modifiers[0]"),
        ("pair.yaml", 'professional: "26"', 'professional: "ZQ"', "rules[2].params.professional"),
    ],
)
def test_modifier_in_rule_params_must_be_in_the_code_set(
    pack: Path, file: str, old: str, new: str, key_path: str
) -> None:
    rule_file = pack / "general" / file
    replace_once(rule_file, old, new)
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert (error.file, error.line) == (str(rule_file), line_of(rule_file, new))
    assert (error.key_path, error.value) == (key_path, "ZQ")
    assert error.allowed is not None and "modifier code set" in error.allowed


def test_ambulance_pair_in_rule_params_is_a_modifier(pack: Path) -> None:
    # RH is not in the HCPCS modifier file; the modifier_code_set rule accepts it on claims.
    replace_once(pack / "general" / "duplicate.yaml", '["76", "77", "91"]', '["76", "77", "91", RH]')
    assert "RH" in claimcheck.load_rules(pack).claim_checks[-1].repeat
    replace_once(pack / "general" / "duplicate.yaml", "RH]", "XH]")  # X is a destination only
    with pytest.raises(RuleFileError, match="'XH'"):
        claimcheck.load_rules(pack)


def test_ambulance_procedure_ranges_are_codes_in_order(pack: Path) -> None:
    rule_file = pack / "general" / "modifier.yaml"
    replace_once(rule_file, "[A0021, A0999]", "[A0999, A0021]")
    with pytest.raises(RuleFileError, match="A0999 comes after A0021") as caught:
        claimcheck.load_rules(pack)
    assert caught.value.file == str(rule_file)
    replace_once(rule_file, "[A0999, A0021]", "[A0021, ambulance]")
    with pytest.raises(RuleFileError, match="'ambulance'"):
        claimcheck.load_rules(pack)


def test_category_ii_modifier_in_rule_params_is_a_modifier(pack: Path) -> None:
    # 8P is not in the modifier file; the modifier_code_set rule accepts it on claims.
    replace_once(pack / "general" / "duplicate.yaml", '["76", "77", "91"]', '["76", "77", "91", 8P]')
    assert "8P" in claimcheck.load_rules(pack).claim_checks[-1].repeat
    replace_once(pack / "general" / "duplicate.yaml", "8P]", "9P]")
    with pytest.raises(RuleFileError, match="'9P'") as caught:
        claimcheck.load_rules(pack)
    # The message listed the file's modifiers and ambulance pairs as allowed, not 8P's kind.
    assert caught.value.allowed is not None and "Category II modifiers" in caught.value.allowed


def test_general_rule_status_lists_the_values_as_written(pack: Path) -> None:
    replace_once(pack / "general" / "units.yaml", "status: fail", "status: pass")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert (caught.value.key_path, caught.value.value) == ("rules[0].status", "pass")
    assert caught.value.allowed == "'warn' or 'fail'"


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


def test_file_that_is_not_a_mapping_shows_what_it_holds(pack: Path) -> None:
    (pack / "general" / "units.yaml").write_text("- id: units.positive\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.line == 1
    assert "[{id: units.positive}]: is a list; a general file holds its list of rules under" in str(caught.value)
    assert caught.value.allowed == "a mapping with keys rules"


def test_registry_errors_name_the_line_in_pack_yaml(pack: Path) -> None:
    manifest = pack / "pack.yaml"
    replace_once(manifest, "  - 77011", "  - 77011\n  - 0799T")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert (error.file, error.line) == (str(manifest), line_of(manifest, "- 0799T"))
    assert (error.key_path, error.value) == ("procedures[5]", "0799T")
    assert error.allowed is not None and "77011" in error.allowed

    replace_once(manifest, "\n  - 0799T", "")
    shutil.copy(pack / "procedures" / "77011.yaml", pack / "procedures" / "12345.yaml")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert (error.file, error.line) == (str(manifest), line_of(manifest, "procedures:"))
    assert (error.key_path, error.value) == ("procedures", "12345")
    assert "procedures/12345.yaml" in str(error)


@pytest.mark.parametrize(
    ("file", "fragment", "key_path"),
    [
        ("procedures/0711T.yaml", "section: Billing Code Overview}", "source"),
        ("procedures/0711T.yaml", "section: Coding Specifications}", "modifiers[0].source"),
        ("general/units.yaml", "section: SV104", "rules[0].source"),
        ("general/pair.yaml", 'section: "7. CPT instructions (0710T', "rules[0].params.pairs[0].source"),
    ],
)
def test_every_source_names_its_section(pack: Path, file: str, fragment: str, key_path: str) -> None:
    path = pack / file
    line = next(line for line in path.read_text(encoding="utf-8").splitlines() if fragment in line)
    without_section = line.split(", section:")[0] + "}"
    replace_once(path, line, without_section)
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    assert (caught.value.key_path, caught.value.line) == (f"{key_path}.section", line_of(path, without_section))
    assert "required key is missing" in str(caught.value)


def _mutable_containers(value: object, path: str, seen: set[int]) -> Iterator[str]:
    """Paths of lists, dicts and sets reachable from ``value`` (code sets and private caches aside)."""
    if id(value) in seen or isinstance(value, (str, bytes, int, float, date, Enum, re.Pattern, type(None))):
        return
    seen.add(id(value))
    if type(value).__module__.startswith("claimcheck.refdata"):
        return
    if isinstance(value, (list, dict, set, bytearray)):
        yield path
    if isinstance(value, BaseModel):
        children = {name: getattr(value, name) for name in type(value).model_fields}
    elif dataclasses.is_dataclass(value):
        children = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif isinstance(value, Mapping):
        children = {f"[{key!r}]": item for key, item in value.items()}
    elif isinstance(value, (tuple, list, frozenset, set)):
        children = {f"[{index}]": item for index, item in enumerate(value)}
    else:
        assert hasattr(value, "__dict__"), f"{path}: cannot look inside {type(value).__name__}"
        children = {name: item for name, item in vars(value).items() if not name.startswith("_")}
    for name, child in children.items():
        yield from _mutable_containers(child, f"{path}.{name}" if not name.startswith("[") else path + name, seen)


def test_loaded_rule_set_holds_no_mutable_container() -> None:
    rules = claimcheck.load_rules()
    assert list(_mutable_containers(rules, "rules", set())) == []


def test_loaded_rule_set_cannot_be_changed() -> None:
    rules = claimcheck.load_rules()
    pairs = next(c for c in rules.claim_checks if c.rule_id == "pair.ptp")
    effective = next(c for c in rules.checks if c.rule_id == "date.effective")
    formats = next(c for c in rules.checks if c.rule.kind == "procedure_format")
    profile = rules.profiles["0711T"]
    attempts: list[Callable[[], object]] = [
        lambda: effective.effective.clear(),  # type: ignore[attr-defined]
        lambda: pairs.pairs.clear(),  # type: ignore[attr-defined]
        lambda: pairs.codes.add("99999"),  # type: ignore[attr-defined]
        lambda: pairs.params.bypass_modifiers.append("ZZ"),  # type: ignore[attr-defined]
        lambda: formats.params.formats.clear(),  # type: ignore[attr-defined]
        lambda: formats.rule.params.__setitem__("formats", {}),
        lambda: formats.rule.params["formats"].clear(),
        lambda: profile.profile.modifiers.append(profile.profile.modifiers[0]),  # type: ignore[attr-defined]
        lambda: rules.pack.profiles["0711T"].diagnoses.clear(),  # type: ignore[union-attr]
        lambda: profile.modifiers.clear(),  # type: ignore[attr-defined]
        lambda: rules.profiles["0721T"].profile.specialties[0].document_code.append("X"),  # type: ignore[index]
        lambda: rules.pack.manifest.procedures.append("99999"),  # type: ignore[attr-defined]
    ]
    for attempt in attempts:
        with pytest.raises((TypeError, AttributeError)):
            attempt()


DELETED_GROUP = """        - codes: [0623T, 0624T, 0625T, 0626T]
          effective: 2021-07-01
"""


def _effective_finding(rules: claimcheck.RuleSet, served: str) -> claimcheck.Finding:
    line = {"line_number": 1, "procedure_code": "0624T", "diagnosis_codes": ["I25.10"], "date_of_service": served}
    report = claimcheck.validate({"claim_id": "C1", "lines": [line]}, rules=rules, as_of=date(2026, 11, 22))
    (finding,) = [f for f in report.lines[0].findings if f.rule_id == "date.effective"]
    return finding


def test_an_effective_date_entry_may_expire(pack: Path) -> None:
    replace_once(pack / "general" / "date.yaml", DELETED_GROUP, DELETED_GROUP + "          expires: 2025-12-31\n")
    rules = claimcheck.load_rules(pack)
    inside, after = _effective_finding(rules, "2025-12-31"), _effective_finding(rules, "2026-01-01")
    assert (inside.status.value, after.status.value) == ("pass", "fail")
    assert "2021-07-01 through 2025-12-31" in inside.message
    assert "after 0624T was deleted (in effect through 2025-12-31)" in after.message


def test_an_entry_cannot_expire_before_it_takes_effect(pack: Path) -> None:
    replace_once(pack / "general" / "date.yaml", DELETED_GROUP, DELETED_GROUP + "          expires: 2020-12-31\n")
    with pytest.raises(RuleFileError, match=r"codes\[2\]\.expires: .2020-12-31.: is before effective \(2021-07-01\)"):
        claimcheck.load_rules(pack)


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


@pytest.mark.parametrize(
    ("notes", "problem"),
    [
        ("notes: &notes\n  - *notes\n", "an alias refers to the list or mapping that holds it"),
        ("notes:\n  - " + "[" * 600 + "]" * 600 + "\n", "nested more than 100 levels deep"),
        ("notes:\n  - " + "[" * 150 + "]" * 150 + "\n", "nested more than 100 levels deep"),
    ],
    ids=["alias-cycle", "nested-past-the-parser", "nested"],
)
def test_a_rule_file_that_never_ends_is_a_rule_file_error(pack: Path, notes: str, problem: str) -> None:
    # Each was a RecursionError traceback out of the YAML reader (and the CLI).
    profile = pack / "procedures" / "0711T.yaml"
    text = profile.read_text(encoding="utf-8")
    start, end = text.index("notes:\n"), text.index("modifiers:\n")
    profile.write_text(text[:start] + notes + text[end:], encoding="utf-8")
    with pytest.raises(RuleFileError, match=problem) as caught:
        claimcheck.load_rules(pack)
    assert caught.value.file == str(profile)


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


def test_profile_diagnoses_are_read_with_or_without_the_dot(pack: Path) -> None:
    # Written without the dot, a listed code kept that spelling: a line coding I70.90 was told
    # it is "covered by I709", and I70.9 listed again as I709 was not caught as listed twice.
    profile = pack / "procedures" / "0711T.yaml"
    replace_once(profile, "  - code: I70.9\n", "  - code: i709\n")
    replace_once(profile, "document_code: R02", "document_code: r02")
    rules = claimcheck.load_rules(pack)
    assert "I70.9" in [entry.code for entry in rules.profiles["0711T"].profile.diagnoses or ()]
    lines = [
        {"line_number": n, "procedure_code": "0711T", "diagnosis_codes": [dx], "date_of_service": "2026-03-10"}
        for n, dx in enumerate(["I70.90", "R02"], start=1)
    ]
    report = claimcheck.validate({"claim_id": "C1", "lines": lines}, rules=rules, as_of=date(2026, 11, 22))
    supported, wrong = ([f for f in line.findings if f.rule_id == "diagnosis.profile"] for line in report.lines)
    assert [f.message for f in supported] == [
        "I70.90 supports 0711T (covered by I70.9): Other and unspecified atherosclerosis"
    ]
    assert "listed: I70.2, I70.9, I73.9" in wrong[0].message and "R02 is the document's code" in wrong[0].message

    replace_once(profile, "  - code: I73.9\n", "  - code: I70.9\n")
    with pytest.raises(RuleFileError, match=r"listed twice \(also diagnoses\[1\]\)") as caught:
        claimcheck.load_rules(pack)
    assert (caught.value.key_path, caught.value.value) == ("diagnoses[2].code", "I70.9")
    replace_once(profile, "  - code: I70.9\n", "  - code: I7099\n")
    with pytest.raises(RuleFileError, match="is not a code in ICD-10-CM") as caught:
        claimcheck.load_rules(pack)
    assert caught.value.value == "I7099"  # as written, for the author to find


def test_a_profile_may_list_the_modifiers_the_code_set_rule_accepts(pack: Path) -> None:
    # 8P and RH pass modifier.code_set on claims (its params), but a profile listing one was
    # refused as "not a code in the modifier code set".
    profile = pack / "procedures" / "0711T.yaml"
    entry = (
        "  - code: {code}\n    status: warn\n    meaning: m\n    reason: r\n    source: {{document: d, section: s}}\n"
    )
    replace_once(profile, "modifiers:\n", "modifiers:\n" + entry.format(code="8P") + entry.format(code="RH"))
    rules = claimcheck.load_rules(pack)
    assert {"8P", "RH"} <= set(rules.profiles["0711T"].modifiers)
    replace_once(profile, "code: RH", "code: XH")  # X is a destination only: no pair
    with pytest.raises(RuleFileError, match="is not a code in the modifier code set") as caught:
        claimcheck.load_rules(pack)
    assert (caught.value.key_path, caught.value.value) == ("modifiers[1].code", "XH")
    # What it allows names them, as the loader accepts them.
    allowed = caught.value.allowed or ""
    assert "ambulance origin/destination pairs" in allowed and "Category II modifiers" in allowed


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


def test_a_rule_is_filed_under_the_check_its_kind_makes(pack: Path) -> None:
    # check: diagnosis on the positive_units rule loaded, and its findings on units were
    # reported, and counted in the summary by check, as diagnosis findings.
    from claimcheck.rules.kinds import KIND_CHECK, KIND_PARAMS

    assert set(KIND_CHECK) == set(KIND_PARAMS)
    assert {
        c.rule.kind: c.rule.check for c in (*claimcheck.load_rules().checks, *claimcheck.load_rules().claim_checks)
    } == {kind: check for kind, check in KIND_CHECK.items()}
    units = pack / "general" / "units.yaml"
    replace_once(units, "check: units", "check: diagnosis")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert (error.file, error.line, error.key_path) == (
        str(units),
        line_of(units, "check: diagnosis"),
        "rules[0].check",
    )
    assert (error.value, error.allowed) == ("diagnosis", "'units'")
    assert "a positive_units rule makes units findings" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "key_path"),
    [
        ("  - 0711T\n", "  - 0711T\n  - 0711t\n", "procedures[1]"),
        ("  - units\n", "  - units\n  - units\n", "general[8]"),
    ],
)
def test_a_file_listed_twice_in_pack_yaml_is_named(pack: Path, old: str, new: str, key_path: str) -> None:
    # 0711t (read as 0711T) loaded the profile twice, silently; a general file listed twice was
    # "rule id is already used" in that file, pointing away from pack.yaml.
    manifest = pack / "pack.yaml"
    replace_once(manifest, old, new)
    with pytest.raises(RuleFileError, match=r"listed twice \(also ") as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert (error.file, error.key_path) == (str(manifest), key_path)
    assert error.line == line_of(manifest, old.strip()) + 1  # the second listing, just below the first


@pytest.mark.parametrize("section", ["diagnoses", "specialties"])
def test_an_empty_diagnosis_or_specialty_list_is_refused(pack: Path, section: str) -> None:
    # "diagnoses: []" loaded as a list no code matches: every 0711T line warned "(listed: none)",
    # where leaving the key out, as the profiles without a list do, skips the support check.
    profile = pack / "procedures" / "0711T.yaml"
    text = profile.read_text(encoding="utf-8")
    start = text.index(f"\n{section}:\n") + 1
    end = text.find("\nspecialties:\n", start + 1) + 1 if section == "diagnoses" else len(text)
    profile.write_text(text[:start] + f"{section}: []\n" + text[end:], encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert (error.key_path, error.line) == (section, line_of(profile, f"{section}: []"))
    assert "an empty list warns on every line; leave the key out" in error.problem


def test_a_code_has_one_effective_date(pack: Path) -> None:
    # 0711T listed in a second group took that group's dates without a word: with a later date
    # there, its services before it failed date.effective though the first group allows them.
    date_rules = pack / "general" / "date.yaml"
    replace_once(date_rules, "        - codes: [0721T, 0722T]\n", "        - codes: [0721T, 0722T, 0711T]\n")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    error = caught.value
    assert (error.file, error.key_path) == (str(date_rules), "rules[0].params.codes[1].codes")
    assert "0711T is in codes[0] and codes[1]; a code has one effective date" in error.problem


def test_a_procedure_format_written_without_anchors_matches_the_whole_code(pack: Path) -> None:
    # '\d{5}' matched the start of 992130, which passed as a CPT Category I code.
    replace_once(pack / "general" / "procedure.yaml", "CPT Category I: '^\\d{5}$'", "CPT Category I: '\\d{5}'")
    rules = claimcheck.load_rules(pack)
    lines = [
        {"line_number": n, "procedure_code": code, "diagnosis_codes": ["I10"], "date_of_service": "2026-03-10"}
        for n, code in enumerate(["99213", "992130"], start=1)
    ]
    report = claimcheck.validate({"claim_id": "C1", "lines": lines}, rules=rules, as_of=date(2026, 11, 22))
    statuses = [f.status.value for line in report.lines for f in line.findings if f.rule_id == "procedure.format"]
    assert statuses == ["pass", "fail"]


def test_a_rule_file_named_yml_is_pointed_out(pack: Path) -> None:
    # "no file general/units.yaml in the pack", with units.yml beside it and not in the list of files.
    (pack / "general" / "units.yaml").rename(pack / "general" / "units.yml")
    with pytest.raises(
        RuleFileError,
        match=r"no file general/units\.yaml in the pack \(units\.yml is there: rule files end in \.yaml\)",
    ):
        claimcheck.load_rules(pack)


def test_a_rule_file_that_is_not_utf8_names_the_line_of_the_bad_byte(pack: Path) -> None:
    # It said only "is not UTF-8 text", leaving the author to search the whole file.
    profile = pack / "procedures" / "77011.yaml"
    line = line_of(profile, "title: CT guidance")
    text = profile.read_text(encoding="utf-8")
    profile.write_bytes(text.replace("title: CT guidance", "title: CT guid\u00e9nce", 1).encode("latin-1"))
    with pytest.raises(RuleFileError, match=r"is not UTF-8 text \(byte 0xe9\); allowed: UTF-8 text") as caught:
        claimcheck.load_rules(pack)
    assert (caught.value.file, caught.value.line) == (str(profile), line)


def test_a_pack_code_missing_from_a_release_the_user_loaded_blames_the_release(tmp_path: Path) -> None:
    # A newer ICD-10-CM without a code the shipped pack lists stopped the load on the pack with
    # "is not a code in ICD-10-CM 2027 ...; a code from the document that is wrong goes under
    # document_code", as if the seed document were wrong rather than the release different.
    release = tmp_path / "icd10cm-order-2027.txt"
    release.write_text("00001 A00     0 Cholera\n00002 A000    1 Cholera due to Vibrio cholerae 01\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(code_sets={"icd10cm": release})
    error = caught.value
    assert (error.key_path, error.value) == ("diagnoses[0].code", "I70.2")
    assert "is not a code in ICD-10-CM 2027 (user-supplied icd10cm-order-2027.txt)" in error.problem
    assert error.allowed is not None and f"{release} lacks it" in error.allowed
    assert "document_code" not in error.allowed


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
