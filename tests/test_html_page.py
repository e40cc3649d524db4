"""The HTML report as a page: its Content-Security-Policy, and its layout in print and without JavaScript."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from pathlib import Path

from benchmarks.generate import generate

import claimcheck
from claimcheck.io.writers.html_writer import HtmlStream, write_html
from claimcheck.models.finding import Check, Finding, Status
from claimcheck.models.report import LineResult
from tests.conftest import AS_OF, ROOT
from tests.test_html_report import browser_or_skip, rendered, with_test_script

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"


def _demo_page() -> str:
    stream = io.StringIO()
    write_html(claimcheck.validate_file(DEMO, as_of=AS_OF), stream)
    return stream.getvalue()


def _policy(page: str) -> dict[str, list[str]]:
    head = page.split("<body>", 1)[0]
    found = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', head)
    assert len(found) == 1, "the page states one Content-Security-Policy, in its head"
    return {name: values for name, *values in (part.split() for part in found[0].split(";") if part.strip())}


def test_the_page_may_run_its_own_script_and_fetch_nothing() -> None:
    # Claim text is escaped where it enters the page; the policy is the second line of defence:
    # a script that slipped in all the same would not run, nor send what the page shows anywhere.
    page = _demo_page()
    policy = _policy(page)
    assert policy["default-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'none'"]
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode("ascii")
    assert policy["script-src"] == [f"'sha256-{digest}'"]  # that script only: no 'unsafe-inline'


def test_the_script_is_the_same_on_every_page() -> None:
    # Its hash is in the policy: the report's figures are read from the page, not written into the code.
    first = re.findall(r"<script>(.*?)</script>", _demo_page(), flags=re.DOTALL)
    stream = io.StringIO()
    write_html(claimcheck.validate_many([], as_of=AS_OF), stream)
    assert re.findall(r"<script>(.*?)</script>", stream.getvalue(), flags=re.DOTALL) == first


def _with_rule(rule_id: str) -> str:
    finding = Finding(Check.PROCEDURE, rule_id, "procedure_code", Status.FAIL, "not billable")
    stream = io.StringIO()
    writer = HtmlStream(stream)
    writer.write(LineResult("C1", 1, "99213", (finding,)))
    writer.close({"lines": 1, "pass": 0, "warn": 0, "fail": 1, "rules_version": "test", "code_sets": {}})
    return stream.getvalue()


def test_the_chart_shrinks_to_the_width_of_a_printed_page_or_a_narrow_window() -> None:
    # 760 px wide as drawn: on an A4 or Letter page (about 720 px inside the margins) its right
    # end, the counts at the ends of the bars, was cut off.
    page = _demo_page()
    svg = re.search(r'<svg id="rule-chart"[^>]*>', page)[0]  # type: ignore[index]
    width, height = re.search(r'width="(\d+)" height="(\d+)"', svg).groups()  # type: ignore[union-attr]
    assert f'viewBox="0 0 {width} {height}"' in svg
    assert re.search(r"#rule-chart \{[^}]*max-width: 100%;[^}]*height: auto;", page)


def test_a_long_rule_id_is_shortened_in_the_chart_and_given_in_full_on_hover() -> None:
    # A rule pack's own ids can be long; the label is drawn right-aligned before its bar, so the
    # start of a long one, which says what the rule is about, fell off the left of the chart.
    rule = "payer_acme.prior_authorization_required_for_advanced_imaging"
    svg = re.search(r'<svg id="rule-chart".*?</svg>', _with_rule(rule))[0]  # type: ignore[index]
    label = re.search(r'<text x="\d+" y="\d+" text-anchor="end">(.*?)</text>', svg)[1]  # type: ignore[index]
    assert len(re.sub(r"<title>.*?</title>", "", label)) <= 32 and "…" in label
    assert label.startswith("payer_acme.") and label.endswith(f"<title>{rule}</title>")
    assert f"<title>{rule}: 1</title>" in svg
    assert ">modifier.profile</text>" in _with_rule("modifier.profile")  # a short id is drawn as it is


def test_without_javascript_the_page_says_the_table_needs_it() -> None:
    # Opened where scripts do not run (a mail preview, a locked-down viewer), the summary and
    # counts are all there; the table of lines stayed empty under its filters, as if none failed.
    page = _demo_page()
    head, body = page.split("<body>", 1)
    assert re.search(r"<noscript><style>[^<]*\.controls, #problems \{ display: none; \}[^<]*</style></noscript>", head)
    notice = re.search(r"<noscript>(.*?)</noscript>", body)[1]  # type: ignore[index]
    assert "needs JavaScript" in notice and "summary and counts above" in notice


def test_a_printout_holds_every_line_the_filters_kept_and_no_buttons() -> None:
    page = _demo_page()
    printed = re.search(r"@media print \{(.*?)\n  \}", page, flags=re.DOTALL)[1]  # type: ignore[index]
    assert ".controls button" in printed and "display: none" in printed
    script = re.findall(r"<script>(.*?)</script>", page, flags=re.DOTALL)[0]
    assert 'addEventListener("beforeprint"' in script and 'addEventListener("afterprint"' in script


def test_a_printout_in_chromium_lists_every_line_then_the_screen_its_page(tmp_path: Path) -> None:
    # Printed, the table held the 50 lines of the page on screen under "page 1 of 14".
    browser, profile = browser_or_skip(), ["--user-data-dir=" + str(tmp_path / "profile")]
    claims = generate(tmp_path / "claims.csv", 3_000, seed=5)
    stream = io.StringIO()
    write_html(claimcheck.validate_file(claims, as_of=AS_OF), stream)
    listed = int(re.search(r'data-listed="(\d+)"', stream.getvalue())[1])  # type: ignore[index]
    assert listed > 100
    printing = "<script>window.dispatchEvent(new Event('beforeprint'));</script></body>"
    page = tmp_path / "report.html"
    page.write_text(with_test_script(stream.getvalue(), printing), encoding="utf-8")
    dom, body = rendered(browser, page, profile)
    assert body.count("<tr>") == listed + 1 and f" all {listed:,} lines " in dom
    done = printing.replace("'beforeprint'));", "'beforeprint')); window.dispatchEvent(new Event('afterprint'));")
    page.write_text(with_test_script(stream.getvalue(), done), encoding="utf-8")
    dom, body = rendered(browser, page, profile)
    assert body.count("<tr>") == 51 and "page 1 of " in dom


def _filtered(tmp_path: Path, status: str, check: str) -> list[str]:
    choose = (
        f"<script>var s = document.getElementById('status'), c = document.getElementById('check');"
        f"s.value = '{status}'; c.value = '{check}'; c.dispatchEvent(new Event('change'));</script></body>"
    )
    page = tmp_path / f"{status}-{check}.html"
    page.write_text(with_test_script(_demo_page(), choose), encoding="utf-8")
    _, body = rendered(browser_or_skip(), page, ["--user-data-dir=" + str(tmp_path / "profile")])
    return [f"{claim}/{line}" for claim, line in re.findall(r"<tr><td>(\w+)</td><td>(\d+)</td>", body)]


def test_with_a_check_chosen_the_status_filter_is_that_of_the_check_findings(tmp_path: Path) -> None:
    # D009 line 2 warns on its modifier, and its pair passed by a bypass modifier: "warn" and
    # "pair" listed it as a pair warning, and "pass (a bypass)" and "pair" did not list its bypass.
    assert _filtered(tmp_path, "warn", "pair") == ["D012/2"]
    assert _filtered(tmp_path, "pass", "pair") == ["D009/2", "D011/2"]
    assert _filtered(tmp_path, "fail", "pair") == ["D007/2", "D008/2", "D010/1"]


def test_the_chart_says_when_it_shows_only_the_most_frequent_failing_rules() -> None:
    # The demo fails 19 rules: 12 bars alone read as "these are the rules that failed".
    page = _demo_page()
    chart = page.split("<h2>Most frequent failing rules</h2>", 1)[1].split('<div class="grid">', 1)[0]
    assert chart.count('class="bar"') == 12
    rules = {
        f.rule_id
        for line in claimcheck.validate_file(DEMO, as_of=AS_OF).lines
        for f in line.problems()
        if f.status is Status.FAIL
    }
    assert f"The 12 most frequent of {len(rules)} failing rules" in chart
    assert "of 1 failing rules" not in _with_rule("modifier.profile")


def test_filters_a_browser_restores_on_reload_are_applied(tmp_path: Path) -> None:
    # Firefox on reload, and any browser going back to the page, puts the filter box and status
    # back as they were; the table then listed every line under a filter that said otherwise.
    restore = "document.getElementById('filter').value = 'D00'; document.getElementById('status').value = 'warn';"
    page = tmp_path / "report.html"
    html = with_test_script(_demo_page(), "</body>")
    page.write_text(
        html.replace("<script>\n(function", f"<script>{restore}</script>\n<script>\n(function", 1), encoding="utf-8"
    )
    _, body = rendered(browser_or_skip(), page, ["--user-data-dir=" + str(tmp_path / "profile")])
    rows = [f"{claim}/{line}" for claim, line in re.findall(r"<tr><td>(\w+)</td><td>(\d+)</td>", body)]
    assert rows == ["D003/2", "D003/3", "D004/4", "D009/2"]
