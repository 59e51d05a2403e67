"""`nearby` and `inBounds` give exactly what a brute-force scan over every place gives."""

from __future__ import annotations

import random

import pytest
from geopy.distance import geodesic

from graph_api.models import Dataset, MeetingPlace
from loaders.csvfiles import read_rows
from tests.conftest import SEEDS, GraphQLClient

pytestmark = pytest.mark.anyio

NEARBY = """query ($lat: Float, $lon: Float, $radius: Float!, $limit: Int!, $kinds: [MeetingPlaceKind!]) {
  nearby(near: {lat: $lat, lon: $lon}, radiusKm: $radius, limit: $limit, kinds: $kinds) {
    distanceKm place { id kind location { lat lon } }
  }
}"""
IN_BOUNDS = """query ($bounds: BoundsInput!, $kinds: [MeetingPlaceKind!], $limit: Int) {
  inBounds(bounds: $bounds, kinds: $kinds, limit: $limit) { totalCount places { id location { lat lon } } }
}"""


def places(dataset: Dataset) -> list[MeetingPlace]:
    return sorted((n for n in dataset.nodes if isinstance(n, MeetingPlace)), key=lambda p: p.key)


def brute_force_nearby(
    dataset: Dataset, lat: float, lon: float, radius: float, limit: int, kinds: set[str] | None = None
) -> list[tuple[str, float]]:
    hits = [
        (geodesic((lat, lon), (p.location.lat, p.location.lon)).km, p.key)
        for p in places(dataset)
        if kinds is None or p.kind.value in kinds
    ]
    return [(f"MeetingPlace:{key}", km) for km, key in sorted(hits) if km <= radius][:limit]


RADII = [1, 5, 20, 60, 250, 1000]


def random_points(count: int, seed: int) -> list[tuple[float, float, float, int]]:
    """Half anywhere over Finland, half a few km from a meeting place, where the answers are many."""
    rng = random.Random(seed)
    rows = list(read_rows(SEEDS / "demo/nodes/MeetingPlace.csv"))
    points = []
    for n in range(count):
        if n % 2:
            row = rng.choice(rows)
            lat, lon = float(row["lat"]) + rng.gauss(0, 0.03), float(row["lon"]) + rng.gauss(0, 0.06)
        else:
            lat, lon = rng.uniform(59.7, 70.1), rng.uniform(19.5, 31.6)
        points.append((lat, lon, rng.choice(RADII), rng.choice([1, 10, 100])))
    return points


@pytest.mark.parametrize(("lat", "lon", "radius", "limit"), random_points(60, seed=7))
async def test_nearby_matches_brute_force_geodesic(
    gql: GraphQLClient, dataset: Dataset, lat: float, lon: float, radius: float, limit: int
) -> None:
    hits = (await gql.data(NEARBY, lat=lat, lon=lon, radius=radius, limit=limit))["nearby"]
    expected = brute_force_nearby(dataset, lat, lon, radius, limit)
    assert [hit["place"]["id"] for hit in hits] == [key for key, _ in expected]
    for hit, (_, km) in zip(hits, expected, strict=True):
        assert hit["distanceKm"] == pytest.approx(km, abs=1e-9)


async def test_nearby_at_meeting_places_finds_them_first_at_zero(gql: GraphQLClient, dataset: Dataset) -> None:
    for place in places(dataset)[::50]:
        hits = (await gql.data(NEARBY, lat=place.location.lat, lon=place.location.lon, radius=5, limit=3))["nearby"]
        assert hits[0]["place"]["id"] == f"MeetingPlace:{place.key}"
        assert hits[0]["distanceKm"] == 0


async def test_nearby_keeps_only_the_kinds_asked(gql: GraphQLClient, dataset: Dataset) -> None:
    kinds = ["FAMILY_HOUSE", "OPEN_DAYCARE"]
    hits = (await gql.data(NEARBY, lat=61.5, lon=23.8, radius=300, limit=100, kinds=kinds))["nearby"]
    assert hits and {hit["place"]["kind"] for hit in hits} <= set(kinds)
    expected = brute_force_nearby(dataset, 61.5, 23.8, 300, 100, set(kinds))
    assert [hit["place"]["id"] for hit in hits] == [key for key, _ in expected]


async def test_nearby_near_the_edge_of_the_radius_uses_the_ellipsoid(gql: GraphQLClient, dataset: Dataset) -> None:
    """A place just inside the geodesic radius is found though a sphere might put it outside, and vice versa."""
    center = (67.5, 26.0)
    distances = sorted((geodesic(center, (p.location.lat, p.location.lon)).km, p.key, p) for p in places(dataset))
    for km, _, place in distances[:30]:
        inside = await gql.data(NEARBY, lat=center[0], lon=center[1], radius=km * (1 + 1e-9), limit=100)
        outside = await gql.data(NEARBY, lat=center[0], lon=center[1], radius=km * (1 - 1e-9), limit=100)
        ref = f"MeetingPlace:{place.key}"
        assert ref in [hit["place"]["id"] for hit in inside["nearby"]]
        assert ref not in [hit["place"]["id"] for hit in outside["nearby"]]


@pytest.mark.parametrize(
    "bounds",
    [
        pytest.param({"south": 60.1, "west": 24.8, "north": 60.3, "east": 25.2}, id="helsinki"),
        pytest.param({"south": 59.0, "west": 19.0, "north": 71.0, "east": 32.0}, id="all-of-finland"),
        pytest.param({"south": 10.0, "west": 10.0, "north": 11.0, "east": 11.0}, id="nothing-there"),
        pytest.param({"south": 59.0, "west": 25.0, "north": 71.0, "east": -170.0}, id="across-the-antimeridian"),
    ],
)
async def test_in_bounds_matches_brute_force(gql: GraphQLClient, dataset: Dataset, bounds: dict[str, float]) -> None:
    data = (await gql.data(IN_BOUNDS, bounds=bounds, limit=1000))["inBounds"]
    west, east = bounds["west"], bounds["east"]
    expected = [
        f"MeetingPlace:{p.key}"
        for p in places(dataset)
        if bounds["south"] <= p.location.lat <= bounds["north"]
        and (west <= p.location.lon <= east if west <= east else (p.location.lon >= west or p.location.lon <= east))
    ]
    assert [p["id"] for p in data["places"]] == expected
    assert data["totalCount"] == len(expected)


async def test_in_bounds_limit_and_kinds(gql: GraphQLClient) -> None:
    finland = {"south": 59.0, "west": 19.0, "north": 71.0, "east": 32.0}
    limited = (await gql.data(IN_BOUNDS, bounds=finland, limit=10))["inBounds"]
    assert len(limited["places"]) == 10 and limited["totalCount"] > 550
    cafes = (await gql.data(IN_BOUNDS, bounds=finland, kinds=["FAMILY_CAFE"], limit=1000))["inBounds"]
    assert 0 < cafes["totalCount"] < limited["totalCount"] and len(cafes["places"]) == cafes["totalCount"]
