"""The durable-rules executor gives exactly the compiled executor's line results."""

from __future__ import annotations

import shutil
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip(
    "durable", reason="durable-rules is not installed: pip install 'claimcheck[durable]' (Python < 3.13)"
)

import claimcheck
from claimcheck.engine.durable import DurableExecutor, validate_with_durable
from claimcheck.engine.run import check_claim, validate_many
from claimcheck.errors import ClaimCheckError
from claimcheck.io.readers import read_claims
from claimcheck.models.parse import ParsedClaim, parse_claim

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
MUE = ROOT / "fixtures" / "ncci" / "mue_sample.csv"
PTP = ROOT / "fixtures" / "ncci" / "ptp_sample.txt"
AS_OF = date(2026, 11, 22)

CODES = [
    *("0711T", "0721T", "0624T", "75571", "77011"),  # profiled
    *(
        "0710T",
        "0712T",
        "0713T",
        "0623T",
        "0722T",
        "71250",
        "74150",
        "70450",
        "71275",
        "76376",
        "76377",
    ),  # pairs, add-on
    *("99213", "36415", "A0427"),  # A0427: ambulance pairs spelled like HCPCS modifiers (JG, HR)
]
MODIFIERS = ["26", "TC", "59", "XS", "76", "91", "GN", "78", "LT", "25", "ZZ", "JG", "HR"]
DAYS = ["2026-03-09", "2026-03-10", "2026-03-11", "2022-06-30", "2021-06-30", "2026-12-01"]
BAD_DAYS = ["03/10/2026", "2026-02-30", ""]
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
DIAGNOSES = ["I70.213", "I70.2", "R02", "J44.9", "Z13.0", "I10"]


def _rule_sets() -> dict[str, claimcheck.RuleSet]:
    sets = {"shipped": claimcheck.load_rules()}
    if MUE.exists():
        sets["mue"] = claimcheck.load_rules(mue=MUE)
        if PTP.exists():
            sets["mue+ptp"] = claimcheck.load_rules(mue=MUE, ptp=PTP)
    return sets


RULE_SETS = _rule_sets()
# One executor per rule set for the whole module: each compiles a durable ruleset (C handles
# are a process-wide resource), and reusing them is what a long run does.
EXECUTORS = {name: DurableExecutor(rules) for name, rules in RULE_SETS.items()}


def results(claim: ParsedClaim, rules: claimcheck.RuleSet, executor: DurableExecutor) -> tuple[list[Any], list[Any]]:
    compiled = [r.to_dict() for r in check_claim(claim, rules, AS_OF)]
    durable = [r.to_dict() for r in executor.check_claim(claim, AS_OF)]
    return compiled, durable


# --- random claims ---------------------------------------------------------------------------------

modifier_text = st.lists(st.sampled_from(MODIFIERS), max_size=3).map(" ".join)


def lines(codes: list[str], days: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A line mostly drawn from the claim's few codes and days, so that lines meet on one day
    (pairs, duplicates, 26/TC splits, add-ons, MUE sums); now and then anything else.

    Weighted by repeating values in ``sampled_from``: ``one_of`` does not pick its branches evenly.
    """
    return st.fixed_dictionaries(
        {
            "procedure_code": st.sampled_from([*codes * 6, *CODES, "", "9921", None]),
            # 7 reads as modifier "7"; a mapping cannot be read (the line keeps its other fields)
            "modifiers": st.one_of(
                st.sampled_from(["", "", "26", "26", "TC", "TC", "76", "59", "26:TC", 7, {"bad": 1}]), modifier_text
            ),
            "diagnosis_codes": st.lists(st.sampled_from(DIAGNOSES), max_size=3).map(" ".join),
            "rendering_taxonomy": st.sampled_from(["2085R0202X", "207RC0000X", "207RH0000X", "ZZZ"]),
            "rendering_npi": st.sampled_from(["1234567893", "1234567890", ""]),
            "units": st.sampled_from([1, 1, 1, 1, 0, 2, 3, "1", "2", "1.5", "x"]),
            "date_of_service": st.sampled_from([*days * 8, *DAYS, *BAD_DAYS]),
            "place_of_service": st.sampled_from(["11", "22", "2", "99"]),
        }
    )


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


# --- threads, errors -------------------------------------------------------------------------------


def test_two_threads_share_one_executor_safely() -> None:
    name = next(reversed(RULE_SETS))
    rules, executor = RULE_SETS[name], EXECUTORS[name]
    demo = list(read_claims(DEMO))
    expected = [[r.to_dict() for r in check_claim(c, rules, AS_OF)] for c in demo]
    got: dict[int, list[Any]] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def work(worker: int) -> None:
        try:
            start.wait()
            got[worker] = [[r.to_dict() for r in executor.check_claim(c, AS_OF)] for c in demo * 10]
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert got[0] == got[1] == expected * 10


def test_an_exception_in_an_action_is_raised_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = claimcheck.load_rules(ROOT / "src" / "claimcheck" / "rulepack")  # its own checks to patch
    executor = DurableExecutor(rules)
    pairs = next(c for c in rules.claim_checks if c.rule_id == "pair.ptp")

    def broken(*args: Any) -> Any:
        raise ZeroDivisionError("judge_pair broke")

    monkeypatch.setattr(type(pairs), "judge_pair", broken)  # a compiled rule is read-only: patch its class
    claim = parse_claim(
        {
            "claim_id": "X",
            "lines": [
                {"line_number": 1, "procedure_code": "0710T", "date_of_service": "2026-03-10"},
                {"line_number": 2, "procedure_code": "0711T", "date_of_service": "2026-03-10"},
            ],
        }
    )
    with pytest.raises(ZeroDivisionError, match="judge_pair broke"):
        executor.check_claim(claim, AS_OF)
    monkeypatch.undo()
    # The facts were retracted: the next claim is checked as if nothing had happened.
    compiled, durable = results(claim, rules, executor)
    assert durable == compiled


def test_a_line_check_exception_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = claimcheck.load_rules(ROOT / "src" / "claimcheck" / "rulepack")
    executor = DurableExecutor(rules)
    check = rules.checks[0]
    monkeypatch.setattr(type(check), "run", lambda self, ctx: 1 / 0)
    claim = parse_claim({"claim_id": "X", "lines": [{"line_number": 1, "procedure_code": "99213"}]})
    with pytest.raises(ZeroDivisionError):
        executor.check_claim(claim, AS_OF)


def test_missing_durable_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_durable(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "durable" or name.startswith("durable."):
            raise ImportError("no durable here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_durable)
    with pytest.raises(ClaimCheckError, match=r"pip install 'claimcheck\[durable\]' \(Python < 3\.13\)"):
        DurableExecutor(RULE_SETS["shipped"])


def test_codes_that_need_json_escaping_are_joined_exactly() -> None:
    rules, executor = RULE_SETS["shipped"], EXECUTORS["shipped"]
    odd = ['71"250', "71\\250", "é71250", "0722T"]
    claim = parse_claim(
        {
            "claim_id": "Q",
            "lines": [
                {"line_number": n, "procedure_code": code, "date_of_service": "2026-03-10"}
                for n, code in enumerate([*odd, *odd], start=1)
            ],
        }
    )
    compiled, durable = results(claim, rules, executor)
    assert durable == compiled


def test_a_claim_larger_than_the_first_name_guard_is_checked_the_same() -> None:
    # The executor rebuilds its ruleset with a longer name for claims over 512 facts (see executor).
    rules = RULE_SETS["shipped"]
    executor = DurableExecutor(rules)
    rows = [
        {"line_number": n, "procedure_code": "99213", "units": n, "date_of_service": "2026-03-10"}
        for n in range(1, 601)
    ]
    rows[599] = {**rows[598], "line_number": 600}  # one duplicate, found across the whole claim
    claim = parse_claim({"claim_id": "BIG", "lines": rows})
    compiled, durable = results(claim, rules, executor)
    assert durable == compiled
    assert any(f["rule_id"] == "duplicate.line" for f in durable[599]["findings"])


@pytest.mark.parametrize(
    ("pattern", "rule_id"),
    [
        pytest.param([("71250", "", 1)], "duplicate.line", id="duplicates"),
        pytest.param([("71250", "26", None), ("71250", "TC", None)], "pair.split_components", id="26_tc_splits"),
        pytest.param([("71250", "", None), ("0722T", "", None)], "pair.addon", id="add-ons_with_primaries"),
    ],
)
def test_a_claim_of_many_lines_of_one_service_is_checked_in_seconds(
    pattern: list[tuple[str, str, int | None]], rule_id: str
) -> None:
    # Which joined line is the first of its kind that day was a `none` of the durable rule,
    # retested against every earlier line for every pair: 300 such lines took 30 s to minutes
    # (500 lines of duplicates, ten), against a second compiled.
    import time

    rules = RULE_SETS["shipped"]
    executor = DurableExecutor(rules)
    rows = []
    for n in range(1, 301):
        code, modifiers, units = pattern[n % len(pattern)]
        rows.append(
            {
                "line_number": n,
                "procedure_code": code,
                "modifiers": modifiers,
                "units": units or n,
                "date_of_service": "2026-03-10",
            }
        )
    claim = parse_claim({"claim_id": "MANY", "lines": rows})
    started = time.monotonic()
    compiled, durable = results(claim, rules, executor)
    assert time.monotonic() - started < 15
    assert durable == compiled
    assert sum(f["rule_id"] == rule_id for line in compiled for f in line["findings"]) >= len(rows) // 2 - 1


def test_cli_engine_durable_gives_the_same_report_as_the_default() -> None:
    from click.testing import CliRunner

    from claimcheck.cli import main

    demo = ROOT / "fixtures" / "demo" / "claims.csv"
    common = ["check", str(demo), "--format", "json", "--as-of", "2026-11-22"]
    compiled = CliRunner().invoke(main, common)
    durable = CliRunner().invoke(main, [*common, "--engine", "durable"])
    assert compiled.exit_code == durable.exit_code == 1
    assert compiled.stdout == durable.stdout
