"""The HTML report: self-contained, aggregated, and rendered by a real browser (headless Chromium)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from benchmarks.generate import generate
from click.testing import CliRunner

import claimcheck
from claimcheck.cli import main
from claimcheck.io.writers.html_writer import write_html
from claimcheck.models.report import Report
from tests.conftest import AS_OF, ROOT

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
MUE = ROOT / "fixtures" / "ncci" / "mue_sample.csv"
BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _demo_html(max_lines: int = 5000) -> str:
    report = claimcheck.validate_file(DEMO, rules=claimcheck.load_rules(mue=MUE), as_of=AS_OF)
    stream = io.StringIO()
    write_html(report, stream, max_lines=max_lines)
    return stream.getvalue()


def test_the_page_fetches_nothing() -> None:
    page = _demo_html()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    assert "<svg" in page and 'id="rule-chart"' in page


def test_summary_and_counts_are_aggregated_from_the_report() -> None:
    report = claimcheck.validate_file(DEMO, rules=claimcheck.load_rules(mue=MUE), as_of=AS_OF)
    stream = io.StringIO()
    write_html(report, stream)
    page = stream.getvalue()
    counts = report.counts()
    assert f"<b>{len(report.lines)}</b>lines" in page
    assert f"<b>{counts['fail']}</b>fail" in page and f"<b>{counts['warn']}</b>warn" in page
    assert 'id="by-procedure"' in page and 'id="by-check"' in page


def test_a_problem_line_also_shows_the_bypass_that_let_its_pair_pass() -> None:
    page = _demo_html()
    rows = json.loads(page.split('<script id="rows" type="application/json">', 1)[1].split("</script>", 1)[0])
    passes = [(row["claim"], f["rule"]) for row in rows for f in row["findings"] if f["status"] == "pass"]
    assert ("D009", "pair.ptp") in passes
    assert all(rule.startswith(("pair.", "duplicate.")) for _, rule in passes)  # other passes are not listed


def test_a_line_that_passes_only_by_a_bypass_is_listed() -> None:
    day, dx = "2026-03-10", ["R91.1"]
    lines = [
        {
            "line_number": 1,
            "procedure_code": "71250",
            "modifiers": ["59"],
            "diagnosis_codes": dx,
            "date_of_service": day,
        },
        {"line_number": 2, "procedure_code": "0721T", "diagnosis_codes": dx, "date_of_service": day},
    ]
    report = claimcheck.validate({"claim_id": "B1", "lines": lines}, as_of=AS_OF)
    assert report.lines[1].status.value == "pass"  # else this test does not test a pass line
    stream = io.StringIO()
    write_html(report, stream)
    rows = json.loads(stream.getvalue().split('<script id="rows" type="application/json">', 1)[1].split("</script>")[0])
    listed = {(row["line"], f["rule"], f["status"]) for row in rows for f in row["findings"]}
    assert (2, "pair.ptp", "pass") in listed


def test_long_reports_list_the_first_lines_and_say_so() -> None:
    page = _demo_html(max_lines=3)
    assert "Showing the first 3 of" in page
    assert page.count('"claim":') == 3


def _count_rows(page: str, table_id: str) -> list[tuple[str, int, int, int]]:
    table = page.split(f'<table id="{table_id}">', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr><td>(.*?)</td><td>([\d,]+)</td><td>([\d,]+)</td><td>([\d,]+)</td></tr>", table)
    return [(name, *(int(count.replace(",", "")) for count in counts)) for name, *counts in cells]


def test_the_procedure_table_stays_short_when_each_line_has_its_own_code() -> None:
    # A column mapped wrong puts a charge or a claim number where the code goes: 200,000 such
    # lines made a 200,000-row table that took Chromium 29 s to open.
    line = {"line_number": 1, "date_of_service": "2026-03-10"}
    claims = [{"claim_id": f"C{i}", "lines": [{**line, "procedure_code": f"9{i:05d}"}]} for i in range(400)]
    claims += [{"claim_id": "D", "lines": [{**line, "line_number": n, "procedure_code": "0711T"} for n in (1, 2, 3)]}]
    report = claimcheck.validate_many(claims, as_of=AS_OF)
    stream = io.StringIO()
    write_html(report, stream)
    rows = _count_rows(stream.getvalue(), "by-procedure")
    assert len(rows) == 101
    assert rows[0] == ("0711T", 0, 0, 3)
    assert rows[-1][0] == "301 other procedure codes"
    counts = report.counts()
    assert [sum(row[i] for row in rows) for i in (1, 2, 3)] == [counts["pass"], counts["warn"], counts["fail"]]


def test_data_cannot_break_out_of_the_script_block(tmp_path: Path) -> None:
    path = tmp_path / "claims.jsonl"
    line = {"line_number": 1, "procedure_code": "ZZZ", "date_of_service": "2026-01-01"}
    path.write_text(json.dumps({"claim_id": "</script><b>x", "lines": [line]}) + "\n")
    stream = io.StringIO()
    write_html(claimcheck.validate_file(path, as_of=AS_OF), stream)
    assert "</script><b>x" not in stream.getvalue()


HOSTILE_CLAIMS = [  # text that ends a script block, opens a comment in it, or names a template slot
    {"claim_id": "A<!--", "lines": [{"line_number": 1, "procedure_code": "BAD", "date_of_service": "2026-03-10"}]},
    {"claim_id": "X2", "lines": [{"line_number": 1, "procedure_code": "<script>", "date_of_service": "2026-03-10"}]},
    {"claim_id": "{{rows}}", "lines": [{"line_number": 1, "procedure_code": "{{note}}", "date_of_service": "x"}]},
]


def _hostile_html(tmp_path: Path) -> str:
    path = tmp_path / "claims.json"
    path.write_text(json.dumps(HOSTILE_CLAIMS), encoding="utf-8")
    stream = io.StringIO()
    write_html(claimcheck.validate_file(path, as_of=AS_OF), stream)
    return stream.getvalue()


def test_claim_text_reaches_the_page_as_data_only(tmp_path: Path) -> None:
    page = _hostile_html(tmp_path)
    block = page.split('<script id="rows" type="application/json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block
    rows = json.loads(block)
    assert [row["claim"] for row in rows] == ["A<!--", "X2", "{{rows}}"]
    assert page.count('"claim":') == 3 and page.count("lines with warnings, failures or bypasses.") == 1


def with_test_script(page: str, script_and_body_end: str) -> str:
    """The page with a test's script before ``</body>``, and without the policy that runs the
    page's own script only."""
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page, count=1)
    return page.replace("</body>", script_and_body_end)


def browser_or_skip() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no headless browser (Debian's chromium package) on this machine; .ci/run installs it")


def rendered(browser: str, page: Path, profile: list[str]) -> tuple[str, str]:
    """The page's DOM after its scripts ran, and the body of its problem table."""
    dom = subprocess.run(
        [browser, *BROWSER_FLAGS, *profile, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return dom, dom.split('<table id="problems"', 1)[1].split(">", 1)[1].split("</table>", 1)[0]


def test_the_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    browser = browser_or_skip()
    page = tmp_path / "report.html"
    page.write_text(_demo_html(), encoding="utf-8")
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    dom, body = rendered(browser, page, profile)
    assert body.count("<tr>") > 10, "the script should have filled the problem table"
    assert "modifier.profile" in body and "page 1 of 1" in dom
    assert dom.count('class="bar"') >= 5
    screenshot = tmp_path / "report.png"
    subprocess.run(
        [browser, *BROWSER_FLAGS, *profile, "--window-size=1280,1800", f"--screenshot={screenshot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = ROOT / "build" / "html-report.png"
    saved.parent.mkdir(exist_ok=True)
    shutil.copy(screenshot, saved)


def test_hostile_claim_text_still_renders_every_row(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(_hostile_html(tmp_path), encoding="utf-8")
    dom, body = rendered(browser_or_skip(), page, ["--user-data-dir=" + str(tmp_path / "profile")])
    assert body.count("<tr>") >= 4 and "page 1 of 1" in dom


def test_a_long_unbroken_value_keeps_the_tables_inside_the_window(tmp_path: Path) -> None:
    # A description mapped as the code, or an export key as the claim id: one unbroken value
    # widened its table past the window, pushing the counts and the findings out of sight.
    long = "X" * 400
    line = {"line_number": 1, "procedure_code": long, "date_of_service": "2026-03-10"}
    report = claimcheck.validate_many(
        [{"claim_id": long, "lines": [line]}, {"claim_id": "C2", "lines": [{**line, "procedure_code": "99213"}]}],
        as_of=AS_OF,
    )
    stream = io.StringIO()
    write_html(report, stream)
    measure = (
        "<script>document.body.setAttribute('data-overflow', "
        "String(document.documentElement.scrollWidth - document.documentElement.clientWidth));</script></body>"
    )
    page = tmp_path / "report.html"
    page.write_text(with_test_script(stream.getvalue(), measure), encoding="utf-8")
    dom, body = rendered(
        browser_or_skip(), page, ["--user-data-dir=" + str(tmp_path / "profile"), "--window-size=1024,768"]
    )
    assert f"<td>{long}</td>" in body  # the line is listed, its claim id in full
    assert 'data-overflow="0"' in dom


def test_lines_of_two_837_files_are_told_apart_by_file_and_segment(tmp_path: Path) -> None:
    # A nightly batch of 837 files repeats claim ids and LX numbers: the JSON report's location
    # tells the lines apart, and the page must too.
    sample = (ROOT / "fixtures" / "x12" / "professional.837").read_bytes()
    paths = [tmp_path / "monday.837", tmp_path / "tuesday.837"]
    for path in paths:
        path.write_bytes(sample)
    report = claimcheck.validate_files(paths, as_of=AS_OF)
    stream = io.StringIO()
    write_html(report, stream)
    page = stream.getvalue()
    rows = json.loads(page.split('<script id="rows" type="application/json">', 1)[1].split("</script>", 1)[0])
    first = next(line for line in report.lines if line.notable())
    segment = first.location["segment"]
    wheres = [row["where"] for row in rows if (row["claim"], row["line"]) == (first.claim_id, first.line_number)]
    assert len(wheres) == 2
    assert [where.split(", ")[0] for where in wheres] == ["monday.837", "tuesday.837"]
    assert all(f"segment {segment}" in where for where in wheres)
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    _, body = rendered(browser_or_skip(), html, ["--user-data-dir=" + str(tmp_path / "profile")])
    assert wheres[0] in body and wheres[1] in body


def test_csv_lines_have_no_location_to_show() -> None:
    rows = json.loads(_demo_html().split('<script id="rows" type="application/json">', 1)[1].split("</script>", 1)[0])
    assert rows and all(row["where"] == "" for row in rows)


def test_the_command_line_writes_the_page_without_keeping_every_line(tmp_path: Path, monkeypatch) -> None:
    # The page needs its counts and first lines only: holding every line result until the end
    # took memory in proportion to the input, where the JSON and CSV reports stay flat.
    path = generate(tmp_path / "claims.csv", 3_000, seed=5)
    expected = io.StringIO()
    write_html(claimcheck.validate_file(path, as_of=AS_OF), expected, max_lines=5000)

    def whole_report(*args: object, **kwargs: object) -> None:
        raise AssertionError("the html report kept every line result")

    monkeypatch.setattr(Report, "build", whole_report)
    result = CliRunner().invoke(main, ["check", str(path), "--format", "html", "--as-of", AS_OF.isoformat()])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert result.stdout == expected.getvalue()


def test_a_filter_that_finds_nothing_says_it_searched_the_listed_lines_only(tmp_path: Path) -> None:
    # Past the first N problem lines the page lists, a claim with failures is not in the table:
    # "0 lines" alone read as "no problem with that claim".
    page = tmp_path / "report.html"
    search = (
        "<script>var f = document.getElementById('filter'); f.value = 'D014';"
        "f.dispatchEvent(new Event('input'));</script></body>"
    )
    page.write_text(with_test_script(_demo_html(max_lines=3), search), encoding="utf-8")
    dom, body = rendered(browser_or_skip(), page, ["--user-data-dir=" + str(tmp_path / "profile")])
    assert body.count("<tr>") == 1  # the header only: D014 is past the first 3
    assert "(0 lines; the table holds the first 3 of 26)" in dom
