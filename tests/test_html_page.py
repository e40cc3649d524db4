"""The HTML report as a page: its Content-Security-Policy, and its layout in print and without JavaScript."""

from __future__ import annotations

import base64
import hashlib
import io
import re

import claimcheck
from claimcheck.io.writers.html_writer import write_html
from tests.conftest import AS_OF, ROOT

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
