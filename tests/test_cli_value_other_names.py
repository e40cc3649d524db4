"""An option value given by another name the user knows it by (ndjson, 837, tsv, xlsx): refused
with exit status 2, saying which allowed value takes what they meant, where difflib finds none
close ('ndjson' is nearer 'json' than the 'jsonl' or 'fhir' it means)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from tests.conftest import ROOT

DEMO = str(ROOT / "fixtures" / "demo" / "claims.csv")


@pytest.mark.parametrize(
    ("option", "typed", "needles"),
    [
        ("--input-format", "ndjson", ["'jsonl' for claims in JSON Lines", "'fhir' for FHIR NDJSON"]),
        ("--input-format", "NDJSON", ["'jsonl' for claims in JSON Lines"]),
        ("--input-format", "837", ["'x12' reads X12 837"]),
        ("--input-format", "837p", ["'x12' reads X12 837"]),
        ("--input-format", "edi", ["'x12' reads X12 837"]),
        ("--input-format", "tsv", ["'csv' reads"]),
        ("--format", "ndjson", ["'jsonl'"]),
        ("--format", "xlsx", ["'csv'", "spreadsheet"]),
    ],
)
def test_another_name_for_a_value_says_which_value_takes_it(option: str, typed: str, needles: list[str]) -> None:
    result = CliRunner().invoke(main, ["check", DEMO, option, typed, "--as-of", "2026-11-22"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert option in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert "did you mean 'json'?" not in result.stderr


def test_a_plain_typo_still_gets_did_you_mean() -> None:
    result = CliRunner().invoke(main, ["check", DEMO, "--input-format", "jsnl", "--as-of", "2026-11-22"])
    assert result.exit_code == 2
    assert "did you mean 'jsonl'?" in result.stderr
