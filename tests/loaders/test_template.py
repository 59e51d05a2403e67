"""The spreadsheet template: filled in as a partner would, it imports without a fault."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from graph_api.models import MeetingPlaceKind
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from loaders.importing import Reference, plan
from loaders.sheet_cells import COLUMNS, kind_choices
from loaders.spreadsheet import read_spreadsheet
from loaders.template import LISTS, write_template
from tests.conftest import SEEDS

pytestmark = pytest.mark.anyio

HEADER = [column.name for column in COLUMNS]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "kahvilat.xlsx"
    write_template(path, SEEDS)
    return path


def places(workbook: openpyxl.Workbook) -> Worksheet:
    sheet = workbook["places"]
    assert isinstance(sheet, Worksheet)
    return sheet


def test_template_has_the_columns_an_example_and_instructions(template: Path) -> None:
    workbook = openpyxl.load_workbook(template)
    assert workbook.sheetnames == ["places", "instructions", LISTS]
    sheet = places(workbook)
    assert [cell.value for cell in sheet[1]] == HEADER
    assert str(sheet["A2"].value).startswith("#"), "the example is a comment, never imported"
    described = [row[0] for row in workbook["instructions"].iter_rows(min_row=5, values_only=True)]
    assert described == HEADER
    assert sheet.column_dimensions["H"].number_format == "@", "postal codes are text: 00100 stays 00100"


def test_template_offers_kinds_roles_and_every_municipality_from_a_hidden_sheet(template: Path) -> None:
    workbook = openpyxl.load_workbook(template)
    lists = workbook[LISTS]
    assert lists.sheet_state == "hidden"
    found = places(workbook).data_validations.dataValidation
    validations = {str(v.sqref): (v.type, v.formula1, v.errorStyle) for v in found}
    assert validations == {
        "D2:D1048576": ("list", "lists!$A$2:$A$5", "warning"),
        "F2:F1048576": ("list", "lists!$B$2:$B$3", "stop"),
        "I2:I1048576": ("list", "lists!$C$2:$C$310", "warning"),
    }
    column = [row[0] for row in lists.iter_rows(min_row=2, min_col=3, max_col=3, values_only=True)]
    assert (len(column), column[0], "Helsinki" in column) == (309, "Akaa", True)
    assert [row[0] for row in lists.iter_rows(min_row=2, max_row=5, values_only=True)] == kind_choices()
    assert kind_choices() == ["perhekahvila", "kohtaamispaikka", "perhetalo", "avoin päiväkoti"]


async def test_template_filled_in_with_openpyxl_imports_cleanly(
    store: GraphStore, template: Path, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(template)
    sheet = places(workbook)
    choices = iter(kind_choices())
    for number, (municipality, lat, lon) in enumerate(
        [("Helsinki", 60.1699, 24.9384), ("Tampere", 61.4978, 23.761), ("Oulu", 65.0121, 25.4651)], start=1
    ):
        row = {
            "id": f"k-{number}",
            "name": f"Perhekahvila {municipality}",
            "kind": next(choices),
            "organiser": "Organization:mll",
            "municipality": municipality,
            "lat": lat,
            "lon": lon,
            "we": "9.30-11.30",
            "valid_from": datetime.datetime(2026, 1, 1),
        }
        sheet.append([row.get(name) for name in HEADER])
    filled = tmp_path / "kahvilat.xlsx"
    workbook.save(filled)

    reference = await Reference.of(store, SEEDS)
    reading = await read_spreadsheet(filled, reference, Settings(_env_file=None).create_geocoder(), 1_000_000)
    result = await plan(store, reading, datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    assert [(row.ref, row.action) for row in result.rows] == [
        ("kahvilat.xlsx:2", "skipped"),
        ("kahvilat.xlsx:3", "created"),
        ("kahvilat.xlsx:4", "created"),
        ("kahvilat.xlsx:5", "created"),
    ]
    kinds = [item.node.kind for item in reading.found]  # type: ignore[attr-defined]
    assert kinds == [MeetingPlaceKind.FAMILY_CAFE, MeetingPlaceKind.MEETING_PLACE, MeetingPlaceKind.FAMILY_HOUSE]


async def test_template_example_row_is_itself_a_place_that_imports(
    store: GraphStore, template: Path, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(template)
    places(workbook)["A2"] = "1"
    filled = tmp_path / "kahvilat.xlsx"
    workbook.save(filled)
    reference = await Reference.of(store, SEEDS)
    reading = await read_spreadsheet(filled, reference, Settings(_env_file=None).create_geocoder(), 1_000_000)
    assert (reading.rejected, reading.skipped, [item.warnings for item in reading.found]) == ([], [], [()])
