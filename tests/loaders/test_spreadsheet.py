"""Partner spreadsheets: each row a meeting place, each fault a rejection naming `file:line:column`; both backends."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from graph_api.geo.geocoding import Geocoder
from graph_api.hours import Schedule, Weekday
from graph_api.models import Dataset, MeetingPlace, MeetingPlaceKind, NodeRef, Point
from graph_api.settings import Settings
from graph_api.store.base import GraphStore, NodeQuery
from loaders.importing import Plan, Reading, Reference, apply, plan
from loaders.spreadsheet import read_spreadsheet
from tests.conftest import SEEDS
from tests.fake_geocoder import FakeProvider, nominatim_place
from tests.loaders.spreadsheet_rows import spreadsheet_rows

pytestmark = pytest.mark.anyio

NOW = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)
LATER = NOW + datetime.timedelta(days=7)
MB = 1_000_000
HEADER = ("id", "name", "name_sv", "kind", "organiser", "role", "street_address", "postal_code", "municipality",
          "lat", "lon", "mo", "tu", "we", "th", "fr", "sa", "su", "valid_from", "valid_to")  # fmt: skip
NUPPU = {
    "id": "17",
    "name": "Perhekahvila Nuppu",
    "name_sv": "Familjecafé Knoppen",
    "kind": "perhekahvila",
    "organiser": "District:uusimaa",
    "street_address": "Mannerheimintie 1",
    "postal_code": "00100",
    "municipality": "Helsinki",
    "lat": "60,1686",
    "lon": "24,9414",
    "tu": "9-11",
    "th": "9-11, 13:00-15:30",
    "valid_from": "1.1.2026",
}
NUPPU_KIND = MeetingPlaceKind.FAMILY_CAFE
NUPPU_POINT = Point(60.1686, 24.9414)
KAISLA = {
    "id": "18",
    "name": "Kohtaamispaikka Kaisla",
    "kind": "MEETING_PLACE",
    "organiser": "MLL:n paikallisyhdistys Helsinki",
    "role": "partner",
    "municipality": "Tampere",
    "lat": "61.4978",
    "lon": "23.7610",
}


def csv_text(rows: list[dict[str, str]], header: tuple[str, ...] = HEADER, delimiter: str = ";") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, delimiter=delimiter, lineterminator="\r\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_csv(folder: Path, rows: list[dict[str, str]], name: str = "cafes.csv", **options: Any) -> Path:
    path = folder / name
    path.write_text(csv_text(rows, **options), encoding="utf-8")
    return path


def offline() -> Geocoder:
    return Settings(_env_file=None).create_geocoder()


async def read(store: GraphStore, path: Path, geocoder: Geocoder | None = None, max_mb: float = 20) -> Reading:
    reference = await Reference.of(store, SEEDS)
    return await read_spreadsheet(path, reference, geocoder or offline(), int(max_mb * MB))


async def planned(store: GraphStore, path: Path, now: datetime.datetime = NOW) -> Plan:
    return await plan(store, await read(store, path), now)


async def imported(store: GraphStore, path: Path, now: datetime.datetime = NOW) -> Plan:
    result = await planned(store, path, now)
    await apply(store, result, "test", now)
    return result


def actions(result: Plan) -> list[tuple[str, str, str | None]]:
    return [(row.ref, row.action, row.id) for row in result.rows]


def rejection(reading: Reading) -> tuple[str, str]:
    """The one rejection the reading must have, as (where, why)."""
    assert len(reading.rejected) == 1, reading.rejected
    return reading.rejected[0].ref, reading.rejected[0].reason


@pytest.fixture
async def seeded(new_store: GraphStore, dataset: Dataset) -> GraphStore:
    await new_store.load(dataset)
    return new_store


async def place(store: GraphStore, key: str) -> MeetingPlace:
    [node] = await store.get_many([NodeRef("MeetingPlace", key)])
    assert isinstance(node, MeetingPlace)
    return node


async def run_by(store: GraphStore, key: str) -> list[tuple[str, object]]:
    edges = await store.relationships_of([NodeRef("MeetingPlace", key)], frozenset({"RUN_BY"}))
    return [(str(NodeRef.of(edge.end)), edge.properties["role"]) for edge in edges]


async def test_spreadsheet_rows_become_meeting_places_with_hours_organiser_and_municipality(
    seeded: GraphStore, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, [NUPPU, KAISLA])
    result = await imported(seeded, path)
    assert actions(result) == [
        ("cafes.csv:2", "created", "MeetingPlace:cafes-csv-17"),
        ("cafes.csv:3", "created", "MeetingPlace:cafes-csv-18"),
    ]
    nuppu = await place(seeded, "cafes-csv-17")
    assert (nuppu.name, nuppu.name_sv, nuppu.kind) == ("Perhekahvila Nuppu", "Familjecafé Knoppen", NUPPU_KIND)
    assert (nuppu.street_address, nuppu.postal_code, nuppu.location) == ("Mannerheimintie 1", "00100", NUPPU_POINT)
    assert (nuppu.source, nuppu.source_id, nuppu.imported_at) == ("spreadsheet:cafes.csv", "17", NOW)
    from_new_year = datetime.date(2026, 1, 1)
    assert nuppu.schedules == (
        Schedule((Weekday.TU, Weekday.TH), datetime.time(9), datetime.time(11), from_new_year),
        Schedule((Weekday.TH,), datetime.time(13), datetime.time(15, 30), from_new_year),
    )
    assert await run_by(seeded, "cafes-csv-17") == [("District:uusimaa", "COORDINATOR")]
    assert await run_by(seeded, "cafes-csv-18") == [("LocalAssociation:la-091-1", "PARTNER")]
    located = await seeded.relationships_of([NodeRef("MeetingPlace", "cafes-csv-18")], frozenset({"LOCATED_IN"}))
    assert [edge.end.key for edge in located] == ["837"]


async def test_spreadsheet_imported_again_changes_nothing_and_a_dropped_row_is_withdrawn(
    seeded: GraphStore, tmp_path: Path
) -> None:
    await imported(seeded, write_csv(tmp_path, [NUPPU, KAISLA]))
    again = await planned(seeded, write_csv(tmp_path, [NUPPU, KAISLA]), LATER)
    assert [row.action for row in again.rows] == ["unchanged", "unchanged"]
    moved = {**NUPPU, "organiser": "Organization:mll", "role": "PARTNER"}
    result = await imported(seeded, write_csv(tmp_path, [moved]), LATER)
    assert actions(result) == [
        ("cafes.csv:2", "updated", "MeetingPlace:cafes-csv-17"),
        ("spreadsheet:cafes.csv:18", "withdrawn", "MeetingPlace:cafes-csv-18"),
    ]
    assert await run_by(seeded, "cafes-csv-17") == [("Organization:mll", "PARTNER")]
    assert (await place(seeded, "cafes-csv-18")).withdrawn_at == LATER


async def test_spreadsheet_row_rejected_for_a_typo_keeps_its_place(seeded: GraphStore, tmp_path: Path) -> None:
    """A rejected row still lists its place: with --allow-rejects the rest is applied and it is not withdrawn."""
    await imported(seeded, write_csv(tmp_path, [NUPPU, KAISLA]))
    result = await planned(seeded, write_csv(tmp_path, [NUPPU, {**KAISLA, "mo": "9-"}]), LATER)
    assert actions(result) == [
        ("cafes.csv:3:L", "rejected", "MeetingPlace:cafes-csv-18"),
        ("cafes.csv:2", "unchanged", "MeetingPlace:cafes-csv-17"),
    ]


async def test_spreadsheet_that_cannot_be_read_withdraws_nothing(seeded: GraphStore, tmp_path: Path) -> None:
    await imported(seeded, write_csv(tmp_path, [NUPPU]))
    (tmp_path / "cafes.csv").write_bytes(codecs.BOM_UTF16_LE + "id;name".encode("utf-16-le"))
    result = await planned(seeded, tmp_path / "cafes.csv", LATER)
    assert [row.action for row in result.rows] == ["rejected"]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("<script>alert(1)</script>", id="html"),
        pytest.param("'); MATCH (n) DETACH DELETE n //", id="cypher"),
        pytest.param('Kahvila "Pullo"; DROP TABLE nodes; --', id="sql"),
    ],
)
async def test_spreadsheet_text_is_stored_verbatim_and_harms_nothing(
    seeded: GraphStore, tmp_path: Path, name: str
) -> None:
    before = (await seeded.find("Municipality", NodeQuery(first=None))).total_count
    await imported(seeded, write_csv(tmp_path, [{**NUPPU, "name": name, "name_sv": name, "street_address": name}]))
    stored = await place(seeded, "cafes-csv-17")
    assert (stored.name, stored.name_sv, stored.street_address) == (name, name, name)
    assert (await seeded.find("Municipality", NodeQuery(first=None))).total_count == before
    assert [node.key for node in (await seeded.find("MeetingPlace", NodeQuery(first=None, search=name))).items] == [
        "cafes-csv-17"
    ]


async def test_spreadsheet_from_excel_in_finland_is_read_as_windows_1252_and_the_report_says_so(
    store: GraphStore, tmp_path: Path
) -> None:
    path = tmp_path / "cafes.csv"
    path.write_bytes(csv_text([{**NUPPU, "name": "Perhekahvila Äimä"}]).encode("cp1252"))
    result = await planned(store, path)
    assert actions(result) == [("cafes.csv", "warning", None), ("cafes.csv:2", "created", "MeetingPlace:cafes-csv-17")]
    assert "Windows-1252" in (result.rows[0].reason or "")
    assert (await read(store, path)).found[0].node.name == "Perhekahvila Äimä"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("delimiter", "encode"),
    [
        pytest.param(";", lambda text: codecs.BOM_UTF8 + text.encode(), id="semicolon-with-bom"),
        pytest.param(",", str.encode, id="comma"),
        pytest.param("\t", str.encode, id="tab"),
    ],
)
async def test_spreadsheet_csv_dialects_excel_writes_all_read_alike(
    store: GraphStore, tmp_path: Path, delimiter: str, encode: Any
) -> None:
    path = tmp_path / "cafes.csv"
    path.write_bytes(encode(csv_text([NUPPU, KAISLA], delimiter=delimiter)))
    reading = await read(store, path)
    assert (reading.rejected, reading.warnings) == ([], [])
    assert [item.node.name for item in reading.found] == ["Perhekahvila Nuppu", "Kohtaamispaikka Kaisla"]  # type: ignore[attr-defined]


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "places") -> Path:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    workbook.save(path)
    return path


async def test_spreadsheet_xlsx_with_numbers_and_dates_in_its_cells_reads_as_the_csv(
    store: GraphStore, tmp_path: Path
) -> None:
    """Excel stores 00100 typed as a number as 100, and dates and coordinates as numbers: all read as meant."""
    cells = {**NUPPU, "id": 17, "postal_code": 100, "lat": 60.1686, "lon": 24.9414}
    cells["valid_from"] = datetime.datetime(2026, 1, 1)
    path = write_xlsx(tmp_path / "cafes.xlsx", [list(HEADER), [cells.get(column) for column in HEADER]])
    from_xlsx = (await read(store, path)).found
    from_csv = (await read(store, write_csv(tmp_path, [NUPPU]))).found
    assert [replace(item.node.content(), key="") for item in from_xlsx] == [
        replace(item.node.content(), key="") for item in from_csv
    ]
    assert (from_xlsx[0].ref, from_xlsx[0].node.key) == ("cafes.xlsx:2", "cafes-xlsx-17")


async def test_spreadsheet_xlsx_is_read_from_its_places_sheet_or_else_its_first(
    store: GraphStore, tmp_path: Path
) -> None:
    first = write_xlsx(tmp_path / "cafes.xlsx", [list(HEADER), [NUPPU.get(column) for column in HEADER]], "Taul1")
    assert [item.ref for item in (await read(store, first)).found] == ["cafes.xlsx:2"]
    workbook = openpyxl.load_workbook(first)
    workbook.create_sheet("places")
    workbook["places"].append(list(HEADER))
    workbook["places"].append([KAISLA.get(column) for column in HEADER])
    workbook.save(first)
    assert [item.node.name for item in (await read(store, first)).found] == ["Kohtaamispaikka Kaisla"]  # type: ignore[attr-defined]


async def test_spreadsheet_row_without_an_id_is_known_by_its_name_and_municipality(
    store: GraphStore, tmp_path: Path
) -> None:
    reading = await read(store, write_csv(tmp_path, [{**NUPPU, "id": ""}]))
    assert (reading.found[0].node.key, reading.found[0].node.source_id) == (
        "cafes-csv-perhekahvila-nuppu-091",
        "perhekahvila-nuppu-091",
    )


async def test_spreadsheet_comment_rows_and_columns_are_left_out(store: GraphStore, tmp_path: Path) -> None:
    header = (*HEADER, "# yhteyshenkilö")
    rows = [{**NUPPU, "# yhteyshenkilö": "Maija, 040 123"}, {**KAISLA, "id": "#18 closed for good"}]
    result = await planned(store, write_csv(tmp_path, rows, header=header))
    assert actions(result) == [
        ("cafes.csv:3", "skipped", None),
        ("cafes.csv:2", "created", "MeetingPlace:cafes-csv-17"),
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("perhekahvila", MeetingPlaceKind.FAMILY_CAFE),
        ("Familjecafé", MeetingPlaceKind.FAMILY_CAFE),
        ("family_cafe", MeetingPlaceKind.FAMILY_CAFE),
        ("Kohtaamispaikka", MeetingPlaceKind.MEETING_PLACE),
        ("perhetalo", MeetingPlaceKind.FAMILY_HOUSE),
        ("avoin  päiväkoti", MeetingPlaceKind.OPEN_DAYCARE),
        ("OPEN_DAYCARE", MeetingPlaceKind.OPEN_DAYCARE),
    ],
)
async def test_spreadsheet_kind_is_a_value_or_a_finnish_or_swedish_word(
    store: GraphStore, tmp_path: Path, text: str, kind: MeetingPlaceKind
) -> None:
    reading = await read(store, write_csv(tmp_path, [{**NUPPU, "kind": text}]))
    assert reading.found[0].node.kind is kind  # type: ignore[attr-defined]


async def test_spreadsheet_row_without_a_point_is_geocoded_and_a_coarse_place_is_a_warning(
    store: GraphStore, tmp_path: Path
) -> None:
    """The offline gazetteer knows no streets: a postal code's locality, or a municipality, is all it gives."""
    by_postal_code = {**NUPPU, "lat": "", "lon": ""}
    by_municipality = {**KAISLA, "municipality": "Rovaniemi", "postal_code": "99999", "lat": "", "lon": ""}
    result = await planned(store, write_csv(tmp_path, [by_postal_code, by_municipality]))
    warnings = [(row.ref, row.reason) for row in result.rows if row.action == "warning"]
    assert warnings == [
        ("cafes.csv:2", "placed at 00100 Helsinki only (postal code precision): give lat/lon"),
        ("cafes.csv:3", "placed at the municipality's centre only: give the street address or lat/lon"),
    ]


async def test_spreadsheet_row_placed_at_its_address_by_an_online_geocoder_has_no_warning(
    store: GraphStore, tmp_path: Path, provider: FakeProvider
) -> None:
    provider.answer = lambda query: (200, [nominatim_place(60.1686, 24.9414, "Mannerheimintie 1", "house")])
    settings = Settings(
        _env_file=None, GEOCODER="nominatim", GEOCODER_URL=provider.url, GEOCODER_CACHE=tmp_path / "cache"
    )
    reading = await read(store, write_csv(tmp_path, [{**NUPPU, "lat": "", "lon": ""}]), settings.create_geocoder())
    assert [(item.node.location, item.warnings) for item in reading.found] == [(NUPPU_POINT, ())]  # type: ignore[attr-defined]
    assert provider.requests[0].query["q"] == ["Mannerheimintie 1, 00100 Helsinki"]


async def test_spreadsheet_row_the_geocoder_places_only_elsewhere_is_rejected(
    store: GraphStore, tmp_path: Path, provider: FakeProvider
) -> None:
    provider.answer = lambda query: (200, [nominatim_place(61.4978, 23.7610, "Mannerheimintie 1", "house")])
    settings = Settings(
        _env_file=None, GEOCODER="nominatim", GEOCODER_URL=provider.url, GEOCODER_CACHE=tmp_path / "cache"
    )
    reading = await read(store, write_csv(tmp_path, [{**NUPPU, "lat": "", "lon": ""}]), settings.create_geocoder())
    assert rejection(reading) == (
        "cafes.csv:2:G",
        "street_address: the geocoder found only places outside Helsinki for 'Mannerheimintie 1, 00100 Helsinki': "
        "give lat and lon",
    )


async def test_spreadsheet_point_just_across_the_border_is_kept_with_a_warning(
    store: GraphStore, tmp_path: Path
) -> None:
    reading = await read(store, write_csv(tmp_path, [{**NUPPU, "lat": "60.19", "lon": "24.83"}]))
    assert reading.found[0].warnings[0].startswith("the point lies in Espoo")


BAD_CELLS = [
    pytest.param({"municipality": "Helsinkix"}, "I", "municipality: 'Helsinkix' is no Finnish", id="municipality"),
    pytest.param({"kind": "kahvila"}, "D", "kind: 'kahvila' is not a kind", id="kind"),
    pytest.param({"name": " "}, "B", "name: is empty, and it is required", id="no-name"),
    pytest.param({"organiser": "District:nowhere"}, "E", "organiser: District:nowhere does not exist", id="organiser"),
    pytest.param({"organiser": "MLL Nowhere"}, "E", "organiser: no District, LocalAssociation", id="organiser-name"),
    pytest.param({"organiser": "Municipality:091"}, "E",
                 "organiser: 'Municipality:091' is a Municipality, which runs no meeting place", id="organiser-type"),
    pytest.param({"role": "BOSS"}, "F", "role: 'BOSS' is not one of COORDINATOR, PARTNER", id="role"),
    pytest.param({"organiser": "", "role": "PARTNER"}, "F", "role: a role without an organiser", id="role-alone"),
    pytest.param({"postal_code": "0010"}, "H", "postal_code: '0010' is not a postal code", id="postal-code"),
    pytest.param({"lat": "60°10'"}, "J", "lat: \"60°10'\" is not decimal degrees", id="degrees"),
    pytest.param({"lon": ""}, "K", "lon: is empty: give both lat and lon", id="lat-alone"),
    pytest.param({"lat": "59.0", "lon": "18.0"}, "J", "lat: the point (59.00000, 18.00000) is outside Finland",
                 id="abroad"),
    pytest.param({"lat": "61.4978", "lon": "23.7610"}, "J", "lat: the point lies in Tampere", id="elsewhere"),
    pytest.param({"tu": "9 to 11"}, "M", "tu: '9 to 11' is not a time range like 9-11", id="hours"),
    pytest.param({"th": "9-11, 15-13"}, "O", "th: '15-13' closes at 13:00, not after it opens at 15:00",
                 id="closes-first"),
    pytest.param({"su": "22-24"}, "R", "su: '22-24': 24:00 is no time of day", id="midnight"),
    pytest.param({"valid_from": "2026-13-01"}, "S", "valid_from: '2026-13-01' is not a date", id="date"),
    pytest.param({"valid_to": "31.12.2025"}, "T", "valid_to: valid_to 2025-12-31 is before valid_from", id="dates"),
    pytest.param({"tu": "", "th": ""}, "S", "valid_from: dates of hours, but the row has no hours", id="no-hours"),
]  # fmt: skip


@pytest.mark.parametrize(("cells", "column", "reason"), BAD_CELLS)
async def test_spreadsheet_bad_cell_is_a_rejection_naming_its_line_and_column(
    store: GraphStore, tmp_path: Path, cells: dict[str, str], column: str, reason: str
) -> None:
    reading = await read(store, write_csv(tmp_path, [KAISLA, {**NUPPU, **cells}]))
    where, why = rejection(reading)
    assert (where, why[: len(reason)]) == (f"cafes.csv:3:{column}", reason)
    assert reading.rejected[0].id == ("MeetingPlace:cafes-csv-17")
    assert [item.ref for item in reading.found] == ["cafes.csv:2"]


async def test_spreadsheet_row_with_several_faults_has_a_rejection_for_each(store: GraphStore, tmp_path: Path) -> None:
    faults = {"kind": "?", "mo": "?", "fr": "8-7", "municipality": "?", "lat": "north"}
    reading = await read(store, write_csv(tmp_path, [{**NUPPU, **faults}]))
    assert [r.ref for r in reading.rejected] == [f"cafes.csv:2:{c}" for c in ("D", "I", "J", "L", "P")]


async def test_spreadsheet_duplicate_ids_are_rejected_at_the_second(store: GraphStore, tmp_path: Path) -> None:
    rows = [NUPPU, {**KAISLA, "id": "17"}, {**NUPPU, "id": ""}, {**NUPPU, "id": "", "lat": "60.17"}]
    reading = await read(store, write_csv(tmp_path, rows))
    assert [(r.ref, r.reason) for r in reading.rejected] == [
        ("cafes.csv:3:A", "id: line 2 has the id '17' already (each place needs an id of its own)"),
        ("cafes.csv:5:B", "name: line 4 has the same name in the same municipality already (each place needs an id "
         "of its own)"),
    ]  # fmt: skip


def not_a_zip(folder: Path) -> Path:
    path = folder / "cafes.xlsx"
    path.write_text("id;name\n", encoding="utf-8")
    return path


def zip_of_nothing(folder: Path) -> Path:
    path = folder / "cafes.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "no workbook here")
    return path


def sheet_cut_short(folder: Path) -> Path:
    whole = write_xlsx(folder / "whole.xlsx", [list(HEADER), [NUPPU.get(column) for column in HEADER]])
    path = folder / "cafes.xlsx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(path, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            archive.writestr(info, data[: len(data) // 2] if info.filename.endswith("sheet1.xml") else data)
    return path


def zip_bomb(folder: Path) -> Path:
    path = folder / "cafes.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (11 * MB))
    return path


def workbook_in_csv(folder: Path) -> Path:
    path = write_xlsx(folder / "cafes.xlsx", [list(HEADER)])
    return path.rename(folder / "cafes.csv")


def write_bytes(data: bytes, name: str = "cafes.csv") -> Any:
    def write(folder: Path) -> Path:
        (folder / name).write_bytes(data)
        return folder / name

    return write


def write_rows(rows: list[dict[str, str]], header: tuple[str, ...] = HEADER) -> Any:
    return lambda folder: write_csv(folder, rows, header=header)


BAD_FILES = [
    pytest.param(not_a_zip, "cafes.xlsx", "is not an Excel workbook (.xlsx is a zip file)", id="xlsx-not-a-zip"),
    pytest.param(zip_of_nothing, "cafes.xlsx", "is not a readable Excel workbook", id="xlsx-without-workbook"),
    pytest.param(sheet_cut_short, "cafes.xlsx", "is not a readable Excel workbook: unclosed token", id="xlsx-cut"),
    pytest.param(zip_bomb, "cafes.xlsx", "unpacks to 11 MB, over 10 times the import limit", id="xlsx-bomb"),
    pytest.param(workbook_in_csv, "cafes.csv", "is an Excel workbook, not CSV: name it .xlsx", id="xlsx-as-csv"),
    pytest.param(write_bytes(b"id;name\n1;\x81\x8d\n"), "cafes.csv", "is neither UTF-8 nor Windows-1252",
                 id="encoding"),
    pytest.param(write_bytes(codecs.BOM_UTF16_LE + "id\tname".encode("utf-16-le")), "cafes.csv", "is UTF-16 text",
                 id="utf-16"),
    pytest.param(write_bytes(b'name;kind;municipality\n"a;b;c\n'), "cafes.csv:2", "is not well-formed CSV",
                 id="unterminated-quote"),
    pytest.param(write_bytes(b""), "cafes.csv", "is empty: the first line must name the columns", id="empty"),
    pytest.param(write_bytes(b"x", name="cafes.ods"), "cafes.ods", "is neither .csv nor .xlsx", id="ods"),
    pytest.param(write_bytes(b"x" * (MB + 1)), "cafes.csv", "is 1.0 MB, over the import limit of 1 MB",
                 id="too-large"),
    pytest.param(write_rows([], header=tuple(c for c in HEADER if c != "kind")), "cafes.csv:1",
                 "the required column(s) kind are missing", id="missing-column"),
    pytest.param(write_rows([], header=(*HEADER[:6], "stret_address")), "cafes.csv:1:G",
                 "'stret_address' is no column of this import (did you mean 'street_address'?)", id="unknown-column"),
    pytest.param(write_rows([], header=(*HEADER, "Name")), "cafes.csv:1:U",
                 "the column 'name' is there twice, also in B", id="twice"),
]  # fmt: skip


@pytest.mark.parametrize(("write", "where", "reason"), BAD_FILES)
async def test_spreadsheet_file_that_cannot_be_read_is_one_rejection_and_an_incomplete_reading(
    store: GraphStore, tmp_path: Path, write: Any, where: str, reason: str
) -> None:
    reading = await read(store, write(tmp_path), max_mb=1)
    found_where, why = rejection(reading)
    assert (found_where, why[: len(reason)]) == (where, reason)
    assert (reading.found, reading.complete) == ([], False)


async def test_spreadsheet_value_in_a_column_without_a_header_is_rejected(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "cafes.csv"
    path.write_text(csv_text([NUPPU]).replace("\r\n", ";lost\r\n", 2).replace("valid_to;lost", "valid_to;"))
    assert rejection(await read(store, path)) == (
        "cafes.csv:2:U",
        "U: 'lost' is in a column without a header (name the column, or # it)",
    )


async def test_spreadsheet_rows_for_the_benchmark_import_without_a_fault(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "benchmark.csv"
    path.write_bytes(spreadsheet_rows(400).encode())
    reading = await read(store, path)
    assert (len(reading.found), reading.rejected, reading.warnings) == (400, [], [])
    assert [item.warnings for item in reading.found if item.warnings] == []
    assert spreadsheet_rows(400).encode() == path.read_bytes()
