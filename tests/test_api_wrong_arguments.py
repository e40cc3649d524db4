"""The public library API given the wrong thing: type errors saying what to pass, unknown input formats,
DataFrames and Arrow data pointed to validate_batch, claims text never quoted, pipes to save first."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest

import claimcheck
from tests.api_claims import GOOD_CLAIM
from tests.conftest import AS_OF, ROOT


def test_a_wrong_argument_to_the_api_is_a_type_error_saying_what_to_pass() -> None:
    import pyarrow as pa

    pack = str(ROOT / "rules")
    batch = pa.record_batch({"claim_id": ["C1"], "line_number": [1], "procedure_code": ["0711T"]})
    demo = ROOT / "fixtures" / "demo" / "claims.csv"
    calls = [
        (lambda: claimcheck.validate(GOOD_CLAIM, rules=pack), r"rules must be a RuleSet .*load_rules\(path\)"),
        (lambda: claimcheck.validate_file(demo, rules=pack), "rules must be a RuleSet"),
        (lambda: claimcheck.validate_batch(batch, rules=pack), "rules must be a RuleSet"),
        (lambda: claimcheck.validate_batch({"claim_id": ["C1"]}), "RecordBatch or Table, not dict"),
        (lambda: claimcheck.validate_many(GOOD_CLAIM), r"iterable of claims, not one claim \(dict\)"),
        (lambda: claimcheck.validate_many("C1"), "not a file name or text"),
        # A path was told 'validate(claim) checks one', which reads it as a claim.
        (lambda: claimcheck.validate_many(str(demo)), r"not a file name .*validate_file\(path\)"),
        (lambda: claimcheck.validate_many(demo), r"not a file name .*validate_file\(path\)"),
        (lambda: claimcheck.validate_files(str(demo)), r"not one path .*validate_file\(path\)"),
        (lambda: claimcheck.load_rules(code_sets="icd10cm-order-2027.txt"), "code_sets must be a CodeSets or"),
        (lambda: claimcheck.load_rules(ptp=5), r"ptp must be a CMS PTP file, a list of them or a PtpTable, not int"),
        (lambda: claimcheck.load_rules(ptp=[demo, 5]), r"ptp must be .*, not list"),
        (lambda: claimcheck.load_rules(ptp=b"ptp.txt"), r"ptp must be .*, not bytes"),
        (lambda: claimcheck.load_rules(mue=5), r"mue must be a CMS MUE file or a MueTable, not int"),
        (lambda: claimcheck.load_rules(mue=[demo]), r"mue must be .*, not list"),
        (lambda: claimcheck.load_rules(ptp={"f1": "ptp.txt"}), r"ptp must be .*, not dict"),
    ]
    for call, message in calls:
        with pytest.raises(TypeError, match=message):
            call()


def test_an_unknown_input_format_is_a_wrong_argument_as_an_unknown_engine_is() -> None:
    # It was an InputError, the error of a file that cannot be read, naming the file.
    demo = ROOT / "fixtures" / "demo" / "claims.csv"
    with pytest.raises(ValueError, match="unknown input_format 'xml'; input formats: csv, json"):
        claimcheck.validate_file(demo, input_format="xml")
    with pytest.raises(ValueError, match="unknown engine 'fast'"):
        claimcheck.validate_file(demo, engine="fast")


@pytest.mark.parametrize("library", ["pandas", "polars"])
def test_validate_many_of_a_dataframe_points_to_validate_batch(library: str) -> None:
    # A DataFrame iterates over its column names: each was taken for a claim, and the report held
    # one failing line per column instead of the table's lines.
    module = pytest.importorskip(library)
    frame = module.DataFrame({"claim_id": ["C1"], "line_number": [1], "procedure_code": ["0711T"]})
    with pytest.raises(TypeError, match=r"not a table \(DataFrame\); .* goes to validate_batch"):
        claimcheck.validate_many(frame)


@pytest.mark.parametrize("kind", ["Table", "RecordBatch"])
def test_validate_many_of_arrow_data_points_to_validate_batch(kind: str) -> None:
    # Iterated, a pyarrow Table or RecordBatch gives its columns: each was taken for a claim, and
    # the report held one failing line per column instead of the table's lines.
    import pyarrow as pa

    table = pa.table({"claim_id": ["C1"], "line_number": ["1"], "procedure_code": ["0711T"]})
    data = table if kind == "Table" else table.to_batches()[0]
    with pytest.raises(TypeError, match=rf"not a table \({kind}\); .* goes to validate_batch"):
        claimcheck.validate_many(data)


def test_claims_text_passed_for_claims_or_paths_is_not_quoted_in_the_error() -> None:
    # json.dumps(claim) or a file's content handed over by mistake: the TypeError, which an
    # integrator's error tracker keeps, quoted the patient data in it.
    text = json.dumps({"claim_id": "C1", "patient_name": "Jane Roe", "member_id": "W123456789"})
    calls = [
        (lambda: claimcheck.validate_many(text), r"not a file name or text \(text of \d+ characters\)"),
        (lambda: claimcheck.validate_files(text), r"not one path \(text of \d+ characters\)"),
        (lambda: claimcheck.validate_files(text.encode()), r"not one path \(bytes, \d+ of them\)"),
    ]
    for call, message in calls:
        with pytest.raises(TypeError, match=message) as raised:
            call()
        assert "Jane" not in str(raised.value) and "W123" not in str(raised.value)
    # A file's name is what the caller needs to see, and is shown.
    demo = str(ROOT / "fixtures" / "demo" / "claims.csv")
    for call in (lambda: claimcheck.validate_many(demo), lambda: claimcheck.validate_files(demo)):
        with pytest.raises(TypeError, match=re.escape(repr(demo))):
            call()


def test_columns_of_a_wrong_type_is_a_type_error_and_any_path_like_names_a_map(tmp_path: Path) -> None:
    demo = ROOT / "fixtures" / "demo" / "claims.csv"
    # An int (a column count?) failed with "'int' object has no attribute 'delimiter'".
    with pytest.raises(
        TypeError, match=r"columns must be a layout name, a columns map file or a ColumnLayout, not int"
    ):
        claimcheck.validate_file(demo, columns=5)  # type: ignore[arg-type]

    class MapPath:  # an os.PathLike that is no pathlib.Path (a cloud or test path object)
        def __fspath__(self) -> str:
            return str(ROOT / "fixtures" / "csv" / "wide_export_columns.yaml")

    wide = ROOT / "fixtures" / "csv" / "wide_export.psv"
    by_path = claimcheck.validate_file(wide, columns=MapPath(), as_of=AS_OF)  # type: ignore[arg-type]
    assert by_path == claimcheck.validate_file(wide, columns=str(MapPath().__fspath__()), as_of=AS_OF)


def test_a_pipe_given_to_validate_file_is_an_input_error_saying_to_save_it_first(tmp_path: Path) -> None:
    # The readers open a file more than once (its format, its header, its lines): a pipe was
    # "cannot read the file (None)".
    import os
    import threading

    fifo = tmp_path / "claims.csv"
    os.mkfifo(fifo)

    def feed() -> None:
        with contextlib.suppress(OSError), fifo.open("wb") as stream:
            stream.write((ROOT / "fixtures" / "demo" / "claims.csv").read_bytes())

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with pytest.raises(claimcheck.InputError, match="is a pipe or device, not a file") as raised:
        claimcheck.validate_file(fifo)
    assert "None" not in str(raised.value)
    with contextlib.suppress(OSError):  # let the writer go, had the run not opened the pipe
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    writer.join(5)
