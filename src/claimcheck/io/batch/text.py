"""Arrow columns of any kind read as the text a CSV cell would hold."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["as_text", "not_utf8", "without_null_markers"]


def as_text(array: pa.Array, column: str) -> pa.Array:
    """A column as the text a CSV cell would hold: a list (Spark's array of modifiers) joined by
    spaces, a timestamp as its day, bytes that are not UTF-8 with U+FFFD as the CSV reader reads them
    (in a list or a dictionary too)."""
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return array
    if pa.types.is_dictionary(kind):
        return as_text(array.dictionary_decode(), column)
    if pa.types.is_run_end_encoded(kind):
        return as_text(pc.run_end_decode(array), column)
    if pa.types.is_list_view(kind) or pa.types.is_large_list_view(kind):
        # Rebuilt from its items: Arrow 26's cast of a list view to a list gives wrong offsets.
        return as_text(pa.array(array.to_pylist(), pa.list_(kind.value_type)), column)
    try:
        if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_fixed_size_list(kind):
            # Bytes go through _decoded one by one: a cast to text refuses the whole list for one bad byte.
            items = kind.value_type if _is_bytes(kind.value_type) else pa.string()
            return _joined(pc.cast(array, pa.list_(items)), column)
        if _is_bytes(kind):
            return _decoded(array)
        if pa.types.is_timestamp(kind):
            array = pc.cast(array, pa.date32())
        return pc.cast(array, pa.string())
    except pa.ArrowNotImplementedError:  # a struct, a list of lists...
        raise ValueError(f"column {column!r} holds {kind}, which cannot be read as text") from None


def without_null_markers(text: pa.Array, marker: str) -> pa.Array:
    """``text`` with each cell that holds ``marker`` alone (blanks aside) null, as the CSV reader
    reads the NULL of database exports; most columns hold none, which one search tells."""
    if not pc.any(pc.match_substring(text, marker)).as_py():
        return text
    alone = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(text), marker), False)
    return pc.if_else(alone, pa.scalar(None, text.type), text)


def not_utf8(array: pa.Array, column: str) -> np.ndarray | None:
    """Which rows of ``array`` hold bytes that are not UTF-8; None when none does. As the CSV
    reader tells such a row's cells, by the U+FFFD ``as_text`` reads them with, once the column
    is known to hold such bytes."""
    values = _bytes_of(array)
    if values is None:
        return None
    try:
        pc.cast(values, pa.string())
    except pa.ArrowInvalid:
        text = as_text(array, column)
        return pc.fill_null(pc.match_substring(text, "\ufffd"), False).to_numpy(zero_copy_only=False)
    return None


def _bytes_of(array: pa.Array) -> pa.Array | None:
    """The bytes ``array`` holds (as itself, its dictionary, its lists' items), or None."""
    kind = array.type
    if _is_bytes(kind):
        return array
    if pa.types.is_dictionary(kind):
        return _bytes_of(array.dictionary)
    if pa.types.is_run_end_encoded(kind) or hasattr(array, "values"):  # lists of any kind
        return _bytes_of(array.values)
    return None


def _is_bytes(kind: pa.DataType) -> bool:
    return (
        pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
        or pa.types.is_fixed_size_binary(kind)
        or pa.types.is_binary_view(kind)
    )


def _decoded(array: pa.Array) -> pa.Array:
    """Bytes as text; when some are not UTF-8, each of those with U+FFFD for what does not decode."""
    try:
        return pc.cast(array, pa.string())
    except pa.ArrowInvalid:
        return pa.array([None if v is None else v.decode("utf-8", "replace") for v in array.to_pylist()], pa.string())


def _joined(lists: pa.ListArray, column: str) -> pa.Array:
    """Each list's items joined by spaces; a null item is left out (binary_join would make the
    whole cell null, losing the codes beside it), as an empty CSV cell is."""
    offsets = lists.offsets  # of a slice: into the whole values array, from where the slice starts
    start, stop = offsets[0].as_py(), offsets[-1].as_py()
    items = pc.fill_null(as_text(lists.values.slice(start, stop - start), column), "")
    relative = pc.subtract(offsets, pa.scalar(start, offsets.type))
    return pc.binary_join(pa.ListArray.from_arrays(relative, items, mask=lists.is_null()), " ")
