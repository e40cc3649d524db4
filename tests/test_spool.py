"""Report pieces spooled by --jobs workers reach the report whole, in order, and leave no file."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pyarrow as pa
import pytest
from benchmarks.generate import generate
from click.testing import CliRunner

from claimcheck.cli import main
from claimcheck.io.batch.spool import append_piece, spool
from tests.conftest import use_workers

_TEXT = [b"claim,1,a\n" * 5_000, pa.py_buffer(b"claim,2,\xc3\xa9\n" * 3_000), b""]
_WHOLE = b"".join(bytes(piece) for piece in _TEXT)


def test_a_spooled_piece_is_appended_to_a_file_after_what_was_written(tmp_path: Path) -> None:
    piece = spool(_TEXT, str(tmp_path))
    assert piece.size == len(_WHOLE)
    report = tmp_path / "report.csv"
    with report.open("wb") as stream:
        stream.write(b"header\n")  # still in the stream's buffer: it must come first
        append_piece(piece, stream)
        stream.write(b"tail\n")
    assert report.read_bytes() == b"header\n" + _WHOLE + b"tail\n"
    assert not Path(piece.path).exists()


def test_a_stream_without_a_descriptor_gets_the_piece_copied(tmp_path: Path) -> None:
    stream = io.BytesIO()
    append_piece(spool(_TEXT, str(tmp_path)), stream)
    assert stream.getvalue() == _WHOLE
    assert list(tmp_path.iterdir()) == []


def test_a_piece_goes_down_a_pipe(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    received = bytearray()
    reader = threading.Thread(target=lambda: received.extend(_read_all(read_end)))
    reader.start()
    with os.fdopen(write_end, "wb") as stream:
        append_piece(spool(_TEXT, str(tmp_path)), stream)
    reader.join()
    assert bytes(received) == _WHOLE


def _read_all(descriptor: int) -> bytes:
    with os.fdopen(descriptor, "rb") as stream:
        return stream.read()


@pytest.mark.parametrize("output_format", ["csv", "parquet"])
def test_a_run_with_workers_leaves_no_spool_behind(
    output_format: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spools = tmp_path / "tmp"
    spools.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(spools))
    use_workers(monkeypatch)
    path = generate(tmp_path / "claims.csv", 4_000, seed=3)
    output = tmp_path / f"report.{output_format}"
    args = ["check", str(path), "-o", str(output), "--format", output_format, "-j", "2", "-q", "--fail-on", "never"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    assert output.stat().st_size > 0
    assert list(spools.glob("claimcheck-*")) == []  # (multiprocessing keeps its own pymp-* until exit)


def test_without_a_temporary_directory_results_come_by_pipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_workers(monkeypatch)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "missing"))
    path = generate(tmp_path / "claims.csv", 3_000, seed=6)
    reports = []
    for jobs in ("1", "2"):
        output = tmp_path / f"report{jobs}.csv"
        args = ["check", str(path), "-o", str(output), "--format", "csv", "-j", jobs, "-q", "--fail-on", "never"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.stderr
        reports.append(output.read_bytes())
    assert reports[0] == reports[1]
