"""Every report format of one input holds the same lines and findings, in input order, and the
same exit code: each report is read back to (claim id, line number, rule id, status) tuples."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from benchmarks.generate import generate
from click.testing import CliRunner

import claimcheck
from claimcheck.cli import main
from claimcheck.io.writers.csv_writer import write_csv
from tests.conftest import ROOT, SHARED

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
SAMPLES = SHARED / "samples"
AS_OF = ["--as-of", "2026-11-22", "--quiet"]
TABLES = ("csv", "jsonl", "parquet")
_ACROSS_LINES = ("pair", "duplicate")  # whose passes the text and html reports list
HTML_ROWS = re.compile(r'<script id="rows" type="application/json">(.*?)</script>', re.S)

# Bad cells that Arrow's reader takes, so they stay on the fast road: quotes and commas in what
# the messages repeat, a line number that is no number, no claim id, a repeated line, blanks.
_ON_ARROWS_ROAD = [
    'Q1,1,"99,13",,I10,2085R0202X,1234567893,1,2026-03-10,11',
    'Q1,2,"99""13",,"I10, E11.9",2085R0202X,1234567893,1,2026-03-10,11',
    '"Q,3",1,99213,"2""6",I10,2085R0202X,1234567893,1,2026-03-10,11',
    "Q4,x,99213,,I10,2085R0202X,1234567893,1,2026-03-10,11",
    ",1,99213,,I10,2085R0202X,1234567893,1,2026-03-10,11",
    ",,,,,,,,,",
    "Q7,1,0711T,26,I70.213,2085R0202X,1234567893,1,2026-03-10,22",
    "Q7,1,0711T,26,I70.213,2085R0202X,1234567893,1,2026-13-10,22",
]
# Rows Arrow refuses, so the rest of the file is read the per-line way.
_OFF_ARROWS_ROAD = [
    "Q5,1,99213,,I10",
    'Q8,1,"992\n13",,I10,2085R0202X,1234567893,1,2026-03-10,11',
    'Q8,2,"992\r13",,I10,2085R0202X,1234567893,1,2026-03-10,11',
    "Q9,1,99213,,I10,2085R0202X,1234567893,1,2026-03-10,11,extra",
]


def _mixed(path: Path, bad: list[str], seed: int) -> Path:
    """A generated file (with its own bad rows) with ``bad`` rows among its claims."""
    header, *rows = generate(path, 240, seed=seed).read_text(encoding="utf-8").splitlines()
    rows[60:60] = bad
    rows[200:200] = [header, "Q10,1,99213,,I10,2085R0202X,1234567893,1,2026-03-10,11"]  # files joined
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _samples(*globs: str) -> list[Path]:
    if not SAMPLES.is_dir():
        pytest.skip(f"{SAMPLES} is absent: these inputs are the shared sample files")
    return sorted(path for pattern in globs for path in SAMPLES.glob(pattern))


def inputs_named(name: str, tmp_path: Path) -> list[Path]:
    if name == "demo":
        return [DEMO]
    if name == "mixed on arrow's road":
        return [_mixed(tmp_path / "mixed.csv", _ON_ARROWS_ROAD, seed=4)]
    if name == "mixed off arrow's road":
        return [_mixed(tmp_path / "mixed.csv", _ON_ARROWS_ROAD + _OFF_ARROWS_ROAD, seed=5)]
    if name == "x12 and fhir":
        return _samples("x12-837p/ims__x12_complex.txt", "x12-837p/lfh__*", "x12-837i/*.*", "fhir-claim/*.json")
    # Files refused whole (a 4010 837, an STU3 Claim) among others: a row stands for each, exit 2.
    return [DEMO, *_samples("x12-837p/invalid/*", "fhir-claim/invalid/*")]


def run_check(files: list[Path], output: Path, output_format: str, *args: str) -> int:
    command = ["check", *map(str, files), "--format", output_format, "-o", str(output), *AS_OF, *args]
    result = CliRunner().invoke(main, command)
    assert result.exit_code in (0, 1, 2) and "Traceback" not in result.stderr, result.stderr
    return result.exit_code


def _key(claim_id: Any, line_number: Any) -> tuple[str | None, int | None]:
    """A line's keys as every format can give them back: an empty value is none."""
    return (claim_id or None, None if line_number in (None, "") else int(line_number))


def _finding_tuples(lines: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """A row per finding, and one for a line without findings, as the one-row-per-finding tables hold."""
    rows: list[tuple[Any, ...]] = []
    for line in lines:
        key = _key(line["claim_id"], line["line_number"])
        rows += [(*key, f["rule_id"], f["status"]) for f in line["findings"]] or [(*key, None, None)]
    return rows


def _line_tuples(lines: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """A row per line, as ``--rows line`` holds it."""
    rows = []
    for line in lines:
        counts = Counter(f["status"] for f in line["findings"])
        problems = "; ".join(f["rule_id"] for f in line["findings"] if f["status"] != "pass") or None
        key = _key(line["claim_id"], line["line_number"])
        rows.append((*key, line["status"], counts["pass"], counts["warn"], counts["fail"], problems))
    return rows


def _table(output: Path, output_format: str) -> list[dict[str, Any]]:
    if output_format == "csv":
        with output.open(encoding="utf-8", newline="") as stream:
            return list(csv.DictReader(stream))
    if output_format == "parquet":
        return pq.read_table(output).to_pylist()
    return [json.loads(text) for text in output.read_text(encoding="utf-8").splitlines()]


def _as_finding_tuples(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(*_key(r["claim_id"], r["line_number"]), r["rule_id"] or None, r["status"] or None) for r in rows]


def _as_line_tuples(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    counts = ("pass", "warn", "fail")
    return [
        (*_key(r["claim_id"], r["line_number"]), r["status"], *(int(r[c]) for c in counts), r["problem_rules"] or None)
        for r in rows
    ]


def _html_counts(page: str, table_id: str) -> list[list[Any]]:
    """The rows of one of the page's count tables: a name, then counts by status."""
    body = re.search(rf'<table id="{table_id}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert body is not None, table_id
    rows = [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body[1], re.S)]
    return [[name, *(int(n.replace(",", "")) for n in counts)] for name, *counts in rows]


def text_summary(text: str) -> tuple[tuple[int, ...], str, str]:
    """The counts of the text report's summary, and its lines by check and top failing rules."""
    summary = " ".join(text[text.rindex("┘") :].split())  # a long line of counts wraps
    counts = re.search(r"([\d,]+) lines?: (\d+) pass, (\d+) warn, (\d+) fail", summary)
    assert counts is not None, summary
    by_check = re.search(r"problems by check: (.*?)(?= top failing rules:| rules )", summary)
    failing = re.search(r"top failing rules: (.*?)(?= rules )", summary)
    return (
        tuple(int(n.replace(",", "")) for n in counts.groups()),
        by_check[1] if by_check else "",
        failing[1] if failing else "",
    )


@pytest.mark.parametrize(
    "inputs", ["demo", "mixed on arrow's road", "mixed off arrow's road", "x12 and fhir", "refused"]
)
def test_every_format_holds_the_same_lines_and_findings(inputs: str, tmp_path: Path) -> None:
    files = inputs_named(inputs, tmp_path)
    code = run_check(files, tmp_path / "report.json", "json")
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    lines = report["lines"]
    by_status = Counter(line["status"] for line in lines)
    summary = report["summary"]
    assert [summary[k] for k in ("lines", "pass", "warn", "fail")] == [
        len(lines),
        *(by_status[s] for s in ("pass", "warn", "fail")),
    ]

    assert run_check(files, tmp_path / "objects.jsonl", "jsonl") == code
    assert _table(tmp_path / "objects.jsonl", "jsonl") == lines
    for output_format in TABLES:
        for rows, convert, want in (
            ("finding", _as_finding_tuples, _finding_tuples(lines)),
            ("line", _as_line_tuples, _line_tuples(lines)),
        ):
            output = tmp_path / f"{rows}.{output_format}"
            assert run_check(files, output, output_format, "--rows", rows) == code
            assert convert(_table(output, output_format)) == want, (output_format, rows)

    assert run_check(files, tmp_path / "report.html", "html") == code
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    listed = [
        (*_key(r["claim"], r["line"]), r["status"], [(f["rule"], f["status"]) for f in r["findings"]])
        for r in json.loads(HTML_ROWS.search(page)[1])  # type: ignore[index]
    ]
    notable = [
        (*_key(line["claim_id"], line["line_number"]), line["status"], shown)
        for line in lines
        if (
            shown := [
                (f["rule_id"], f["status"])
                for f in line["findings"]
                if f["status"] != "pass" or f["check"] in _ACROSS_LINES
            ]
        )
    ]
    assert listed == notable[:5000]
    cards = re.findall(r'<div class="card[^"]*"><b>([\d,]+)</b>', page)
    assert [int(n.replace(",", "")) for n in cards] == [len(lines), *(by_status[s] for s in ("pass", "warn", "fail"))]
    assert f'data-listed="{len(notable)}"' in page
    by_check: dict[str, Counter[str]] = {}
    for finding in (f for line in lines for f in line["findings"]):
        by_check.setdefault(finding["check"], Counter())[finding["status"]] += 1
    statuses = ("pass", "warn", "fail")  # the columns of the page's count tables
    assert _html_counts(page, "by-check") == [[k, *(v[s] for s in statuses)] for k, v in sorted(by_check.items())]
    procedure_rows = _html_counts(page, "by-procedure")
    assert [sum(row[i] for row in procedure_rows) for i in (1, 2, 3)] == [by_status[s] for s in statuses]

    assert run_check(files, tmp_path / "report.txt", "text", "--verbose") == code
    counts, by_check, failing = text_summary((tmp_path / "report.txt").read_text(encoding="utf-8"))
    assert counts == (len(lines), by_status["pass"], by_status["warn"], by_status["fail"])
    findings = [f for line in lines for f in line["findings"]]
    problems = Counter(f["check"] for f in findings if f["status"] != "pass")
    assert by_check == ", ".join(f"{check} {n}" for check, n in problems.most_common())
    fails = Counter(f["rule_id"] for f in findings if f["status"] == "fail")
    assert failing == ", ".join(f"{rule} {n}" for rule, n in fails.most_common(5))


def _cells(row: dict[str, Any]) -> dict[str, str]:
    return {name: "" if value is None else str(value) for name, value in row.items()}


@pytest.mark.parametrize("rows", ["finding", "line"])
def test_a_carriage_return_in_a_value_is_quoted_in_the_csv_report(rows: str, tmp_path: Path) -> None:
    # csv.writer quotes only the line end it writes ("\n"): a lone CR (a JSON or X12 value can
    # hold one) was written bare, and CSV readers (Python's, Excel, pandas) end the row there.
    line = {"line_number": 1, "procedure_code": "99\r213", "modifiers": ["2\r6"], "diagnosis_codes": ["I10"]}
    claim = {"claim_id": "R\r1", "lines": [{**line, "date_of_service": "2026-03-10"}]}
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps(claim) + "\n", encoding="utf-8")
    run_check([path], tmp_path / "report.csv", "csv", "--rows", rows)
    run_check([path], tmp_path / "report.jsonl", "jsonl", "--rows", rows)
    as_csv = _table(tmp_path / "report.csv", "csv")
    assert [_cells(row) for row in as_csv] == [_cells(row) for row in _table(tmp_path / "report.jsonl", "jsonl")]
    assert {row["claim_id"] for row in as_csv} == {"R\r1"}
    if rows == "finding":  # the library's writer writes the same
        written = io.StringIO()
        write_csv(claimcheck.validate(claim, as_of="2026-11-22"), written)
        assert written.getvalue().encode() == (tmp_path / "report.csv").read_bytes()


def test_the_text_summary_keeps_each_of_its_lines_whole(tmp_path: Path) -> None:
    # At the 140 columns of a file or pipe, "problems by check: ..." of the demo went on to a
    # second line, so that a grep or a log parser found it cut short.
    run_check([DEMO], tmp_path / "report.json", "json")
    findings = [f for line in json.loads((tmp_path / "report.json").read_text())["lines"] for f in line["findings"]]
    problems = Counter(f["check"] for f in findings if f["status"] != "pass")
    run_check([DEMO], tmp_path / "report.txt", "text")
    text = (tmp_path / "report.txt").read_text(encoding="utf-8").splitlines()
    (by_check,) = [line for line in text if line.startswith("problems by check: ")]
    assert by_check == "problems by check: " + ", ".join(f"{check} {n}" for check, n in problems.most_common())
