"""The ``claimcheck check`` report formats: the JSON shape, JSONL and CSV rows, the text report (markup,
control characters, long claim ids, bypasses), and the table each finding came from."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli_runs import AS_OF, FAIL, GOOD, RULEPACK, WARN, WIDE, check_json, claims_csv, invoke

CSV_OUTPUT_COLUMNS = [
    "claim_id",
    "line_number",
    "procedure_code",
    "line_status",
    "rule_id",
    "check",
    "status",
    "subject",
    "message",
]


# --- output formats ---------------------------------------------------------------------------------


def test_json_report_shape(tmp_path: Path) -> None:
    report = check_json(claims_csv(tmp_path, GOOD, WARN, FAIL))
    assert set(report) == {"summary", "lines"}
    summary = report["summary"]
    assert {"lines", "pass", "warn", "fail", "rules_version", "code_sets"} <= set(summary)
    assert (summary["lines"], summary["pass"], summary["warn"], summary["fail"]) == (3, 1, 1, 1)
    assert {"icd10cm", "nucc"} <= set(summary["code_sets"])
    line = report["lines"][2]
    assert {"claim_id", "line_number", "procedure_code", "status", "findings"} <= set(line)
    gn = next(f for f in line["findings"] if f["subject"] == "GN" and f["rule_id"] == "modifier.profile")
    assert (gn["check"], gn["status"]) == ("modifier", "fail")
    assert {"rule_id", "message", "source"} <= set(gn)


def test_jsonl_has_one_object_per_input_line(tmp_path: Path) -> None:
    result = invoke("check", claims_csv(tmp_path, GOOD, WARN, FAIL, "C5,1"), "--format", "jsonl", *AS_OF)
    rows = [json.loads(text) for text in result.stdout.splitlines()]
    assert [(r["claim_id"], r["status"]) for r in rows] == [
        ("C1", "pass"),
        ("C2", "warn"),
        ("C3", "fail"),
        ("C5", "fail"),
    ]
    assert all("findings" in r for r in rows)


def test_csv_output_has_one_row_per_finding(tmp_path: Path) -> None:
    path = claims_csv(tmp_path, GOOD, FAIL)
    findings = sum(len(line["findings"]) for line in check_json(path)["lines"])
    result = invoke("check", path, "--format", "csv", *AS_OF)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][: len(CSV_OUTPUT_COLUMNS)] == CSV_OUTPUT_COLUMNS
    assert len(rows) - 1 == findings
    gn = [r for r in rows[1:] if r[7] == "GN" and r[4] == "modifier.profile"]
    assert [(r[0], r[3], r[5], r[6]) for r in gn] == [("C3", "fail", "modifier", "fail")]
    assert {r[0] for r in rows[1:]} == {"C1", "C3"}


def test_text_output_mentions_the_lines_and_summary(tmp_path: Path) -> None:
    result = invoke("check", claims_csv(tmp_path, GOOD, FAIL), *AS_OF, env=WIDE)
    assert result.exit_code == 1
    assert "C3" in result.stdout
    assert "2 lines" in result.stdout


def test_text_output_shows_markup_in_claim_text_as_written(tmp_path: Path) -> None:
    rows = ["[/],1,99213,,I10,,,1,2026-03-10,11", "[bold]C1,1,[/]X,,I10,,,1,2026-03-10,11"]
    result = invoke("check", claims_csv(tmp_path, *rows), *AS_OF, env=WIDE)
    assert result.exit_code == 1, result.output  # 1 for the failing line; a markup error was a traceback
    assert "[bold]C1" in result.stdout and "[/]X" in result.stdout and "2 lines" in result.stdout


def test_text_output_shows_control_characters_in_claim_text_as_escapes(tmp_path: Path) -> None:
    # Printed raw, the input's escape sequences would reach the terminal: retitle it, clear it.
    rows = ["C\x1b]0;title\x07,1,99213,,I10,,,1,2026-03-10,11", "C2,1,\x1b[2J\u202e,,I10,,,1,2026-03-10,11"]
    result = invoke("check", claims_csv(tmp_path, *rows), *AS_OF, env=WIDE)
    assert result.exit_code == 1, result.output
    assert not any(c in result.stdout for c in "\x1b\x07\u202e")
    # The code column folds at 12 characters; the finding names the characters without the code.
    assert "C\\x1b]0;title\\x07" in result.stdout and "\\x1b[2J\\u202" in result.stdout
    assert "U+202E (right-to-left override) at position 5" in result.stdout


def test_text_output_keeps_the_findings_readable_beside_a_long_claim_id(tmp_path: Path) -> None:
    """A claim id as wide as the page squeezed the findings column to nothing."""
    claim_id = "CLAIM-" + "0123456789" * 12
    report = tmp_path / "report.txt"
    result = invoke("check", claims_csv(tmp_path, FAIL.replace("C3", claim_id, 1)), "-o", report, *AS_OF)
    assert result.exit_code == 1, result.output
    text = report.read_text(encoding="utf-8")
    assert "✗ fail modifier.profile" in text and "status" in text and claim_id[:24] in text
    code = "X" * 120  # not a code: a cell of something else
    result = invoke("check", claims_csv(tmp_path, FAIL.replace("0711T", code, 1)), "-o", report, *AS_OF)
    assert result.exit_code == 1, result.output
    assert "✗ fail procedure.format" in report.read_text(encoding="utf-8")


def test_text_output_shows_the_bypass_or_repeat_that_let_a_line_pass() -> None:
    demo = RULEPACK.parent.parent.parent / "fixtures" / "demo" / "claims.csv"
    result = invoke("check", demo, *AS_OF, env={"COLUMNS": "400"})
    assert result.exit_code == 1
    assert "is allowed by modifier 59 on this line" in result.stdout  # pair.ptp, indicator 1
    assert "with repeat modifier 76" in result.stdout  # duplicate.line
    assert "is a CPT Category III code" not in result.stdout  # other passes stay counted, not listed


@pytest.mark.parametrize("output_format", ["csv", "parquet"])
def test_flat_reports_name_the_table_each_finding_came_from(tmp_path: Path, output_format: str) -> None:
    ptp = RULEPACK.parent.parent.parent / "fixtures" / "ncci" / "ptp_sample.txt"
    rows = [
        "P1,1,71250,,I10,2085R0202X,1234567893,1,2026-03-10,22",
        "P1,2,0721T,,I10,2085R0202X,1234567893,1,2026-03-10,22",
        # A pair of the pack the file does not list: its finding names the pack's table.
        "P2,1,70450,,I10,2085R0202X,1234567893,1,2026-03-10,22",
        "P2,2,0721T,,I10,2085R0202X,1234567893,1,2026-03-10,22",
    ]
    report = tmp_path / f"report.{output_format}"
    result = invoke("check", claims_csv(tmp_path, *rows), "--ptp", ptp, "--format", output_format, "-o", report, *AS_OF)
    assert result.exit_code == 1, result.output
    if output_format == "csv":
        found = list(csv.DictReader(report.open(encoding="utf-8")))
    else:
        import pyarrow.parquet as pq

        found = pq.read_table(report).to_pylist()
    tables = {row["source_table"] for row in found if row["rule_id"] == "pair.ptp"}
    assert "general/pair.yaml" in tables and any(t.startswith("ptp_sample.txt line ") for t in tables)
