"""Bytes that are not UTF-8 (a Latin-1 export, a corrupted transfer) in a code or a free-text field.

Each line still yields its result, and the line says which columns held such bytes, with its file
and line, as the CSV reader says it: a U+FFFD left alone failed as a format error nobody could
explain. ``validate_batch`` reads columns of bytes (and Spark's BinaryType) as the CSV reader
reads a file, so it says the same.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner

from claimcheck import load_rules, validate_batch
from claimcheck.cli import main
from claimcheck.engine.run import check_claims
from claimcheck.io.readers import read_claims
from claimcheck.io.writers.csv_writer import finding_rows

AS_OF = datetime.date(2026, 11, 22)
RULES = load_rules()
HEADER = ["claim_id", "line_number", "procedure_code", "modifiers", "diagnosis_codes", "date_of_service", "payer"]
ROWS = [
    [b"C1", b"1", b"0711T", b"26", b"I70.213", b"2026-03-10", b"Acme"],
    [b"C1", b"2", b"07\xff1T", b"TC", b"I70.213", b"2026-03-10", b"Acme"],
    [b"C2", b"1", b"0711T", b"26", b"I70.213", b"2026-03-10", b"Ac\xe9me"],
    [b"C3", b"1", b"0711T", b"2\xff \xfe", b"I70.213", b"2026-03-10", b"Acme"],
    [b"C4", b"1", b"0711T", b"26", b"I70.213", b"2026-03-10", b"Acme"],
]
NOT_UTF8 = "row is not UTF-8 text in {} (the bytes that could not be read were replaced) (claims.csv line {})"


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "claims.csv"
    path.write_bytes(b"\n".join(b",".join(row) for row in [[h.encode() for h in HEADER], *ROWS]) + b"\n")
    return path


def _per_line(path: Path) -> list[list[str]]:
    results = check_claims(read_claims(path), RULES, AS_OF)
    return [["" if v is None else str(v) for v in row] for line in results for row in finding_rows(line)]


def _bytes_batch(kind: pa.DataType) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(
        {name: pa.array([row[index] for row in ROWS], kind) for index, name in enumerate(HEADER)}
    )


def _batch_rows(batch: pa.RecordBatch) -> list[list[str]]:
    found = validate_batch(batch, rules=RULES, as_of=AS_OF, origin=lambda row: f"claims.csv line {row + 2}")
    return [["" if v is None else str(v) for v in row.values()] for row in found.to_pylist()]


def test_the_csv_reader_names_the_columns_with_file_and_line(tmp_path: Path) -> None:
    rows = _per_line(_file(tmp_path))
    messages = [row[8] for row in rows if row[4] == "input.field"]
    assert messages == [
        NOT_UTF8.format("procedure_code", 3),
        NOT_UTF8.format("payer", 4),
        NOT_UTF8.format("modifiers", 5),
    ]
    lines = [("C1", "1"), ("C1", "2"), ("C2", "1"), ("C3", "1"), ("C4", "1")]
    assert sorted({(row[0], row[1]) for row in rows}) == lines


@pytest.mark.parametrize("kind", [pa.binary(), pa.large_binary(), pa.binary_view()], ids=str)
def test_validate_batch_names_columns_of_bytes_that_are_not_utf8_as_the_csv_reader_does(
    kind: pa.DataType, tmp_path: Path
) -> None:
    assert _batch_rows(_bytes_batch(kind)) == _per_line(_file(tmp_path))


def test_validate_batch_names_them_in_dictionaries_and_lists() -> None:
    text = {name: [row[index].decode("utf-8", "replace") for row in ROWS] for index, name in enumerate(HEADER)}
    modifiers = pa.array([row[3].split(b" ") for row in ROWS], pa.list_(pa.binary()))
    payer = pa.array([row[6] for row in ROWS], pa.binary()).dictionary_encode()
    batch = pa.RecordBatch.from_pydict({**text, "modifiers": modifiers, "payer": payer})
    lines = validate_batch(batch, rules=RULES, as_of=AS_OF, rows="line").to_pylist()
    assert [line["problem_messages"] or "" for line in lines][2:4] == [
        "input.field: row is not UTF-8 text in payer (the bytes that could not be read were replaced)",
        "input.field: row is not UTF-8 text in modifiers (the bytes that could not be read were replaced)"
        " | modifier.code_set: 2\ufffd is not a CPT or HCPCS modifier"
        " | modifier.code_set: \ufffd is not a CPT or HCPCS modifier",
    ]
    assert len(lines) == len(ROWS)


def test_bytes_that_are_utf8_say_nothing() -> None:
    rows = [[cell.decode("utf-8", "replace").encode() for cell in row] for row in ROWS]
    batch = pa.RecordBatch.from_pydict(
        {name: pa.array([row[index] for row in rows], pa.binary()) for index, name in enumerate(HEADER)}
    )
    text = pa.RecordBatch.from_pydict({name: [r[index].decode() for r in rows] for index, name in enumerate(HEADER)})
    assert _batch_rows(batch) == _batch_rows(text)
    assert not any("UTF-8" in cell for row in _batch_rows(batch) for cell in row)


def test_a_column_no_field_reads_says_nothing() -> None:
    clean = pa.RecordBatch.from_pydict({name: [ROWS[0][index]] for index, name in enumerate(HEADER)})
    with_notes = clean.append_column("notes", pa.array([b"\xff"], pa.binary()))
    assert _batch_rows(with_notes) == _batch_rows(clean)


@pytest.mark.parametrize("columns", [[], ["--columns", "claimcheck"]], ids=["arrow", "per_line"])
def test_check_reports_each_line_once_on_both_roads(columns: list[str], tmp_path: Path) -> None:
    path = _file(tmp_path)
    output = tmp_path / "lines.csv"
    args = ["check", str(path), "-o", str(output), "--format", "csv", "--rows", "line", "--as-of", "2026-11-22"]
    result = CliRunner().invoke(main, [*args, "--fail-on", "never", "--quiet", *columns])
    assert result.exit_code == 0, result.output
    lines = output.read_text(encoding="utf-8").splitlines()[1:]
    assert len(lines) == len(ROWS)
    assert "claims.csv line 3" in lines[1] and "not UTF-8 text in procedure_code" in lines[1]


_X12 = Path(__file__).resolve().parent.parent / "fixtures" / "x12" / "professional.837"


def _lines(path: Path) -> list[tuple[str, str, list[str]]]:
    """(claim id, line number, input messages) of each line result of ``path``."""
    return [
        (str(line.claim_id), str(line.line_number), [f.message for f in line.findings if f.check.value == "input"])
        for line in check_claims(read_claims(path), RULES, AS_OF)
    ]


def test_x12_names_the_segment_whose_bytes_are_not_utf8(tmp_path: Path) -> None:
    data = _X12.read_bytes().replace(b"HC:0711T:26", b"HC:07\xff1T:26", 1).replace(b"CLM*P002", b"CLM*P\xe90002", 1)
    path = tmp_path / "claims.837"
    path.write_bytes(data)
    lines = _lines(path)
    assert len(lines) == len(_lines(_X12))
    (first, second, third) = lines
    assert first[2] == [
        "segment 24 (SV1) is not UTF-8 text (the bytes that could not be read were replaced)"
        " (claims.837 segment 23 (claim P001, LX 1))"
    ]
    assert second[2] == []  # the other line of the claim is not concerned
    assert [m.split(" (claims.837")[0] for m in third[2]] == [
        "segment 42 (CLM) is not UTF-8 text (the bytes that could not be read were replaced)"
    ]


def test_a_jsonl_claim_whose_bytes_are_not_utf8_keeps_its_lines(tmp_path: Path) -> None:
    line = (
        b'{"line_number": %d, "procedure_code": "%s", "diagnosis_codes": ["I70.213"], "date_of_service": "2026-03-10"}'
    )
    lines = line % (1, b"0711T") + b"," + line % (2, b"07\xff1T")
    claim = b'{"claim_id": "C1", "payer": "Ac\xe9me", "lines": [' + lines + b"]}\n"
    path = tmp_path / "claims.jsonl"
    path.write_bytes(claim)
    lines = _lines(path)
    assert [(claim_id, number) for claim_id, number, _ in lines] == [("C1", "1"), ("C1", "2")]
    said = "claim is not UTF-8 text in payer, lines[1].procedure_code (the bytes that could not be read were replaced)"
    assert all(f"{said} (claims.jsonl line 1)" in messages for _, _, messages in lines)
