"""The batch engine finds exactly what the per-line engine finds, line by line, in order: on the demo,
generated and hypothesis-made files, dated profile diagnoses, small batches, CMS tables, ambulance pairs."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
from pathlib import Path

import pyarrow as pa
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
from claimcheck.models.claim import ClaimLine
from claimcheck.rules.loader import shipped_pack_path
from tests.batch_findings import DEMO, _batch, _cells, _origin, _per_line, _strings
from tests.conftest import AS_OF, ROOT

NCCI = ROOT / "fixtures" / "ncci"
HEADER = ["claim_id", *LINE_FIELDS, *CLAIM_FIELDS[1:]]


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
