"""The per-line road reuses line checks' findings per distinct key (engine/line_memo.py): a run
with the memo must find exactly what checking every line afresh finds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from benchmarks.generate import generate

from claimcheck import load_rules
from claimcheck.engine.day import day_of_run
from claimcheck.engine.run import check_claim, check_claims
from claimcheck.errors import ClaimCheckError
from claimcheck.io.readers import read_claims
from claimcheck.models.report import LineResult
from claimcheck.rules.loader import shipped_pack_path
from tests.conftest import AS_OF, ROOT

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
X12 = sorted((ROOT.parent / "shared" / "samples" / "x12-837p").glob("*"))


def _afresh(path: Path, rules: object) -> list[LineResult]:
    day = day_of_run(AS_OF)
    return [result for parsed in read_claims(path) for result in check_claim(parsed, rules, day)]  # type: ignore[arg-type]


def _memoised(path: Path, rules: object) -> list[LineResult]:
    return list(check_claims(read_claims(path), rules, AS_OF))  # type: ignore[arg-type]


def _dated_pack(tmp_path: Path) -> Path:
    """The shipped pack with every general rule in force from 2026-05-01, so each check keys on
    the era of the date of service."""
    pack = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), pack)
    for path in (pack / "general").glob("*.yaml"):
        path.write_text(path.read_text().replace("  - id: ", "  - effective: 2026-05-01\n    id: "))
    return pack


def test_a_generated_file_with_bad_rows_gets_the_same_results(tmp_path: Path) -> None:
    path = generate(tmp_path / "claims.csv", 4_000, seed=23)
    rules = load_rules()
    memoised = _memoised(path, rules)
    assert len(memoised) == 4_000
    assert memoised == _afresh(path, rules)
    assert any(f.check.value == "input" for line in memoised for f in line.findings)  # bad rows were there


def test_dated_rules_key_on_the_era_and_find_the_same(tmp_path: Path) -> None:
    path = generate(tmp_path / "claims.csv", 3_000, seed=5)
    rules = load_rules(_dated_pack(tmp_path))
    memoised = _memoised(path, rules)
    assert memoised == _afresh(path, rules)
    # The generated dates fall on both sides of the day the rules start: the general rules'
    # findings are on some lines and not on others.
    general = [any(f.rule_id == "procedure.format" for f in line.findings) for line in memoised]
    assert any(general) and not all(general)


def test_the_demo_and_x12_samples_get_the_same_results() -> None:
    rules = load_rules()
    compared = 0
    for path in [DEMO, *X12]:
        try:
            memoised = _memoised(path, rules)
        except ClaimCheckError as refused:  # a sample refused whole is refused alike either way
            with pytest.raises(ClaimCheckError, match=re.escape(str(refused))):
                _afresh(path, rules)
            continue
        assert memoised == _afresh(path, rules), path.name
        compared += 1
    assert compared >= 2


def test_a_memo_that_starts_again_finds_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = generate(tmp_path / "claims.csv", 1_000, seed=3)
    rules = load_rules()
    monkeypatch.setattr("claimcheck.engine.line_memo._MEMO_LIMIT", 2)
    assert _memoised(path, rules) == _afresh(path, rules)


def test_a_check_runs_once_per_distinct_key_after_the_first_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = generate(tmp_path / "claims.csv", 2_000, seed=9)
    rules = load_rules()
    (check,) = [c for c in rules.checks if c.rule_id == "procedure.format"]
    kind = type(check)
    real_run = kind.run
    runs = 0

    def counted(self: object, ctx: object) -> object:
        nonlocal runs
        runs += 1
        return real_run(self, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(kind, "run", counted)
    results = _memoised(path, rules)
    clean = [r for r in results if not any(f.check.value == "input" for f in r.findings)]
    codes = {r.procedure_code for r in clean}
    # The first 64 lines are checked directly, then each distinct code once; lines with input
    # problems are checked in full each time.
    assert len(results) == 2_000
    assert runs <= 64 + len(codes) + (len(results) - len(clean))
    assert runs < len(results) / 2
