"""Tables from partners' files: CSV as Excel writes it, and Excel workbooks (.xlsx), read whole or refused whole.

A CSV is read as UTF-8 (with or without a byte order mark) when it is valid UTF-8, and otherwise as Windows-1252
(cp1252), the encoding Excel's plain "CSV" writes in Finland; the table says so then, for the report. Its
delimiter is `;` (Excel in a Finnish locale), `,` or a tab: the one that splits the header into the most known
column names. A workbook is read with openpyxl in read-only mode, values rather than formulas, from the sheet
named `sheet` or else the first one. Cells are kept as they come: text from a CSV, numbers, dates and text
from a workbook.

Positions are spreadsheet positions for both: line 1 is the header, and a column is a letter (`A`, `B`, ...
`AA`), as Excel shows it when it opens either file.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from graph_api.text import fold

DELIMITERS = (";", ",", "\t")
UNZIPPED_PER_BYTE = 10
"""A workbook is a zip of XML: its content may unpack to this many times the size limit, no more (a zip bomb
is refused before it is read)."""
ZIP_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

Cell = object
"""A cell as read: text from a CSV; text, a number, a date or a time from a workbook; None when empty."""


class TableError(Exception):
    """The file cannot be read as a table: `where` (`file`, `file:line`) and why."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TableRow:
    """One line of the table below the header, by its line number in the file (or row number in the sheet)."""

    line: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A header, the rows below it, and how the file was read when that is worth telling (`note`)."""

    name: str
    header: tuple[str, ...]
    rows: list[TableRow]
    note: str | None = None


def column_letter(index: int) -> str:
    """The spreadsheet letter of a column counted from 0: `A`, ..., `Z`, `AA`."""
    return str(get_column_letter(index + 1))


def read_table(path: Path, max_bytes: int, known: Collection[str], sheet: str) -> Table:
    """The table in a .csv or .xlsx file; a TableError says why there is none.

    `known` are the column names expected (folded), which tell a CSV's delimiter; `sheet` the workbook sheet
    to prefer to the first.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TableError(path.name, f"cannot be read: {exc.strerror}") from None
    if size > max_bytes:
        raise TableError(path.name, f"is {size / 1e6:.1f} MB, over the import limit of {max_bytes / 1e6:g} MB")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv(path.name, path.read_bytes(), known)
    if suffix == ".xlsx":
        return _workbook(path, max_bytes, sheet)
    raise TableError(path.name, f"is neither .csv nor .xlsx (its name ends in {suffix or 'no extension'!r})")


def _csv(name: str, data: bytes, known: Collection[str]) -> Table:
    text, note = _decoded(name, data)
    delimiter = _delimiter(io.StringIO(text).readline(), known)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[TableRow] = []
    header: tuple[str, ...] | None = None
    line = 1
    try:
        for record in reader:
            if header is None:
                header = tuple(record)
            elif any(cell.strip() for cell in record):
                rows.append(TableRow(line, tuple(record)))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise TableError(f"{name}:{line}", f"is not well-formed CSV: {exc}") from None
    if header is None:
        raise TableError(name, "is empty: the first line must name the columns")
    return Table(name, header, rows, note)


def _decoded(name: str, data: bytes) -> tuple[str, str | None]:
    """The text and, when it was not UTF-8, a note of the encoding it was read in."""
    if data.startswith(ZIP_MAGIC):
        raise TableError(name, "is an Excel workbook, not CSV: name it .xlsx")
    if data.startswith(UTF16_BOMS):
        raise TableError(name, "is UTF-16 text (Excel's 'Unicode text'): save it as 'CSV UTF-8' instead")
    if b"\x00" in data:
        raise TableError(name, "holds NUL bytes, so it is no text file: save it as 'CSV UTF-8'")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TableError(
            name,
            f"is neither UTF-8 nor Windows-1252 (byte {exc.object[exc.start]:#04x} at {exc.start}): "
            "save it as 'CSV UTF-8'",
        ) from None
    return text, "read as Windows-1252 (cp1252), not UTF-8: check that ä, ö and å came through; 'CSV UTF-8' is safer"


def _delimiter(header: str, known: Collection[str]) -> str:
    """The delimiter that splits the header line into the most known column names (`;` when none does)."""

    def score(delimiter: str) -> int:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        return sum(fold(cell.strip()) in known for cell in cells)

    return max(DELIMITERS, key=score)


def _workbook(path: Path, max_bytes: int, sheet: str) -> Table:
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise TableError(path.name, f"is not an Excel workbook (.xlsx is a zip file): {exc}") from None
    if unzipped > max_bytes * UNZIPPED_PER_BYTE:
        raise TableError(
            path.name, f"unpacks to {unzipped / 1e6:.0f} MB, over {UNZIPPED_PER_BYTE} times the import limit"
        )
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, ParseError) as exc:
        raise TableError(path.name, f"is not a readable Excel workbook: {exc}") from None
    try:
        worksheet = workbook[sheet] if sheet in workbook.sheetnames else workbook.worksheets[0]
        worksheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
        rows = list(enumerate(worksheet.iter_rows(values_only=True), start=1))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, ParseError, IndexError) as exc:
        raise TableError(path.name, f"is not a readable Excel workbook: {exc}") from None
    finally:
        workbook.close()
    if not rows:
        raise TableError(f"{path.name}", "has an empty first sheet: its first row must name the columns")
    header = tuple("" if cell is None else str(cell) for cell in rows[0][1])
    body = [TableRow(line, tuple(cells)) for line, cells in rows[1:] if any(_filled(cell) for cell in cells)]
    return Table(path.name, header, body)


def _filled(cell: Cell) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())
