"""validate_batch, the Arrow entry point: the README example, required and typed columns, tables, lists,
timestamps, bytes (UTF-8 or not), null items, slices, list views, run-end encoding, shared column names,
huge line numbers and rows of blank cells."""

from __future__ import annotations

import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

from claimcheck import load_rules
from claimcheck.io.batch import validate_batch
from tests.batch_findings import DEMO, _batch, _cells, _per_line, _strings
from tests.conftest import AS_OF, ROOT


def test_the_readmes_validate_batch_example_finds_what_the_per_line_engine_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read as Arrow infers types, anesthesia codes (00100) and claim ids (000123) were numbers
    # without their leading zeros: "100 is not a procedure code" on lines the CLI passes.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = next(
        block for block in readme.split("```python\n")[1:] if "claimcheck.validate_batch(table)" in block
    ).split("```")[0]
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,units,date_of_service,place_of_service\n"
        "000123,1,00100,1,2026-03-10,02\n000123,2,01967,2,2026-03-10,11\n"
    )
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {"AS_OF": AS_OF}
    exec(example.replace("validate_batch(table", "validate_batch(table, as_of=AS_OF"), names)
    found = _cells(row.values() for row in names["findings"].to_pylist())  # type: ignore[attr-defined]
    assert found == _per_line(path, load_rules())


def test_a_batch_without_a_required_column_is_refused() -> None:
    batch = pa.record_batch({"claim_id": ["A"], "line_number": ["1"], "procedure_code": ["99213"]})
    with pytest.raises(ValueError, match="date_of_service"):
        validate_batch(batch, as_of=AS_OF)
    with pytest.raises(ValueError, match="rows"):
        validate_batch(_strings(DEMO), as_of=AS_OF, rows="claim")


def test_validate_batch_takes_typed_columns_and_returns_plain_ones() -> None:
    from claimcheck.io.batch import FINDING_SCHEMA, LINE_SCHEMA

    typed = pacsv.read_csv(DEMO).combine_chunks().to_batches()[0]  # Arrow infers ints and dates
    assert pa.types.is_integer(typed.schema.field("line_number").type)
    found = validate_batch(typed, as_of=AS_OF)
    assert found.schema == FINDING_SCHEMA
    assert found.to_pylist() == validate_batch(_strings(DEMO), as_of=AS_OF).to_pylist()
    assert validate_batch(typed, as_of=AS_OF, rows="line").schema == LINE_SCHEMA


def test_validate_batch_takes_a_table_as_one_batch_and_refuses_other_things() -> None:
    whole = _strings(DEMO)
    # Chunks cut inside claim D002 (rows 2-3): the table is checked as one batch, claims whole.
    table = pa.Table.from_batches([whole.slice(0, 3), whole.slice(3)])
    assert table.column("claim_id").num_chunks == 2
    assert validate_batch(table, as_of=AS_OF).to_pylist() == validate_batch(whole, as_of=AS_OF).to_pylist()
    empty = validate_batch(whole.schema.empty_table(), as_of=AS_OF, rows="line")
    assert empty.num_rows == 0
    with pytest.raises(TypeError, match="takes a pyarrow RecordBatch or Table, not dict"):
        validate_batch(whole.to_pydict(), as_of=AS_OF)  # type: ignore[arg-type]


def test_validate_batch_reads_lists_timestamps_and_bytes_as_their_csv_text() -> None:
    text = _strings(DEMO)
    columns = {name: text.column(name) for name in text.schema.names}

    def split(name: str) -> pa.Array:
        return pa.array([None if v is None else v.split() for v in columns[name].to_pylist()], pa.list_(pa.string()))

    days = pa.array([_day_or_none(v) for v in columns["date_of_service"].to_pylist()], pa.timestamp("s"))
    typed = {**columns, "modifiers": split("modifiers"), "diagnosis_codes": split("diagnosis_codes")}
    typed |= {"date_of_service": days, "procedure_code": pc.cast(columns["procedure_code"], pa.binary())}
    found = validate_batch(pa.RecordBatch.from_pydict(typed), as_of=AS_OF).to_pylist()
    expected = validate_batch(text, as_of=AS_OF).to_pylist()
    unreadable_day = {r["claim_id"] for r in expected if r["subject"] == "date_of_service"}
    assert unreadable_day  # the demo's 03/10/2026, which no timestamp holds
    assert [r for r in found if r["claim_id"] not in unreadable_day] == [
        r for r in expected if r["claim_id"] not in unreadable_day
    ]


def _day_or_none(text: str | None) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromisoformat(text or "")
    except ValueError:
        return None


def test_validate_batch_reads_bytes_that_are_not_utf8_and_refuses_structs() -> None:
    batch = _strings(DEMO).slice(0, 1)
    codes = pa.array([b"\xff711T"], pa.binary())
    (row, *_) = validate_batch(
        batch.set_column(batch.schema.get_field_index("procedure_code"), "procedure_code", codes),
        as_of=AS_OF,
        rows="line",
    ).to_pylist()
    assert row["procedure_code"] == "\ufffd711T" and row["status"] == "fail"
    units = pa.array([{"a": 1}])
    with pytest.raises(ValueError, match="column 'units' holds struct"):
        validate_batch(batch.set_column(batch.schema.get_field_index("units"), "units", units), as_of=AS_OF)


def test_validate_batch_leaves_null_list_items_out_and_reads_slices() -> None:
    base = {
        "claim_id": ["C1", "C2", "C3"],
        "line_number": ["1", "1", "1"],
        "procedure_code": ["0711T"] * 3,
        "diagnosis_codes": ["I70.213"] * 3,
        "date_of_service": ["2026-03-10"] * 3,
    }
    modifiers = pa.array([["GN", "26"], [None, "GN"], None], pa.list_(pa.string()))
    batch = pa.RecordBatch.from_pydict({**base, "modifiers": modifiers})
    as_text = pa.RecordBatch.from_pydict({**base, "modifiers": ["GN 26", "GN", None]})
    expected = validate_batch(as_text, as_of=AS_OF).to_pylist()
    assert validate_batch(batch, as_of=AS_OF).to_pylist() == expected
    assert (
        validate_batch(batch.slice(1), as_of=AS_OF).to_pylist()
        == validate_batch(as_text.slice(1), as_of=AS_OF).to_pylist()
    )
    nested = pa.array([[["26"]], [["TC"]], [["26"]]])
    with pytest.raises(ValueError, match="column 'modifiers' holds list<item: list"):
        validate_batch(pa.RecordBatch.from_pydict({**base, "modifiers": nested}), as_of=AS_OF)
    fixed = pa.array([b"\xff\xfe", b"26", b"TC"], pa.binary(2))
    (row, *_) = validate_batch(
        pa.RecordBatch.from_pydict({**base, "modifiers": fixed}), as_of=AS_OF, rows="line"
    ).to_pylist()
    # The bytes read as U+FFFD U+FFFD, no code, and the row says so (tests/test_undecodable_bytes.py).
    assert row["problem_rules"] == "input.field; modifier.code_set"


def test_a_line_number_beyond_64_bits_is_an_input_finding_and_spoils_no_later_batch() -> None:
    base = {
        "claim_id": ["C1"],
        "procedure_code": ["0711T"],
        "diagnosis_codes": ["I70.213"],
        "date_of_service": ["2026-03-10"],
    }
    for huge in (pa.array([2**64 - 1], pa.uint64()), pa.array(["9" * 25]), pa.array(["1" + "0" * 5000])):
        (row,) = validate_batch(pa.RecordBatch.from_pydict({**base, "line_number": huge}), as_of=AS_OF).to_pylist()
        assert (row["line_number"], row["subject"], row["status"]) == (None, "line_number", "fail")
        assert row["message"] == "line_number must be at most 9223372036854775807"
    # The run's shared vocabularies once kept the number and refused every later batch.
    plain = pa.RecordBatch.from_pydict({**base, "line_number": ["1"]})
    (row,) = validate_batch(plain, as_of=AS_OF, rows="line").to_pylist()
    assert (row["line_number"], row["status"]) == (1, "pass")


@pytest.mark.parametrize(
    "modifiers",
    [
        pa.array([[b"GN", b"\xff6"]], pa.list_(pa.binary())),
        pa.array([[b"GN", b"\xff6"]], pa.large_list(pa.binary())),
        pa.array([[b"GN", b"\xff6"]], pa.list_(pa.binary(2))),
        pa.array([b"GN \xff6"]).dictionary_encode(),
        pa.array([b"GN \xff6"], pa.binary_view()),
    ],
    ids=["list", "large_list", "list_of_fixed", "dictionary", "binary_view"],
)
def test_validate_batch_reads_bytes_that_are_not_utf8_in_lists_and_dictionaries(modifiers: pa.Array) -> None:
    base = {"claim_id": ["C1"], "line_number": ["1"], "procedure_code": ["0711T"], "date_of_service": ["2026-03-10"]}
    expected = validate_batch(pa.RecordBatch.from_pydict({**base, "modifiers": ["GN \ufffd6"]}), as_of=AS_OF)
    found = validate_batch(pa.RecordBatch.from_pydict({**base, "modifiers": modifiers}), as_of=AS_OF)
    # As the text read, and the row says its bytes were not UTF-8 (tests/test_undecodable_bytes.py).
    (said, *rest) = found.to_pylist()
    assert rest == expected.to_pylist()
    assert (said["rule_id"], said["subject"]) == ("input.field", "row")
    assert "not UTF-8 text in modifiers" in said["message"]
    assert "\ufffd6" in {row["subject"] for row in found.to_pylist()}


def test_validate_batch_reads_the_first_of_columns_that_share_a_name() -> None:
    columns = {"claim_id": ["C1"], "line_number": ["1"], "procedure_code": ["0711T"], "date_of_service": ["2026-03-10"]}
    arrays = [pa.array(values) for values in columns.values()]
    twice = pa.RecordBatch.from_arrays([*arrays, pa.array(["99213"])], names=[*columns, "procedure_code"])
    expected = validate_batch(pa.RecordBatch.from_pydict(columns), as_of=AS_OF).to_pylist()
    assert validate_batch(twice, as_of=AS_OF).to_pylist() == expected
    assert {row["procedure_code"] for row in expected} == {"0711T"}


def test_validate_batch_reads_list_views_and_run_end_encoded_columns() -> None:
    # Both are Arrow's own layouts of a list and of text, which a query engine may hand over;
    # they were refused as "cannot be read as text" (and Arrow 26's cast of a list view to a
    # list gives wrong offsets, so it cannot be leaned on).
    text = _strings(DEMO)
    columns = {name: text.column(name) for name in text.schema.names}
    lists = [None if v is None else v.split() for v in columns["modifiers"].to_pylist()]
    typed = {
        **columns,
        "modifiers": pa.array(lists, pa.list_view(pa.string())),
        "diagnosis_codes": pa.array(
            [None if v is None else v.split() for v in columns["diagnosis_codes"].to_pylist()],
            pa.large_list_view(pa.string()),
        ),
        "procedure_code": pc.run_end_encode(columns["procedure_code"]),
    }
    expected = {**columns, "modifiers": pa.array(lists, pa.list_(pa.string()))}
    expected["diagnosis_codes"] = pa.array(
        [None if v is None else v.split() for v in columns["diagnosis_codes"].to_pylist()], pa.list_(pa.string())
    )
    found = validate_batch(pa.RecordBatch.from_pydict(typed), as_of=AS_OF).to_pylist()
    assert found == validate_batch(pa.RecordBatch.from_pydict(expected), as_of=AS_OF).to_pylist()
    assert len(found) > text.num_rows


def test_rows_of_blank_cells_hold_no_line_in_validate_batch_as_in_a_csv_file(tmp_path: Path) -> None:
    # The ,,, rows spreadsheets export: `check` passes over them (one claim C1 of two lines, the
    # second a duplicate), where validate_batch, and so Spark, gave each a row failing four
    # fields and cut C1 in two, losing the duplicate.
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service\n"
        "C1,1,99213,I10,2026-03-10\n,,,,\n , ,,\t,\nC1,2,99213,I10,2026-03-10\n,,,,\n"
    )
    rules = load_rules()
    assert _batch(_strings(path), rules, path.name, [2, 3, 4, 5, 6]) == _per_line(path, rules)
    # Null cells (a Spark row of nulls) are blank too, whatever the column's type.
    typed = pa.record_batch(
        {
            "claim_id": ["C1", None, "C1"],
            "line_number": pa.array([1, None, 2], pa.int64()),
            "procedure_code": ["99213", None, "99213"],
            "diagnosis_codes": pa.array([["I10"], None, ["I10"]]),
            "date_of_service": pa.array([datetime.date(2026, 3, 10), None, datetime.date(2026, 3, 10)]),
        }
    )
    lines = validate_batch(typed, rules=rules, as_of=AS_OF, rows="line").to_pylist()
    assert [(r["claim_id"], r["line_number"], r["problem_rules"]) for r in lines] == [
        ("C1", 1, None),
        ("C1", 2, "duplicate.line"),
    ]
