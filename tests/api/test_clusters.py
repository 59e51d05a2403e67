"""`clusters` counts the places of a map view per cell: the counts add up to `inBounds`, on both backends."""

from __future__ import annotations

from statistics import fmean
from typing import Any

import pytest

from graph_api.store import base
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

CLUSTERS_AND_PLACES = """query ($b: BoundsInput!, $zoom: Int!, $kinds: [MeetingPlaceKind!]) {
  clusters(bounds: $b, zoom: $zoom, kinds: $kinds) {
    totalCount
    clusters { count location { lat lon } bounds { south west north east } tile { z x y }
      kinds { kind count } isDemo place { id location { lat lon } } }
  }
  inBounds(bounds: $b, kinds: $kinds, limit: 1000) { totalCount places { id kind isDemo location { lat lon } } }
}"""
CLUSTERS = """query ($b: BoundsInput!, $zoom: Int!) {
  clusters(bounds: $b, zoom: $zoom) { totalCount clusters { count tile { z x y } } } }"""

FINLAND = {"south": 59.0, "west": 19.0, "north": 71.0, "east": 32.0}
HELSINKI = {"south": 60.1, "west": 24.8, "north": 60.3, "east": 25.2}
TAMPERE = {"south": 61.4, "west": 23.5, "north": 61.6, "east": 24.0}
VIEWS = [
    pytest.param(FINLAND, 4, None, id="finland-zoom-4"),
    pytest.param(FINLAND, 6, ["FAMILY_CAFE", "OPEN_DAYCARE"], id="finland-zoom-6-cafes-and-daycare"),
    pytest.param(HELSINKI, 10, None, id="helsinki-zoom-10"),
    pytest.param(HELSINKI, 12, ["MEETING_PLACE"], id="helsinki-zoom-12-meeting-places"),
    pytest.param(TAMPERE, 11, None, id="tampere-zoom-11"),
    pytest.param({"south": 59.0, "west": 25.0, "north": 71.0, "east": -170.0}, 3, None, id="across-the-antimeridian"),
    pytest.param({"south": 10.0, "west": 10.0, "north": 11.0, "east": 11.0}, 8, None, id="nothing-there"),
]


def holds(bounds: dict[str, float], location: dict[str, float]) -> bool:
    """Cells are half-open: a place on an edge is in the cell east or south of it (but at 180° and -90°)."""
    lat, lon = location["lat"], location["lon"]
    in_lon = bounds["west"] <= lon < bounds["east"] or lon == bounds["east"] == 180
    in_lat = bounds["south"] < lat <= bounds["north"] or lat == bounds["south"] == -90
    return in_lon and in_lat


@pytest.mark.parametrize(("bounds", "zoom", "kinds"), VIEWS)
async def test_clusters_add_up_to_the_places_in_bounds(
    gql: GraphQLClient, bounds: dict[str, float], zoom: int, kinds: list[str] | None
) -> None:
    data = await gql.data(CLUSTERS_AND_PLACES, b=bounds, zoom=zoom, kinds=kinds)
    clusters, places = data["clusters"]["clusters"], data["inBounds"]["places"]
    assert data["clusters"]["totalCount"] == sum(c["count"] for c in clusters) == data["inBounds"]["totalCount"]
    assert len(places) == data["inBounds"]["totalCount"], "inBounds gave every place, to check the cells with"
    members: list[list[dict[str, Any]]] = [[] for _ in clusters]
    for place in places:
        holding = [i for i, cluster in enumerate(clusters) if holds(cluster["bounds"], place["location"])]
        assert len(holding) == 1, f"{place['id']} is in the one cell whose bounds contain it"
        members[holding[0]].append(place)
    for cluster, inside in zip(clusters, members, strict=True):
        assert cluster["count"] == len(inside) > 0
        assert cluster["location"]["lat"] == pytest.approx(fmean(p["location"]["lat"] for p in inside), abs=1e-12)
        assert cluster["location"]["lon"] == pytest.approx(fmean(p["location"]["lon"] for p in inside), abs=1e-12)
        kind_counts = {k["kind"]: k["count"] for k in cluster["kinds"]}
        assert kind_counts == {kind: sum(p["kind"] == kind for p in inside) for kind in kind_counts}
        assert sum(kind_counts.values()) == cluster["count"] and set(kind_counts) <= set(kinds or kind_counts)
        assert cluster["isDemo"] == any(p["isDemo"] for p in inside)
        lone = {"id": inside[0]["id"], "location": inside[0]["location"]} if len(inside) == 1 else None
        assert cluster["place"] == lone
        assert cluster["tile"]["z"] == zoom + 2
    cells = [(c["tile"]["y"], c["tile"]["x"]) for c in clusters]
    assert cells == sorted(cells), "north to south, then west to east"


async def test_zooming_in_never_gives_fewer_clusters_and_splits_each_one(gql: GraphQLClient) -> None:
    previous = None
    for zoom in range(13):
        answer = (await gql.data(CLUSTERS, b=FINLAND, zoom=zoom))["clusters"]
        assert answer["totalCount"] > 550
        if previous is not None:
            assert len(answer["clusters"]) >= len(previous)
            split: dict[tuple[int, int], int] = {}
            for cluster in answer["clusters"]:
                parent = (cluster["tile"]["x"] // 2, cluster["tile"]["y"] // 2)
                split[parent] = split.get(parent, 0) + cluster["count"]
            assert split == {(c["tile"]["x"], c["tile"]["y"]): c["count"] for c in previous}
        previous = answer["clusters"]
    assert len(previous or []) > 400, "at zoom 12 nearly every place is a cluster of its own"


async def test_a_cluster_of_one_place_carries_that_place(gql: GraphQLClient) -> None:
    query = """query ($b: BoundsInput!) { clusters(bounds: $b, zoom: 11) { clusters {
      count location { lat lon } place { id name kind location { lat lon } municipality { nameFi } } } } }"""
    clusters = (await gql.data(query, b=HELSINKI))["clusters"]["clusters"]
    lone = [c for c in clusters if c["count"] == 1]
    assert lone and len(lone) < len(clusters), "the view has clusters of one and of more"
    for cluster in clusters:
        if cluster["count"] == 1:
            assert cluster["place"]["id"].startswith("MeetingPlace:") and cluster["place"]["name"]
            assert cluster["place"]["location"] == cluster["location"]
            assert cluster["place"]["municipality"]["nameFi"] in {"Helsinki", "Espoo", "Vantaa"}
        else:
            assert cluster["place"] is None


BOX = {"south": 60.0, "west": 24.0, "north": 61.0, "east": 25.0}


@pytest.mark.parametrize(
    ("variables", "argument", "reason"),
    [
        pytest.param({"b": BOX, "zoom": -1}, "zoom", "outside [0, 24]", id="zoom-negative"),
        pytest.param({"b": BOX, "zoom": 25}, "zoom", "outside [0, 24]", id="zoom-too-deep"),
        pytest.param({"b": {**BOX, "south": -95}, "zoom": 5}, "bounds.south", "outside [-90, 90]", id="south"),
        pytest.param({"b": {**BOX, "west": -181}, "zoom": 5}, "bounds.west", "outside [-180, 180]", id="west"),
        pytest.param({"b": {**BOX, "south": 62}, "zoom": 5}, "bounds", "is north of north", id="upside-down"),
    ],
)
async def test_bad_zoom_or_bounds_name_the_argument(
    gql: GraphQLClient, variables: dict[str, Any], argument: str, reason: str
) -> None:
    error = await gql.error(CLUSTERS, **variables)
    assert error["message"].startswith(f"{argument}: ") and reason in error["message"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}


async def test_a_zoom_that_is_no_integer_is_refused_by_the_schema(gql: GraphQLClient) -> None:
    error = await gql.error(CLUSTERS, b=BOX, zoom=4.5)
    assert "$zoom" in error["message"] and "Int" in error["message"]


async def test_a_view_with_more_places_than_a_store_reading_objects_counts_is_refused_not_sampled(
    store: GraphStore, gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "MAX_CLUSTERED", 100)
    if isinstance(store, MemoryStore):  # it counts over arrays, every place in the view
        assert (await gql.data(CLUSTERS, b=FINLAND, zoom=4))["clusters"]["totalCount"] > 100
    else:
        error = await gql.error(CLUSTERS, b=FINLAND, zoom=4)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "bounds"}
        assert "more than the 100" in error["message"]
    assert (await gql.data(CLUSTERS, b=HELSINKI, zoom=10))["clusters"]["totalCount"] < 100
