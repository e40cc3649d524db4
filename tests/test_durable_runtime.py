"""The durable-rules executor at run time: two threads sharing one executor, exceptions in actions and
line checks raised, a missing durable_rules, codes that need JSON escaping, large claims, and the CLI's
--engine durable."""

from __future__ import annotations

import threading
from typing import Any

import pytest

pytest.importorskip(
    "durable", reason="durable-rules is not installed: pip install 'claimcheck[durable]' (Python < 3.13)"
)

import claimcheck
from claimcheck.engine.durable import DurableExecutor
from claimcheck.engine.run import check_claim
from claimcheck.errors import ClaimCheckError
from claimcheck.io.readers import read_claims
from claimcheck.models.parse import parse_claim
from tests.durable_executors import (
    AS_OF,
    DEMO,
    EXECUTORS,
    ROOT,
    RULE_SETS,
    results,
)

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
