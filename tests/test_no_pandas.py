"""``claimcheck check`` does not pay for pyarrow's import of pandas, and leaves pandas usable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytest.importorskip("pandas")  # without pandas there is nothing to skip

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return done.stdout.strip()


def test_importing_the_batch_pipeline_builds_no_array() -> None:
    # An array built on import would have pyarrow import pandas before a worker can skip it.
    code = "import sys, claimcheck.io.batch.pipeline, claimcheck.io.batch.report; print('pandas' in sys.modules)"
    assert _python(code) == "False"


def test_after_the_skip_arrays_are_built_without_pandas_and_pandas_still_works() -> None:
    code = """
import sys
import pyarrow as pa
from claimcheck.io.no_pandas import skip_pandas_lookup
skip_pandas_lookup()
pa.array(["a", None]); pa.scalar(1)
print('pandas' in sys.modules)
import pandas
frame = pa.table({"a": [1, 2]}).to_pandas()
print(type(frame).__name__, frame["a"].tolist(), pa.array(pandas.Series([3])).to_pylist())
"""
    assert _python(code).splitlines() == ["False", "DataFrame [1, 2] [3]"]


def test_a_csv_report_is_written_without_importing_pandas(tmp_path: Path) -> None:
    output = tmp_path / "report.csv"
    arguments = ["check", str(DEMO), "--format", "csv", "-o", str(output)]
    arguments += ["--as-of", "2026-11-22", "--fail-on", "never", "-q"]
    code = f"""
import atexit, runpy, sys
atexit.register(lambda: print(sorted({{"pyarrow", "pandas"}} & set(sys.modules))))
sys.argv = ["claimcheck", *{arguments!r}]
runpy.run_module("claimcheck.cli", run_name="__main__")
"""
    assert _python(code) == "['pyarrow']"
    assert output.read_text(encoding="utf-8").startswith("claim_id,")
