"""Loading a rule pack: its files and pack.yaml: the shipped pack and a copy load the same; missing,
unlisted, twice-listed, misnamed (.yml), non-UTF-8, endless or non-mapping files are named; every
source names its section; the loaded rule set cannot be changed."""

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
from tests.rule_pack_copy import pack_fixture  # noqa: F401 (the pack fixture)
from tests.rule_pack_edits import line_of, replace_once


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


def test_shipped_pack_loads_and_copy_loads_the_same(pack: Path) -> None:
    shipped = claimcheck.load_rules()
    copied = claimcheck.load_rules(pack)
    assert set(shipped.profiles) == {"0711T", "0721T", "0624T", "75571", "77011"}
    assert [c.rule_id for c in copied.checks] == [c.rule_id for c in shipped.checks]


def test_profile_must_match_its_file_name(pack: Path) -> None:
    replace_once(pack / "procedures" / "77011.yaml", 'procedure: "77011"', 'procedure: "77012"')
    with pytest.raises(RuleFileError, match="must equal the file name"):
        claimcheck.load_rules(pack)


def test_unlisted_file_is_an_error_not_ignored(pack: Path) -> None:
    shutil.copy(pack / "procedures" / "77011.yaml", pack / "procedures" / "77012.yaml")
    with pytest.raises(RuleFileError, match="not listed"):
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
