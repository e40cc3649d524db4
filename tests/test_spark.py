"""``claimcheck.spark.validate`` finds on a local[2] Spark session what validate_batch finds locally."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from benchmarks.generate import generate

from claimcheck import ClaimCheckError, load_rules
from claimcheck.io.batch import validate_batch
from claimcheck.rules.loader import shipped_pack_path
from tests.conftest import AS_OF, ROOT, spread_lists

pyspark = pytest.importorskip("pyspark", reason="the Spark test needs claimcheck[spark]")
if shutil.which("java") is None:  # pragma: no cover - CI has Java 17
    pytest.skip("Spark needs Java 17 on PATH", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402

from claimcheck.spark import validate  # noqa: E402

DEMO = ROOT / "fixtures" / "demo" / "claims.csv"


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ["PYSPARK_PYTHON"] = sys.executable  # executors run this interpreter, with claimcheck
    session = (
        SparkSession.builder.master("local[2]")
        .appName("claimcheck-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")  # claims cross batch edges
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _sortable(values: tuple[object, ...]) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in values)


def _local(path: Path, rows: str) -> list[tuple[str, ...]]:
    names = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}))
    found = validate_batch(table.combine_chunks().to_batches()[0], as_of=AS_OF, rows=rows)
    return sorted(_sortable(tuple(row.values())) for row in found.to_pylist())


def _spark(spark: SparkSession, path: Path, rows: str) -> list[tuple[str, ...]]:
    frame = spark.read.csv(str(path), header=True, inferSchema=False)
    return sorted(_sortable(tuple(row)) for row in validate(frame, as_of=AS_OF, rows=rows).collect())


@pytest.mark.parametrize("rows", ["finding", "line"])
def test_spark_finds_what_the_local_engine_finds_on_the_demo(spark: SparkSession, rows: str) -> None:
    local = _local(DEMO, rows)
    assert _spark(spark, DEMO, rows) == local
    assert len(local) >= 39


def test_spark_finds_what_the_local_engine_finds_on_a_generated_file(spark: SparkSession, tmp_path: Path) -> None:
    path = generate(tmp_path / "claims.csv", 5_000, seed=13)
    assert _spark(spark, path, "finding") == _local(path, "finding")


def test_spark_reads_modifier_and_dx_columns(spark: SparkSession, tmp_path: Path) -> None:
    path = spread_lists(generate(tmp_path / "claims.csv", 2_000, seed=8), tmp_path / "spread.csv", seed=8)
    local = _local(path, "finding")
    assert _spark(spark, path, "finding") == local
    assert sum(row[4] == "diagnosis.code_set" for row in local) > 2_000  # the DX_N cells were read


def test_a_frame_without_the_layout_is_refused(spark: SparkSession) -> None:
    frame = spark.createDataFrame([("A", "1")], ["claim_id", "line_number"])
    with pytest.raises(ValueError, match="procedure_code"):
        validate(frame)


def test_array_and_timestamp_columns_read_as_their_csv_text(spark: SparkSession) -> None:
    from pyspark.sql import functions as F

    frame = spark.read.csv(str(DEMO), header=True, inferSchema=False)
    typed = frame.withColumn("modifiers", F.split(F.col("modifiers"), " ")).withColumn(
        "diagnosis_codes", F.split(F.col("diagnosis_codes"), " ")
    )
    typed = typed.withColumn("date_of_service", F.try_to_timestamp(F.col("date_of_service")))
    found = sorted(_sortable(tuple(row)) for row in validate(typed, as_of=AS_OF, rows="finding").collect())
    # The demo's one unreadable date (not a date at all) turns null as a timestamp: set it aside.
    assert [row for row in found if "D006" not in row[0]] == [
        row for row in _local(DEMO, "finding") if "D006" not in row[0]
    ]


def test_floating_point_columns_read_as_validate_batch_reads_them(spark: SparkSession) -> None:
    # A pandas frame with a gap in an integer column holds it as doubles: Spark's own cast wrote
    # line number 1.0 as "1.0", "not a whole number", where validate_batch reads the same Arrow
    # double as "1", as the local run does.
    rows = [("A", 1.0, "0711T", "I70.213", 1.0, "2026-03-10"), ("A", 2.0, "0711T", "I70.213", 2.0, "2026-03-11")]
    names = ["claim_id", "line_number", "procedure_code", "diagnosis_codes", "units", "date_of_service"]
    frame = spark.createDataFrame(rows, names)
    local = validate_batch(pa.table(dict(zip(names, zip(*rows, strict=True), strict=True))), as_of=AS_OF, rows="line")
    found = validate(frame, as_of=AS_OF, rows="line").collect()
    assert sorted(_sortable(tuple(row)) for row in found) == sorted(
        _sortable(tuple(row.values())) for row in local.to_pylist()
    )
    assert all("input.field" not in (row["problem_rules"] or "") for row in found)


def test_a_binary_column_with_bytes_that_are_not_utf8_reads_as_locally(spark: SparkSession) -> None:
    # Spark's cast to string kept the bad byte, and the executor's validate_batch failed the job
    # on text that is not UTF-8; locally the byte reads as U+FFFD, an unknown code on that line.
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType

    names = ["claim_id", "line_number", "procedure_code", "diagnosis_codes", "date_of_service"]
    rows = [("A", "1", b"0711T", "I70.213", "2026-03-10"), ("A", "2", b"07\xff1T", "I70.213", "2026-03-10")]
    kinds = {"procedure_code": (BinaryType(), pa.binary())}
    schema = StructType([StructField(n, kinds.get(n, (StringType(),))[0]) for n in names])
    frame = spark.createDataFrame(rows, schema)
    arrow = {n: pa.array([row[i] for row in rows], kinds.get(n, (None, pa.string()))[1]) for i, n in enumerate(names)}
    local = validate_batch(pa.table(arrow), as_of=AS_OF, rows="line")
    found = validate(frame, as_of=AS_OF, rows="line").collect()
    assert sorted(_sortable(tuple(row)) for row in found) == sorted(
        _sortable(tuple(row.values())) for row in local.to_pylist()
    )
    assert [row["procedure_code"] for row in local.to_pylist()] == ["0711T", "07\ufffd1T"]


@pytest.mark.parametrize("kind", ["map<string,string>", "struct<code:string>", "array<array<string>>"])
def test_a_column_that_is_not_text_is_refused_naming_it(spark: SparkSession, kind: str) -> None:
    # validate_batch refuses such a column; Spark's cast read {a -> b} as the codes '{a', '->', 'b}'.
    frame = spark.createDataFrame(
        [("A", "1", "0711T", "2026-03-10")], ["claim_id", "line_number", "procedure_code", "dos"]
    )
    frame = frame.selectExpr("*", f"cast(null as {kind}) as diagnosis_codes").withColumnRenamed(
        "dos", "date_of_service"
    )
    with pytest.raises(ValueError, match="diagnosis_codes"):
        validate(frame)


def test_an_array_of_bytes_that_are_not_utf8_reads_as_locally(spark: SparkSession) -> None:
    # As for a binary column: Spark's cast kept the bad byte and the job failed.
    from pyspark.sql.types import ArrayType, BinaryType, StringType, StructField, StructType

    names = ["claim_id", "line_number", "procedure_code", "modifiers", "date_of_service"]
    rows = [("A", "1", "0711T", [b"26"], "2026-03-10"), ("A", "2", "0711T", [b"T\xffC", b"26"], "2026-03-10")]
    kinds = {"modifiers": (ArrayType(BinaryType()), pa.list_(pa.binary()))}
    schema = StructType([StructField(n, kinds.get(n, (StringType(),))[0]) for n in names])
    arrow = {n: pa.array([row[i] for row in rows], kinds.get(n, (None, pa.string()))[1]) for i, n in enumerate(names)}
    local = validate_batch(pa.table(arrow), as_of=AS_OF, rows="finding")
    found = validate(spark.createDataFrame(rows, schema), as_of=AS_OF, rows="finding").collect()
    assert sorted(_sortable(tuple(row)) for row in found) == sorted(
        _sortable(tuple(row.values())) for row in local.to_pylist()
    )


def test_columns_that_share_a_name_read_the_first_as_locally(spark: SparkSession) -> None:
    # Names match without regard to case and the first of a repeated name is read, as
    # validate_batch reads them; Spark refused the frame with an AMBIGUOUS_REFERENCE error.
    names = ["Claim_ID", "claim_id", "line_number", "procedure_code", "diagnosis_codes", "date_of_service"]
    rows = [("A", "", "1", "0711T", "I70.213", "2026-03-10"), ("A", "", "2", "0711T", "I70.213", "2026-03-11")]
    local = validate_batch(pa.table({n: [row[i] for row in rows] for i, n in enumerate(names)}), as_of=AS_OF)
    found = validate(spark.createDataFrame(rows, names), as_of=AS_OF).collect()
    assert sorted(_sortable(tuple(row)) for row in found) == sorted(
        _sortable(tuple(row.values())) for row in local.to_pylist()
    )
    assert {row["claim_id"] for row in found} == {"A"}


def test_rows_of_blank_cells_are_passed_over_and_a_row_filled_only_where_unread_is_not(
    spark: SparkSession, tmp_path: Path
) -> None:
    # A ,,, row holds no line (as `check` reads the file); a totals row, filled only in a column
    # the layout does not read, is a line that fails, as in `check`: Spark sends the executors
    # only the columns read, which left such a row blank there.
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line_number,procedure_code,diagnosis_codes,date_of_service,charge_total\n"
        "A,1,0711T,I70.213,2026-03-10,\n,,,,,\nA,2,0711T,I70.213,2026-03-10,\n,,,,,250.00\n"
    )
    found = _spark(spark, path, "line")
    assert found == _local(path, "line")
    assert [row[:2] for row in found] == [("", ""), ("A", "1"), ("A", "2")]


@contextmanager
def _settings(spark: SparkSession, keys: dict[str, str]) -> Iterator[None]:
    """Spark SQL settings for one test."""
    before = {key: spark.conf.get(key, None) for key in keys}
    for key, value in keys.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            spark.conf.unset(key) if value is None else spark.conf.set(key, value)


# Small shuffles stay in their partitions: claims go to several, as at scale.
_UNCOALESCED = {"spark.sql.adaptive.coalescePartitions.enabled": "false"}


def _apart(source: Path, path: Path) -> Path:
    """``source`` with claims whose lines are not consecutive: the last line of every third claim
    of several lines moved after the next claim, and one claim's repeated line number and 26/TC
    split apart by another claim, twelve times; a row of blank cells after every seventh row."""
    header, *rows = source.read_text(encoding="utf-8").splitlines()
    claims: dict[str, list[str]] = {}
    for row in rows:
        claims.setdefault(row.split(",")[0], []).append(row)
    out: list[str] = []
    held: str | None = None
    for number, lines in enumerate(claims.values()):
        out.extend(lines if held is not None or number % 3 or len(lines) < 2 else lines[:-1])
        if held is not None:
            out.append(held)
            held = None
        elif not number % 3 and len(lines) >= 2:
            held = lines[-1]
    out.append(held or "")
    fields = len(header.split(","))
    for claim in range(12):  # the claims go to different Spark partitions: some pairs apart
        x = f"X{claim},1,0711T,26,I70.213,2085R0202X,1234567893,1,2026-03-10,22"
        y = f"Y{claim},1,99213,,I10,207R00000X,1234567893,1,2026-03-10,11"
        out += [row + "," * (fields - 10) for row in (x, y, x.replace(",26,", ",TC,"))]
    # Rows of blank cells (,,, from a spreadsheet) inside claims and between them.
    blank = "," * (fields - 1)
    out = [cell for number, row in enumerate(filter(None, out)) for cell in (row, *[blank] * (number % 7 == 3))]
    path.write_text("\n".join([header, *out]) + "\n", encoding="utf-8")
    return path


def test_a_claim_whose_lines_are_apart_is_checked_as_locally_on_any_partitioning(
    spark: SparkSession, tmp_path: Path
) -> None:
    # A claim is a run of consecutive rows, locally and in Spark (README): rows of one claim id
    # apart are separate claims for the claim-level edits. Spark's shuffle by claim id put them
    # side by side whenever the rows between went to another partition, so the same file gave
    # repeated-line-number, 26/TC, pair and MUE findings through Spark that it did not locally.
    # Small input splits put claims across input partitions, and with coalescing off the
    # shuffle keeps its four partitions.
    path = _apart(generate(tmp_path / "claims.csv", 1_500, seed=21), tmp_path / "apart.csv")
    local = _local(path, "finding")
    with _settings(spark, {"spark.sql.files.maxPartitionBytes": "4096", **_UNCOALESCED}):
        assert spark.read.csv(str(path), header=True).rdd.getNumPartitions() > 4
        found = _spark(spark, path, "finding")
    assert found == local
    apart = [row for row in found if row[0].startswith("X")]
    assert len(apart) == 12 * 2 * 12  # twelve findings on each line, none a claim-level edit's
    assert not [row for row in apart if row[4] in ("input.line_number_unique", "pair.split_components")]


def test_claim_ids_with_blanks_around_them_or_as_bytes_are_grouped_as_locally(spark: SparkSession) -> None:
    # validate_batch trims every kind of blank around a claim id; Spark's trim took spaces
    # only, so "A\t" went to another partition than "A" and the claim's 26/TC was not seen.
    # A claim id held as bytes failed the job on the executors (no UTF-8 trim for binary).
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType

    names = ["claim_id", "line_number", "procedure_code", "modifiers", "diagnosis_codes", "date_of_service"]
    lines = ((1, "26", ""), (2, "TC", "\t"), (3, "", "\u00a0"))  # claim A: "A", "A\t", "A\u00a0"
    rows = [
        (claim + blank, str(n), "0711T", modifier, "I70.213", "2026-03-10")
        for claim in "ABCDEFG"
        for n, modifier, blank in lines
    ]
    for kind in (StringType(), BinaryType()):
        data = [(row[0].encode() if kind == BinaryType() else row[0], *row[1:]) for row in rows]
        schema = StructType([StructField(n, kind if n == "claim_id" else StringType()) for n in names])
        arrow = pa.table({n: pa.array([row[i] for row in data]) for i, n in enumerate(names)})
        local = validate_batch(arrow, as_of=AS_OF, rows="line")
        with _settings(spark, _UNCOALESCED):
            found = validate(spark.createDataFrame(data, schema), as_of=AS_OF, rows="line").collect()
        assert sorted(_sortable(tuple(row)) for row in found) == sorted(
            _sortable(tuple(row.values())) for row in local.to_pylist()
        )
        # Per claim: the TC line (beside 26) and line 3 (the global service beside its components).
        assert sum("pair.split_components" in (row["problem_rules"] or "") for row in found) == 14


@pytest.mark.parametrize("given", [DEMO, str(DEMO), pa.table({"claim_id": ["A"]})])
def test_what_is_not_a_spark_dataframe_is_refused_naming_it(spark: SparkSession, given: object) -> None:
    # A path or an Arrow table (whose .columns are arrays) failed inside, with AttributeError.
    with pytest.raises(TypeError, match="Spark DataFrame"):
        validate(given)  # type: ignore[arg-type]


def _broken_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "rules"
    shutil.copytree(shipped_pack_path(), pack)
    profile = pack / "procedures" / "0711T.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("status: fail", "status: maybe", 1), encoding="utf-8")
    return pack


@pytest.mark.parametrize("what", ["rules", "no rules", "mue", "ptp", "code_sets"])
def test_broken_rule_files_are_refused_on_the_driver_as_load_rules_refuses_them(
    spark: SparkSession, tmp_path: Path, what: str
) -> None:
    # They were read on the executors only, when the result was computed: the user got a Java
    # stack trace with the RuleFileError somewhere inside it, not the message `check` gives.
    bad = tmp_path / "bad.csv"
    bad.write_text("junk\n1,2\n", encoding="utf-8")
    rules = {"rules": _broken_pack(tmp_path), "no rules": tmp_path / "missing"}.get(what)
    tables: dict[str, Any] = {
        "mue": {"mue": bad},
        "ptp": {"ptp": [bad]},
        "code_sets": {"code_sets": {"icd10cm": str(bad)}},
    }.get(what, {})
    with pytest.raises(ClaimCheckError) as expected:
        load_rules(rules, **tables)
    frame = spark.createDataFrame(
        [("C1", "1", "0711T", "2026-03-10")],
        "claim_id string, line_number string, procedure_code string, date_of_service string",
    )
    with pytest.raises(type(expected.value)) as caught:
        validate(frame, rules=rules, as_of=AS_OF, **tables)
    assert str(caught.value) == str(expected.value)


@pytest.mark.parametrize("what", ["rules", "code_sets", "mue"])
def test_loaded_tables_instead_of_paths_are_a_type_error_naming_the_argument(spark: SparkSession, what: str) -> None:
    # Every other entry point takes rules=load_rules(...): here a RuleSet became its own repr as
    # a path (OSError: File name too long), a CodeSets an AttributeError, a MueTable 'not found'.
    loaded = load_rules(mue=ROOT / "fixtures" / "ncci" / "mue_sample.csv")
    given = {"rules": loaded, "code_sets": loaded.code_sets, "mue": loaded.mue}[what]
    frame = spark.createDataFrame(
        [("C1", "1", "0711T", "2026-03-10")],
        "claim_id string, line_number string, procedure_code string, date_of_service string",
    )
    with pytest.raises(TypeError, match=f"^{what} takes the path"):
        validate(frame, as_of=AS_OF, **{what: given})
    validate(frame, as_of=AS_OF, rules=None, code_sets=None, ptp=None, mue=None)  # None: none, as load_rules reads it


def test_a_rule_file_shipped_to_spark_but_absent_where_the_driver_runs_is_read_from_spark_files(
    spark: SparkSession, tmp_path: Path
) -> None:
    # spark-submit --files mue.csv in client mode: the driver's working directory may lack the
    # file, which Spark hands the executors (SparkFiles). The check on the driver refused the job
    # with 'file not found' though the executors could read it.
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    name = "claimcheck-test-shipped-mue.csv"
    shutil.copy(ROOT / "fixtures" / "ncci" / "mue_sample.csv", shipped / name)
    spark.sparkContext.addFile(str(shipped / name))
    assert not Path(name).exists()
    frame = spark.createDataFrame(
        [("C1", "1", "0711T", "2026-03-10", "9")],
        "claim_id string, line_number string, procedure_code string, date_of_service string, units string",
    )
    found = validate(frame, mue=name, as_of=AS_OF).collect()
    expected = validate(frame, mue=shipped / name, as_of=AS_OF).collect()
    assert sorted(map(_sortable, found)) == sorted(map(_sortable, expected))
    assert [row["status"] for row in found if row["rule_id"] == "units.mue"] == ["fail"]
    # Neither on the driver nor among Spark's files, with executors that share the driver's
    # machine (local mode): refused on the driver as before, not as a Java stack trace later.
    with pytest.raises(ClaimCheckError, match=r"claimcheck-test-nowhere\.csv: file not found"):
        validate(frame, mue="claimcheck-test-nowhere.csv", as_of=AS_OF)
