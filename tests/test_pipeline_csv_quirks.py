"""The batch pipeline on awkward CSV: files Arrow refuses part way, unclosed quotes, line breaks in quotes,
rows of blank cells and characters cut by a read keep the reports and line numbers right."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from benchmarks.generate import generate

from tests.conftest import use_workers
from tests.pipeline_runs import _check

_BAD_TAILS = {
    "ragged_row": b"Z1,1,99213,,I10,,,1,2026-03-10,11,extra,cells\n",
    "unclosed_quote": b'Z1,1,"99213,,I10,,,1,2026-03-10,11\nZ2,1,99213,,I10,,,1,2026-03-10,11\n',
    "not_utf8": b"Z1,1,99213,,I10 caf\xe9,,,1,2026-03-10,11\n",
    "blank_lines": b"\n\n   \nZ1,1,99213,,I10,,,1,2026-03-10,11\n",
}


@pytest.mark.parametrize("tail", list(_BAD_TAILS))
def test_a_file_arrow_refuses_part_way_is_read_on_the_careful_way(
    tail: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_workers(monkeypatch)
    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 64 << 10)
    path = generate(tmp_path / "claims.csv", 6_000, seed=4)  # the bad rows come after the first blocks
    with path.open("ab") as stream:
        stream.write(_BAD_TAILS[tail])
        stream.write(b"Z9,1,99213,,I10,,,1,2026-03-10,11\n")
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv", "--jobs", "2")
    careful = _check(path, tmp_path / "careful.csv", "--format", "csv", "--columns", "claimcheck")
    assert fast == careful
    assert fast.count(b"\nZ9,1,") >= 1


def test_an_unclosed_quote_in_the_middle_of_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 64 << 10)
    lines = generate(tmp_path / "g.csv", 6_000, seed=8).read_bytes().split(b"\n")
    lines[3_000] = lines[3_000].replace(b",", b',"', 1)  # a quote opened and never closed
    path = tmp_path / "claims.csv"
    path.write_bytes(b"\n".join(lines))
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv")
    careful = _check(path, tmp_path / "careful.csv", "--format", "csv", "--columns", "claimcheck")
    assert fast == careful


def test_a_line_break_in_quotes_leaves_the_line_numbers_after_it_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrow takes the row whole, but each row was counted as one line of the file: the input
    # findings of every later row named the line before their own.
    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 64 << 10)
    lines = generate(tmp_path / "g.csv", 6_000, seed=8).read_bytes().split(b"\n")
    lines[3_000] = lines[3_000].rsplit(b",", 1)[0] + b',"2\n2"'
    path = tmp_path / "claims.csv"
    path.write_bytes(b"\n".join(lines))
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv", "--rows", "line")
    careful = _check(path, tmp_path / "careful.csv", "--format", "csv", "--rows", "line", "--columns", "claimcheck")
    assert fast == careful


def test_lines_of_blank_cells_keep_the_file_on_arrows_road_with_its_line_numbers_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A line of spaces is one cell to Arrow, the wrong width: it sent the rest of the file down
    # the per-line road (some 25 times slower). The per-line reader passes over such lines.
    from claimcheck.io.batch.reader import FastReader
    from claimcheck.io.fast_csv import fast_eligible

    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 64 << 10)
    lines = generate(tmp_path / "g.csv", 6_000, seed=12).read_bytes().split(b"\n")
    blanks = [b"   ", b"\t", "\u00a0\u3000".encode(), b" , ,", b'" ",""', b"  ", b"\x1c"]
    for number, blank in zip((5_500, 4_000, 3_001, 3_000, 1_200, 40, 2), blanks, strict=True):
        lines.insert(number, blank)  # from the end, so the numbers are those of the first file
    path = tmp_path / "claims.csv"
    path.write_bytes(b"\n".join(lines) + b"   \n")
    names = fast_eligible(path, None, None, "compiled")
    assert names is not None
    rows = sum(batch.num_rows for batch in FastReader(path, names).batches())  # no ReadStopped
    assert rows == 6_000
    for args in (["--rows", "line"], ["--rows", "finding"]):
        fast = _check(path, tmp_path / "fast.csv", "--format", "csv", *args)
        careful = _check(path, tmp_path / "careful.csv", "--format", "csv", *args, "--columns", "claimcheck")
        assert fast == careful
        assert b"claims.csv line " in fast  # the generator's bad rows name their lines


@pytest.mark.parametrize("blank", [b'"  \n  "', b'"   \r"', b'"\r\n",', b'" \n"," "'])
def test_a_row_of_blank_cells_over_several_lines_holds_no_line_on_either_road(blank: bytes, tmp_path: Path) -> None:
    # A quoted line break in a blank row of the wrong width: the per-line reader took it for an
    # unclosed quote and made a failing line of each line it spans, and Arrow's road counted it
    # as one line, so the rows after it named the line before their own, and the claim re-read
    # the per-line way came out twice.
    path = tmp_path / "claims.csv"
    head = b"claim_id,line_number,procedure_code,date_of_service\n"
    path.write_bytes(head + blank + b"\nC1,x,99213,2026-03-10\nC2,1,99213,2026-03-10\nC3,y,99213,2026-03-10\n")
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv", "--rows", "line")
    careful = _check(path, tmp_path / "careful.csv", "--format", "csv", "--rows", "line", "--columns", "claimcheck")
    assert fast == careful
    rows = fast.decode().splitlines()[1:]
    spanned = 1 + blank.count(b"\n") + blank.replace(b"\r\n", b"").count(b"\r")
    assert [row.split(",")[0] for row in rows] == ["C1", "C2", "C3"]
    assert f"claims.csv line {2 + spanned})" in rows[0] and f"claims.csv line {4 + spanned})" in rows[2]


def test_a_row_arrow_refuses_after_its_last_batch_is_read_the_per_line_way(tmp_path: Path) -> None:
    # Arrow ends a row at a lone CR, the line count only at LF: a blank row of the wrong width
    # (passed over) made the counts agree, and the row Arrow refused after it, in no batch, was lost.
    path = tmp_path / "claims.csv"
    path.write_bytes(b'claim_id,line_number,procedure_code,date_of_service\n,,""\r"C1,1,99213')
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv", "--rows", "line")
    assert fast == _check(
        path, tmp_path / "careful.csv", "--format", "csv", "--rows", "line", "--columns", "claimcheck"
    )
    assert len(fast.splitlines()) == 2


def test_a_character_cut_by_a_read_before_a_byte_that_is_not_utf8_prints_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrow saw the file end after the first half of the NBSP in the fifth row (the next read
    # held a bad byte) and printed "Exception ignored in: ... on_invalid" with a traceback,
    # unable to decode the cut row for the handler.
    from claimcheck.io.batch.reader import FastReader, ReadStopped
    from claimcheck.io.fast_csv import fast_columns

    head = b"claim_id,line_number,procedure_code,date_of_service,payer\n"
    row = b"C1,1,99213,2026-03-10,Acme\n"
    body = head + row * 4
    data = body + b"C2,1," + b"9" * (194 - len(body)) + "\u00a0,2026-03-10,Acme\n".encode()
    assert data[199:201] == b"\xc2\xa0"  # the first read of 200 bytes cuts it in two
    path = tmp_path / "claims.csv"
    path.write_bytes(data + b"C3,1,99213,2026-03-10,\xff\n" + row * 20)
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(ReadStopped):
        list(FastReader(path, fast_columns(path) or [], block_bytes=200).batches())
    assert unraisable == []
    monkeypatch.setattr("claimcheck.io.batch.reader._BLOCK_BYTES", 200)
    fast = _check(path, tmp_path / "fast.csv", "--format", "csv", "--rows", "line")
    assert fast == _check(
        path, tmp_path / "careful.csv", "--format", "csv", "--rows", "line", "--columns", "claimcheck"
    )
    assert unraisable == []


def test_characters_cut_by_every_read_reach_arrow_whole(tmp_path: Path) -> None:
    from claimcheck.io.batch.reader import FastReader
    from claimcheck.io.fast_csv import fast_columns

    path = tmp_path / "claims.csv"
    rows = "".join(f"C{i},1,99213,2026-03-10,Ac\u00e9\u4e2d\U0001f600me{'x' * (i % 7)}\n" for i in range(2_000))
    path.write_text("claim_id,line_number,procedure_code,date_of_service,payer\n" + rows, encoding="utf-8")
    for block in (97, 200, 1_000):
        batches = list(FastReader(path, fast_columns(path) or [], block_bytes=block).batches())
        assert sum(batch.num_rows for batch in batches) == 2_000
        assert batches[-1].column("payer")[-1].as_py() == f"Ac\u00e9\u4e2d\U0001f600me{'x' * (1_999 % 7)}"
