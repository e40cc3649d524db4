"""One line check's findings per distinct key, kept across the batches of a run."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, fields
from datetime import date
from typing import Any, cast

import numpy as np

from claimcheck.engine.batch.columns import FieldValues, LineBatch, distinct_keys, positions
from claimcheck.engine.checks import LineCheck, LineContext
from claimcheck.engine.eras import Eras
from claimcheck.engine.ruleset import RuleSet
from claimcheck.models.claim import ClaimLine
from claimcheck.models.finding import Finding
from claimcheck.models.parse import ParsedLine

__all__ = ["CheckMemo", "Elements", "FirstItemMemo", "LineView", "Lines", "memo_for"]

# Past this many distinct keys a check's memo starts again, so memory stays bounded.
_MEMO_LIMIT = 250_000


@dataclass(frozen=True, slots=True)
class LineView:
    """A ``ClaimLine``'s fields without the model, for lines whose values are already normalised:
    checks only read the fields, and the memo builds one per distinct key, where the model's
    constructor would cost more than the check (a test keeps the fields in step)."""

    line_number: int
    procedure_code: str
    modifiers: tuple[str, ...]
    diagnosis_codes: tuple[str, ...]
    rendering_taxonomy: str | None
    rendering_npi: str | None
    units: float
    date_of_service: date
    place_of_service: str | None
    charge: float | None = None


# The fields the batch reads; charge, which no check reads, is left at its default.
_FIELDS = tuple(f.name for f in fields(LineView) if f.default is MISSING)


class Lines:
    """Lines of clean rows, built from the batch's normalised values."""

    def __init__(self, batch: LineBatch, rules: RuleSet, as_of: date) -> None:
        self.batch = batch
        self.rules = rules
        self.as_of = as_of
        self._columns = [(c.values, c.codes) for c in (batch.fields[name] for name in _FIELDS)]

    def _fields(self, row: int) -> list[Any]:
        return [values[codes[row]] for values, codes in self._columns]

    def line(self, row: int) -> ClaimLine:
        # Checks read fields only: the view stands in for the model (see LineView).
        return cast(ClaimLine, LineView(*self._fields(row)))

    def context(self, row: int, each: str | None = None, item: Any = None) -> LineContext:
        fields = self._fields(row)
        if each is not None:
            fields[_FIELDS.index(each)] = (item,)
        line = cast(ClaimLine, LineView(*fields))
        parsed = ParsedLine(line, line.line_number, line.procedure_code)
        return LineContext(None, parsed, line, self.rules.profiles.get(line.procedure_code), self.as_of)


class Elements:
    """The items of a list field (modifiers, diagnoses), numbered, for checks run per item."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._numbers: dict[Any, int] = {}
        self._flat: list[int] = []
        self._starts: list[int] = []
        self._lengths: list[int] = []
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def explode(self, lists: list[Any], codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Items per row, and the item numbers of every row one after another."""
        if len(self._starts) < len(lists):
            for value in lists[len(self._starts) :]:
                value = value if isinstance(value, tuple) else ()
                self._starts.append(len(self._flat))
                self._lengths.append(len(value))
                self._flat.extend(self._numbers.setdefault(item, len(self._numbers)) for item in value)
            self.items = list(self._numbers)
            self._arrays = None
        if self._arrays is None:
            self._arrays = (
                np.array(self._flat, np.int64),
                np.array(self._starts, np.int64),
                np.array(self._lengths, np.int64),
            )
        flat, starts, lengths = self._arrays
        counts = lengths[codes]
        return counts, flat[np.repeat(starts[codes], counts) + positions(counts)]

    def instances(self, field: FieldValues, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the list ``field`` of ``rows``: items per row, their item numbers, and the row of each."""
        per_row, items = self.explode(field.values, field.codes[rows])
        return per_row, items, np.repeat(rows, per_row)


class CheckMemo:
    """Runs one line check once per distinct key and lays its findings out per row."""

    def __init__(
        self,
        check: LineCheck,
        rules: RuleSet,
        as_of: date,
        judge: Callable[[LineContext], Iterable[Finding]] | None = None,
    ) -> None:
        """``judge`` gives a key's findings (default: the check itself)."""
        if check.memo_key is None:
            raise TypeError(f"{type(check).__name__} does not declare memo_key")
        # The era of a dated rule says no more than the date of service, when the key has it: a
        # key combines at most three columns.
        dated = check.rule.dated and "date_of_service" not in check.memo_key
        names = (*check.memo_key, "era") if dated else check.memo_key
        names = (*names, "fact") if check.memo_fact else names
        self.check = check
        self.judge = judge or check
        self.names = tuple(dict.fromkeys(names))
        self.eras = Eras.for_check(check, rules, as_of) if "era" in self.names else None
        self.reset()

    def reset(self) -> None:
        self._slots: dict[int, int] = {}
        self._new: list[list[int]] = []  # results not yet in the arrays below
        self._starts = np.zeros(0, dtype=np.int64)  # per slot: where its ids start in _flat
        self._counts = np.zeros(0, dtype=np.int64)
        self._flat = np.zeros(0, dtype=np.int64)
        self._era_of: list[int] = []
        self._fact_of: list[int] = []  # per value of the memo_fact field

    def _era_codes(self, served: Any, rows: np.ndarray) -> np.ndarray:
        assert self.eras is not None
        for day in served.values[len(self._era_of) :]:
            self._era_of.append(self.eras.of(day) if isinstance(day, date) else 0)
        return np.array(self._era_of, dtype=np.int64)[served.codes[rows]]

    def _fact_codes(self, field: FieldValues, rows: np.ndarray) -> np.ndarray:
        self._fact_of.extend(self.check.fact(value) for value in field.values[len(self._fact_of) :])
        return np.array(self._fact_of, dtype=np.int64)[field.codes[rows]]

    def distinct_keys(
        self,
        batch: LineBatch,
        instance_rows: np.ndarray,
        each: str | None,
        items: np.ndarray | None,
        elements: Elements | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``distinct_keys`` over the memo key's columns for ``instance_rows``, with the item
        numbers ``items`` standing for the list field ``each`` when judged item by item."""
        columns, sizes = [], []
        for name in self.names:
            if name == "era":
                columns.append(self._era_codes(batch.fields["date_of_service"], instance_rows))
                sizes.append(len(self._era_of) and max(self._era_of) + 1)
            elif name == "fact":
                assert self.check.memo_fact is not None
                columns.append(self._fact_codes(batch.fields[self.check.memo_fact], instance_rows))
                sizes.append(len(self._fact_of) and max(self._fact_of) + 1)
            elif name == each and items is not None and elements is not None:
                columns.append(items)
                sizes.append(len(elements.items))
            else:
                columns.append(batch.fields[name].codes[instance_rows])
                sizes.append(len(batch.fields[name].values))
        return distinct_keys(columns, sizes, len(instance_rows))

    def run(
        self,
        batch: LineBatch,
        rows: np.ndarray,
        elements: Elements | None,
        lines: Lines,
        intern: Callable[[Finding], int],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rows judged, the number of findings of each, and their ids one row after another."""
        each = self.check.memo_each
        if each is not None and elements is not None:
            per_row, items, instance_rows = elements.instances(batch.fields[each], rows)
        else:
            per_row, items, instance_rows = None, None, rows
        number, keys, firsts = self.distinct_keys(batch, instance_rows, each, items, elements)
        slots = np.array([self._slots.get(k, -1) for k in keys.tolist()], dtype=np.int64)
        missing = np.flatnonzero(slots < 0)
        if len(missing):
            for key_index, instance in zip(missing.tolist(), firsts[missing].tolist(), strict=True):
                item = elements.items[items[instance]] if items is not None and elements is not None else None
                context = lines.context(int(instance_rows[instance]), each if items is not None else None, item)
                slots[key_index] = self._slots[int(keys[key_index])] = len(self._counts) + len(self._new)
                self._new.append([intern(f) for f in self.judge(context)])
        starts, counts, flat = self._result_arrays()
        instance_counts = counts[slots[number]]
        owner_start = np.repeat(starts[slots[number]], instance_counts)
        ids = flat[owner_start + positions(instance_counts)]
        if per_row is not None:
            owner = np.repeat(np.arange(len(rows)), per_row)
            row_counts = np.bincount(owner, weights=instance_counts, minlength=len(rows)).astype(np.int64)
        else:
            row_counts = instance_counts
        if len(self._slots) > _MEMO_LIMIT:
            self.reset()
        return rows, row_counts, ids

    def _result_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._new:
            counts = np.array([len(r) for r in self._new], dtype=np.int64)
            starts = len(self._flat) + np.cumsum(counts) - counts
            flat = np.fromiter((i for r in self._new for i in r), dtype=np.int64, count=int(counts.sum()))
            self._starts = np.concatenate([self._starts, starts])
            self._counts = np.concatenate([self._counts, counts])
            self._flat = np.concatenate([self._flat, flat])
            self._new = []
        return self._starts, self._counts, self._flat


class FirstItemMemo:
    """A ``memo_first`` check: each item judged once per distinct key (procedure, item, era...);
    a row takes the finding of its first accepted item, and only rows with none accepted are
    judged as whole lists, by a ``CheckMemo``."""

    def __init__(self, check: LineCheck, rules: RuleSet, as_of: date) -> None:
        self.check = check
        self.whole = CheckMemo(check, rules, as_of, judge=self._none_accepted)
        self.reset()

    def _none_accepted(self, context: LineContext) -> Iterable[Finding]:
        # The rows judged whole are those none of whose items the check accepted.
        return self.check.none_accepted(context) if self.check.applies(context) else ()

    def reset(self) -> None:
        self.whole.reset()
        self._accepted: dict[int, int] = {}  # item key -> finding id, or -1

    def run(
        self,
        batch: LineBatch,
        rows: np.ndarray,
        elements: Elements | None,
        lines: Lines,
        intern: Callable[[Finding], int],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        field = self.check.memo_first
        assert field is not None and elements is not None
        per_row, items, instance_rows = elements.instances(batch.fields[field], rows)
        number, keys, firsts = self.whole.distinct_keys(batch, instance_rows, field, items, elements)
        judged = np.array([self._accepted.get(k, -2) for k in keys.tolist()], dtype=np.int64)
        for key_index in np.flatnonzero(judged == -2).tolist():
            instance = int(firsts[key_index])
            item = elements.items[items[instance]]
            context = lines.context(int(instance_rows[instance]), field, item)
            found = self.check.accepted(context, item) if self.check.applies(context) else None
            judged[key_index] = self._accepted[int(keys[key_index])] = -1 if found is None else intern(found)
        instance_ids = judged[number]
        # Each row's first accepted item: instances come row by row, in list order.
        accepted = np.flatnonzero(instance_ids >= 0)
        owners = np.repeat(np.arange(len(rows)), per_row)[accepted]
        first = np.ones(len(owners), dtype=bool)
        first[1:] = owners[1:] != owners[:-1]
        has = np.zeros(len(rows), dtype=bool)
        has[owners[first]] = True
        _, rest_counts, rest_ids = self.whole.run(batch, rows[~has], None, lines, intern)
        counts = np.ones(len(rows), dtype=np.int64)
        counts[~has] = rest_counts
        starts = np.cumsum(counts) - counts
        ids = np.empty(int(counts.sum()), dtype=np.int64)
        ids[starts[has]] = instance_ids[accepted[first]]
        ids[np.repeat(starts[~has], rest_counts) + positions(rest_counts)] = rest_ids
        if len(self._accepted) > _MEMO_LIMIT:
            self.reset()
        return rows, counts, ids


def memo_for(check: LineCheck, rules: RuleSet, as_of: date) -> CheckMemo | FirstItemMemo:
    return FirstItemMemo(check, rules, as_of) if check.memo_first else CheckMemo(check, rules, as_of)
