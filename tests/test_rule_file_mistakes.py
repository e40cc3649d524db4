"""Mistakes a billing engineer makes editing a copy of the rule pack: each is named by file, line,
key path, the value as written and what is allowed, on the command line as in the library."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import claimcheck
from claimcheck.cli import main
from claimcheck.errors import RuleFileError
from claimcheck.rules.loader import shipped_pack_path


@pytest.fixture()
def pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(shipped_pack_path(), tmp_path / "my-rules"))


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, fragment: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def _refused(pack: Path) -> RuleFileError:
    with pytest.raises(RuleFileError) as caught:
        claimcheck.load_rules(pack)
    return caught.value


def test_rules_given_a_file_on_the_command_line_names_the_pack_directory(pack: Path) -> None:
    """It was click's usage text and "Directory '…/pack.yaml' is a file.", which left the user to
    work out that --rules takes the directory holding pack.yaml."""
    result = CliRunner().invoke(main, ["rules", "list", "--rules", str(pack / "pack.yaml")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"claimcheck: error: {pack / 'pack.yaml'}: is a file, not a rule pack directory (a directory"
        f" holding pack.yaml); the pack is its directory, {pack}\n"
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
    _replace(path, after, after + "".join(f"{indent}{line}\n" for line in (*dates.splitlines(), "expires: 2021-12-31")))
    error = _refused(pack)
    assert (error.line, error.key_path, error.value) == (_line_of(path, "expires: 2021-12-31"), key_path, "2021-12-31")
    assert error.problem.startswith("is before effective (20")


def test_a_misspelt_key_is_one_problem_not_two(pack: Path) -> None:
    """'sumary' was also counted as the missing 'summary': '(and 1 more problem in this file)'
    sent the author looking for a second mistake that fixing the first one fixes."""
    path = pack / "general" / "diagnosis.yaml"
    _replace(path, "    summary: Every line has", "    sumary: Every line has")
    error = _refused(pack)
    assert (error.line, error.key_path) == (_line_of(path, "sumary:"), "rules[0].sumary")
    assert error.problem == "unknown key (did you mean 'summary'?)"


def test_a_second_real_problem_is_still_counted(pack: Path) -> None:
    path = pack / "general" / "diagnosis.yaml"
    _replace(path, "    summary: Every line has", "    sumary: Every line has")
    _replace(path, "    status: fail\n", "    status: maybe\n")
    assert _refused(pack).problem == "unknown key (did you mean 'summary'?) (and 1 more problem in this file)"


def test_a_rule_id_used_twice_names_both_places(pack: Path) -> None:
    """It named the other file only: in a pack of many rules the author had to search it."""
    modifier, diagnosis = pack / "general" / "modifier.yaml", pack / "general" / "diagnosis.yaml"
    _replace(modifier, "id: modifier.26_tc", "id: diagnosis.required")
    error = _refused(pack)
    assert (error.file, error.line, error.key_path) == (str(diagnosis), 2, "rules[0].id")
    first = _line_of(modifier, "id: diagnosis.required")
    assert error.problem == f"rule id is already used in {modifier}:{first} (rules[1].id)"


def test_an_alias_used_as_another_rule_id_is_named_at_the_alias(pack: Path) -> None:
    """It was reported at the rule's id, which is not the duplicate."""
    diagnosis = pack / "general" / "diagnosis.yaml"
    _replace(
        diagnosis, "    kind: diagnosis_required\n", "    kind: diagnosis_required\n    aliases: [modifier.26_tc]\n"
    )
    error = _refused(pack)
    assert (error.line, error.key_path, error.value) == (
        _line_of(diagnosis, "aliases: [modifier.26_tc]"),
        "rules[0].aliases[0]",
        "modifier.26_tc",
    )
    modifier = pack / "general" / "modifier.yaml"
    assert (
        error.problem
        == f"rule id is already used in {modifier}:{_line_of(modifier, 'id: modifier.26_tc')} (rules[1].id)"
    )


def test_a_status_left_empty_is_named_empty(pack: Path) -> None:
    """'status:' with nothing after it was 'modifiers[9].status: is not allowed', no value shown."""
    path = pack / "procedures" / "0711T.yaml"
    _replace(path, "status: fail", "status:")
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
    _replace(path, '- ["26", TC]', '- ["26", TC, "59"]')
    error = _refused(pack)
    assert (error.key_path, error.problem) == ("rules[1].params.pairs[0]", "must hold at most 2 items, not 3")
    _replace(path, '- ["26", TC, "59"]', '- ["26"]')
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
    _replace(path, old, new)
    error = _refused(pack)
    assert error.line == _line_of(path, "\t")
    assert error.problem == "invalid YAML: a tab where YAML allows only spaces; indent and separate with spaces"


def test_a_colon_in_a_text_value_says_to_quote_it(pack: Path) -> None:
    """'reason: note: …' is a common slip; PyYAML's 'mapping values are not allowed here' is all it said."""
    path = pack / "procedures" / "0711T.yaml"
    _replace(path, "reason: the document allows it when data preparation", "reason: note: the document allows it")
    error = _refused(pack)
    assert error.line == _line_of(path, "reason: note:")
    assert error.problem == (
        "invalid YAML: mapping values are not allowed here (a text value holding ': ' needs quotes,"
        " or a key is indented differently from the keys around it)"
    )


@pytest.mark.parametrize(("written", "meant"), [("Warn", "warn"), ("FAIL", "fail")])
def test_a_status_in_capitals_suggests_the_lower_case(pack: Path, written: str, meant: str) -> None:
    _replace(pack / "general" / "diagnosis.yaml", "status: fail", f"status: {written}")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("rules[0].status", written)
    assert error.problem == f"is not allowed (did you mean {meant!r}?)"


def test_params_given_to_a_kind_that_takes_none_say_so(pack: Path) -> None:
    """It was 'unknown key' with nothing allowed named."""
    path = pack / "general" / "diagnosis.yaml"
    _replace(path, "    kind: diagnosis_required\n", "    kind: diagnosis_required\n    params: {strict: true}\n")
    error = _refused(pack)
    assert (error.line, error.key_path) == (_line_of(path, "params: {strict"), "rules[0].params.strict")
    assert error.problem == "unknown key; a rule of this kind takes no params (leave params out)"


def test_a_profile_file_named_in_lower_case_is_pointed_out(pack: Path) -> None:
    """The manifest reads 0711t as 0711T; with the file 0711t.yaml, 'no file procedures/0711T.yaml'
    left the author looking at a file that is there."""
    (pack / "procedures" / "0711T.yaml").rename(pack / "procedures" / "0711t.yaml")
    _replace(pack / "pack.yaml", "  - 0711T", "  - 0711t")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("procedures[0]", "0711t")
    assert error.problem == (
        "no file procedures/0711T.yaml in the pack (0711t.yaml is there: a profile's file is named by"
        " its code in capitals)"
    )


def test_a_code_listed_twice_in_pack_yaml_is_quoted_as_written(pack: Path) -> None:
    _replace(pack / "pack.yaml", "  - 0711T\n", "  - 0711T\n  - 0711t\n")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("procedures[1]", "0711t")
    assert error.problem == "listed twice (also procedures[0]); list each file once"


def test_rules_show_gives_the_source_of_an_entry_a_pack_cites_from_elsewhere(pack: Path) -> None:
    """A payer's policy cited for one modifier was in findings but not in 'rules show', which gave
    the profile's document only: the author could not check the edit took."""
    profile = pack / "procedures" / "0711T.yaml"
    seed = "source: {document: 000_5ab7308402be0f6e.txt, section: Coding Specifications}"
    _replace(
        profile,
        "reason: the document gives laterality limited applicability for this service\n    " + seed,
        "reason: Acme denies laterality on 0711T\n    source: {document: acme-policy.pdf, section: p. 4}",
    )
    table = "source: {document: 000_5ab7308402be0f6e.txt, section: Coding Specifications (taxonomy table)}"
    _replace(
        profile,
        "note: 213E00000X is Podiatrist\n    " + table,
        "note: 213E00000X is Podiatrist\n    source: {document: acme-network.pdf, section: radiology}",
    )
    shown = CliRunner().invoke(main, ["rules", "show", "0711T", "--rules", str(pack)], env={"COLUMNS": "300"})
    assert shown.exit_code == 0, shown.output
    row = next(line for line in shown.stdout.splitlines() if "Acme denies laterality" in line)
    assert "acme-policy.pdf / p. 4" in row
    seeded = next(line for line in shown.stdout.splitlines() if "│ GN " in line)
    assert "000_5ab7308402be0f6e.txt / Coding Specifications" in seeded
    specialty = next(line for line in shown.stdout.splitlines() if "│ 2086S0129X " in line)
    assert "acme-network.pdf / radiology" in specialty
    diagnosis = next(line for line in shown.stdout.splitlines() if "│ I96 " in line)
    assert "000_5ab" not in diagnosis  # the diagnoses all cite the profile's document
    # Where every entry cites the profile's document, as in the shipped pack, the column is left out.
    shipped = CliRunner().invoke(main, ["rules", "show", "0711T"], env={"COLUMNS": "300"})
    assert "Coding Specifications" not in shipped.stdout


def test_a_custom_pack_s_sources_and_version_reach_the_findings(pack: Path) -> None:
    profile, diagnosis = pack / "procedures" / "0711T.yaml", pack / "general" / "diagnosis.yaml"
    seed = "source: {document: 000_5ab7308402be0f6e.txt, section: Coding Specifications}"
    _replace(
        profile,
        "status: warn\n    meaning: Left side\n"
        "    reason: the document gives laterality limited applicability for this service\n    " + seed,
        "status: fail\n    meaning: Left side\n    reason: Acme denies laterality on 0711T\n"
        "    source: {document: acme-policy.pdf, section: p. 4}",
    )
    _replace(diagnosis, "section: SV107 diagnosis code pointer}", "section: Acme companion guide 2.3}")
    _replace(pack / "pack.yaml", "version: 2026.11.1", "version: acme-7")
    line = {"line_number": 1, "procedure_code": "0711T", "modifiers": ["LT"], "date_of_service": "2026-03-10"}
    report = claimcheck.validate({"claim_id": "C1", "lines": [line]}, rules=claimcheck.load_rules(pack))
    found = {finding.rule_id: finding for finding in report.lines[0].findings}
    modifier, required = found["modifier.profile"], found["diagnosis.required"]
    assert modifier.status is claimcheck.Status.FAIL and "Acme denies laterality" in modifier.message
    assert modifier.source is not None and required.source is not None
    assert (modifier.source.document, modifier.source.section, modifier.source.version, modifier.source.table) == (
        "acme-policy.pdf",
        "p. 4",
        "acme-7",
        "procedures/0711T.yaml",
    )
    assert (required.source.section, required.source.table) == ("Acme companion guide 2.3", "general/diagnosis.yaml")
    assert report.to_dict()["summary"]["rules_version"] == "acme-7"


def test_a_rule_file_that_is_a_broken_link_says_where_it_points(pack: Path) -> None:
    """ls lists it, so 'cannot read the file (No such file or directory)' puzzled."""
    profile = pack / "procedures" / "0711T.yaml"
    profile.unlink()
    profile.symlink_to("../../shared-profiles/0711T.yaml")
    error = _refused(pack)
    assert (error.file, error.line) == (str(profile), None)
    assert error.problem == "is a link to ../../shared-profiles/0711T.yaml, which does not exist"


def test_a_rule_file_that_is_a_link_to_a_file_is_read(pack: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "0711T.yaml"
    shared.parent.mkdir()
    (pack / "procedures" / "0711T.yaml").rename(shared)
    (pack / "procedures" / "0711T.yaml").symlink_to(shared)
    assert "0711T" in claimcheck.load_rules(pack).profiles


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
    _replace(path, old, new)
    error = _refused(pack)
    assert (error.line, error.key_path, error.value) == (_line_of(path, marker), key_path, None)
    assert error.problem.startswith(problem)


def test_a_misspelt_kind_suggests_the_kind(pack: Path) -> None:
    _replace(pack / "general" / "diagnosis.yaml", "kind: diagnosis_required", "kind: diagnosis_requried")
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
    _replace(path, "section: Billing Code Overview}", "section: Billing Code Overview")
    error = _refused(pack)
    assert (error.line, error.problem) == (
        6,
        "invalid YAML: expected ',' or '}', but got ':' (in the { opened on line 5)",
    )


@pytest.mark.parametrize("written", ["units.yaml", "general/units.yaml", "units.yml"])
def test_pack_yaml_listing_a_file_by_its_path_says_to_list_its_name(pack: Path, written: str) -> None:
    _replace(pack / "pack.yaml", "  - units\n", f"  - {written}\n")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("general[7]", written)
    assert error.problem.endswith("(list it as units: a file's name without its folder and .yaml)")


def test_a_folder_holding_the_pack_one_level_down_names_it(tmp_path: Path) -> None:
    """'cp -rL rules my-rules' into an existing my-rules makes my-rules/rules: pack.yaml was only 'missing'."""
    outer = tmp_path / "my-rules"
    shutil.copytree(shipped_pack_path(), outer / "rules")
    error = _refused(outer)
    assert (
        error.problem
        == f"missing: a rule pack needs pack.yaml listing its files ({outer / 'rules'} holds one: pass that)"
    )


def test_a_folder_inside_the_pack_names_the_pack(pack: Path) -> None:
    error = _refused(pack / "general")
    assert error.problem == f"missing: a rule pack needs pack.yaml listing its files (the pack is {pack})"


def test_rules_show_of_a_rule_gives_its_params_as_the_pack_writes_them(pack: Path) -> None:
    """An edited params block (a pair added to modifier.26_tc) did not show anywhere but in findings."""
    _replace(pack / "general" / "modifier.yaml", '- ["26", TC]', '- ["26", TC]\n        - [LT, RT]')
    shown = CliRunner().invoke(main, ["rules", "show", "modifier.26_tc", "--rules", str(pack)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "params:\n  pairs:\n    - [26, TC]\n    - [LT, RT]\n" in shown.stdout
    pairs = CliRunner().invoke(main, ["rules", "show", "pair.ptp", "--rules", str(pack)], env={"COLUMNS": "400"})
    assert "  bypass_modifiers: [59, XE, XS, XP, XU, 24," in pairs.stdout
    assert "    - {column1: 0710T, column2: [0711T, 0712T, 0713T], modifier_indicator: 0, effective:" in pairs.stdout
    bare = CliRunner().invoke(main, ["rules", "show", "diagnosis.required", "--rules", str(pack)])
    assert "params" not in bare.stdout


def test_rules_after_an_equals_sign_expands_the_home_folder(pack: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shell leaves '~' alone in '--rules=~/my-rules' (as --code-set=icd10cm=~/x, which is expanded)."""
    monkeypatch.setenv("HOME", str(pack.parent))
    result = CliRunner().invoke(main, ["rules", "list", "--rules=~/my-rules"])
    assert result.exit_code == 0, result.stderr
    assert f"({pack})" in result.stdout.splitlines()[0]


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
    _replace(path, "document_code: R02", f"document_code: {written}")
    error = _refused(pack)
    assert (error.line, error.key_path, error.problem, error.allowed) == (
        _line_of(path, "document_code: "),
        key_path,
        "is the wrong type",
        allowed,
    )


def test_a_long_text_value_is_quoted_cut_short(pack: Path) -> None:
    """A paragraph written where a list belongs was quoted whole in the one-line message."""
    path = pack / "procedures" / "0711T.yaml"
    _replace(path, "notes:\n  - >-", "notes: >-")
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
    _replace(pack / file, old, new)
    assert _refused(pack).problem == f"is not allowed (did you mean {meant!r}?)"


def test_a_general_rule_with_status_pass_says_what_its_status_means(pack: Path) -> None:
    _replace(pack / "general" / "diagnosis.yaml", "status: fail", "status: pass")
    error = _refused(pack)
    assert (error.key_path, error.value, error.allowed) == ("rules[0].status", "pass", "'warn' or 'fail'")
    assert error.problem == "is not allowed (a rule's status is that of its finding when the line breaks it)"


def test_a_rule_file_given_for_the_pack_names_the_pack(pack: Path) -> None:
    """Only pack.yaml named its directory; a profile or general file given for --rules did not."""
    error = _refused(pack / "procedures" / "0711T.yaml")
    assert error.problem == f"is a file, not a rule pack directory (a directory holding pack.yaml); the pack is {pack}"


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
    _replace(pack / "procedures" / "0711T.yaml", "code: I73.9", f"code: {written}")
    error = _refused(pack)
    assert (error.key_path, error.value) == ("diagnoses[2].code", written)
    assert error.problem == f"is not a code in ICD-10-CM 2026{hint}"
