"""Check claim lines held in a Spark DataFrame, on every executor, with the local batch engine.

``validate(df)`` takes a DataFrame in the claimcheck column layout (the CSV contract's column
names, any case; values as strings, or anything that casts to them) and returns a DataFrame of
findings in the CSV report's columns, one row per finding (``rows="line"``: one per line). Each
partition goes through ``validate_batch`` with ``mapInArrow``, so Spark finds exactly what
``claimcheck check`` finds. Needs ``pip install 'claimcheck[spark]'`` (pyspark 4, Java 17).

A claim is a run of consecutive rows with one claim id in the DataFrame's order (one CSV file
read with ``spark.read.csv``: the file's order), as for ``claimcheck check``: it is kept whole
across input partitions and across rows of blank cells, and rows of one claim id that other
rows separate are separate claims for the claim-level edits, however Spark partitions them.
The findings come back partition by partition, not in input order: sort by ``claim_id`` and
``line_number`` when the order matters. Input findings cannot name the file line (Spark does
not know it); the local report's ``(claims.csv line 7)`` is left out.
"""

from __future__ import annotations

import functools
import operator
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from itertools import groupby, pairwise
from typing import TYPE_CHECKING, NoReturn

import numpy as np
import pyarrow as pa

from claimcheck.engine.day import day_of_run
from claimcheck.engine.ruleset import RuleSet
from claimcheck.io.batch import ROW_KINDS, validate_batch
from claimcheck.io.batch.pipeline import RulesSpec
from claimcheck.io.batch.reader import whole_claims
from claimcheck.io.batch.results import schema_for
from claimcheck.io.fast_csv import REQUIRED, column_names, read_columns

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame
    from pyspark.sql.types import StructField

__all__ = ["validate"]

_ORDER = "__claimcheck_order__"  # a row's place among the rows that are not blank, from 0 with no gaps
_RUN = "__claimcheck_run__"  # which run of its claim id a row is in: 0 for the first
_CLAIM = "__claimcheck_claim__"  # the claim id as text, blanks around it trimmed; "" for none
# Trimmed as widely as validate_batch trims (Unicode blanks; Spark's trim takes spaces only) or
# wider, which is harmless: rows one key joins are still told apart by validate_batch.
_BLANKS = r"(?U)^[\s\p{Z}\x1c-\x1f]+|[\s\p{Z}\x1c-\x1f]+$"
_PART, _SIZE, _START = "__claimcheck_part__", "__claimcheck_size__", "__claimcheck_start__"
_IN_PART = (1 << 33) - 1  # monotonically_increasing_id: the partition above bit 33, the row below
_FILLED = (
    "__claimcheck_filled__"  # no column of the layout: validate_batch reads it only to see the row holds something
)
_rules: dict[RulesSpec, RuleSet] = {}


def _rules_for(spec: RulesSpec) -> RuleSet:
    """The rules on an executor, loaded once per Python worker."""
    rules = _rules.get(spec)
    if rules is None:
        rules = _rules[spec] = _located(spec, leave_out_missing=False).load()
    return rules


def _located(spec: RulesSpec, *, leave_out_missing: bool) -> RulesSpec:
    """``spec`` with each rule file that is not where it is named taken from Spark's files, when
    they hold one of its name (``spark-submit --files``, ``SparkContext.addFile``): in client
    mode the driver's working directory may lack a file the executors are handed.
    ``leave_out_missing``: a file in neither place is left out (the driver's check of a cluster's
    files), for the executors to load."""

    def find(file: str | os.PathLike[str]) -> str | None:
        if os.path.exists(file):
            return os.fspath(file)
        shipped = _spark_file(os.path.basename(file))
        if shipped is not None:
            return shipped
        return None if leave_out_missing else os.fspath(file)

    ptp = [found for file in spec.ptp if (found := find(file)) is not None]
    mue = find(spec.mue) if spec.mue is not None else None
    code_sets = {name: found for name, file in spec.code_sets if (found := find(file)) is not None}
    return RulesSpec.of(spec.path, code_sets, ptp, mue)


def _master(df: DataFrame) -> str:
    try:
        return str(df.sparkSession.conf.get("spark.master", ""))
    except Exception:  # a session that does not say (Spark Connect may not): taken for a cluster
        return ""


def _spark_file(name: str) -> str | None:
    from pyspark import SparkFiles

    try:
        path = SparkFiles.get(name)
    except Exception:  # no SparkContext, nor a worker's file directory: no Spark files then
        return None
    return path if os.path.isfile(path) else None


def validate(
    df: DataFrame,
    *,
    rules: str | os.PathLike[str] | None = None,
    code_sets: Mapping[str, str] | None = None,
    ptp: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = (),
    mue: str | os.PathLike[str] | None = None,
    as_of: date | str | None = None,
    rows: str = "finding",
) -> DataFrame:
    """The findings of the claim lines in ``df`` as a DataFrame.

    ``rules``, ``code_sets``, ``ptp`` and ``mue`` are what ``load_rules`` takes, as paths every
    executor can read (None: the shipped pack); ``as_of`` is the day of the run (default today);
    ``rows`` is ``finding`` (one row per finding, the CSV report's columns) or ``line``.
    Raises ``TypeError`` when ``df`` is not a Spark DataFrame or the rules are given as loaded
    tables (a ``RuleSet``, ``CodeSets``, ``PtpTable`` or ``MueTable``), ``ValueError`` when a required
    column is missing, a column of the layout holds a map, a struct or nested arrays, ``rows`` is
    unknown or ``as_of`` is not a calendar day; ``RuleFileError`` or ``CodeSetError``, with the
    message ``claimcheck check`` gives, when the pack or a CMS or code-set file cannot be loaded:
    they are loaded here on the driver first, then again on each executor. A file not found where
    it is named is looked for among Spark's files (``--files``, ``addFile``), by its name; one the
    driver finds in neither place is left to a cluster's executors, which may have it (a local
    master's executors share the driver's files: it is refused there).
    """
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    if not isinstance(df, DataFrame):  # a path or an Arrow table failed inside, AttributeError
        raise TypeError(f"validate takes a Spark DataFrame, not {type(df).__name__} (Arrow data: validate_batch)")
    if rows not in ROW_KINDS:
        raise ValueError(f"unknown rows {rows!r}; rows: {', '.join(ROW_KINDS)}")
    columns = column_names(df.columns)
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise ValueError(f"the DataFrame has no {', '.join(missing)} column: the claimcheck layout needs them")
    ptp = _paths_only(rules, code_sets, ptp, mue)
    spec = RulesSpec.of(rules, code_sets, ptp, mue)
    day = day_of_run(as_of)
    # Loaded on the executors only, a broken file surfaced when the result was computed, as a
    # Java stack trace with the message somewhere inside it.
    # Executors of a local master share the driver's files: one it lacks, they lack too.
    _located(spec, leave_out_missing=not _master(df).startswith("local")).load()
    schema = schema_for(rows)
    # Each column taken by its place: a name held twice (or Claim_ID beside claim_id, which Spark
    # matches alike) is ambiguous to Spark, where the layout reads the first of them.
    places = [f"__claimcheck_{index}__" for index in range(len(df.columns))]
    first: dict[str, int] = {}
    for index, name in enumerate(df.columns):
        first.setdefault(name, index)
    by_place = df.toDF(*places)
    inputs = [
        _as_text(by_place.schema[places[first[name]]], name).alias(name)
        for name in dict.fromkeys(read_columns(df.columns))
    ]
    sent = {first[name] for name in read_columns(df.columns)}
    unread = [by_place.schema[places[index]] for index in first.values() if index not in sent]
    if unread:
        # A row filled only in columns the executors are not sent is a line, as in `check`,
        # not a row of blank cells, which validate_batch passes over: a text cell says so.
        inputs.append(F.when(_any_filled(unread), F.lit("x")).alias(_FILLED))
    # Rows of blank cells only (in every column) are passed over, as validate_batch passes over
    # them: left in, one would part the runs of the claim around it.
    filled = by_place.filter(_any_filled(list(by_place.schema.fields)))
    in_runs = _in_runs(filled.select(*inputs), columns["claim_id"])
    hidden = [_ORDER, _RUN, _CLAIM]

    def check(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        ruleset = _rules_for(spec)
        for _, pieces in groupby(_pieces_by_run(batches), key=operator.itemgetter(0)):
            for batch in whole_claims((piece for _, piece in pieces), _CLAIM):
                yield validate_batch(batch.drop_columns(hidden), rules=ruleset, as_of=day, rows=rows)

    return in_runs.mapInArrow(check, from_arrow_schema(schema))


def _paths_only(rules: object, code_sets: object, ptp: object, mue: object) -> list[str | os.PathLike[str]]:
    """The PTP files as a list, after a ``TypeError`` for anything but paths: the executors load
    the rules from files. A RuleSet, as ``validate`` and ``validate_batch`` take, became its own
    repr as a path (OSError: File name too long), a CodeSets an AttributeError."""
    path = (str, os.PathLike)

    def refuse(name: str, what: str, value: object) -> NoReturn:
        raise TypeError(f"{name} takes {what}, which each executor loads, not {type(value).__name__}")

    if rules is not None and not isinstance(rules, path):
        refuse("rules", "the path of a rule pack directory", rules)
    if mue is not None and not isinstance(mue, path):
        refuse("mue", "the path of the CMS MUE file", mue)
    if code_sets is not None and not (
        isinstance(code_sets, Mapping) and all(isinstance(file, path) for file in code_sets.values())
    ):
        refuse(
            "code_sets", "the paths of code-set files by name, e.g. {'icd10cm': 'icd10cm-order-2027.txt'}", code_sets
        )
    if ptp is None:  # as load_rules takes it: no PTP files
        return []
    files = [ptp] if isinstance(ptp, path) else list(ptp) if isinstance(ptp, Iterable) else None
    if files is None or not all(isinstance(file, path) for file in files):
        refuse("ptp", "the paths of CMS PTP files", ptp)
    return files


def _any_filled(fields: list[StructField]) -> Column:
    """Whether any of ``fields`` holds something other than blanks (text) or null (the others)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    filled = [
        F.coalesce(F.length(F.regexp_replace(F.col(f.name), r"^\s+|\s+$", "")) > 0, F.lit(False))
        if isinstance(f.dataType, StringType)
        else F.col(f.name).isNotNull()
        for f in fields
    ]
    return functools.reduce(operator.or_, filled)


def _as_text(field: StructField, name: str) -> Column:
    """A column as text, as ``validate_batch`` reads Arrow columns: an array of codes joined by
    spaces (a cast would give "[26, TC]"), a timestamp as its day. Floating-point numbers and
    bytes go to the executors as they are, for ``validate_batch`` to read as it reads them
    locally: Spark's cast writes 1.0 as "1.0", not a whole line number (Arrow: "1"), and keeps
    bytes that are not UTF-8, which fail the job (locally: U+FFFD)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import (
        ArrayType,
        BinaryType,
        DoubleType,
        FloatType,
        MapType,
        StructType,
        TimestampNTZType,
        TimestampType,
    )

    nested = (ArrayType, MapType, StructType)
    kind = field.dataType
    if isinstance(kind, (MapType, StructType)) or (
        isinstance(kind, ArrayType) and isinstance(kind.elementType, nested)
    ):
        # As validate_batch refuses it: Spark's cast would read {a -> b} as the codes '{a', '->', 'b}'.
        raise ValueError(f"column {name!r} holds {kind.simpleString()}, which cannot be read as text")
    column = F.col(field.name)
    if isinstance(kind, ArrayType) and isinstance(kind.elementType, BinaryType):
        return column  # joined by validate_batch, each item decoded on its own
    if isinstance(field.dataType, ArrayType):
        return F.array_join(column.cast("array<string>"), " ")
    if isinstance(field.dataType, (TimestampType, TimestampNTZType)):
        return F.to_date(column).cast("string")
    if isinstance(field.dataType, (FloatType, DoubleType, BinaryType)):
        return column
    return column.cast("string")


def _in_runs(frame: DataFrame, claim_id: str) -> DataFrame:
    """``frame`` partitioned by claim id, each row with its place in the input (``_ORDER``) and
    the run of consecutive rows of its claim id it belongs to (``_RUN``), sorted by run, then
    place. A claim is a run of consecutive rows, as in ``claimcheck check``: rows of one claim id
    that other rows separate are separate claims, which the shuffle by claim id would otherwise
    put side by side whenever the rows between them went to another partition."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    mark = F.monotonically_increasing_id()
    marked = frame.withColumn(_PART, F.shiftright(mark, 33)).withColumn(_ORDER, mark.bitwiseAND(F.lit(_IN_PART)))
    # Each input partition's first place: the rows of the partitions before it (a small table,
    # one row per partition that holds rows, joined to every row as a broadcast).
    sizes = marked.groupBy(_PART).agg((F.max(_ORDER) + 1).alias(_SIZE))
    before = Window.partitionBy(F.lit(0)).orderBy(_PART).rowsBetween(Window.unboundedPreceding, -1)
    starts = sizes.select(_PART, F.coalesce(F.sum(_SIZE).over(before), F.lit(0)).alias(_START))
    placed = marked.join(F.broadcast(starts), _PART).select(
        *frame.columns, (F.col(_START) + F.col(_ORDER)).alias(_ORDER)
    )
    # Bytes are read as text here (U+FFFD for what is not UTF-8), as validate_batch reads them.
    claim = F.coalesce(F.regexp_replace(F.col(claim_id).cast("string"), _BLANKS, ""), F.lit(""))
    rows = Window.partitionBy(_CLAIM).orderBy(_ORDER)
    starts_run = F.coalesce(F.col(_ORDER) - F.lag(_ORDER).over(rows) != 1, F.lit(True)).cast("int")
    runs = (
        placed.withColumn(_CLAIM, claim)
        .withColumn(_RUN, starts_run)
        .withColumn(_RUN, F.sum(_RUN).over(rows.rowsBetween(Window.unboundedPreceding, Window.currentRow)) - 1)
    )
    return runs.sortWithinPartitions(_RUN, _ORDER)


def _pieces_by_run(batches: Iterator[pa.RecordBatch]) -> Iterator[tuple[int, pa.RecordBatch]]:
    """The batches of a partition cut where the run number changes, each piece with its run: a
    claim id's second run is checked apart from its first, which may end just before it."""
    for batch in batches:
        runs = batch.column(_RUN).to_numpy(zero_copy_only=False)
        cuts = [0, *(np.flatnonzero(runs[1:] != runs[:-1]) + 1).tolist(), batch.num_rows]
        for start, end in pairwise(cuts):
            if end > start:
                yield int(runs[start]), batch.slice(start, end - start)
