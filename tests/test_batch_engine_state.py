"""The batch engine's state across batches: distinct keys number each combination once, an engine that
forgets its findings finds the same, threads sharing one rule set get their own findings."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from benchmarks.generate import generate
from hypothesis import given, settings
from hypothesis import strategies as st

from claimcheck import load_rules
from claimcheck.io.batch import validate_batch
from claimcheck.io.batch.reader import whole_claims
from tests.batch_findings import _cells, _strings
from tests.conftest import AS_OF


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
