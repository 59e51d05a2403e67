"""GeoJSON layers, as GET URLs a Leaflet or MapLibre layer loads directly and as GraphQL fields."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from graph_api.models import Dataset, MeetingPlace
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

HELSINKI_BBOX = "24.8,60.1,25.2,60.3"


def signed_area(ring: list[list[float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


def check_position(position: list[float]) -> None:
    assert len(position) == 2 and -180 <= position[0] <= 180 and -90 <= position[1] <= 90


def check_polygon(rings: list[list[list[float]]]) -> None:
    for index, ring in enumerate(rings):
        assert len(ring) >= 4 and ring[0] == ring[-1], "a linear ring is closed and has four or more positions"
        for position in ring:
            check_position(position)
        assert (signed_area(ring) > 0) == (index == 0), "exterior rings counter-clockwise, holes clockwise"


def check_feature_collection(body: dict[str, Any]) -> list[dict[str, Any]]:
    """RFC 7946: a FeatureCollection of Features, each with a geometry and properties; `[lon, lat]`."""
    assert body["type"] == "FeatureCollection" and isinstance(body["features"], list)
    for feature in body["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            check_position(geometry["coordinates"])
        elif geometry["type"] == "Polygon":
            check_polygon(geometry["coordinates"])
        else:
            assert geometry["type"] == "MultiPolygon"
            for polygon in geometry["coordinates"]:
                check_polygon(polygon)
    return body["features"]  # type: ignore[no-any-return]


def positions(features: list[dict[str, Any]]) -> int:
    def count(coordinates: Any) -> int:
        return 1 if isinstance(coordinates[0], float | int) else sum(count(c) for c in coordinates)

    return sum(count(feature["geometry"]["coordinates"]) for feature in features)


async def test_meeting_places_layer_in_a_map_view(http: httpx.AsyncClient, dataset: Dataset) -> None:
    response = await http.get("/geojson/meeting-places", params={"bbox": HELSINKI_BBOX, "kinds": "family_cafe"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/geo+json"
    features = check_feature_collection(response.json())
    expected = sorted(
        f"MeetingPlace:{p.key}"
        for p in dataset.nodes
        if isinstance(p, MeetingPlace)
        and p.kind.value == "FAMILY_CAFE"
        and 60.1 <= p.location.lat <= 60.3
        and 24.8 <= p.location.lon <= 25.2
    )
    assert [f["id"] for f in features] == expected and expected
    assert all(19 < f["geometry"]["coordinates"][0] < 32 for f in features), "longitude first"
    assert all(f["properties"]["isDemo"] for f in features)


def offering(dataset: Dataset, activities: set[str] | None, tasks: set[str] | None) -> list[str]:
    """The ids of the places in the seeds that offer one of `activities` and an activity serving one of `tasks`."""
    serves = {(r.start.key, r.end.key) for r in dataset.relationships if r.type == "SERVES_TASK"}
    offers: dict[str, set[str]] = {}
    for r in dataset.relationships:
        if r.type == "OFFERS":
            offers.setdefault(r.start.key, set()).add(r.end.key)
    return sorted(
        f"MeetingPlace:{place}"
        for place, offered in offers.items()
        if (activities is None or offered & activities)
        and (tasks is None or any((activity, task) in serves for activity in offered for task in tasks))
    )


@pytest.mark.parametrize(
    ("params", "arguments", "activities", "tasks"),
    [
        pytest.param(
            {"activities": "family-cafes, clubs"},
            'activityIds: ["Activity:family-cafes", "Activity:clubs"]',
            {"family-cafes", "clubs"},
            None,
            id="activities",
        ),
        pytest.param({"tasks": "3"}, 'taskIds: ["FamilyCentreTask:3"]', None, {"3"}, id="tasks"),
        pytest.param(
            {"activities": "clubs,play-day", "tasks": "1,2"},
            'activityIds: ["Activity:clubs", "Activity:play-day"], '
            'taskIds: ["FamilyCentreTask:1", "FamilyCentreTask:2"]',
            {"clubs", "play-day"},
            {"1", "2"},
            id="both",
        ),
    ],
)
async def test_meeting_places_layer_by_activities_and_tasks_keeps_what_graphql_keeps(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    dataset: Dataset,
    params: dict[str, str],
    arguments: str,
    activities: set[str] | None,
    tasks: set[str] | None,
) -> None:
    """The URL names activities and tasks by key, GraphQL by id; the same places either way, and a cache keeps the
    layer apart from the unfiltered one."""
    response = await http.get("/geojson/meeting-places", params=params)
    assert response.status_code == 200
    features = check_feature_collection(response.json())
    expected = offering(dataset, activities, tasks)
    assert sorted(f["id"] for f in features) == expected and expected
    assert response.json() == (await gql.data(f"{{ meetingPlacesGeoJson({arguments}) }}"))["meetingPlacesGeoJson"]
    everything = await http.get("/geojson/meeting-places")
    assert len(features) < len(everything.json()["features"])
    assert response.headers["etag"] != everything.headers["etag"]


async def test_municipalities_layer_has_what_a_choropleth_needs(http: httpx.AsyncClient) -> None:
    response = await http.get("/geojson/municipalities")
    features = check_feature_collection(response.json())
    assert len(features) == 309
    helsinki = next(f for f in features if f["id"] == "Municipality:091")
    expected = {
        "code": "091",
        "nameFi": "Helsinki",
        "nameSv": "Helsingfors",
        "population": 656920,
        "populationYear": 2020,
        "welfareArea": "WelfareArea:HKI",
        "isDemo": False,
    }
    assert expected.items() <= helsinki["properties"].items()
    coarse = check_feature_collection((await http.get("/geojson/municipalities", params={"tolerance": 0.02})).json())
    assert positions(coarse) < positions(features) * 0.8


async def test_welfare_areas_layer(http: httpx.AsyncClient) -> None:
    features = check_feature_collection((await http.get("/geojson/welfare-areas")).json())
    assert len(features) == 22
    by_id = {f["id"]: f["properties"] for f in features}
    assert by_id["WelfareArea:HKI"]["population"] == 656920 and by_id["WelfareArea:HKI"]["kind"] == "CITY"
    assert sum(p["municipalities"] for p in by_id.values()) == 293
    assert sum(p["population"] for p in by_id.values()) == 5_533_793 - 30_129, "all but Åland"


async def test_layers_can_be_cached_and_revalidated(http: httpx.AsyncClient) -> None:
    first = await http.get("/geojson/welfare-areas")
    assert "max-age" in first.headers["cache-control"] and first.headers["etag"]
    again = await http.get("/geojson/welfare-areas", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and not again.content


async def test_layers_are_gzipped_for_clients_that_accept_it_each_encoding_with_its_own_etag(
    http: httpx.AsyncClient,
) -> None:
    plain = await http.get("/geojson/municipalities", headers={"accept-encoding": "identity"})
    gzipped = await http.get("/geojson/municipalities", headers={"accept-encoding": "gzip, deflate"})
    assert "content-encoding" not in plain.headers and gzipped.headers["content-encoding"] == "gzip"
    assert gzipped.json() == plain.json()  # httpx decodes it
    assert gzipped.num_bytes_downloaded < len(plain.content) / 2
    assert "Accept-Encoding" in plain.headers["vary"] and "Accept-Encoding" in gzipped.headers["vary"]
    assert gzipped.headers["etag"] != plain.headers["etag"]
    for headers, response in (({"accept-encoding": "identity"}, plain), ({"accept-encoding": "gzip"}, gzipped)):
        again = await http.get(
            "/geojson/municipalities", headers={**headers, "if-none-match": response.headers["etag"]}
        )
        assert again.status_code == 304


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/geojson/meeting-places", {"bbox": "24.8,60.1,25.2"}, "bbox"),
        ("/geojson/meeting-places", {"bbox": "a,b,c,d"}, "bbox"),
        ("/geojson/meeting-places", {"bbox": "24.8,61,25.2,60"}, "bbox"),
        ("/geojson/meeting-places", {"bbox": "190,60,191,61"}, "bbox"),
        ("/geojson/meeting-places", {"kinds": "family_cafe,bowling_alley"}, "kinds"),
        ("/geojson/meeting-places", {"activities": "family-cafes,nope"}, "activities"),
        ("/geojson/meeting-places", {"activities": "parents-helpline"}, "activities"),
        ("/geojson/meeting-places", {"tasks": "9"}, "tasks"),
        ("/geojson/municipalities", {"tolerance": "-1"}, "tolerance"),
        ("/geojson/welfare-areas", {"tolerance": "coarse"}, "tolerance"),
    ],
)
async def test_bad_parameters_get_400_naming_the_parameter(
    http: httpx.AsyncClient, path: str, params: dict[str, str], parameter: str
) -> None:
    response = await http.get(path, params=params)
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter


async def test_graphql_fields_give_the_same_layers(http: httpx.AsyncClient, gql: GraphQLClient) -> None:
    data = await gql.data("""{ places: meetingPlacesGeoJson(bounds: {south: 60.1, west: 24.8, north: 60.3, east: 25.2})
        municipalities: municipalitiesGeoJson(tolerance: 0.01) areas: welfareAreasGeoJson }""")
    assert data["places"] == (await http.get("/geojson/meeting-places", params={"bbox": HELSINKI_BBOX})).json()
    assert data["municipalities"] == (await http.get("/geojson/municipalities?tolerance=0.01")).json()
    assert data["areas"] == (await http.get("/geojson/welfare-areas")).json()
    error = await gql.error("{ municipalitiesGeoJson(tolerance: 5) }")
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "tolerance"}
