"""The embedded store answers `nearby`, `inBounds` and `clusters` over arrays (kd-tree, numpy masks): the same places,
in the same order, as asking `PlaceFilter.keeps` of every place, one by one, on random places, filters and views."""

from __future__ import annotations

import dataclasses
import datetime
import random

import pytest

from graph_api.geo.boxes import contains
from graph_api.geo.clusters import Clusters
from graph_api.geo.distance import geodesic_km
from graph_api.models import Bounds, Dataset, MeetingPlace, MeetingPlaceKind, Point, Relationship
from graph_api.store.base import EVERY_PLACE, PlaceFilter
from graph_api.store.memory import MemoryStore

pytestmark = pytest.mark.anyio

Offers = dict[str, tuple[frozenset[str], frozenset[str]]]
Scattered = tuple[MemoryStore, list[MeetingPlace], Offers]
MONDAY_MORNING = datetime.datetime(2026, 11, 30, 10, tzinfo=datetime.UTC)
SUNDAY_NIGHT = datetime.datetime(2026, 11, 29, 22, tzinfo=datetime.UTC)


def scattered(dataset: Dataset, seed: int) -> Dataset:
    """The seeds with their places moved at random over Finland, a tenth onto one another, some withdrawn."""
    rng = random.Random(seed)
    moved: list[MeetingPlace] = []
    nodes = []
    for node in dataset.nodes:
        if isinstance(node, MeetingPlace):
            at = Point(rng.uniform(59.7, 70.1), rng.uniform(19.5, 31.6))
            if moved and rng.random() < 0.1:
                at = rng.choice(moved).location
            withdrawn = MONDAY_MORNING if rng.random() < 0.05 else None
            node = dataclasses.replace(node, location=at, withdrawn_at=withdrawn)
            moved.append(node)
        nodes.append(node)
    return Dataset(nodes=nodes, relationships=dataset.relationships)


def offers_of(relationships: list[Relationship]) -> Offers:
    """What each place offers, and the tasks those activities serve, read from the relationships."""
    serves: dict[str, set[str]] = {}
    offered: dict[str, set[str]] = {}
    for rel in relationships:
        if rel.type == "SERVES_TASK":
            serves.setdefault(rel.start.key, set()).add(rel.end.key)
        elif rel.type == "OFFERS" and rel.start.label == "MeetingPlace":
            offered.setdefault(rel.start.key, set()).add(rel.end.key)
    return {
        key: (frozenset(keys), frozenset().union(*(serves.get(k, set()) for k in keys)))
        for key, keys in offered.items()
    }


def filters(rng: random.Random) -> list[PlaceFilter]:
    kinds = list(MeetingPlaceKind)
    activities = ["family-cafes", "meeting-places", "clubs", "parents-groups", "support-persons", "no-such-activity"]
    return [
        EVERY_PLACE,
        PlaceFilter(kinds=frozenset(rng.sample(kinds, 2))),
        PlaceFilter(activities=frozenset(rng.sample(activities, 2))),
        PlaceFilter(tasks=frozenset({"1"})),
        PlaceFilter(tasks=frozenset({"4"})),
        PlaceFilter(kinds=frozenset({MeetingPlaceKind.FAMILY_CAFE}), open_at=MONDAY_MORNING),
        PlaceFilter(open_at=SUNDAY_NIGHT),
        PlaceFilter(kinds=frozenset(kinds[:1]), activities=frozenset({"clubs"}), tasks=frozenset({"2", "3"})),
    ]


@pytest.fixture(scope="module")
async def scattered_store(dataset: Dataset) -> Scattered:
    moved = scattered(dataset, seed=14)
    store = MemoryStore()
    await store.load(moved)
    places = sorted((n for n in moved.nodes if isinstance(n, MeetingPlace) and not n.is_withdrawn), key=lambda p: p.key)
    return store, places, offers_of(moved.relationships)


def kept_one_by_one(places: list[MeetingPlace], offers: Offers, chosen: PlaceFilter) -> list[MeetingPlace]:
    nothing = (frozenset(), frozenset())
    return [p for p in places if chosen.keeps(p, *offers.get(p.key, nothing))]


async def test_in_bounds_and_clusters_keep_what_the_filter_keeps_place_by_place(scattered_store: Scattered) -> None:
    store, places, offers = scattered_store
    rng = random.Random(1)
    world = Bounds(south=-90, west=-180, north=90, east=180)
    for n in range(16):
        south, west = rng.uniform(59, 69), rng.uniform(19, 30)
        view = Bounds(south=south, west=west, north=south + rng.uniform(0.1, 8), east=west + rng.uniform(0.1, 10))
        view = world if n % 4 == 0 else view
        for chosen in filters(rng):
            expected = [p for p in kept_one_by_one(places, offers, chosen) if contains(view, p.location)]
            found = await store.in_bounds(view, 50, chosen)
            assert (found.total_count, found.places) == (len(expected), expected[:50])
            zoom = rng.randrange(0, 14)
            assert await store.place_clusters(view, zoom, chosen) == Clusters.of(expected, zoom)


async def test_nearby_keeps_what_the_filter_keeps_place_by_place(scattered_store: Scattered) -> None:
    store, places, offers = scattered_store
    rng = random.Random(2)
    for _ in range(15):
        center = rng.choice(places).location if rng.random() < 0.5 else Point(rng.uniform(60, 70), rng.uniform(20, 31))
        for chosen in filters(rng):
            kept = kept_one_by_one(places, offers, chosen)
            for radius_km, limit in ((1, 5), (30, 20), (300, 20), (2000, 100)):
                measured = sorted((geodesic_km(center, p.location), p.key, p) for p in kept)
                expected = [(km, p) for km, _, p in measured if km <= radius_km][:limit]
                found = await store.nearby(center, radius_km, limit, chosen)
                assert [(hit.distance_km, hit.place) for hit in found] == expected
