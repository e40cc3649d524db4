"""CSV claim files that cannot be read whole: a missing required column, an empty file, non-UTF-8 headers
and lines, compressed or binary files; and line numbers after a quoted multi-line field."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

import claimcheck
from claimcheck.errors import InputError
from claimcheck.io.files import validate_file
from claimcheck.io.readers import detect_format, read_claims
from tests.conftest import ROOT
from tests.reader_inputs import (
    AS_OF,
    HEADER,
    check,
    claim,
    csv_file,
    input_findings,
    row,
    rules_fixture,  # noqa: F401 (the rules fixture)
    write,
)


def test_missing_required_column_is_an_input_error(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "C1,1,0711T", header="claim_id,line_number,procedure_code")
    with pytest.raises(InputError) as caught:
        list(read_claims(path))
    message = str(caught.value)
    assert str(path) in message
    assert ":1:" in message
    assert "date_of_service" in message
    assert caught.value.line == 1


@pytest.mark.parametrize("content", [b"", b"\n\n", b"   \n"])
def test_empty_file_is_an_input_error(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(InputError, match="empty"):
        list(read_claims(write(tmp_path, "empty.csv", content)))


def test_non_utf8_header_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.csv", ("claim_id\xe9," + HEADER + "\n").encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        validate_file(path, as_of=AS_OF)


@pytest.mark.parametrize("suffix", ["csv.gz", "zip"])
def test_a_compressed_file_is_named_as_such(tmp_path: Path, suffix: str) -> None:
    demo = (ROOT / "fixtures" / "demo" / "claims.csv").read_bytes()
    if suffix == "zip":
        with zipfile.ZipFile(tmp_path / "claims.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("claims.csv", demo)
    else:
        (tmp_path / "claims.csv.gz").write_bytes(gzip.compress(demo))
    with pytest.raises(InputError, match="gzip-compressed: decompress it first" if suffix != "zip" else "zip archive"):
        list(read_claims(tmp_path / f"claims.{suffix}"))


@pytest.mark.parametrize("name", ["Claim.ndjson", "claims.jsonl", "claims.837", "claims.csv"])
@pytest.mark.parametrize(
    ("packing", "problem"),
    [
        (gzip.compress, "is gzip-compressed: decompress it first"),
        (lambda text: text.decode().encode("utf-16"), "is UTF-16 text"),
        (lambda text: text.decode().encode("utf-16-be").join([b"\xfe\xff", b""]), "is UTF-16 text"),
        # Without a BOM it was read as UTF-8 with a NUL after each letter: "missing required
        # column(s)", which the header has; UTF-32 was named UTF-16, and iconv -f UTF-16 garbles it.
        (lambda text: text.decode().encode("utf-16-le"), "is UTF-16 text"),
        (lambda text: text.decode().encode("utf-16-be"), "is UTF-16 text"),
        (lambda text: text.decode().encode("utf-32"), "is UTF-32 text"),
        (lambda text: text.decode().encode("utf-32-be"), "is UTF-32 text"),
    ],
)
def test_a_file_that_holds_no_utf8_text_is_named_as_such_whatever_its_name(
    tmp_path: Path, name: str, packing: Any, problem: str
) -> None:
    # Named .ndjson or .jsonl, gzip data gave one "not UTF-8" or "not valid JSON" row per chunk of
    # bytes, and UTF-16 (PowerShell's '>') one per line: nothing said why.
    demo = (ROOT / "fixtures" / "demo" / "claims.csv").read_bytes()
    path = write(tmp_path, name, packing(demo))
    with pytest.raises(InputError, match=problem):
        detect_format(path)
    with pytest.raises(InputError, match=problem):
        validate_file(path, as_of=AS_OF)
    if name.endswith(".csv") and "UTF" in problem:  # read as CSV when told so, too
        with pytest.raises(InputError, match=problem):
            list(read_claims(path, "csv"))


def test_quoted_multi_line_field_keeps_line_numbers(tmp_path: Path, rules: claimcheck.RuleSet) -> None:
    multi = 'C1,1,0711T,26,"I70.213\nI10",2085R0202X,1234567893,1,2026-03-10,22'
    path = csv_file(tmp_path, multi, row("C1", 2), row("C1", 3, units="abc"), "C1,4,0711T")
    report = check(path, rules)
    assert len(report.lines) == 4
    assert report.lines[0].status.value == "pass"
    units = next(f for f in input_findings(report.lines[2]) if f.subject == "units")
    assert "claims.csv line 5" in units.message
    bad_row = next(f for f in input_findings(report.lines[3]) if f.subject == "row")
    assert "claims.csv line 6" in bad_row.message


def non_utf8_file(tmp_path: Path, suffix: str, good_lines: int) -> tuple[Path, int]:
    """A file whose only non-UTF-8 byte sits on the returned (1-based) physical line."""
    if suffix == ".csv":
        body = [HEADER, *(row("C1", n) for n in range(1, good_lines + 1)), row("C\xe9", 1)]
    else:
        last = json.dumps(claim("C\xe9", 1), ensure_ascii=False)
        body = [*(json.dumps(claim("C1", n)) for n in range(1, good_lines + 1)), last]
    path = write(tmp_path, "latin" + suffix, ("\n".join(body) + "\n").encode("latin-1"))
    return path, len(body)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
@pytest.mark.parametrize("good_lines", [1, 400])
def test_non_utf8_line_becomes_an_input_finding_on_that_line(
    tmp_path: Path, rules: claimcheck.RuleSet, suffix: str, good_lines: int
) -> None:
    path, bad_line = non_utf8_file(tmp_path, suffix, good_lines)
    report = check(path, rules)
    assert len(report.lines) == good_lines + 1
    assert all(ln.status.value == "pass" for ln in report.lines[:-1])
    last = report.lines[-1]
    assert last.status.value == "fail"
    (finding,) = [f for f in input_findings(last) if "UTF-8" in f.message]
    assert f"{path.name} line {bad_line}" in finding.message
    assert "codec" not in finding.message
