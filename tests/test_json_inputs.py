"""JSON claims files as other tools and people write them: their mistakes said plainly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from tests.conftest import ROOT

AS_OF = ["--as-of", "2026-11-22", "--fail-on", "never", "--quiet"]


def _report(path: Path) -> str:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "csv", *AS_OF])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", ["claims.json", "claims.jsonl"])
def test_a_dos_end_of_file_mark_ends_a_json_claims_file(name: str, tmp_path: Path) -> None:
    # A .json file failed as a whole ("Extra data"), a .jsonl one had a line that was no JSON.
    path = tmp_path / name
    path.write_bytes((ROOT / "fixtures" / "json" / name).read_bytes() + b"\x1a")
    result = CliRunner().invoke(main, ["check", str(path), "--format", "csv", *AS_OF])
    assert result.exit_code == 0, result.stderr
    assert ",input.field," not in result.stdout


def test_a_json_record_of_a_whole_line_is_told_how_a_claim_holds_its_lines(tmp_path: Path) -> None:
    # A table's rows written as JSON records (pandas' to_json(orient="records", lines=True)) put
    # a line's fields beside the claim id; "lines must be a non-empty list" did not say why.
    path = tmp_path / "claims.jsonl"
    path.write_text(
        '{"claim_id": "C1", "line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10"}\n'
        '{"claim_id": "C2"}\n'
    )
    rows = list(csv.DictReader(io.StringIO(_report(path))))
    assert [r["message"] for r in rows] == [
        "lines must be a non-empty list of lines; this object gives line_number, procedure_code, date_of_service "
        "at the claim's level, where a claim lists each line under lines (claims.jsonl line 1)",
        "lines must be a non-empty list of lines (claims.jsonl line 2)",
    ]


def test_claims_wrapped_in_an_object_are_told_how_a_claim_looks(tmp_path: Path) -> None:
    # {"claims": [...]}, as APIs send lists, was read as one claim that "is required" a claim_id
    # and lines, without a word of the list of claims under its key.
    path = tmp_path / "claims.json"
    line = {"line_number": 1, "procedure_code": "99213", "date_of_service": "2026-03-10"}
    path.write_text(json.dumps({"claims": [{"claim_id": "C1", "lines": [line]}]}))
    rows = list(csv.DictReader(io.StringIO(_report(path))))
    assert [(r["subject"], r["message"]) for r in rows] == [
        ("claim_id", "claim_id is required (claims.json [0])"),
        (
            "lines",
            "lines must be a non-empty list of lines; this object holds a list of objects under claims: a claim "
            "gives its claim_id and lines itself (claims.json [0])",
        ),
    ]


def test_an_empty_json_claims_file_is_said_to_be_empty(tmp_path: Path) -> None:
    # It was "claims.json:4: is not valid JSON (Expecting value, column 1)", past its end.
    path = tmp_path / "claims.json"
    path.write_bytes(b"\xef\xbb\xbf\n\n  \n")
    result = CliRunner().invoke(main, ["check", str(path), "--input-format", "json", *AS_OF])
    assert result.exit_code == 2
    assert result.stderr == (
        f"claimcheck: error: {path}: is empty: it holds no claim "
        "(a .json file holds one claim object or a list of them)\n"
    )


@pytest.mark.parametrize("input_format", ["json", "jsonl"])
def test_utf16_json_claims_read_with_their_format_named_are_said_to_be_utf16(input_format: str, tmp_path: Path) -> None:
    # Detection says so; with --input-format named, each line failed as "not valid JSON".
    path = tmp_path / f"claims.{input_format}"
    path.write_bytes((ROOT / "fixtures" / "json" / f"claims.{input_format}").read_text().encode("utf-16-le"))
    result = CliRunner().invoke(main, ["check", str(path), "--input-format", input_format, *AS_OF])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"claimcheck: error: {path}: is UTF-16 text")
