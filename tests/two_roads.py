"""The same CSV file through claimcheck's two roads, for tests that pin that they agree: the
per-line road (readers, models, the line engine) and the batch road (validate_batch over Arrow
columns, and ``check --columns claimcheck``, which takes the batch pipeline)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
from click.testing import CliRunner

from claimcheck import RuleSet, validate_batch
from claimcheck.cli import main
from claimcheck.engine.run import check_claims
from claimcheck.io.readers import read_claims
from claimcheck.io.writers.csv_writer import finding_rows
from tests.conftest import AS_OF


def per_line_rows(path: Path, rules: RuleSet) -> list[list[str]]:
    """The CSV report's rows of ``path`` read and checked line by line."""
    results = check_claims(read_claims(path), rules, AS_OF)
    return [["" if v is None else str(v) for v in row] for line in results for row in finding_rows(line)]


def batch_rows(path: Path, columns: Sequence[str], rules: RuleSet) -> list[list[str]]:
    """The same rows from validate_batch over ``path`` read as text ``columns``, rows named as the
    CSV reader names them (file line = row + 2, below the header)."""
    text = pacsv.ConvertOptions(column_types=dict.fromkeys(columns, pa.string()), strings_can_be_null=False)
    batch = pacsv.read_csv(path, convert_options=text).combine_chunks().to_batches()[0]
    found = validate_batch(batch, rules=rules, as_of=AS_OF, origin=lambda row: f"{path.name} line {row + 2}")
    return [["" if v is None else str(v) for v in row.values()] for row in found.to_pylist()]


def csv_reports_of_both_roads(path: Path, tmp_path: Path) -> tuple[bytes, bytes]:
    """``check --format csv`` of ``path`` with its layout found from its header, and with
    ``--columns claimcheck`` named."""
    reports = []
    for extra in ([], ["--columns", "claimcheck"]):
        output = tmp_path / f"report{len(extra)}.csv"
        args = ["check", str(path), "-o", str(output), "--format", "csv", "--as-of", AS_OF.isoformat()]
        result = CliRunner().invoke(main, [*args, "--fail-on", "never", "--quiet", *extra])
        assert result.exit_code == 0, result.output
        reports.append(output.read_bytes())
    return reports[0], reports[1]
