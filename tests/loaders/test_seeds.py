"""The shipped seeds: real reference data as the sources give it, demo data consistent and marked."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import shapely
from geopy.distance import geodesic

from graph_api.errors import DataError
from graph_api.hours import Weekday
from graph_api.models import Dataset, LocalAssociation, MeetingPlace, MeetingPlaceKind, Municipality, Relationship
from loaders.csvfiles import read_rows
from loaders.seeds import read_dataset
from tests.conftest import SEEDS

BOUNDARIES = SEEDS / "reference/boundaries/municipalities.geojson"
POSTAL_CODE_AREAS = SEEDS / "reference/boundaries/postal_code_areas.geojson"


@pytest.fixture(scope="module")
def boundaries() -> dict[str, shapely.Geometry]:
    features = json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]
    return {f["id"]: shapely.geometry.shape(f["geometry"]) for f in features}


def of_type(dataset: Dataset, cls: type) -> list:  # type: ignore[type-arg]
    return [n for n in dataset.nodes if isinstance(n, cls)]


def edges(dataset: Dataset, type_: str) -> list[Relationship]:
    return [r for r in dataset.relationships if r.type == type_]


def test_municipalities_are_the_309_of_2021_with_2020_populations(dataset: Dataset) -> None:
    municipalities = of_type(dataset, Municipality)
    assert len(municipalities) == 309
    assert all(len(m.key) == 3 and m.key.isdigit() for m in municipalities)
    assert all(m.name_fi and m.name_sv and m.population > 0 and m.area_km2 > 0 for m in municipalities)
    helsinki = next(m for m in municipalities if m.key == "091")
    assert (helsinki.name_fi, helsinki.name_sv, helsinki.population) == ("Helsinki", "Helsingfors", 656920)
    assert sum(m.population for m in municipalities) == 5_533_793


def test_every_municipality_is_placed_inside_its_boundary(
    dataset: Dataset, boundaries: dict[str, shapely.Geometry]
) -> None:
    for municipality in of_type(dataset, Municipality):
        point = shapely.Point(municipality.location.lon, municipality.location.lat)
        assert boundaries[municipality.key].contains(point), municipality


def test_helsinki_boundary_is_decoded_where_helsinki_is(boundaries: dict[str, shapely.Geometry]) -> None:
    centroid = boundaries["091"].centroid
    assert centroid.y == pytest.approx(60.25, abs=0.1) and centroid.x == pytest.approx(25.0, abs=0.1)


@pytest.fixture(scope="module")
def postal_code_areas() -> list[dict]:  # type: ignore[type-arg]
    return json.loads(POSTAL_CODE_AREAS.read_text(encoding="utf-8"))["features"]  # type: ignore[no-any-return]


def test_postal_code_areas_are_statistics_finlands_with_a_municipality_each(
    postal_code_areas: list[dict],  # type: ignore[type-arg]
) -> None:
    """3,026 areas in the source; 62370's polygon is smaller than the rounding and is left out."""
    codes = [f["id"] for f in postal_code_areas]
    assert len(codes) == 3025 and codes == sorted(set(codes)) and "62370" not in codes
    municipalities = {r["key"] for r in read_rows(SEEDS / "reference/nodes/Municipality.csv")}
    for feature in postal_code_areas:
        assert feature["properties"]["postal_code"] == feature["id"] and len(feature["id"]) == 5
        assert feature["properties"]["municipality"] in municipalities
    by_code = {f["id"]: f["properties"]["municipality"] for f in postal_code_areas}
    # the source cuts these municipalities' names short (`Tl`, `Vilppula`, `kunta`): Posti's file names them
    assert (by_code["31500"], by_code["35700"], by_code["68530"]) == ("284", "508", "599")


def test_postal_code_areas_are_valid_and_do_not_overlap(postal_code_areas: list[dict]) -> None:  # type: ignore[type-arg]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in postal_code_areas]
    assert all(shape.is_valid and not shape.is_empty for shape in shapes)
    tree = shapely.STRtree(shapes)
    pairs = [(i, j) for i, j in zip(*tree.query(shapes, predicate="intersects"), strict=True) if i < j]
    overlaps = shapely.intersection([shapes[i] for i, _ in pairs], [shapes[j] for _, j in pairs])
    # slivers along shared borders, as wide as the 5-decimal rounding grid (a metre), and no wider
    assert shapely.is_empty(shapely.buffer(overlaps, -(10**-5))).all()


def test_an_enclave_keeps_its_postal_code_area(postal_code_areas: list[dict]) -> None:  # type: ignore[type-arg]
    """The simplified source lost 86800's hole, which 86900 fills: the smaller area keeps what they share."""
    shapes = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in postal_code_areas}
    assert shapes["86900"].area > 0.002 and shapes["86800"].intersection(shapes["86900"]).area == 0


def test_areas_regions_and_districts(dataset: Dataset) -> None:
    in_area = edges(dataset, "IN_WELFARE_AREA")
    assert len(in_area) == 309 - 16
    assert Counter(r.end.key for r in in_area)["HKI"] == 1
    assert len(edges(dataset, "IN_REGION")) == 309
    covered = Counter(r.end.key for r in edges(dataset, "COVERS"))
    assert set(covered) == {
        f"FI{c}" for c in "193 194 195 196 197 1B1 1C1 1C2 1C3 1C4 1C5 1D1 1D2 1D3 1D5 1D7 1D8 1D9".split()
    }
    assert set(covered.values()) == {1}


def test_demo_data_is_marked_and_reference_data_is_not(dataset: Dataset) -> None:
    demo_labels = {"LocalAssociation", "FamilyCentre", "MeetingPlace"}
    for node in dataset.nodes:
        assert node.is_demo == (type(node).__name__ in demo_labels), node
    demo_types = {"MEMBER_OF", "ACTIVE_IN", "HAS_AGREEMENT", "SERVES", "LOCATED_IN", "PART_OF", "RUN_BY", "OFFERS"}
    for rel in dataset.relationships:
        assert (rel.source == "demo") == (rel.type in demo_types), rel


def test_demo_meeting_places_lie_near_real_places_inside_their_municipality(
    dataset: Dataset, boundaries: dict[str, shapely.Geometry]
) -> None:
    places = {p.key: p for p in of_type(dataset, MeetingPlace)}
    assert 550 <= len(places) <= 600
    assert len({(p.location.lat, p.location.lon) for p in places.values()}) == len(places)
    assert Counter(p.kind.value for p in places.values()).keys() == {
        "FAMILY_CAFE",
        "MEETING_PLACE",
        "FAMILY_HOUSE",
        "OPEN_DAYCARE",
    }
    towns = [(float(r["latitude"]), float(r["longitude"])) for r in read_rows(SEEDS / "reference/gazetteer/places.csv")]
    located = {r.start.key: r.end.key for r in edges(dataset, "LOCATED_IN")}
    assert located.keys() == places.keys()
    for key, place in places.items():
        point = (place.location.lat, place.location.lon)
        assert boundaries[located[key]].contains(shapely.Point(point[1], point[0])), place
        close = [t for t in towns if abs(t[0] - point[0]) < 0.06 and abs(t[1] - point[1]) < 0.2]
        assert close and min(geodesic(point, town).km for town in close) <= 6, place


def test_every_meeting_place_has_an_organiser_and_an_activity(dataset: Dataset) -> None:
    places = {p.key for p in of_type(dataset, MeetingPlace)}
    coordinated = Counter(r.start.key for r in edges(dataset, "RUN_BY") if r.properties["role"] == "COORDINATOR")
    assert set(coordinated) == places and set(coordinated.values()) == {1}
    assert {r.start.key for r in edges(dataset, "OFFERS")} == places


def test_every_demo_meeting_place_has_plausible_opening_hours(dataset: Dataset) -> None:
    places = of_type(dataset, MeetingPlace)
    assert all(place.schedules and place.is_demo for place in places)
    for place in places:
        weekdays = {day for schedule in place.schedules for day in schedule.byday}
        mornings = [s for s in place.schedules if s.opens_at.hour < 12]
        assert mornings and all(s.closes_at.hour < 21 for s in place.schedules), place
        if place.kind is MeetingPlaceKind.FAMILY_CAFE:
            assert len(weekdays) <= 2 and Weekday.SA not in weekdays and Weekday.SU not in weekdays, place
            assert all(s.opens_at.hour < 12 and s.closes_at.hour <= 13 for s in place.schedules), place
    seasonal = [p for p in places if any(s.valid_from or s.valid_to for s in p.schedules)]
    assert 0.2 < len(seasonal) / len(places) < 0.6


def test_local_associations_number_about_550(dataset: Dataset) -> None:
    associations = of_type(dataset, LocalAssociation)
    assert len(associations) == 550
    members = Counter(r.start.key for r in edges(dataset, "MEMBER_OF"))
    assert members.keys() == {a.key for a in associations} and set(members.values()) == {1}


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        pytest.param("nodes/Planet.csv", "key,source\nx,demo\n", "no node type is called 'Planet'", id="unknown-label"),
        pytest.param(
            "nodes/Region.csv",
            "key,source,name_fi,name_sv\nFI1,demo,,\n",
            "Region.csv:2: field 'name_fi'",
            id="empty-required",
        ),
        pytest.param(
            "nodes/Municipality.csv",
            "key,source,name_fi,name_sv,population,area_km2,lat,lon\n001,demo,A,A,many,1,60,24\n",
            "field 'population'",
            id="not-a-number",
        ),
        pytest.param(
            "relationships/COVERS.csv",
            "from,to,source\nDistrict,Region:FI1,demo\n",
            "COVERS.csv:2:",
            id="bad-reference",
        ),
        pytest.param(
            "relationships/LIKES.csv",
            "from,to,source\n",
            "no relationship type is called 'LIKES'",
            id="unknown-relationship-type",
        ),
    ],
)
def test_malformed_seed_files_are_refused_with_file_line_and_field(
    tmp_path: Path, file: str, text: str, message: str
) -> None:
    (tmp_path / "reference/nodes").mkdir(parents=True)
    path = tmp_path / "reference" / file
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_dataset(tmp_path)


SCHEDULE_HEADER = "location_id,freq,byday,opens_at,closes_at,valid_from,valid_to,timezone,source\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        pytest.param(
            "MeetingPlace:mp-2,WEEKLY,MO,09:00,12:00,,,Europe/Helsinki,demo",
            "schedules.csv:3: column 'location_id': 'MeetingPlace:mp-2' is no meeting place",
            id="unknown-place",
        ),
        pytest.param(
            "Municipality:091,WEEKLY,MO,09:00,12:00,,,Europe/Helsinki,demo",
            "schedules.csv:3: column 'location_id': 'Municipality:091' is no meeting place",
            id="not-a-place",
        ),
        pytest.param(
            "MeetingPlace:mp-1,WEEKLY,MO,9.00,12:00,,,Europe/Helsinki,demo",
            "schedules.csv:3: column 'opens_at': '9.00' is not a time",
            id="bad-time",
        ),
        pytest.param(
            "MeetingPlace:mp-1,WEEKLY,MO,12:00,09:00,,,Europe/Helsinki,demo",
            "schedules.csv:3: closes_at 09:00:00 is not after opens_at 12:00:00",
            id="closes-before-opens",
        ),
        pytest.param(
            'MeetingPlace:mp-1,WEEKLY,"MO,MA",09:00,12:00,,,Europe/Helsinki,demo',
            "schedules.csv:3: column 'byday': 'MA' is not a weekday code",
            id="unknown-weekday",
        ),
        pytest.param(
            "MeetingPlace:mp-1,WEEKLY,MO,09:00,12:00,,,Europe/Stockholm,demo",
            "schedules.csv:3: column 'timezone': 'Europe/Stockholm' is not 'Europe/Helsinki'",
            id="other-timezone",
        ),
        pytest.param(
            "MeetingPlace:mp-1,WEEKLY,MO,09:00,12:00,,,Europe/Helsinki,partner",
            "schedules.csv:3: column 'source': 'partner' is not MeetingPlace:mp-1's source 'demo'",
            id="hours-from-another-dataset",
        ),
    ],
)
def test_malformed_schedules_are_refused_with_file_line_and_column(tmp_path: Path, row: str, message: str) -> None:
    nodes = tmp_path / "reference/nodes"
    nodes.mkdir(parents=True)
    (nodes / "MeetingPlace.csv").write_text(
        "key,source,name,kind,lat,lon\nmp-1,demo,Perhekahvila,FAMILY_CAFE,60.2,24.9\n", encoding="utf-8"
    )
    good = "MeetingPlace:mp-1,WEEKLY,TU,09:00,12:00,,,Europe/Helsinki,demo\n"
    (tmp_path / "reference/schedules.csv").write_text(SCHEDULE_HEADER + good + row + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_dataset(tmp_path)


def test_schedules_are_attached_to_their_places(tmp_path: Path) -> None:
    nodes = tmp_path / "reference/nodes"
    nodes.mkdir(parents=True)
    (nodes / "MeetingPlace.csv").write_text(
        "key,source,name,kind,lat,lon\nmp-1,demo,A,FAMILY_CAFE,60.2,24.9\nmp-2,demo,B,FAMILY_CAFE,60.3,24.9\n",
        encoding="utf-8",
    )
    rows = [
        'MeetingPlace:mp-2,WEEKLY,"MO,WE",09:00,12:00,,2027-05-31,Europe/Helsinki,demo',
        "MeetingPlace:mp-2,WEEKLY,FR,17:00,19:00,,,Europe/Helsinki,demo",
    ]
    (tmp_path / "reference/schedules.csv").write_text(SCHEDULE_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    first, second = read_dataset(tmp_path).nodes
    assert isinstance(first, MeetingPlace) and first.schedules == ()
    assert isinstance(second, MeetingPlace)
    assert [(s.byday, str(s.valid_to)) for s in second.schedules] == [
        ((Weekday.MO, Weekday.WE), "2027-05-31"),
        ((Weekday.FR,), "None"),
    ]


def test_a_folder_without_seeds_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is not a seed folder"):
        read_dataset(tmp_path)
