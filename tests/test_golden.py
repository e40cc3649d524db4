"""The demo file's report, compared with a golden file that was reviewed by hand.

The demo runs with the hand-written sample MUE table (as ``make demo`` does). Regenerate after
a deliberate change with ``claimcheck check fixtures/demo/claims.csv --mue fixtures/ncci/mue_sample.csv
--format json --as-of 2026-11-22 -o fixtures/golden/demo_report.json`` and review the diff line by
line before committing it.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

import claimcheck
from claimcheck.cli import main
from claimcheck.models.finding import Check, Status
from tests.conftest import AS_OF, ROOT

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
MUE = ROOT / "fixtures" / "ncci" / "mue_sample.csv"
GOLDEN = ROOT / "fixtures" / "golden" / "demo_report.json"


def _demo_report() -> claimcheck.Report:
    return claimcheck.validate_file(DEMO, rules=claimcheck.load_rules(mue=MUE), as_of=AS_OF)


def test_demo_report_matches_the_reviewed_golden_file() -> None:
    report = _demo_report()
    assert report.to_dict() == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_cli_json_output_is_the_golden_report() -> None:
    arguments = ["check", str(DEMO), "--mue", str(MUE), "--format", "json", "--as-of", AS_OF.isoformat()]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_demo_exercises_every_outcome_of_every_check() -> None:
    report = _demo_report()
    seen = {(f.check, f.status) for line in report.lines for f in line.findings}
    for check in (Check.PROCEDURE, Check.DATE, Check.PROVIDER, Check.UNITS, Check.PLACE_OF_SERVICE):
        assert {(check, Status.PASS), (check, Status.FAIL)} <= seen, check
    for check in (Check.MODIFIER, Check.DIAGNOSIS, Check.SPECIALTY):
        assert {(check, Status.PASS), (check, Status.WARN), (check, Status.FAIL)} <= seen, check
    assert (Check.INPUT, Status.FAIL) in seen
    assert {(Check.PAIR, Status.PASS), (Check.PAIR, Status.WARN), (Check.PAIR, Status.FAIL)} <= seen
    assert {(Check.DUPLICATE, Status.PASS), (Check.DUPLICATE, Status.FAIL)} <= seen
    rule_ids = {f.rule_id for line in report.lines for f in line.findings}
    assert {"pair.ptp", "pair.addon", "pair.split_components", "duplicate.line", "units.mue"} <= rule_ids
    data_rows = len(DEMO.read_text(encoding="utf-8").splitlines()) - 1
    assert len(report.lines) == data_rows
