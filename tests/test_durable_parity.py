"""The durable-rules executor gives exactly the compiled executor's line results: on random and handmade
claims, on rules dated at rule level, and on the demo file whole or claim by claim."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip(
    "durable", reason="durable-rules is not installed: pip install 'claimcheck[durable]' (Python < 3.13)"
)

import claimcheck
from claimcheck.engine.durable import DurableExecutor, validate_with_durable
from claimcheck.engine.run import validate_many
from claimcheck.io.readers import read_claims
from claimcheck.models.parse import ParsedClaim, parse_claim
from tests.durable_executors import (
    AS_OF,
    CODES,
    DAYS,
    DEMO,
    EXECUTORS,
    MUE,
    ROOT,
    RULE_SETS,
    lines,
    results,
)

# Codes that meet in claim checks: global and components, CT with 0721T/0722T, CTA with 3D rendering.
FAMILIES = [
    ["0710T", "0711T", "0712T", "0713T"],
    ["0623T", "0624T"],
    ["71250", "74150", "70450", "0721T", "0722T"],
    ["75571", "71275", "76376", "76377"],
    ["77011", "36415", "99213"],
    ["0711T"],  # one code: its lines meet as duplicates, repeats and 26/TC splits
    ["75571"],
]


# --- random claims ---------------------------------------------------------------------------------


@st.composite
def claims(draw: st.DrawFn) -> ParsedClaim:
    family = draw(st.sampled_from([*FAMILIES * 3, None]))
    codes = family or draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3))
    days = draw(
        st.one_of(st.sampled_from(DAYS).map(lambda day: [day]), st.lists(st.sampled_from(DAYS), min_size=2, max_size=2))
    )
    count = draw(st.sampled_from([1, 2, 3, 3, 4, 4, 5, 5, 6, 6]))  # 1-6 lines, most of them with company
    rows = [draw(lines(codes, days)) for _ in range(count)]
    numbered = []
    # Hypothesis tends to repeat a value across the lines of one example: half the claims give
    # their lines modifiers from a shuffled palette instead, so 26 meets TC and 59 meets a pair.
    spread = draw(st.booleans())
    palette = draw(st.permutations(["", "26", "TC", "26", "TC", "59", "76", "XS", "26 TC", "91"]))
    for index, row in enumerate(rows):
        number: Any = draw(st.sampled_from([*[index + 1] * 8, 1, "a"]))
        if spread:
            row = {**row, "modifiers": palette[index]}
        numbered.append({"line_number": number, **{k: v for k, v in row.items() if v is not None}})
    claim_id = draw(st.sampled_from(["C1", "C2", ""]))
    return parse_claim({"claim_id": claim_id, "lines": numbered})


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims())
def test_random_claims_give_the_compiled_results(claim: ParsedClaim) -> None:
    for name, rules in RULE_SETS.items():
        compiled, durable = results(claim, rules, EXECUTORS[name])
        assert durable == compiled, name


def test_the_mue_rule_set_is_covered() -> None:
    if not MUE.exists():
        pytest.skip(f"{MUE} is absent")
    assert "mue" in EXECUTORS


def _claim(*lines: tuple[str, str, str]) -> ParsedClaim:
    """A claim of (code, modifiers, date) lines; ``!`` as date means an unreadable one."""
    return parse_claim(
        {
            "claim_id": "H",
            "lines": [
                {"line_number": n, "procedure_code": code, "modifiers": mods, "date_of_service": day.replace("!", "x")}
                for n, (code, mods, day) in enumerate(lines, start=1)
            ],
        }
    )


D, E = "2026-03-10", "2026-03-11"
HANDMADE = {
    "26 TC 26 of one code": _claim(("75571", "26", D), ("75571", "TC", D), ("75571", "26", D)),
    "TC TC 26 of one code": _claim(("75571", "TC", D), ("75571", "TC", D), ("75571", "26", D)),
    "26/TC on two days": _claim(("0711T", "26", D), ("0711T", "TC", E), ("0711T", "TC", D)),
    "add-on before, between and after primaries": _claim(
        ("0722T", "", D), ("74150", "", D), ("0722T", "", D), ("71250", "", D), ("0722T", "", E)
    ),
    "0721T with two CT codes, one with 59": _claim(("71250", "", D), ("0721T", "", D), ("74150", "59", D)),
    "global and components, both orders": _claim(("0711T", "", D), ("0710T", "", D), ("0712T", "", D)),
    "three duplicates and a repeat": _claim(("71250", "", D), ("71250", "", D), ("71250", "76", D), ("71250", "", D)),
    "a repeat before its original, then a duplicate": _claim(
        ("71250", "76", D), ("71250", "", D), ("71250", "77", D), ("71250", "", D), ("71250", "76", D)
    ),
    "MUE summed over a day": _claim(("0711T", "", D), ("0711T", "", D), ("0711T", "", E), ("0711T", "", D)),
    "an unreadable line among readable ones": _claim(("0711T", "26", D), ("0711T", "TC", "!"), ("0711T", "TC", D)),
    "ambulance pairs spelled like HCPCS modifiers, on ambulance and other codes": _claim(
        ("A0427", "JG HR", D), ("99213", "JG HR", D), ("A0425", "GD RH", D), ("J1100", "GD RH", D)
    ),
}


@pytest.mark.parametrize("case", list(HANDMADE))
def test_handmade_claims_give_the_compiled_results(case: str) -> None:
    for name, rules in RULE_SETS.items():
        compiled, durable = results(HANDMADE[case], rules, EXECUTORS[name])
        assert durable == compiled, name


# --- rules dated at rule level (the shipped pack dates entries only) -------------------------------


@pytest.fixture(scope="module")
def dated_rules(tmp_path_factory: pytest.TempPathFactory) -> claimcheck.RuleSet:
    pack = tmp_path_factory.mktemp("pack") / "rules"
    shutil.copytree(ROOT / "src" / "claimcheck" / "rulepack", pack)
    dating = {"input": "effective", "units": "effective", "pair": "effective", "duplicate": "expires"}
    dating |= {"date": "expires", "modifier": "expires"}
    for stem, key in dating.items():
        file = pack / "general" / f"{stem}.yaml"
        text = file.read_text(encoding="utf-8")
        file.write_text(text.replace("  - id: ", f"  - {key}: 2026-03-10\n    id: "), encoding="utf-8")
    return claimcheck.load_rules(pack, mue=MUE if MUE.exists() else None)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claim=claims())
def test_rules_dated_at_rule_level_give_the_compiled_results(
    dated_rules: claimcheck.RuleSet, claim: ParsedClaim
) -> None:
    executor = _dated_executor(dated_rules)
    compiled, durable = results(claim, dated_rules, executor)
    assert durable == compiled


_dated: dict[int, DurableExecutor] = {}


def _dated_executor(rules: claimcheck.RuleSet) -> DurableExecutor:
    return _dated.setdefault(id(rules), DurableExecutor(rules))


def test_the_dated_pack_really_is_dated(dated_rules: claimcheck.RuleSet) -> None:
    assert sum(check.rule.dated for check in (*dated_rules.checks, *dated_rules.claim_checks)) >= 10


# --- the demo file ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(RULE_SETS))
def test_demo_report_is_the_same(name: str) -> None:
    rules = RULE_SETS[name]
    compiled = validate_many(read_claims(DEMO), rules=rules, as_of=AS_OF)
    durable = validate_with_durable(read_claims(DEMO), rules, AS_OF)
    assert durable.to_dict() == compiled.to_dict()
    assert compiled.counts()["fail"] > 0  # the demo exercises failing rules, not just passes


def test_demo_claims_one_by_one_are_the_same() -> None:
    rules, executor = RULE_SETS["shipped"], EXECUTORS["shipped"]
    for claim in read_claims(DEMO):
        compiled, durable = results(claim, rules, executor)
        assert durable == compiled, claim.claim_id
