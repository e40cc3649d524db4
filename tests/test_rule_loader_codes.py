"""Rule files and the code sets: codes, modifiers, ambulance pairs and ranges in rule params must be
known codes; profile diagnoses and modifiers; effective dates that expire; one effective date per code;
procedure formats; a pack code missing from a release the user loaded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import claimcheck
from claimcheck.errors import RuleFileError
from tests.rule_pack_copy import pack_fixture  # noqa: F401 (the pack fixture)
from tests.rule_pack_edits import line_of, replace_once

DELETED_GROUP = """        - codes: [0623T, 0624T, 0625T, 0626T]
          effective: 2021-07-01
"""


def _effective_finding(rules: claimcheck.RuleSet, served: str) -> claimcheck.Finding:
    line = {"line_number": 1, "procedure_code": "0624T", "diagnosis_codes": ["I25.10"], "date_of_service": served}
    report = claimcheck.validate({"claim_id": "C1", "lines": [line]}, rules=rules, as_of=date(2026, 11, 22))
    (finding,) = [f for f in report.lines[0].findings if f.rule_id == "date.effective"]
    return finding


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
