"""The workbook partners fill in (`graph-api import template FILE.xlsx`), so that what they write imports.

Its sheet `places` has the columns of `loaders.sheet_cells.COLUMNS` and one example row (its id begins with `#`,
so it is never imported); `instructions` says what each column takes. Drop-down lists offer the kinds (in
Finnish), the roles and the municipalities' Finnish names; they stand on a hidden sheet, `lists`, as 300-odd
names are too long for a list written into the validation itself. Kinds and municipalities warn about other
values without refusing them (codes, Swedish names and the English kinds import too); roles refuse them.
Text columns are formatted as text, so that Excel keeps `00100` and does not take `9-11` for a date.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from graph_api.geo.gazetteer import MUNICIPALITIES
from loaders.csvfiles import read_rows
from loaders.importing import ROLES
from loaders.sheet_cells import COLUMNS, DAYS, kind_choices
from loaders.sheet_files import column_letter
from loaders.spreadsheet import SHEET

INSTRUCTIONS = "instructions"
LISTS = "lists"
LAST_ROW = 1_048_576
"""Excel's last row: the drop-downs and formats reach every row a partner may fill."""
TEXT_COLUMNS = frozenset({"id", "name", "name_sv", "organiser", "street_address", "postal_code", *DAYS})
DATE_COLUMNS = frozenset({"valid_from", "valid_to"})
WIDE = 28
NARROW = 12


def municipality_names(seeds_dir: Path) -> list[str]:
    return sorted(row["name_fi"] for row in read_rows(seeds_dir / MUNICIPALITIES))


def write_template(path: Path, seeds_dir: Path) -> None:
    """Write the template to `path` (an .xlsx), with the municipalities of the seed folder in its drop-down."""
    workbook = openpyxl.Workbook()
    places = workbook.active
    assert isinstance(places, Worksheet)
    places.title = SHEET
    _places(places)
    _instructions(workbook.create_sheet(INSTRUCTIONS))
    lists = workbook.create_sheet(LISTS)
    choices = {"kind": kind_choices(), "role": list(ROLES), "municipality": municipality_names(seeds_dir)}
    for index, (column, values) in enumerate(choices.items()):
        _list(lists, index, column, values)
        _drop_down(places, column, index, len(values), refuse=column == "role")
    lists.sheet_state = "hidden"
    workbook.save(path)


def _places(sheet: Worksheet) -> None:
    sheet.append([column.name for column in COLUMNS])
    sheet.append([column.example for column in COLUMNS])
    for index, column in enumerate(COLUMNS):
        letter = column_letter(index)
        sheet.cell(1, index + 1).font = Font(bold=True)
        dimension = sheet.column_dimensions[letter]
        dimension.width = WIDE if column.name in TEXT_COLUMNS - set(DAYS) else NARROW
        if column.name in TEXT_COLUMNS:
            dimension.number_format = sheet.cell(2, index + 1).number_format = "@"
        elif column.name in DATE_COLUMNS:
            dimension.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"


def _instructions(sheet: Worksheet) -> None:
    sheet.append(["Fill in one row a meeting place on the sheet 'places', then: graph-api import spreadsheet FILE"])
    sheet.append(["Rows whose id begins with # (like the example) are not imported; nor are columns headed with #."])
    sheet.append([])
    sheet.append(["column", "required", "what to write", "example"])
    for column in COLUMNS:
        example = "" if column.example is None else column.example
        sheet.append([column.name, "yes" if column.required else "", column.help, example])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=5, min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in (("A", 16), ("B", 9), ("C", 90), ("D", 24)):
        sheet.column_dimensions[letter].width = width


def _list(sheet: Worksheet, index: int, column: str, values: Sequence[str]) -> None:
    sheet.cell(1, index + 1, column).font = Font(bold=True)
    for row, value in enumerate(values, start=2):
        sheet.cell(row, index + 1, value)


def _drop_down(places: Worksheet, column: str, list_index: int, count: int, *, refuse: bool) -> None:
    """A drop-down on the column of `places`, offering the `count` values of the lists sheet's column."""
    letter = column_letter(list_index)
    target = column_letter([c.name for c in COLUMNS].index(column))
    validation = DataValidation(
        type="list",
        formula1=f"{LISTS}!${letter}$2:${letter}${count + 1}",
        allow_blank=True,
        showDropDown=False,  # Excel's own inverted flag: False shows the arrow
        showErrorMessage=True,
        errorStyle="stop" if refuse else "warning",
        errorTitle=f"Not a {column} of the list",
        error=f"Choose a {column} from the list." if refuse else f"Not in the list: check that this {column} imports.",
    )
    validation.add(f"{target}2:{target}{LAST_ROW}")
    places.add_data_validation(validation)
