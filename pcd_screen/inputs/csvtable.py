"""Import proposals from a spreadsheet saved as CSV: one row, one proposal (docs/import.md).

read_csv() yields, row by row, either a proposal mapping (format v1, already validated with
proposal_from_data) or an InputError naming the file, the spreadsheet row (the header is row 1)
and the column as headed in the file. A bad row is reported and skipped; it never stops the
file. Problems with the file itself (unreadable, not UTF-8, unknown or repeated columns) are
reported and end the import, since every row would be read wrongly.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from pcd_screen.core.located import InputError, LoadError, clip, excerpt
from pcd_screen.core.yamlread import decode, read_input, too_large
from pcd_screen.inputs.proposal import SCHEMA_VERSION, proposal_from_data

MAX_BYTES = 200 * 1024 * 1024
# A header wider than this is not a proposal table; checking each unknown column against the
# known ones would take minutes and print a line per column.
MAX_COLUMNS = 1000
DELIMITERS = (",", ";", "\t")

# Canonical column -> aliases (compared after normalising case, spaces, '_' and '-').
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("project id", "identifier", "iati identifier", "iati id", "reference"),
    "title": ("project title", "name", "project name"),
    "summary": ("abstract",),
    "description": ("project description",),
    "language": ("lang",),
    "donor": ("funder", "partner funding", "funding partner"),
    "instrument": ("funding instrument", "channel"),
    "funding_source": (),
    "country": ("countries", "recipient country", "recipient countries", "country code"),
    "region": ("regions", "recipient region"),
    "budget": ("total budget", "budget total", "amount", "project budget"),
    "currency": ("budget currency",),
    "start": ("start date", "planned start date", "project start date", "date start"),
    "end": ("end date", "planned end date", "project end date", "date end"),
    "sector_codes": ("sector code", "sectors", "purpose codes", "purpose code", "dac codes"),
    "implementer": (
        "implementers",
        "implementing partner",
        "implementing partners",
        "implementor",
        "project implementor",
        "project implementer",
        "partner implementing",
    ),
    "implementer_type": ("implementer types", "implementing partner type"),
    "categories": ("category", "activity categories"),
    "reported_as_oda": ("oda",),
    "gender_marker": ("gender", "gender equality marker"),
    "target_groups": ("target group",),
    "selection_criteria": ("selection criterion",),
}

EMPTY = {"", "n/a", "-", "–", "—"}
TRUE = {"yes", "y", "true", "1"}
FALSE = {"no", "n", "false", "0"}
GENDER_WORDS = {"not targeted": 0, "significant": 1, "principal": 2}

# Where a schema error path lands: the longest matching prefix names the column.
PATH_COLUMNS = (
    ("oda.reported_as_oda", "reported_as_oda"),
    ("oda.purpose_codes", "sector_codes"),
    ("oda", "sector_codes"),
    ("budget.currency", "currency"),
    ("budget", "budget"),
    ("period.start", "start"),
    ("period.end", "end"),
    ("period", "start"),
    ("countries", "country"),
    ("regions", "region"),
    ("implementers", "implementer"),
    ("activities", "categories"),
)


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SEPARATORS = re.compile(r"[_\-\s]+")


def _norm_header(text: str) -> str:
    text = _CAMEL.sub(" ", text.strip())  # ProjectTitle -> Project Title
    return " ".join(_SEPARATORS.sub(" ", text.casefold()).split())


# Columns a watchdog's sheet often has that the format has no field for, but that a watchdog
# wants kept under a known name: the fund's own theme or objective next to the tool's categories.
X_COLUMNS: dict[str, tuple[str, ...]] = {
    "x-theme": ("theme", "themes", "project theme", "topics", "objective", "fund objective"),
    # A hierarchy, as IATI's related-activity (type 1 parent, 2 child) gives one: the portfolio
    # counts a parent's budget and not its parts' on top (reports/portfolio.py).
    "x-parent": (
        "parent",
        "parent id",
        "parent project",
        "project parent",
        "parent activity",
        "parent identifier",
        "parent iati identifier",
        "parent reference",
    ),
    "x-children": (
        "children",
        "child",
        "project child",
        "project children",
        "child projects",
        "child activities",
        "contracts",
    ),
}
# Columns whose cells hold a place: read as countries when nearly every cell names countries.
PLACE_COLUMNS = ("location", "project location", "locations")
# The mapping syntax: FIELD, or FIELD[,] to split the cells on commas too (names that hold
# commas are rare in the column a watchdog maps so: "IOM, WFP").
_SPLIT = re.compile(r"^(?P<field>[^\[\]]+?)\s*(\[(?P<sep>.)\])?$")


@lru_cache(maxsize=1)
def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, aliases in COLUMNS.items():
        for spelling in (name, *aliases):
            index[_norm_header(spelling)] = name
    return index


def known_columns() -> list[str]:
    return list(COLUMNS)


def unknown_field(field: str) -> str | None:
    """Why a constant's field (--constant FIELD=VALUE) is not one, or None: a constant for a
    misspelt field would otherwise be dropped from every row without a word."""
    if field in COLUMNS or field.startswith("x-"):
        return None
    close = difflib.get_close_matches(field, list(COLUMNS), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{excerpt(field)} is not a field{hint} (fields: {', '.join(COLUMNS)}, x-...)"


@dataclass(frozen=True)
class CsvRowError(InputError):
    """An InputError for a spreadsheet: FILE:ROW: COLUMN: message.

    line is the spreadsheet row (the header is row 1), column the 1-based column number, path
    the column header as written in the file; empty for a problem of the whole row or file.
    """

    whole: str = "row"  # what an error without a column is about: "row" or "file"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {clip(self.path, 200) or f'({self.whole})'}: {clip(self.message)}"


def _file_error(name: str, line: int | None, message: str) -> CsvRowError:
    return CsvRowError(name, line, None, "", message, whole="file")


class _CellError(Exception):
    pass


@dataclass
class _Column:
    index: int  # 0-based position in the row
    header: str  # as written in the file
    field: str  # canonical name, or the x- field name, or "ignore"
    split: str | None = None  # also split the cells on this character (implementers)


# --- the reader ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvNote:
    """Something the user should check but that stops nothing: the column mapping used,
    columns kept as x- fields, ids made unique. str() is FILE:ROW: note: message."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: note: {self.message}"


def read_csv(
    path,
    display_name: str | None = None,
    max_bytes: int | None = None,
    column_map: dict | None = None,
    constants: dict | None = None,
) -> Iterator[dict | InputError | CsvNote]:
    """Yield one validated proposal mapping per data row, or the errors of a bad row.

    column_map maps a header as written to a field (`title`, `x-theme`, `implementer[,]`, or
    `ignore`); headers it does not name are matched by name and alias, then by the values in
    the column (places), and the rest are kept as x- fields with one note. constants gives
    fields a value for every row (`currency: EUR` for a sheet in euros without the column).

    The file is read whole, so it may hold at most max_bytes (default MAX_BYTES)."""
    name = display_name or str(path)
    try:
        text, delimiter, lines_before = _read_text(path, name, max_bytes)
    except LoadError as exc:
        yield from exc.errors
        return
    if not text.strip():
        yield _file_error(name, 1, "the file is empty; expected a header row")
        return
    lines = _Lines(text, first_line=lines_before + 1)
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    # Spreadsheet rows: one per record (a quoted cell may span lines); the header is row 1
    # unless blank rows come before it. Lines are the file's, Excel's `sep=` line included.
    row_number = 0
    header: list[str] = []
    while not any(cell.strip() for cell in header):
        row_number += 1
        try:
            record = _next_record(reader, lines, text, delimiter)
        except StopIteration:
            yield _file_error(name, 1, "the file is empty; expected a header row")
            return
        if record.unclosed:
            yield _unclosed(name, row_number, text, record, None)
            return
        if record.error:
            yield _file_error(name, row_number, f"cannot read the header row: {record.error}")
            return
        header = record.cells
    if len(header) > MAX_COLUMNS:
        message = f"the header row has {len(header)} columns (at most {MAX_COLUMNS})"
        yield _file_error(name, row_number, message)
        return
    sample = _sample(text, delimiter, len(header))
    columns, errors, notes = _map_header(header, name, row_number, column_map, sample)
    if errors:
        yield from errors
        return
    yield from notes
    constants = dict(constants or {})
    fields = {column.field for column in columns}
    if "budget" in fields and "currency" not in fields and "currency" not in constants:
        # Budgets without a currency cannot be converted: a portfolio would total nothing.
        yield CsvNote(
            name,
            row_number,
            "the budgets have no currency column: amounts that do not name their currency are "
            "left out of converted totals; give it with --constant currency=EUR (or a currency "
            "column)",
        )
    seen_ids: dict[str, int] = {}
    while True:
        row_number += 1
        try:
            record = _next_record(reader, lines, text, delimiter)
        except StopIteration:
            break
        # A quote never closed leaves no way to tell where the rows after it begin: the csv
        # module reads them into its cell, or, past its cell limit, starts again mid-cell and
        # reads what follows as rows under wrong numbers. Nothing after it is read.
        if record.unclosed:
            yield _unclosed(name, row_number, text, record, header)
            return
        if record.error:
            # A cell over the limit: the csv module goes on with the next line, which for a
            # quoted cell over several lines is still inside it.
            lines.skip_to(_scan_record(text, record.start, delimiter).end)
            yield CsvRowError(name, row_number, None, "", row_problem(record.error))
            continue
        cells = record.cells
        if not any(cell.strip() for cell in cells):
            continue
        first = _first_use(cells, columns, seen_ids)
        if first is not None:
            # A watchdog's sheet may list one project twice (two contracts, two phases): the
            # row is kept under an id of its own and the repeat is noted.
            column = next(c for c in columns if c.field == "id")
            original = cells[column.index].strip()
            cells = list(cells)
            cells[column.index] = f"{original} (row {row_number})"
            yield CsvNote(
                name,
                row_number,
                f"id {excerpt(original)} is already used on row {first}; this row is read as "
                f"{excerpt(cells[column.index])}",
            )
        result = _convert_row(cells, columns, header, name, row_number, constants)
        if isinstance(result, list):
            yield from result
            continue
        seen_ids[result["id"]] = row_number
        yield result


def read_text(path, name: str | None = None, max_bytes: int | None = None) -> tuple[str, str]:
    """A CSV file's text and delimiter. Only a regular file of at most max_bytes (default
    MAX_BYTES) is read, as UTF-8 (or UTF-16/32 with a byte-order mark), and Excel's `sep=` line
    is taken off; otherwise LoadError names the file and says what is wrong."""
    text, delimiter, _lines_before = _read_text(path, name, max_bytes)
    return text, delimiter


def _read_text(path, name: str | None, max_bytes: int | None) -> tuple[str, str, int]:
    """read_text's text and delimiter, and the number of lines taken off before the text (1
    for a `sep=` line), so that line numbers can be the file's."""
    name = name or str(path)
    max_bytes = max_bytes or MAX_BYTES
    try:
        raw = read_input(path, max_bytes)
    except OSError as exc:
        raise LoadError([_file_error(name, None, f"cannot read file: {exc.strerror}")]) from None
    if raw is None:
        raise LoadError([_file_error(name, None, too_large(max_bytes))])
    text = _decode(raw, name)
    hint = re.match(r"sep=([,;\t|])\r?\n", text)  # Excel's delimiter line, hidden by Excel
    if hint:
        return text[hint.end() :], hint.group(1), 1
    return text, sniff_delimiter(text), 0


def row_problem(exc: csv.Error) -> str:
    """What a row the csv module cannot read has wrong, for a message naming the row."""
    if "field larger than field limit" in str(exc):
        # Excel holds at most 32,767 characters in a cell; the csv module's limit is 4x.
        return (
            f"a cell is longer than {csv.field_size_limit()} characters, the limit for one "
            "cell; row skipped"
        )
    return f"cannot read the row: {exc}"


# A line as io.StringIO(newline="") hands it to the csv module: up to \n, \r\n or \r.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_QUOTES = re.compile(r'"+')
_ODD_QUOTES = re.compile(r'"(?<!"")(?:"")*(?!")')  # a run of an odd number of quotes


class _Lines:
    """The file's lines for the csv reader, counting the characters and lines handed out, so
    that the text of a record and its line in the file are known (the csv module says only
    how many lines it read), and able to skip the rest of a record the reader gave up on."""

    def __init__(self, text: str, first_line: int = 1):
        self.text = text
        self.offset = 0
        self.line = first_line  # the file's line number of the next line handed out

    @property
    def at_end(self) -> bool:
        return self.offset >= len(self.text)

    def __iter__(self):
        while self.offset < len(self.text):
            end = _LINE.match(self.text, self.offset).end()
            line = self.text[self.offset : end]
            self.offset = end
            self.line += 1
            yield line

    def skip_to(self, offset: int) -> None:
        if offset > self.offset:
            self.line += _line_breaks(self.text, self.offset, offset)
            self.offset = offset


def _line_breaks(text: str, start: int, end: int) -> int:
    return (
        text.count("\n", start, end) + text.count("\r", start, end) - text.count("\r\n", start, end)
    )


@dataclass(frozen=True)
class _Record:
    """Where a record of the file ends, read as the csv module reads it (not strict)."""

    end: int  # offset just after it (its line break included), or the file's length
    open_quote: int | None  # offset of a quote that opens a cell and is never closed
    column: int  # 1-based number of its last cell (the open one)


def _scan_record(text: str, start: int, delimiter: str) -> _Record:
    # Only a quote at the start of a cell opens a quoted cell; after its closing quote the
    # cell goes on unquoted to the delimiter or line break, as the csv module reads it when
    # not strict. Linear in the record's length: run only at the end of the file or when the
    # csv module gave up on a record.
    unquoted = re.compile(rf"[^{re.escape(delimiter)}\r\n]*")
    position, column = start, 1
    while True:
        if text.startswith('"', position):
            closed = _closing_quote_end(text, position)
            if closed is None:
                return _Record(len(text), position, column)
            position = closed
        position = unquoted.match(text, position).end()
        if position >= len(text):
            return _Record(len(text), None, column)
        if text[position] == delimiter:
            position, column = position + 1, column + 1
            continue
        return _Record(_LINE.match(text, position).end(), None, column)


def _closing_quote_end(text: str, opening: int) -> int | None:
    """The offset after the quote that closes the cell whose quote opens at `opening`, or None
    when it is never closed. A doubled quote in the cell is one quote, so the cell closes at
    the end of the first run of an odd number of quotes after the opening one."""
    first_run = _QUOTES.match(text, opening).end()
    if (first_run - opening) % 2 == 0:  # the opening quote, pairs, and the closing one
        return first_run
    odd = _ODD_QUOTES.search(text, first_run)
    return odd.end() if odd else None


class _Read(NamedTuple):
    """A record as read: its cells, or None with the csv module's error; where it starts (offset
    in the text, line in the file); and a quote in it never closed (or None)."""

    cells: list[str] | None
    error: csv.Error | None
    start: int
    first_line: int
    unclosed: _Record | None


def _next_record(reader, lines: _Lines, text: str, delimiter: str) -> _Read:
    """The next record of the reader over lines; StopIteration at the end of the file."""
    start, first_line = lines.offset, lines.line
    try:
        cells, error = next(reader), None
    except csv.Error as exc:
        cells, error = None, exc
    unclosed = _unclosed_quote(text, start, lines, delimiter, cells is None or lines.at_end)
    return _Read(cells, error, start, first_line, unclosed)


def _unclosed_quote(text: str, start: int, lines: _Lines, delimiter: str, suspect: bool):
    """The record from start to where the reader stopped, when a quote in it is never closed,
    else None. Only a suspect record is read again: one at the end of the file (the csv module,
    not strict, takes every line to the end into the open cell without a word) or one it gave
    up on (past its cell limit). The opening quote is among the lines the reader took."""
    if not suspect or '"' not in text[start : lines.offset]:
        return None
    record = _scan_record(text, start, delimiter)
    return record if record.open_quote is not None else None


def _unclosed(name, row, text, read: _Read, header) -> CsvRowError:
    """The error for a quote never closed, in the header (header None) or a row."""
    record = read.unclosed
    line = read.first_line + _line_breaks(text, read.start, record.open_quote)
    left = _line_breaks(text, record.open_quote, len(text)) + (not text.endswith(("\n", "\r")))
    message = (
        f"the quote that opens {{}} on line {line} is never closed, so the rows after it cannot "
        f"be told apart: the {left} line(s) from line {line} to the end of the file were not "
        "read; close the quote"
    )
    if header is None:
        return _file_error(name, row, message.format(f"column {record.column} of the header"))
    column = record.column
    label = header[column - 1].strip() if column <= len(header) else f"column {column}"
    return CsvRowError(name, row, column, label, message.format("this cell"))


def _first_use(cells, columns, seen_ids) -> int | None:
    column = next((c for c in columns if c.field == "id"), None)
    if column is None or column.index >= len(cells):
        return None
    return seen_ids.get(cells[column.index].strip())


def _sample(text: str, delimiter: str, width: int, rows: int = 200) -> list[list[str]]:
    """The first rows under the header, column by column, to suggest a mapping from values."""
    reader = csv.reader(io.StringIO(text[: 1 << 20], newline=""), delimiter=delimiter)
    columns: list[list[str]] = [[] for _ in range(width)]
    try:
        next(reader)
        for _ in range(rows):
            cells = next(reader)
            for i, cell in enumerate(cells[:width]):
                if cell.strip():
                    columns[i].append(cell.strip())
    except (StopIteration, csv.Error):
        pass
    return columns


def _decode(raw: bytes, name: str) -> str:
    try:
        return decode(raw, name)
    except LoadError as exc:
        hint = (
            "; the file is not UTF-8 (perhaps Windows-1252 or Latin-1): save it as "
            "'CSV UTF-8' in Excel, or choose the UTF-8 character set in LibreOffice"
        )
        raise LoadError(
            [
                _file_error(
                    name,
                    error.line,
                    error.message + (hint if "UTF-8" in error.message else ""),
                )
                for error in exc.errors
            ]
        ) from None


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; and tab that splits the header into the most known columns."""
    first = next((line for line in io.StringIO(text, newline=None) if line.strip()), "")
    index = _header_index()

    def score(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([first], delimiter=delimiter), [])
        except csv.Error:  # one cell over the csv module's limit: not this delimiter
            return -1, 0
        # A header wider than MAX_COLUMNS is refused anyway: its tail need not be read.
        names = map(_norm_header, cells[: MAX_COLUMNS + 1])
        known = sum(1 for name in names if name in index or name.startswith("x "))
        return known, len(cells)

    best = max(DELIMITERS, key=score)
    if score(best)[1] > 1:
        return best
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return ","


def _map_header(
    header: list[str], name: str, row: int, column_map: dict | None = None, sample=None
) -> tuple[list[_Column], list[InputError], list[CsvNote]]:
    """Columns by field. A header is read, in order, by the user's mapping, by name or alias
    (ProjectTitle is 'project title'), by its values (a location column whose cells are
    countries), or kept as an x- field; only a repeated field or a bad mapping is an error."""
    index = _header_index()
    x_index = {_norm_header(a): f for f, aliases in X_COLUMNS.items() for a in (f[2:], *aliases)}
    given = {_norm_header(k): str(v).strip() for k, v in (column_map or {}).items()}
    columns: list[_Column] = []
    errors: list[InputError] = []
    used: dict[str, str] = {}
    suggested: list[str] = []
    kept: list[str] = []
    guessed = False  # a header read by its values, by camelCase, or kept as x-: say so
    for i, text in enumerate(header):
        if i == 0:
            text = text.lstrip("\ufeff")
        norm = _norm_header(text)
        if not norm:
            continue  # an unnamed column: its cells must stay empty (checked per row)
        split = None
        if norm in given:
            match = _SPLIT.match(given[norm])
            target = match.group("field").strip() if match else given[norm]
            split = match.group("sep") if match else None
            if target == "ignore":
                columns.append(_Column(i, text.strip(), "ignore"))
                continue
            field = index.get(_norm_header(target), target if target.startswith("x-") else None)
            if field is None:
                errors.append(
                    CsvRowError(
                        name,
                        row,
                        i + 1,
                        text.strip(),
                        f"the mapping names {target!r}, which is not a field (one of: "
                        f"{', '.join(COLUMNS)}, x-..., ignore)",
                    )
                )
                continue
        elif norm.startswith("x "):
            field = "x-" + norm[2:].replace(" ", "-")
        elif norm in index:
            field = index[norm]
            if _norm_header(field) != norm:
                suggested.append(f"{text.strip()}={field}")
                plain = " ".join(re.sub(r"[_\-\s]+", " ", text.strip().casefold()).split())
                guessed = guessed or plain != norm  # read by its camelCase
        elif norm in x_index:
            field = x_index[norm]
            suggested.append(f"{text.strip()}={field}")
            guessed = True
        elif norm in PLACE_COLUMNS and "country" not in used and _places(sample, i):
            field = "country"
            suggested.append(f"{text.strip()}={field}")
            guessed = True
        else:
            field = "x-" + re.sub(r"[^a-z0-9]+", "-", norm).strip("-")
            close = difflib.get_close_matches(norm, list(index), n=1, cutoff=0.85)
            hint = f" (did you mean {index[close[0]]!r}?)" if close else ""
            kept.append(f"{text.strip()}={field}{hint}")
        if field == "implementer" and split is None and norm not in given:
            cells = sample[i] if sample and i < len(sample) else []
            with_commas = sum(", " in c and ";" not in c for c in cells)
            if cells and with_commas >= max(1, len(cells) // 10):
                split = ","  # "International Organization for Migration, World Food Programme"
                suggested = [x for x in suggested if not x.startswith(f"{text.strip()}=")]
                suggested.append(f"{text.strip()}=implementer[,]")
        if field in used:
            message = f"column given twice (also as {used[field]!r})"
            if field.startswith("x-") and norm not in given:
                field = f"{field}-{i + 1}"
            else:
                errors.append(CsvRowError(name, row, i + 1, text.strip(), message))
                continue
        used[field] = text.strip()
        columns.append(_Column(i, text.strip(), field, split))
    for required in ("id", "title"):
        if required not in used and not errors:
            errors.append(
                CsvRowError(name, row, None, required, f"the file has no {required!r} column")
            )
    notes = []
    if suggested and (guessed or kept):
        notes.append(
            CsvNote(
                name,
                row,
                "columns read as: " + ", ".join(suggested) + " (check them; to change one, "
                "pass --map COLUMN=field or keep them in a mapping file, docs/import.md)",
            )
        )
    if kept:
        notes.append(
            CsvNote(
                name,
                row,
                "columns the format has no field for, kept as extension fields: "
                + ", ".join(kept)
                + f" (known columns: {', '.join(COLUMNS)}; --map COLUMN=field maps one)",
            )
        )
    return columns, errors, notes


def _places(sample, i: int) -> bool:
    """True when at least 80% of the column's sampled cells are lists of countries."""
    cells = sample[i] if sample and i < len(sample) else []
    if not cells:
        return False
    good = 0
    for cell in cells:
        parts = split_list(cell)
        if parts and all(country_code(p) for p in parts):
            good += 1
    return good >= 0.8 * len(cells)


def mapping_of(header: list[str], column_map: dict | None = None, sample=None) -> dict:
    """The mapping read_csv would use for a header: header -> field (for `import csv` to show
    and for a mapping file to keep)."""
    columns, _errors, _notes = _map_header(header, "", 1, column_map, sample)
    return {c.header: c.field + (f"[{c.split}]" if c.split else "") for c in columns}


# --- one row ------------------------------------------------------------------------------------


def _convert_row(cells, columns, header, name, row, constants=None) -> dict | list[InputError]:
    errors: list[InputError] = []
    by_field: dict[str, tuple[_Column, str]] = {}
    mapped = {c.index for c in columns}
    # A row of another width than the header has lost its shape: a delimiter inside an unquoted
    # value (too many cells), a line break inside one or a row cut short (too few). Its values
    # may sit under the wrong headers, or be missing without a trace, so either way the row is
    # skipped with the counts rather than screened as if its blanks were the sheet's.
    # Trailing empty cells beyond the header are what spreadsheets write, and are ignored.
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
        hint = "is a value with the delimiter unquoted?"
    elif len(cells) < len(header):
        hint = "a line break inside an unquoted value, or a row cut short?"
    else:
        hint = None
    if hint:
        errors.append(
            CsvRowError(
                name,
                row,
                min(len(cells), len(header)) + 1,
                "",
                f"the row has {len(cells)} cells but the header names {len(header)} "
                f"columns ({hint})",
            )
        )
    for i, cell in enumerate(cells[: len(header)]):
        if i not in mapped and cell.strip():
            errors.append(
                CsvRowError(
                    name, row, i + 1, f"column {i + 1}", "value in a column without a header"
                )
            )
    for column in columns:
        if column.field == "ignore":
            continue
        value = cells[column.index].strip() if column.index < len(cells) else ""
        if value.casefold() in EMPTY:
            continue
        if column.split:
            value = "; ".join(p.strip() for p in value.split(column.split) if p.strip())
        by_field[column.field] = (column, value)
    for field, value in (constants or {}).items():
        if field not in by_field and str(value).strip():
            by_field[field] = (_Column(-1, f"(constant {field})", field), str(value).strip())

    def fail(field: str, message: str, label: str | None = None) -> None:
        """An error in the field's column; label names it when no column holds the field."""
        column = by_field[field][0] if field in by_field else _find(columns, field)
        errors.append(
            CsvRowError(
                name,
                row,
                column.index + 1 if column and column.index >= 0 else None,
                column.header if column else (field if label is None else label),
                message,
            )
        )

    data: dict = {"schema_version": SCHEMA_VERSION}
    for field in ("id", "title"):
        if field not in by_field:
            fail(field, f"empty; every row needs {'an' if field == 'id' else 'a'} {field}")
    for field in ("id", "title", "summary", "description", "donor", "instrument"):
        if field in by_field:
            data[field] = by_field[field][1]
    if "language" in by_field:
        data["language"] = by_field["language"][1].lower()
    if "funding_source" in by_field:
        data["funding_source"] = _term(by_field["funding_source"][1])

    def convert(field, function, *args):
        if field not in by_field:
            return None
        try:
            return function(by_field[field][1], *args)
        except _CellError as exc:
            fail(field, str(exc))
            return None

    reported = convert("reported_as_oda", parse_bool)
    codes = convert("sector_codes", parse_sector_codes)
    if reported is not None or codes:
        data["oda"] = {}
        if reported is not None:
            data["oda"]["reported_as_oda"] = reported
        if codes:
            data["oda"]["purpose_codes"] = codes

    amount = convert("budget", parse_amount)
    total, written = amount if amount else (None, None)
    currency = by_field["currency"][1].upper() if "currency" in by_field else None
    if written and currency and written != currency:
        fail("budget", f"the amount is in {written} but the currency column says {currency}")
    currency = currency or written
    if total is not None or currency:
        data["budget"] = {}
        if total is not None:
            data["budget"]["total"] = total
        if currency:
            data["budget"]["currency"] = currency

    start, end = convert("start", parse_date), convert("end", parse_date)
    if start or end:
        data["period"] = {k: v for k, v in (("start", start), ("end", end)) if v}

    countries = convert("country", parse_countries)
    if countries:
        data["countries"] = countries
    if "region" in by_field:
        data["regions"] = split_list(by_field["region"][1], commas=False)
    criteria = convert("selection_criteria", parse_terms)
    if criteria:
        data["selection_criteria"] = criteria

    implementers = _implementers(by_field, fail)
    if implementers:
        data["implementers"] = implementers
    groups = convert("target_groups", parse_terms)
    if groups:
        data["target_groups"] = groups
    activities = convert("categories", parse_categories, total)
    if activities:
        data["activities"] = activities
    marker = convert("gender_marker", parse_gender_marker)
    if marker is not None:
        data["gender_marker"] = marker
    for field, (_column, value) in by_field.items():
        if field.startswith("x-"):
            data[field] = value
    source = {"file": Path(name).name, "row": row}
    data.setdefault("x-source", source)

    if errors:
        return _in_column_order(errors)
    try:
        proposal_from_data(data, name)
    except LoadError as exc:
        for error in exc.errors:
            field = _column_of(error.path)
            fail(field, _clean_message(error, field), error.path)
        return _in_column_order(errors)
    if "activities" not in data:  # after validation: made of values already checked
        data["activities"] = [_whole_row_activity(data)]
    return data


def _whole_row_activity(data: dict) -> dict:
    """A row without a categories column is one activity spanning the project, as an IATI
    activity is: the row's budget, and a category inferred by the same coding rules from its
    purpose codes and text (x-inferred says from what), so the portfolio's shares per category
    cover a watchdog's sheet too."""
    from pcd_screen.inputs.iati import categorise

    activity: dict = {"id": "A1", "title": data["title"], "x-whole-row": True}
    if data.get("description"):
        activity["description"] = data["description"]
    total = (data.get("budget") or {}).get("total")
    if total is not None:
        activity["budget"] = total
    categorise(data, activity)
    return activity


def _in_column_order(errors: list[InputError]) -> list[InputError]:
    return sorted(errors, key=lambda error: error.column or 0)


def _find(columns, field):
    return next((c for c in columns if c.field == field), None)


def _column_of(path: str) -> str:
    for prefix, column in PATH_COLUMNS:
        if path == prefix or path.startswith((prefix + ".", prefix + "[")):
            if prefix == "implementers" and path.endswith(".type"):
                return "implementer_type"
            return column
    return re.split(r"[.\[]", path, maxsplit=1)[0] if path else ""


def _clean_message(error: InputError, field: str) -> str:
    # Keep the item position (countries[1].code -> item 2) but drop the YAML path.
    match = re.search(r"\[(\d+)\]", error.path or "")
    where = f"item {int(match.group(1)) + 1}: " if match else ""
    return f"{where}{error.message}"


def _implementers(by_field, fail) -> list[dict]:
    names = (
        split_list(by_field["implementer"][1], commas=False) if "implementer" in by_field else []
    )
    types = (
        [_term(t) for t in split_list(by_field["implementer_type"][1])]
        if "implementer_type" in by_field
        else []
    )
    if types and not names:
        fail("implementer_type", "implementer types are given but no implementer")
        return []
    if types and len(types) != len(names):
        fail(
            "implementer_type",
            f"{len(types)} types for {len(names)} implementers; give one type per implementer, "
            "in the same order, separated by ';'",
        )
        return []
    out = []
    for i, implementer in enumerate(names):
        item = {"name": implementer}
        if types:
            item["type"] = types[i]
        out.append(item)
    return out


# --- cell formats -------------------------------------------------------------------------------


def split_list(text: str, commas: bool = True, valid=None) -> list[str]:
    """Split on ';' or new lines; on ',' only when there is no ';' and every part is valid."""
    parts = [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]
    if commas and len(parts) == 1 and "," in parts[0]:
        pieces = [p.strip() for p in parts[0].split(",") if p.strip()]
        if valid is None or all(valid(p) for p in pieces):
            return pieces
    return parts


def _term(text: str) -> str:
    """'UN agency' -> 'un-agency': vocabulary terms are kebab-case."""
    return re.sub(r"[\s_]+", "-", text.strip().casefold())


def parse_terms(text: str) -> list[str]:
    terms = [_term(t) for t in split_list(text)]
    _no_duplicates(terms)
    return terms


def _no_duplicates(items) -> None:
    seen = set()
    for item in items:
        if item in seen:
            raise _CellError(f"{excerpt(item)} is listed twice")
        seen.add(item)


def parse_bool(text: str) -> bool:
    word = text.strip().casefold()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise _CellError(f"{excerpt(text)} is not yes/no (use yes, no, true, false, 1 or 0)")


def parse_gender_marker(text: str) -> int:
    word = text.strip().casefold()
    if word in GENDER_WORDS:
        return GENDER_WORDS[word]
    if re.fullmatch(r"[012](\.0+)?", word):
        return int(float(word))
    raise _CellError(f"{excerpt(text)} is not a gender marker (0, 1 or 2)")


_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)*|[.,]\d+)")


def parse_number(text: str, what: str = "a number") -> int | float:
    """Amounts as spreadsheets write them: 12000000, 12,000,000, 12.000.000, 12 000 000,50."""
    cleaned = re.sub(r"[\s\u00a0\u202f'’]", "", text)
    if re.fullmatch(r"[+-]?\d+(\.\d+)?[eE][+-]?\d{1,2}", cleaned):  # 1e+07, as R and pandas write
        value = float(cleaned)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if not _NUMBER.fullmatch(cleaned):
        raise _CellError(f"{excerpt(text)} is not {what}")
    commas, dots = cleaned.count(","), cleaned.count(".")
    if commas and dots:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        cleaned = cleaned.replace(thousands, "").replace(decimal, ".")
    elif commas or dots:
        mark = "," if commas else "."
        count = commas or dots
        if count > 1:
            if not re.fullmatch(r"[+-]?\d{1,3}(" + re.escape(mark) + r"\d{3})+", cleaned):
                raise _CellError(f"{excerpt(text)} is not {what}")
            cleaned = cleaned.replace(mark, "")
        elif re.fullmatch(r"[+-]?[1-9]\d{0,2}" + re.escape(mark) + r"\d{3}", cleaned):
            raise _CellError(
                f"{excerpt(text)} is ambiguous (thousands separator or decimal mark?); "
                f"write it without separators"
            )
        else:
            cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:  # both marks, misplaced: "2.000.000,50." (found by fuzz_csv.py)
        raise _CellError(f"{excerpt(text)} is not {what}") from None
    if not math.isfinite(value):
        raise _CellError(f"{excerpt(text)} is not {what}")
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


CURRENCY_SIGNS = {"€": "EUR", "£": "GBP", "US$": "USD"}


def parse_amount(text: str) -> tuple[int | float, str | None]:
    """'EUR 12,000,000' or '€12.000.000' -> (12000000, 'EUR'); a bare number -> (n, None)."""
    value = text.strip()
    sign = "|".join(re.escape(s) for s in CURRENCY_SIGNS)
    match = re.fullmatch(
        rf"(?:(?P<pre>[A-Z]{{3}}|{sign})\s*)?(?P<number>.*?)(?:\s{{0,20}}(?P<post>[A-Z]{{3}}|{sign}))?",
        value,
    )
    code = None
    if match and (match.group("pre") or match.group("post")) and match.group("number"):
        written = match.group("pre") or match.group("post")
        code = CURRENCY_SIGNS.get(written, written)
        value = match.group("number")
    try:
        return parse_number(value), code
    except _CellError as exc:
        if "ambiguous" in str(exc):
            raise
        raise _CellError(f"{excerpt(text)} is not a number") from None


def parse_date(text: str) -> str:
    """YYYY-MM-DD (a time after it is dropped), YYYY/MM/DD or DD.MM.YYYY -> ISO date."""
    value = text.strip()
    for pattern, order in (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?", "ymd"),
        (r"(\d{4})/(\d{1,2})/(\d{1,2})", "ymd"),
        (r"(\d{1,2})\.(\d{1,2})\.(\d{4})", "dmy"),
    ):
        match = re.fullmatch(pattern, value)
        if match:
            a, b, c = (int(g) for g in match.groups())
            year, month, day = (a, b, c) if order == "ymd" else (c, b, a)
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                raise _CellError(f"{excerpt(text)} is not a valid date") from None
    raise _CellError(f"{excerpt(text)} is not a date (write YYYY-MM-DD)")


# A share ends its item and is short: every quantifier after the value is bounded, so only the
# last SHARE_TAIL characters are matched. Tried at each character of a cell of up to 131,072
# characters, the unbounded pattern was quadratic (20,000 digits took 16 s).
_PERCENT = r"[0-9]{1,20}(?:[.,][0-9]{1,20})?"
_SHARE = re.compile(
    rf"(?P<value>.*?)\s{{0,20}}(?:[:=]\s{{0,20}}(?P<a>{_PERCENT})\s{{0,20}}%?"
    rf"|\(?\s{{0,20}}(?P<b>{_PERCENT})\s{{0,20}}%\s{{0,20}}\)?)"
)
SHARE_TAIL = 150  # longer than the longest share the pattern takes (124 characters)


def split_shares(text: str, valid=None) -> list[tuple[str, float | None]]:
    """'NER:60; MLI:40' -> [('NER', 60), ('MLI', 40)]; 'NER' -> [('NER', None)]."""

    def parse(item: str) -> tuple[str, float | None]:
        head, tail = item[:-SHARE_TAIL], item[-SHARE_TAIL:]
        match = _SHARE.fullmatch(tail)
        if match and (head or match.group("value")):
            share = parse_number(match.group("a") or match.group("b"), "a percentage")
            return (head + match.group("value")).strip(), share
        return item, None

    items = [
        parse(p) for p in split_list(text, valid=lambda p: valid is None or valid(parse(p)[0]))
    ]
    with_share = [share for _value, share in items if share is not None]
    if with_share and len(with_share) != len(items):
        raise _CellError("give a percentage for every item or for none")
    for value, share in items:
        if share is not None and not 0 <= share <= 100:
            raise _CellError(f"{value}: percentage {share} is not between 0 and 100")
    return items


def _coded_shares(out: list[dict]) -> list[dict]:
    """A cell's codes with their shares: a code repeated without shares is read once ('SN,
    SN'), a code repeated with shares is an error, and a single code has the whole share."""
    if all("percentage" not in c for c in out):
        out = [dict(t) for t in dict.fromkeys(tuple(c.items()) for c in out)]
    _no_duplicates(c["code"] for c in out)
    if len(out) == 1 and "percentage" not in out[0]:
        out[0]["percentage"] = 100
    return out


def parse_countries(text: str) -> list[dict]:
    items = split_shares(text, valid=lambda v: country_code(v) is not None)
    out = []
    for value, share in items:
        code = country_code(value)
        if code is None:
            raise _CellError(_unknown_country(value))
        out.append({"code": code} if share is None else {"code": code, "percentage": share})
    return _coded_shares(out)


# A purpose code has 5 digits (7 with a CRS suffix); a run of digits longer than this is no
# code, and int() of one over 4,300 digits raises ValueError (Python's conversion limit).
MAX_CODE_DIGITS = 9


def parse_sector_codes(text: str) -> list[dict]:
    def code_of(value: str) -> int | None:
        match = re.fullmatch(
            rf"(\d{{1,{MAX_CODE_DIGITS}}})(?:\.0+)?(?:(?:\s*[-–—:])?\s+\D.*)?", value.strip()
        )
        return int(match.group(1)) if match else None

    out = []
    for value, share in split_shares(text, valid=lambda v: code_of(v) is not None):
        code = code_of(value)
        if code is None:
            raise _CellError(f"{excerpt(value)} is not a DAC purpose code (5 digits, e.g. 15190)")
        if len(str(code)) == 3:
            raise _CellError(
                f"{code} is a 3-digit DAC sector; give the 5-digit purpose code (e.g. {code}10)"
            )
        if len(str(code)) not in (5, 7):
            raise _CellError(f"{excerpt(value)} is not a DAC purpose code (5 digits, e.g. 15190)")
        out.append({"code": code} if share is None else {"code": code, "percentage": share})
    return _coded_shares(out)


def parse_categories(text: str, total) -> list[dict]:
    """'border-control:70; basic-services:30' -> one activity per category, budget = share."""
    items = [(_term(v), s) for v, s in split_shares(text)]
    _no_duplicates(v for v, _s in items)
    if len(items) == 1 and items[0][1] is None:
        items = [(items[0][0], 100)]
    out = []
    for i, (category, share) in enumerate(items, start=1):
        activity: dict = {"id": f"C{i}", "category": category}
        if share is not None:
            if total is not None:
                amount = round(total * share / 100, 2)
                activity["budget"] = int(amount) if float(amount).is_integer() else amount
            activity["x-share"] = share
        out.append(activity)
    return out


# --- countries ----------------------------------------------------------------------------------


def country_code(text: str) -> str | None:
    """Alpha-3, alpha-2 or a name (en/nl/fr) -> alpha-3 code, or None (engine/countries.py)."""
    from pcd_screen.engine.countries import country_code as lookup

    return lookup(text)


def _unknown_country(value: str) -> str:
    from pcd_screen.engine.countries import close_name

    close = close_name(value)
    hint = f"; did you mean {close[1]!r} ({close[0]})?" if close else ""
    return (
        f"{excerpt(value)} is not a country (ISO 3166-1 alpha-3 or alpha-2 code, or its name){hint}"
    )


def read_records(
    file, lang: str = "en", max_size: int | None = None, column_map=None, constants=None
) -> Iterator:
    """The input registry's reader: proposal mappings, or the text of each error or note."""
    for item in read_csv(file, max_bytes=max_size, column_map=column_map, constants=constants):
        yield item if isinstance(item, dict) else str(item)


def suggest_mapping(path, column_map: dict | None = None, max_bytes: int | None = None) -> dict:
    """The column mapping read_csv would use for a file: header -> field (for --save-map).
    LoadError as read_text raises it."""
    text, delimiter = read_text(path, max_bytes=max_bytes)
    text = text.lstrip("\r\n")
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    return mapping_of(header, column_map, _sample(text, delimiter, len(header)))
