"""The batch engine finds exactly what the per-line engine finds, line by line, in order."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest
from benchmarks.generate import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimcheck import load_rules
from claimcheck.engine.batch.memo import LineView
from claimcheck.engine.checks import KIND_IMPLEMENTATIONS, LineCheck
from claimcheck.engine.run import check_claims
from claimcheck.io.batch import line_results, validate_batch
from claimcheck.io.batch.encode import line_row
from claimcheck.io.batch.reader import whole_claims
from claimcheck.io.readers import read_claims
from claimcheck.io.readers.layouts import CLAIM_FIELDS, LINE_FIELDS
from claimcheck.io.writers.csv_writer import finding_rows
from claimcheck.models.claim import ClaimLine
from claimcheck.rules.loader import shipped_pack_path
from tests.conftest import AS_OF, ROOT

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"
NCCI = ROOT / "fixtures" / "ncci"
HEADER = ["claim_id", *LINE_FIELDS, *CLAIM_FIELDS[1:]]


def _strings(path: Path) -> pa.RecordBatch:
    names = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=False),
    )
    return table.combine_chunks().to_batches()[0]


def _cells(rows: Iterable[Iterable[object]]) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in rows]


def _per_line(path: Path, rules: object) -> list[list[str]]:
    results = check_claims(read_claims(path), rules, AS_OF)  # type: ignore[arg-type]
    return _cells(r for line in results for r in finding_rows(line))


def _origin(name: str, lines: list[int] | None = None) -> object:
    def origin(row: int) -> str:
        return f"{name} line {lines[row] if lines else row + 2}"

    return origin


def _batch(batch: pa.RecordBatch, rules: object, name: str, lines: list[int] | None = None) -> list[list[str]]:
    found = validate_batch(batch, rules=rules, as_of=AS_OF, origin=_origin(name, lines))  # type: ignore[arg-type]
    return _cells(row.values() for row in found.to_pylist())


@pytest.fixture(scope="module")
def with_tables() -> object:
    return load_rules(ptp=[NCCI / "ptp_sample.txt"], mue=NCCI / "mue_sample.csv")


def test_every_line_check_declares_what_its_findings_depend_on() -> None:
    for kind, implementation in KIND_IMPLEMENTATIONS.items():
        if not issubclass(implementation, LineCheck):
            continue
        key = implementation.memo_key
        assert key is not None, f"{kind} does not declare memo_key"
        assert set(key) <= {*ClaimLine.model_fields, "era"}, kind
        assert implementation.memo_each is None or implementation.memo_each in key, kind
        assert implementation.memo_first is None or implementation.memo_first in key, kind
        assert not (implementation.memo_each and implementation.memo_first), kind
        assert not implementation.needs_profile or "procedure_code" in key, kind
        fact = implementation.memo_fact
        assert fact is None or (fact in ClaimLine.model_fields and implementation.fact is not LineCheck.fact), kind
        # What the memo keys on when the rule is dated: a key combines at most three columns.
        names = {*key, *(() if "date_of_service" in key else ("era",)), *(("fact",) if fact else ())}
        assert len(names) <= 3, kind


def test_the_line_view_has_the_claim_line_fields() -> None:
    assert [f.name for f in dataclasses.fields(LineView)] == list(ClaimLine.model_fields)


@pytest.mark.parametrize("tables", [False, True], ids=["shipped", "with_ptp_mue"])
def test_the_demo_file_gets_the_same_findings(tables: bool, with_tables: object) -> None:
    rules = with_tables if tables else load_rules()
    assert _batch(_strings(DEMO), rules, DEMO.name) == _per_line(DEMO, rules)


def test_a_generated_file_gets_the_same_findings(tmp_path: Path, with_tables: object) -> None:
    path = generate(tmp_path / "claims.csv", 6_000, seed=11)
    for rules in (load_rules(), with_tables):
        assert _batch(_strings(path), rules, path.name) == _per_line(path, rules)


def test_dated_profile_diagnoses_get_the_same_findings(tmp_path: Path) -> None:
    # The rule itself in force from May, and a listed diagnosis that expires at the end of June:
    # the first accepted item of a line then depends on its date of service.
    pack = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), pack)
    general = pack / "general" / "diagnosis.yaml"
    general.write_text(
        general.read_text().replace(
            "    kind: profile_diagnoses\n", "    kind: profile_diagnoses\n    effective: 2026-05-01\n"
        )
    )
    profile = pack / "procedures" / "0711T.yaml"
    profile.write_text(
        profile.read_text().replace(
            "  - code: I73.9\n    title: Peripheral vascular disease, unspecified\n",
            "  - code: I73.9\n    title: Peripheral vascular disease, unspecified\n    expires: 2026-06-30\n",
        )
    )
    rules = load_rules(pack)
    path = generate(tmp_path / "claims.csv", 6_000, seed=17)
    assert _batch(_strings(path), rules, path.name) == _per_line(path, rules)


def test_small_batches_of_whole_claims_give_the_same_findings(tmp_path: Path) -> None:
    path = generate(tmp_path / "claims.csv", 2_000, seed=5)
    rules = load_rules()
    whole = _strings(path)
    pieces = whole_claims(pa.Table.from_batches([whole]).to_batches(max_chunksize=37), "claim_id")
    found: list[list[str]] = []
    for piece in pieces:
        found.extend(_cells(r.values() for r in validate_batch(piece, rules=rules, as_of=AS_OF).to_pylist()))
    assert found == _cells(r.values() for r in validate_batch(whole, rules=rules, as_of=AS_OF).to_pylist())


def test_one_row_per_line_sums_up_the_findings(tmp_path: Path) -> None:
    path = generate(tmp_path / "claims.csv", 1_500, seed=3)
    rules = load_rules()
    per_line = [line_row(r) for r in check_claims(read_claims(path), rules, AS_OF)]
    found = validate_batch(_strings(path), rules=rules, as_of=AS_OF, rows="line", origin=_origin(path.name))
    assert [list(row.values()) for row in found.to_pylist()] == per_line


def test_line_results_of_a_batch_match_the_per_line_engine(tmp_path: Path) -> None:
    from claimcheck.io.batch import check_batch

    path = generate(tmp_path / "claims.csv", 1_000, seed=9)
    rules = load_rules()
    lines, found, _ = check_batch(_strings(path), rules, AS_OF, lambda row: f"{path.name} line {row + 2}")
    assert line_results(lines, found) == list(check_claims(read_claims(path), rules, AS_OF))


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


# Values chosen to reach every branch: unreadable cells, header problems, repeated line
# numbers, list spellings, duplicates and component splits, dated entries and future dates.
_CLAIM_IDS = st.sampled_from(["C1", "C2", " C2 ", "C3", ""])
_CELLS = {
    "line_number": st.sampled_from(["1", "2", "3", "x", "0", ""]),
    "procedure_code": st.sampled_from(
        ["0711T", "0721t", "0624T", "75571", "77011", "99213", "71250", "G0121", "9921", "", "A0427"]
    ),
    "modifiers": st.sampled_from(
        ["", "26", "TC", "26 TC", "59", "xs", "76", "ZZ", "26:59", "GN 78 22 25 59", "JG HR", "rh"]
    ),
    "diagnosis_codes": st.sampled_from(["", "I70.213", "i70213", "I70.2", "R91.1 I10", "J44.9;E11.9", "R02", "Z99.9X"]),
    "rendering_taxonomy": st.sampled_from(["", "2085R0202X", "207RC0000X", "363AM0700X", "BAD"]),
    "rendering_npi": st.sampled_from(["", "1234567893", "1234567890", "12345"]),
    "units": st.sampled_from(["", "1", "2", "0", "1.5", "abc"]),
    "date_of_service": st.sampled_from(["2026-03-10", "2021-06-30", "2021-07-01", "2027-01-01", "2026-13-01", ""]),
    "place_of_service": st.sampled_from(["", "11", "2", "22", "99"]),
    "patient_sex": st.sampled_from(["", "F", "M", "Q"]),
    "patient_birth_date": st.sampled_from(["", "1960-01-01", "01/01/1960"]),
    "payer": st.sampled_from(["", "Acme"]),
}
_ROW = st.fixed_dictionaries({"claim_id": _CLAIM_IDS, **_CELLS})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_ROW, min_size=1, max_size=14), tables=st.booleans())
def test_any_small_file_gets_the_same_findings(
    rows: list[dict[str, str]], tables: bool, tmp_path: Path, with_tables: object
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows([[row[name] for name in HEADER] for row in rows])
    path = tmp_path / "claims.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    # The CMS tables make the claim checks look codes up in them (an unreadable code among them).
    rules = with_tables if tables else load_rules()
    # The file reader skips blank rows; the batch gets the others, with their file lines.
    kept = [(number, row) for number, row in enumerate(rows, 2) if any(v.strip() for v in row.values())]
    if not kept:
        return
    batch = pa.record_batch({name: [row[name] for _, row in kept] for name in HEADER})
    assert _batch(batch, rules, path.name, [number for number, _ in kept]) == _per_line(path, rules)


def test_a_line_without_a_code_beside_cms_tables_gets_the_same_findings(tmp_path: Path, with_tables: object) -> None:
    # The claim checks asked the PTP and MUE tables about the empty code of the unreadable row:
    # AttributeError on None, a traceback from validate_batch and from `check --ptp/--mue`.
    rows = [["C1", "1", "", "1", "2026-03-10"], ["C1", "2", "36415", "3", "2026-03-10"]]
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,units,date_of_service\n" + "".join(",".join(r) + "\n" for r in rows)
    )
    found = _batch(_strings(path), with_tables, path.name)
    assert found == _per_line(path, with_tables)
    assert any(row[4] == "units.mue" and row[6] == "fail" for row in found)


def test_ambulance_pairs_get_the_same_findings_on_ambulance_and_other_codes(tmp_path: Path) -> None:
    # modifier.code_set reads JG, HR... as origin/destination pairs on ambulance codes only: a memo
    # keyed on the modifier alone gave every line the judgement of the first line it met.
    codes = ["A0427", "99213", "A0425", "J1100", "a0999", "A4550"]
    modifiers = ["JG", "HR", "GD RH", "SH QM", "XG", "JG 26"]
    rows = [
        [f"C{n}", "1", code, mods, "R07.9", "2026-03-10"]
        for n, (code, mods) in enumerate((c, m) for m in modifiers for c in (codes if len(m) % 2 else codes[::-1]))
    ]
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,modifiers,diagnosis_codes,date_of_service\n"
        + "".join(",".join(r) + "\n" for r in rows)
    )
    rules = load_rules()
    found = _batch(_strings(path), rules, path.name)
    assert found == _per_line(path, rules)
    assert sum("read as an ambulance origin/destination pair" in " ".join(row) for row in found) == 18
    # A dated modifier rule: its key (modifier, date, ambulance or not) needs no era beside the date.
    pack = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), pack)
    general = pack / "general" / "modifier.yaml"
    general.write_text(general.read_text().replace("  - id: ", "  - effective: 2026-01-01\n    id: "))
    dated = load_rules(pack)
    assert _batch(_strings(path), dated, path.name) == _per_line(path, dated)


@settings(max_examples=200, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=3),
    rows=st.integers(min_value=0, max_value=300),
    seed=st.integers(min_value=0, max_value=2**16),
    sparse=st.booleans(),
)
def test_distinct_keys_number_each_combination_once(sizes: list[int], rows: int, seed: int, sparse: bool) -> None:
    import numpy as np

    from claimcheck.engine.batch.columns import combine, distinct_keys

    generator = np.random.default_rng(seed)
    if sparse:  # codes from a large vocabulary take the hashing road
        sizes = [size * 100_000 for size in sizes]
    columns = [generator.integers(0, size, rows) for size in sizes]
    number, keys, firsts = distinct_keys(columns, sizes, rows)
    combined = combine(columns, rows)
    assert (keys[number] == combined).all()
    assert len(set(keys.tolist())) == len(keys)
    for index, first in enumerate(firsts.tolist()):
        assert number[first] == index and (number[:first] != index).all()


def test_an_engine_that_starts_afresh_finds_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = generate(tmp_path / "claims.csv", 1_000, seed=17)
    whole = _strings(path)
    rules = load_rules()
    expected = _cells(r.values() for r in validate_batch(whole, rules=rules, as_of=AS_OF).to_pylist())
    monkeypatch.setattr("claimcheck.engine.batch.engine._FINDINGS_LIMIT", 50)  # forget after every batch
    found: list[list[str]] = []
    for piece in whole_claims(pa.Table.from_batches([whole]).to_batches(max_chunksize=200), "claim_id"):
        found.extend(_cells(r.values() for r in validate_batch(piece, rules=rules, as_of=AS_OF).to_pylist()))
    assert found == expected


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
    assert row["problem_rules"] == "modifier.code_set"  # the bytes read as U+FFFD U+FFFD, no code


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
    assert found.to_pylist() == expected.to_pylist()
    assert "\ufffd6" in {row["subject"] for row in found.to_pylist()}


def test_validate_batch_reads_the_first_of_columns_that_share_a_name() -> None:
    columns = {"claim_id": ["C1"], "line_number": ["1"], "procedure_code": ["0711T"], "date_of_service": ["2026-03-10"]}
    arrays = [pa.array(values) for values in columns.values()]
    twice = pa.RecordBatch.from_arrays([*arrays, pa.array(["99213"])], names=[*columns, "procedure_code"])
    expected = validate_batch(pa.RecordBatch.from_pydict(columns), as_of=AS_OF).to_pylist()
    assert validate_batch(twice, as_of=AS_OF).to_pylist() == expected
    assert {row["procedure_code"] for row in expected} == {"0711T"}


def test_threads_validating_batches_with_one_rule_set_get_their_own_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from claimcheck.refdata import shipped_code_sets

    path = generate(tmp_path / "claims.csv", 1_000, seed=29)
    pieces = list(whole_claims(pa.Table.from_batches([_strings(path)]).to_batches(max_chunksize=100), "claim_id"))
    rules = load_rules(code_sets=shipped_code_sets())  # a rule set of its own: its run starts cold
    monkeypatch.setattr("claimcheck.engine.batch.engine._FINDINGS_LIMIT", 50)  # the run's text restarts often
    expected = [validate_batch(piece, rules=rules, as_of=AS_OF).to_pylist() for piece in pieces]

    def run(turn: int) -> list[list[dict[str, object]]]:
        order = pieces[turn % len(pieces) :] + pieces[: turn % len(pieces)]
        found = [validate_batch(piece, rules=rules, as_of=AS_OF).to_pylist() for piece in order]
        return found[len(pieces) - turn % len(pieces) :] + found[: len(pieces) - turn % len(pieces)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(found == expected for found in pool.map(run, range(16)))


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
