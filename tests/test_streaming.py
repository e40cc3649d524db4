"""Streamed reports are byte-for-byte what the in-memory writers produce."""

from __future__ import annotations

import io
import json

import pytest
from benchmarks.generate import generate
from click.testing import CliRunner

import claimcheck
from claimcheck.cli import main
from claimcheck.io.writers import STREAM_WRITERS, WRITERS
from tests.conftest import AS_OF, ROOT

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"


@pytest.mark.parametrize("output_format", sorted(STREAM_WRITERS))
def test_streamed_output_equals_the_in_memory_writer(output_format: str) -> None:
    report = claimcheck.validate_file(DEMO, as_of=AS_OF)
    in_memory = io.StringIO()
    WRITERS[output_format](report, in_memory)
    result = CliRunner().invoke(main, ["check", str(DEMO), "--format", output_format, "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1
    assert result.stdout == in_memory.getvalue()


def test_the_json_stream_writes_what_json_dump_writes() -> None:
    report = claimcheck.validate_file(DEMO, as_of=AS_OF)
    streamed = io.StringIO()
    WRITERS["json"](report, streamed)
    assert streamed.getvalue() == json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
    empty = claimcheck.Report.build([], report.rules_version, report.code_sets)
    streamed = io.StringIO()
    WRITERS["json"](empty, streamed)
    assert streamed.getvalue() == json.dumps(empty.to_dict(), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    "claims",
    [
        "generated",
        ROOT / "fixtures" / "x12" / "professional.837",
        ROOT / "fixtures" / "x12" / "institutional.837",
        ROOT / "fixtures" / "fhir" / "bundle-one-broken-claim.json",
    ],
)
def test_json_reports_with_many_findings_and_locations_are_what_json_dump_writes(claims, tmp_path) -> None:
    path = generate(tmp_path / "claims.csv", 3_000, seed=8) if claims == "generated" else claims
    report = claimcheck.validate_file(path, as_of=AS_OF)
    assert report.lines and any(line.findings for line in report.lines)
    streamed = io.StringIO()
    WRITERS["json"](report, streamed)
    assert streamed.getvalue() == json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def test_the_json_stream_keeps_few_finding_texts_and_writes_the_same(tmp_path, monkeypatch) -> None:
    from claimcheck.io.writers import json_writer

    monkeypatch.setattr(json_writer._FindingTexts, "_LIMIT", 8)
    report = claimcheck.validate_file(generate(tmp_path / "claims.csv", 500, seed=3), as_of=AS_OF)
    stream = json_writer.JsonStream(io.StringIO())
    for line in report.lines:
        stream.write(line)
        assert len(stream._finding_text._by_id) <= 8
    streamed = io.StringIO()
    WRITERS["json"](report, streamed)
    assert streamed.getvalue() == json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def test_an_unreadable_file_mid_run_is_a_row_of_the_report_and_exit_2(tmp_path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("claim_id,line_number\nC1,1\n")
    output = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["check", str(DEMO), str(broken), "--format", "json", "-o", str(output)])
    assert result.exit_code == 2 and "missing required column" in result.stderr
    assert sorted(tmp_path.iterdir()) == sorted([broken, output])  # no temporary file left
    lines = json.loads(output.read_text())["lines"]
    assert len(lines) == 39 + 1  # the demo's lines, then the one standing for broken.csv
    (finding,) = lines[-1]["findings"]
    assert (finding["rule_id"], finding["subject"]) == ("input.field", "file")
    assert "missing required column" in finding["message"] and "(broken.csv line 1)" in finding["message"]


def _demo_text_report(table_limit: int) -> tuple[claimcheck.Report, str]:
    """The demo's report and its text output streamed with a table of ``table_limit`` lines."""
    from claimcheck.io.writers.text_writer import TextStream

    report = claimcheck.validate_file(DEMO, as_of=AS_OF)
    stream = io.StringIO()
    writer = TextStream(stream, table_limit=table_limit)
    for line in report.lines:
        writer.write(line)
    writer.close(report.summary())
    return report, stream.getvalue()


def test_the_text_report_shows_the_first_lines_and_counts_them_all() -> None:
    report, text = _demo_text_report(5)
    assert "34 more lines not shown" in text
    counts = report.counts()
    assert f"39 lines: {counts['pass']} pass, {counts['warn']} warn, {counts['fail']} fail" in text
    assert "problems by check:" in text and "top failing rules:" in text


def test_counts_of_one_are_written_in_the_singular() -> None:
    # "1 lines: 1 pass, 0 warn, 0 fail" and "1 more lines not shown".
    from claimcheck.io.writers.html_writer import write_html
    from claimcheck.io.writers.text_writer import TextStream

    report = claimcheck.validate_file(DEMO, as_of=AS_OF)
    one = claimcheck.Report.build(report.lines[:1], report.rules_version, report.code_sets)
    stream = io.StringIO()
    writer = TextStream(stream, table_limit=1)
    for line in report.lines[:2]:
        writer.write(line)
    writer.close(report.summary())
    assert "1 more line not shown;" in stream.getvalue() and "2 lines: " in stream.getvalue()
    text = io.StringIO()
    WRITERS["text"](one, text)
    assert f"\n1 line: {one.counts()['pass']} pass, " in text.getvalue()
    failing = next(line for line in report.lines if line.status.value == "fail")
    page = io.StringIO()
    write_html(claimcheck.Report.build([failing], report.rules_version, report.code_sets), page)
    assert "1 line with warnings, failures or bypasses." in page.getvalue()
    assert "<b>1</b>line</div>" in page.getvalue()


def test_the_text_report_sends_readers_of_a_long_run_to_formats_that_list_every_line() -> None:
    _, text = _demo_text_report(5)
    (note,) = [line for line in text.splitlines() if "more lines not shown" in line]
    # It named html too, whose page lists only lines with warnings, failures or bypasses, the first 5,000.
    assert "html" not in note
    assert "--format csv or jsonl lists them all" in note
