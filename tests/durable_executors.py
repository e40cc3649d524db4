"""The durable-rules and compiled executors in tests: the shipped rule sets, the executors for each, the
codes claims are made of, and the line results of a run."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

pytest.importorskip(
    "durable", reason="durable-rules is not installed: pip install 'claimcheck[durable]' (Python < 3.13)"
)

import claimcheck
from claimcheck.engine.durable import DurableExecutor
from claimcheck.engine.run import check_claim
from claimcheck.models.parse import ParsedClaim

__all__ = [
    "AS_OF",
    "BAD_DAYS",
    "CODES",
    "DAYS",
    "DEMO",
    "DIAGNOSES",
    "EXECUTORS",
    "MODIFIERS",
    "MUE",
    "PTP",
    "ROOT",
    "RULE_SETS",
    "_rule_sets",
    "lines",
    "modifier_text",
    "results",
]


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
