"""Read one exported CSV file: decode it, find its header by column names, stream its rows.

Real exports do not start with their header (Connections.csv has a `Notes:` preamble), mix
CRLF and LF, may be UTF-16 and tab-separated (2018) or re-saved by a spreadsheet (cp1252).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from maillage.imports.records import ParsedFile, RowError

# The header is always near the top; a file without one in these lines is not what we expect.
HEADER_SEARCH_LINES = 40

# Larger fields than the csv default (128 KiB) occur in long message threads.
csv.field_size_limit(16 * 1024 * 1024)


def header_normalise(name: str) -> str:
    """`Shared URL`, `SharedUrl`, `shared_url` and a BOM-prefixed name all compare equal."""
    return "".join(name.replace("\ufeff", "").split()).replace("_", "").casefold()


def decode(data: bytes) -> str:
    """Text of a CSV file, whatever encoding LinkedIn or a spreadsheet wrote it in."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    elif b"\x00" in data[:64] and len(data) % 2 == 0:
        # UTF-16 without its BOM: every other byte of ASCII text is NUL.
        text = data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        text = text.replace("\x00", "")  # PostgreSQL text refuses NUL; no export holds one
    if "\r" in text:
        # Mixed CRLF/LF (and bare CR from old spreadsheets) inside one file or one field.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


@dataclass(frozen=True, slots=True)
class Column:
    """A column by its accepted header names (normalised with `header_normalise`)."""

    name: str
    label: str
    aliases: tuple[str, ...]
    required: bool = False


def columns(*specs: tuple[str, str] | tuple[str, str, bool]) -> tuple[Column, ...]:
    """Build columns from `(name, "Alias one|Alias two"[, required])` tuples."""
    built = []
    for spec in specs:
        name, aliases = spec[0], spec[1]
        required = bool(spec[2]) if len(spec) > 2 else False
        names = aliases.split("|")
        normalised = tuple(header_normalise(alias) for alias in names)
        built.append(Column(name, names[0], normalised, required))
    return tuple(built)


@dataclass(slots=True)
class Table:
    """An open CSV file past its header: `index[name]` is a column's position or -1."""

    header_line: int
    header: list[str]
    index: Mapping[str, int]
    _reader: Any  # a csv reader: iterates rows and counts physical lines in `line_num`
    _offset: int

    def position(self, name: str) -> int:
        """Where a column is in the rows `rows` yields; a missing one reads an empty cell."""
        found = self.index[name]
        return found if found >= 0 else len(self.header)

    def rows(self, result: ParsedFile) -> Iterator[tuple[int, list[str]]]:
        """(physical line where the row starts, cells padded to the header plus one empty cell
        at `len(header)`), counted in `result.read`; blank rows are skipped, rows that cannot
        be split go to `result.errors`."""
        width = len(self.header)
        padding = [""] * (width + 1)
        reader = self._reader
        first_line = self._offset + 1
        previous_end = 0
        while True:
            try:
                # One `for` over the C reader: a try block per row would cost as much as it.
                for row in reader:
                    start = first_line + previous_end
                    previous_end = reader.line_num
                    if not any(row):
                        continue
                    result.read += 1
                    size = len(row)
                    if size <= width:
                        row += padding[size:]
                    elif any(row[width:]):
                        # Misplaced quotes or separators: every value after them would shift.
                        result.errors.append(RowError(start, _too_wide(size, width)))
                        continue
                    yield start, row
                return
            except csv.Error as problem:
                start = first_line + previous_end
                previous_end = reader.line_num
                result.read += 1
                result.errors.append(RowError(start, _unreadable(str(problem))))


def _too_wide(found: int, expected: int) -> str:
    return _(
        "This row has %(found)d values where the header has %(expected)d: "
        "a quote or separator is out of place. Check this line of the file."
    ) % {"found": found, "expected": expected}


def _unreadable(detail: str) -> str:
    return _("This row cannot be read as CSV (%(detail)s).") % {"detail": detail}


def _match(cells: Sequence[str], wanted: Sequence[Column]) -> dict[str, int] | None:
    positions: dict[str, int] = {}
    normalised = [header_normalise(cell) for cell in cells]
    for column in wanted:
        found = next((i for i, cell in enumerate(normalised) if cell in column.aliases), -1)
        if found < 0 and column.required:
            return None
        positions[column.name] = found
    return positions


def table_open(
    text: str, wanted: Sequence[Column], *, backslash_escapes: bool = False
) -> Table | None:
    """The table whose header has every required column, or None when no line has them."""
    lines = text.split("\n", HEADER_SEARCH_LINES)[:HEADER_SEARCH_LINES]
    offset = 0
    for number, line in enumerate(lines):
        for delimiter in (",", "\t", ";"):
            if delimiter not in line and len(wanted) > 1:
                continue
            cells = next(csv.reader([line], delimiter=delimiter), [])
            index = _match(cells, wanted)
            if index is None:
                continue
            stream = io.StringIO(text)
            for _skipped in range(number + 1):
                stream.readline()
            offset = number + 1
            # Comments.csv writes `\"` instead of `""`; doubled quotes still read too.
            escapechar = "\\" if backslash_escapes else None
            reader = csv.reader(stream, delimiter=delimiter, escapechar=escapechar, strict=False)
            return Table(number + 1, cells, index, reader, offset)
    return None
