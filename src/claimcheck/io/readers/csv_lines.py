"""Rows of a delimited file as the lines they were read from, when a quote left open ran a row
over several lines: each line is then reported on its own rather than lost in one row."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from claimcheck.io.readers.text_lines import DecodedLines
from claimcheck.models.parse import InputProblem

__all__ = ["each_line", "rows_of", "split_line"]


def rows_of(
    row: list[str], start: int, lines: DecodedLines, width: int, delimiter: str
) -> Iterator[tuple[int, list[str], list[InputProblem]]]:
    """The row as read, or, when an unclosed quote swallowed several lines into one row of the
    wrong width or into the end of the file, each of those lines on its own, so none of them
    goes unreported."""
    spanned = lines.count - start + 1
    # A row of blank cells holds no line, whatever it spans (a quoted line break in a blank
    # cell): a quote left open would hold the text of the lines it swallowed.
    blank = not any(cell.strip() for cell in row)
    if (
        spanned <= 1
        or blank
        or (
            len(row) == width
            and not _open_at_end(lines.recent, delimiter)
            and not _whole_rows(lines.recent, width, delimiter)
        )
    ):
        yield start, row, []
        return
    yield from each_line(start, lines, delimiter)


def _whole_rows(recent: list[str], width: int, delimiter: str) -> bool:
    """Whether the first line read and a later one each split into a whole row on their own. A
    field quoted over several lines leaves part of its row on its first line or on the others;
    two stray quotes in one column make a row of the right width of the rows between them."""
    first, *later = (len(text.split(delimiter)) for text in recent)
    return first == width and width in later


def _open_at_end(recent: list[str], delimiter: str) -> bool:
    """Whether the row read from ``recent`` ended inside a quote, which only the end of the file
    does: a quote opened in the last column swallows every line after it into a row of the
    right width. Checked by adding a line: it joins the row only while the quote is open."""
    return len(list(csv.reader([*recent, "x\n"], delimiter=delimiter))) == 1


def each_line(start: int, lines: DecodedLines, delimiter: str) -> Iterator[tuple[int, list[str], list[InputProblem]]]:
    """The lines read since ``start``, each split on its own, all flagged for the unclosed quote."""
    problem = InputProblem("row", f"has an unclosed quote that runs over lines {start}-{lines.count}")
    for offset, text in enumerate(list(lines.recent)):
        try:
            cells = next(csv.reader([text.rstrip("\r\n")], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
        except csv.Error:  # e.g. a NUL byte: split by hand rather than lose the line
            cells = text.rstrip("\r\n").split(delimiter)
        yield start + offset, cells, [problem]


def split_line(text: str, delimiter: str) -> list[str] | None:
    """One physical line split as ``csv.reader`` splits it, without its field size limit (which
    only guards against a quote left open swallowing the file); None when a quote is left open
    at the end of the line."""
    cells: list[str] = []
    cell: list[str] = []
    state = "start"  # start of a field, in an unquoted field, in quotes, just after a quote in quotes
    for char in text.rstrip("\r\n"):
        if state == "quoted":
            if char == '"':
                state = "quote"
            else:
                cell.append(char)
        elif char == delimiter:
            cells.append("".join(cell))
            cell, state = [], "start"
        elif state == "quote" and char == '"':  # a doubled quote inside quotes
            cell.append(char)
            state = "quoted"
        elif state == "start" and char == '"':
            state = "quoted"
        else:  # csv's lenient default keeps a stray quote, or what follows a closing one, as text
            cell.append(char)
            state = "plain"
    if state == "quoted":
        return None
    return [*cells, "".join(cell)] if cells or cell or state != "start" else []
