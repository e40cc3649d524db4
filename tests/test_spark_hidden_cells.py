"""Spark reads cells with invisible characters, ``\\N`` and bytes that are not UTF-8 as
``validate_batch`` reads them locally (its own blank-row and claim-run passes included)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator

import pyarrow as pa
import pytest

from claimcheck.io.batch import validate_batch
from tests.conftest import AS_OF

pyspark = pytest.importorskip("pyspark", reason="the Spark test needs claimcheck[spark]")
if shutil.which("java") is None:  # pragma: no cover - CI has Java 17
    pytest.skip("Spark needs Java 17 on PATH", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

from claimcheck.spark import validate  # noqa: E402

NAMES = ["claim_id", "line_number", "procedure_code", "modifiers", "diagnosis_codes", "date_of_service", "payer"]
ROWS = [
    ("C1", "1", "0711T", "26", "I70.213", "2026-03-10", "Acme"),
    ("C1\u200b", "2", "0711T", "TC", "I70.213", "2026-03-10", "Acme"),
    ("\u00a0C2", "1", "0711T\u200b", "26", "I70.213", "2026-03-10", "\\N"),
    ("C2", "2", "0711T", "\\N", "I70.213\u2060", "2026-03-10", "Acme"),
    ("\\N", "\\N", "\\N", "\\N", "\\N", "\\N", "\\N"),
    ("C3", "1", "07\ufffd1T", "26", "I70.213", "2026-03-10", "Acme"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("claimcheck-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session


def _sorted(rows: list[tuple[object, ...]]) -> list[tuple[str, ...]]:
    return sorted(tuple("" if v is None else str(v) for v in row) for row in rows)


def test_spark_finds_what_validate_batch_finds(spark: SparkSession) -> None:
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType

    rows = [(*row[:2], row[2].encode().replace("\ufffd".encode(), b"\xff"), *row[3:]) for row in ROWS]
    kinds = {"procedure_code": (BinaryType(), pa.binary())}
    schema = StructType([StructField(n, kinds.get(n, (StringType(),))[0]) for n in NAMES])
    arrow = {n: pa.array([row[i] for row in rows], kinds.get(n, (None, pa.string()))[1]) for i, n in enumerate(NAMES)}
    local = validate_batch(pa.table(arrow), as_of=AS_OF, rows="finding").to_pylist()
    found = validate(spark.createDataFrame(rows, schema), as_of=AS_OF, rows="finding").collect()
    assert _sorted([tuple(row) for row in found]) == _sorted([tuple(row.values()) for row in local])
    messages = " ".join(row["message"] for row in local)
    assert "U+200B" in messages and "U+2060" in messages and "not UTF-8 text in procedure_code" in messages
    assert "\\N" not in messages
