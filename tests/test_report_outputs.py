"""What operators meet around the report formats: inputs without lines, Parquet types, exit codes,
--jobs, standard output in another encoding, a saved text report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from claimcheck.io.batch.results import schema_for
from tests.conftest import ROOT
from tests.test_report_formats import AS_OF, DEMO, HTML_ROWS, TABLES, inputs_named, run_check, text_summary

_HEADER = (
    "claim_id,line_number,procedure_code,modifiers,diagnosis_codes,rendering_taxonomy,rendering_npi,units,"
    "date_of_service,place_of_service"
)
_EMPTY = {
    "header only.csv": _HEADER + "\n",
    "blank rows only.csv": _HEADER + "\n,,,,,,,,,\n\n",
    "empty.jsonl": "",
    "no claims.json": "[]",
}


@pytest.mark.parametrize("name", sorted(_EMPTY))
def test_an_input_without_lines_gives_an_empty_report_in_every_format(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(_EMPTY[name], encoding="utf-8")
    for output_format in ("json", "jsonl", "html", "text"):
        output = tmp_path / f"report.{output_format}"
        assert run_check([path], output, output_format) == 0
        text = output.read_text(encoding="utf-8")
        if output_format == "json":
            report = json.loads(text)
            assert (
                report["lines"] == [] and [report["summary"][k] for k in ("lines", "pass", "warn", "fail")] == [0] * 4
            )
        elif output_format == "jsonl":
            assert text == ""
        elif output_format == "html":
            assert HTML_ROWS.search(text)[1] == "[]"  # type: ignore[index]
        else:
            assert text_summary(text) == ((0, 0, 0, 0), "", "")
    for rows in ("finding", "line"):
        for output_format in TABLES:
            output = tmp_path / f"{rows}.{output_format}"
            assert run_check([path], output, output_format, "--rows", rows) == 0
            if output_format == "csv":
                assert output.read_text(encoding="utf-8") == ",".join(schema_for(rows).names) + "\n"
            elif output_format == "parquet":
                table = pq.read_table(output)
                assert table.num_rows == 0 and table.schema.equals(schema_for(rows))
            else:
                assert output.read_bytes() == b""


def test_parquet_columns_keep_their_types_when_a_file_leaves_them_all_empty(tmp_path: Path) -> None:
    # A file whose lines have no line number, no claim id or no source table must still give
    # int64 and string columns, so that a folder of such reports reads as one data set.
    odd = tmp_path / "odd.jsonl"
    odd.write_text(json.dumps({"lines": [{"line_number": "x", "procedure_code": "0711T"}]}) + "\n", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_text(_HEADER + "\n", encoding="utf-8")
    for rows in ("finding", "line"):
        schemas = []
        for path in (DEMO, odd, empty):
            output = tmp_path / f"{path.stem}.{rows}.parquet"
            run_check([path], output, "parquet", "--rows", rows)
            schemas.append(pq.read_schema(output).remove_metadata())
        assert all(schema.equals(schema_for(rows)) for schema in schemas), schemas
    assert pq.read_table(tmp_path / "odd.line.parquet").column("line_number").to_pylist() == [None]


_PASS = "P1,1,0711T,26,I70.213,2085R0202X,1234567893,1,2026-03-10,22"
_WARN = "P2,1,0711T,78,I70.213,2085R0202X,1234567893,1,2026-03-10,22"
_FAIL = "P3,1,0711T,GN,I70.213,2085R0202X,1234567893,1,2026-03-10,22"


@pytest.mark.parametrize(
    ("rows", "codes"),
    [([_PASS], (0, 0, 0)), ([_PASS, _WARN], (1, 0, 0)), ([_WARN, _FAIL, _PASS], (1, 1, 0)), ([], (0, 0, 0))],
)
def test_every_format_exits_as_fail_on_says(rows: list[str], codes: tuple[int, int, int], tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text("\n".join([_HEADER, *rows]) + "\n", encoding="utf-8")
    for output_format in ("text", "json", "jsonl", "csv", "html", "parquet"):
        for fail_on, code in zip(("warn", "fail", "never"), codes, strict=True):
            output = tmp_path / f"report.{output_format}"
            assert run_check([path], output, output_format, "--fail-on", fail_on) == code, (output_format, fail_on)


@pytest.mark.parametrize("output_format", ["json", "text", "html"])
def test_jobs_change_nothing_in_the_reports_of_the_per_line_writers(output_format: str, tmp_path: Path) -> None:
    # test_pipeline_roads compares the csv, jsonl and parquet reports of one and two jobs.
    files = inputs_named("mixed off arrow's road", tmp_path)
    one, two = tmp_path / f"one.{output_format}", tmp_path / f"two.{output_format}"
    assert run_check(files, one, output_format, "--jobs", "1") == run_check(files, two, output_format, "--jobs", "2")
    assert one.read_bytes() == two.read_bytes()


@pytest.mark.parametrize("output_format", ["json", "html", "text", "csv", "jsonl"])
def test_standard_output_in_an_encoding_other_than_utf8_gets_the_report(output_format: str, tmp_path: Path) -> None:
    # A Latin-1 or ASCII locale, or Windows' cp1252 behind a redirection: the json, html and text
    # reports (whose messages hold "…" and the table "✓") ended in a UnicodeEncodeError's
    # traceback and status 1, which says some line fails. JSON and HTML are UTF-8 files, as -o
    # writes them; the text table is for the terminal, in its encoding, what it cannot show replaced.
    saved = tmp_path / f"report.{output_format}"
    run_check([DEMO], saved, output_format)
    command = [sys.executable, "-m", "claimcheck.cli", "check", str(DEMO), "--format", output_format, *AS_OF]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONIOENCODING": "ascii"}
    completed = subprocess.run(command, capture_output=True, env=env, check=False)
    assert (completed.returncode, completed.stderr) == (1, b"")
    if output_format == "text":
        assert b"39 lines: 17 pass, 5 warn, 17 fail" in completed.stdout
    else:
        assert completed.stdout == saved.read_bytes()


@pytest.mark.parametrize("setting", ["FORCE_COLOR", "TTY_COMPATIBLE"])
def test_a_text_report_written_to_a_file_holds_no_terminal_escapes(setting: str, tmp_path: Path) -> None:
    # CI jobs set FORCE_COLOR (or TTY_COMPATIBLE) for coloured logs; rich then wrote its colour
    # codes into the -o file too, a saved report full of "\x1b[1;31m". Standard output keeps them.
    output = tmp_path / "report.txt"
    command = ["check", str(DEMO), "-o", str(output), *AS_OF]
    assert CliRunner().invoke(main, command, env={setting: "1"}).exit_code == 1
    text = output.read_text(encoding="utf-8")
    assert "\x1b[" not in text and "39 lines: 17 pass, 5 warn, 17 fail" in text
    shown = CliRunner().invoke(main, command[:2] + command[4:], env={setting: "1"})
    assert "\x1b[" in shown.stdout
