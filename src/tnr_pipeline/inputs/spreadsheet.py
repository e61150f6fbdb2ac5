"""Reading a person's spreadsheet as it is: any common encoding and delimiter, title rows above the header, a
workbook's named sheet, headers in any language mapped onto the contract's columns.

What belongs here: turning a file into a table of text whose columns are the contract's, indexed by the row number
a person sees in the sheet, and a plain account of what was read (for the step's log). Whatever cannot be read
becomes one `InputFileError` that names the file and says what to do. Personal columns are dropped as soon as the
header is known: their cells are only ever tested for being blank, never copied, logged or shown.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io as text_io
import re
import zipfile
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
HEADER_SEARCH_ROWS = 20
ROW_INDEX = "row"  # the spreadsheet row a person sees: the sheet's first row is row 1
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx files and old .xls files start with it
MAX_CELL_CHARS = 131_072  # the longest CSV cell read (Python's csv module's own limit); a longer one is refused


class InputFileError(Exception):
    """The file cannot be read as a table at all; the message names the file and says what to do."""


@dataclass
class SheetRead:
    """A sheet read as text, with its contract columns only, and what was read (for the log)."""

    frame: pd.DataFrame
    header_row: int
    found: dict[str, str]  # contract column -> the header it was read from
    missing: dict[str, str]  # contract column -> the header that was looked for
    mapped: dict[str, str]  # contract column -> header given in config `columns`
    headers: list[str]  # every header in the header row, as written
    details: list[str] = field(default_factory=list)

    def describe(self, path: str | Path) -> str:
        """What was read, in a few lines (headers by name only, never a cell of a personal column)."""
        dropped = [
            h
            for h in self.headers
            if h and normalise_header(h) not in {normalise_header(found) for found in self.found.values()}
        ]
        found = ", ".join(c if normalise_header(h) == c else f'{c} (from "{h}")' for c, h in self.found.items())
        lines = [
            f"read {path}",
            *self.details,
            f"header row: {self.header_row}",
            f"rows below the header (blank rows left out): {len(self.frame)}",
            f"contract columns found: {found or 'none'}",
            f"columns dropped, by name: {', '.join(dropped) if dropped else 'none'}",
        ]
        return "\n".join(f"  {line}" if i else line for i, line in enumerate(lines))


def normalise_header(name: object) -> str:
    """A column header as the pipeline compares it: trimmed, lower case, ё as е, runs of spaces as one underscore."""
    return "_".join(str(name).strip().casefold().replace("ё", "е").split())


# ---- bytes to text ------------------------------------------------------------------------------------------


CODECS = {
    "UTF-8 with byte-order mark": "utf-8-sig",
    "UTF-16": "utf-16",
    "UTF-8": "utf-8",
    "Windows-1251": "cp1251",
    "Windows-1252": "cp1252",
}  # the encoding's name -> Python's codec


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding read, by a fixed rule: a byte-order mark (UTF-8 or UTF-16) decides;
    else UTF-8 if the bytes are valid UTF-8; else Windows-1251 when the non-ASCII letters stand in words of their
    own (Cyrillic), Windows-1252 when they stand inside Latin words (é, ü, ñ). Undecidable files are refused."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8 with byte-order mark"
        except UnicodeDecodeError as error:
            raise InputFileError(
                f"'{name}' starts like UTF-8 text but is not (byte {error.start + len(codecs.BOM_UTF8)}): save it "
                "again as 'CSV UTF-8'"
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise InputFileError(f"'{name}' starts like UTF-16 text but is not: save it again as 'CSV UTF-8'") from None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    words = re.findall(rb"[A-Za-z\x80-\xff]+", data)
    own = sum(1 for word in words if min(word) >= 0x80)
    inside = sum(1 for word in words if max(word) >= 0x80 > min(word))
    if own == inside:
        raise InputFileError(
            f"'{name}' is not UTF-8, and its encoding cannot be told apart between Windows-1251 "
            "(Cyrillic) and Windows-1252 (Western European): save it from Excel as "
            "'CSV UTF-8 (comma delimited)'"
        )
    encoding, label = ("cp1251", "Windows-1251") if own > inside else ("cp1252", "Windows-1252")
    try:
        return data.decode(encoding), label
    except UnicodeDecodeError as error:
        raise InputFileError(
            f"'{name}' is not UTF-8 and not valid {label} text either (byte {error.start}): "
            "save it from Excel as 'CSV UTF-8 (comma delimited)'"
        ) from None


def detect_delimiter(text: str, suffix: str) -> str:
    """Comma, semicolon or tab: the one that splits the first rows into the most columns (tab for .tsv)."""
    if suffix == ".tsv":
        return "\t"
    head = _head(text)
    widest = {delimiter: _widest(head, delimiter) for delimiter in DELIMITERS}
    return max(DELIMITERS, key=lambda d: widest[d])  # ties go to the first: comma, then semicolon


def _head(text: str) -> str:
    """The first rows of a text, where the header and any title rows above it stand, with any line ending (CR-only,
    as older Excel for Mac writes, LF or CRLF) read as LF."""
    return "".join(islice(text_io.StringIO(text, newline=None), HEADER_SEARCH_ROWS + 5))


# ---- reading the raw grid ----------------------------------------------------------------------------------


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputFileError(f"'{path}' does not exist: check the path given in config.yaml (or --config)")
    if path.is_dir():
        raise InputFileError(f"'{path}' is a folder, not a file: give the path of the spreadsheet itself")
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + WORKBOOK_SUFFIXES:
        allowed = ", ".join(CSV_SUFFIXES + WORKBOOK_SUFFIXES)
        raise InputFileError(
            f"'{path.name}' is not a spreadsheet this pipeline reads (its name ends in "
            f"'{suffix or 'nothing'}'). Allowed: {allowed}. Save it from Excel as .xlsx or as CSV"
        )


def _read_csv_grid(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Every row and cell of a CSV as text (ragged rows padded), and how it was read."""
    import pandas as pd

    text, encoding = decode(path.read_bytes(), path.name)  # decided on the whole file, then let go
    if not text.strip():
        raise InputFileError(f"'{path.name}' is empty: it needs a header row and one row per case")
    head = _head(text)
    del text
    delimiter = detect_delimiter(head, path.suffix.lower())
    width = _widest(head, delimiter)
    try:  # named columns as wide as the widest first row: shorter rows (titles above the header) are padded
        grid = pd.read_csv(
            path,
            encoding=CODECS[encoding],
            sep=delimiter,
            header=None,
            names=range(width),
            dtype="str",
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, csv.Error) as error:
        raise InputFileError(
            f"'{path.name}' cannot be read as a table ({error}): check that no row has more cells than the header"
        ) from None
    refuse_long_cells(grid, path.name)  # short rows come padded with "" (keep_default_na=False): no cell is NaN
    return grid, [f"encoding: {encoding}", f"delimiter: {DELIMITERS[delimiter]}"]


def _widest(text: str, delimiter: str) -> int:
    """The most cells any of the first rows has (at least one: a head of blank lines is one column wide)."""
    return max([1] + [len(row) for row in csv_rows(_head(text), delimiter)])


def csv_rows(text: str, delimiter: str) -> list[list[str]]:
    """The rows of a CSV text whose line endings `_head` has made LF, read by Python's csv module without its
    cell-size limit (a cell that is too long is refused by `refuse_long_cells`, which can name it). Such text gives
    the module nothing to refuse: its non-strict reader accepts any quoting and, since Python 3.11, NUL; a carriage
    return is the one character it refuses outside quotes, and `_head` leaves none (a property test tries any text)."""
    limit = csv.field_size_limit(2**31 - 1)  # the largest limit every platform's C long holds
    try:
        return list(csv.reader(text_io.StringIO(text), delimiter=delimiter))
    finally:
        csv.field_size_limit(limit)


def refuse_long_cells(grid: pd.DataFrame, name: str) -> None:
    """An InputFileError naming the first cell longer than MAX_CELL_CHARS (its row and column, as a person sees
    them), never its text: such a cell is no code of the contract, and may be someone's notes."""
    for position, column in enumerate(grid.columns):
        too_long = grid[column].str.len().to_numpy() > MAX_CELL_CHARS
        if too_long.any():
            row = int(too_long.argmax())
            raise InputFileError(
                f"'{name}': row {row + 1}, column {_column_letter(position)} holds a cell of "
                f"{len(grid.iat[row, position]):,} characters. Allowed: at most {MAX_CELL_CHARS:,} characters a cell. "
                "Shorten that cell or move the text out of the sheet"
            )


def workbook_sheets(path: Path) -> list[str]:
    from python_calamine import CalamineWorkbook

    return list(CalamineWorkbook.from_path(str(path)).sheet_names)


def _unreadable_workbook(path: Path) -> InputFileError:
    head = path.read_bytes()[:8]
    if head == OLE2_SIGNATURE and path.suffix.lower() != ".xls":
        return InputFileError(
            f"'{path.name}' is password-protected (encrypted): open it in Excel, remove the "
            "password (File > Info > Protect Workbook) and save it again"
        )
    if path.suffix.lower() in (".xlsx", ".xlsm", ".ods") and not zipfile.is_zipfile(path):
        return InputFileError(
            f"'{path.name}' is not a readable workbook: it is damaged or truncated, or not really "
            f"a {path.suffix} file. Open it in Excel or LibreOffice and save it again"
        )
    return InputFileError(
        f"'{path.name}' cannot be read as a workbook: it is damaged, password-protected or not "
        f"really a {path.suffix} file. Open it in Excel or LibreOffice and save it again as .xlsx"
    )


def _read_workbook_grid(path: Path, sheet: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Every row and cell of one sheet (the named one, else the first), and how it was read."""
    import pandas as pd

    try:
        sheets = workbook_sheets(path)
    except Exception:  # noqa: BLE001 - calamine raises its own error types for every kind of bad file
        raise _unreadable_workbook(path) from None
    if not sheets:
        raise InputFileError(f"'{path.name}' has no sheet")
    if sheet is not None and sheet not in sheets:
        raise InputFileError(f"'{path.name}' has no sheet named '{sheet}'. Its sheets: {', '.join(sheets)}")
    chosen = sheet if sheet is not None else sheets[0]
    try:
        grid = pd.read_excel(path, sheet_name=chosen, header=None, dtype=object, engine="calamine")
    except Exception:  # noqa: BLE001
        raise _unreadable_workbook(path) from None
    return grid, [f"sheet: {chosen} (of {', '.join(sheets)})"]


def cell_text(value: object) -> str:
    """One distinct spreadsheet cell as text, the way a person reads it in the sheet."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):  # pandas' Timestamp included
        return value.date().isoformat() if (value.hour, value.minute, value.second) == (0, 0, 0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# ---- the header -----------------------------------------------------------------------------------------------


def _wanted(columns: tuple[str, ...], mapping: dict[str, str]) -> dict[str, str]:
    """Contract column -> the normalised header that stands for it in the sheet."""
    return {column: normalise_header(mapping.get(column, column)) for column in columns}


def find_header_row(grid: pd.DataFrame, required: dict[str, str]) -> int:
    """The position of the header row: the first of the first rows that holds every required header; else the one
    holding the most of them (missing ones are then reported as missing columns)."""
    best, best_count = 0, -1
    for position in range(min(HEADER_SEARCH_ROWS, len(grid))):
        present = {normalise_header(cell) for cell in grid.iloc[position] if cell}
        count = sum(1 for header in required.values() if header in present)
        if count == len(required):
            return position
        if count > best_count:
            best, best_count = position, count
    return best


def duplicated_headers(headers: list[str]) -> list[list[str]]:
    """Groups of headers that are the same after normalisation (same text in another case or spacing)."""
    groups: dict[str, list[str]] = {}
    for header in headers:
        if header:
            groups.setdefault(normalise_header(header), []).append(header)
    return [group for group in groups.values() if len(group) > 1]


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def read_sheet(
    path: str | Path,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
) -> SheetRead:
    """Read a spreadsheet (CSV in any common encoding and delimiter, or a workbook's sheet) as text.

    The header row is the first of the first 20 rows that holds every required header (after `mapping`, contract
    column -> the sheet's own header). Only the contract's columns are kept, renamed to the contract's names;
    the index is the row number a person sees (the sheet's first row is row 1). Fully blank rows are dropped.
    """
    import pandas as pd

    from tnr_pipeline.model.io import map_distinct

    path, mapping = Path(path), dict(mapping or {})
    _check_path(path)
    if path.suffix.lower() in CSV_SUFFIXES:
        grid, details = _read_csv_grid(path)
        text = grid.apply(lambda column: column.str.strip())  # at least one column: `_widest`
    else:
        grid, details = _read_workbook_grid(path, sheet)
        text = pd.DataFrame({i: map_distinct(grid.iloc[:, i], cell_text) for i in range(grid.shape[1])})
    if text.empty:
        raise InputFileError(f"'{path.name}' is empty: it needs a header row and one row per entry")
    wanted = _wanted(required + optional, mapping)
    position = find_header_row(text, {c: wanted[c] for c in required})
    headers = [str(cell) for cell in text.iloc[position]]
    duplicates = duplicated_headers(headers)
    if duplicates:
        named = "; ".join(
            " and ".join(f'"{h}" (column {_column_letter(i)})' for i, h in _positions(headers, group))
            for group in duplicates
        )
        raise InputFileError(
            f"'{path.name}': the header row (row {position + 1}) names a column twice: {named}. "
            "Give each column its own header, or delete the copy"
        )
    by_header = {normalise_header(h): i for i, h in enumerate(headers) if h}
    found = {c: headers[by_header[h]] for c, h in wanted.items() if h in by_header}
    missing = {c: mapping.get(c, c) for c in required if c not in found}
    body = text.iloc[position + 1 :]
    body = body[(body != "").any(axis=1)]
    frame = pd.DataFrame({column: body[by_header[wanted[column]]] for column in found})
    frame.index = pd.Index(body.index + 1, name=ROW_INDEX)
    return SheetRead(
        frame, position + 1, found, missing, {c: h for c, h in mapping.items() if c in wanted}, headers, details
    )


def _positions(headers: list[str], group: list[str]) -> list[tuple[int, str]]:
    """(position, header) of each header of a duplicated group, in the order they stand."""
    keys = {normalise_header(h) for h in group}
    return [(i, h) for i, h in enumerate(headers) if h and normalise_header(h) in keys]


def sheets_with_columns(path: str | Path, required: tuple[str, ...], mapping: dict[str, str] | None) -> list[str]:
    """The sheets of a workbook whose first rows hold every required header (for a message that helps choose)."""
    path = Path(path)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        return []
    fitting = []
    for name in workbook_sheets(path):
        try:
            read = read_sheet(path, required, (), mapping, name)
        except InputFileError:
            continue
        if not read.missing:
            fitting.append(name)
    return fitting
