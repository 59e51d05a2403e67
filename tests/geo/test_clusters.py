"""Clusters count each place once, in the cell that holds it, and describe the cell for a map marker; counted over
numpy arrays, they are what counting place by place gives."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from statistics import fmean

import pytest

from graph_api.geo.clusters import CELL_LEVELS, Cluster, Clusters
from graph_api.geo.tiles import Tile
from graph_api.models import MeetingPlace, MeetingPlaceKind, Point

CAFE, HOUSE, DAYCARE = MeetingPlaceKind.FAMILY_CAFE, MeetingPlaceKind.FAMILY_HOUSE, MeetingPlaceKind.OPEN_DAYCARE


def place(key: str, lat: float, lon: float, kind: MeetingPlaceKind = CAFE, source: str = "demo") -> MeetingPlace:
    return MeetingPlace(key=key, source=source, name=key, kind=kind, location=Point(lat, lon))


def scattered(count: int, seed: int) -> list[MeetingPlace]:
    rng = random.Random(seed)
    kinds = list(MeetingPlaceKind)
    return [place(f"p{i}", rng.uniform(59.7, 70.1), rng.uniform(19.5, 31.6), rng.choice(kinds)) for i in range(count)]


def one_by_one(places: list[MeetingPlace], zoom: int) -> list[Cluster]:
    """The clusters as they were counted before the arrays: a `Tile.of` and a list per place."""
    cells: defaultdict[Tile, list[MeetingPlace]] = defaultdict(list)
    for p in places:
        cells[Tile.of(p.location, zoom + CELL_LEVELS)].append(p)
    clusters = []
    for tile in sorted(cells, key=lambda t: (t.y, t.x)):
        held, kinds = cells[tile], Counter(p.kind for p in cells[tile])
        location = Point(fmean(p.location.lat for p in held), fmean(p.location.lon for p in held))
        counts = {kind: kinds[kind] for kind in MeetingPlaceKind if kinds[kind]}
        lone = held[0] if len(held) == 1 else None
        clusters.append(Cluster(tile, len(held), location, counts, any(p.is_demo for p in held), lone))
    return clusters


def edgy(count: int, seed: int, zoom: int) -> list[MeetingPlace]:
    """Places anywhere, a third of them on the edges of cells, and duplicates, demo or not."""
    rng = random.Random(seed)
    n = 2 ** (zoom + CELL_LEVELS)
    found = []
    for i in range(count):
        lat, lon = rng.uniform(-89.9, 89.9), rng.uniform(-180, 180)
        if i % 3 == 0:
            edges = Tile(zoom + CELL_LEVELS, rng.randrange(n), rng.randrange(n)).bounds
            lat, lon = rng.choice([edges.north, edges.south, lat]), rng.choice([edges.west, edges.east, lon])
        if i % 7 == 0 and found:
            lat, lon = found[-1].location.lat, found[-1].location.lon
        source = rng.choice(["demo", "registry"])
        found.append(place(f"p{i}", lat, lon, rng.choice(list(MeetingPlaceKind)), source))
    return [*found, place("north-pole", 90, 0), place("south-pole", -90, 180), place("west", 0, -180)]


@pytest.mark.parametrize("zoom", [0, 3, 6, 10, 14, 20, 24])
def test_counting_over_arrays_gives_what_counting_place_by_place_gave(zoom: int) -> None:
    for places in (edgy(600, seed=zoom, zoom=zoom), scattered(600, seed=zoom)):
        counted, expected = Clusters.of(places, zoom).clusters, one_by_one(places, zoom)
        assert [(c.tile, c.count, c.kinds, c.is_demo, c.place) for c in counted] == [
            (c.tile, c.count, c.kinds, c.is_demo, c.place) for c in expected
        ]
        for cluster, before in zip(counted, expected, strict=True):
            assert cluster.location.lat == pytest.approx(before.location.lat, abs=1e-12)
            assert cluster.location.lon == pytest.approx(before.location.lon, abs=1e-12)


@pytest.mark.parametrize("zoom", [0, 4, 8, 12])
def test_every_place_is_counted_once_in_the_cell_that_holds_it(zoom: int) -> None:
    places = scattered(400, seed=zoom)
    clusters = Clusters.of(places, zoom).clusters
    assert sum(c.count for c in clusters) == Clusters.of(places, zoom).total_count == 400
    for cluster in clusters:
        b = cluster.bounds
        held = [p for p in places if b.south <= p.location.lat <= b.north and b.west <= p.location.lon <= b.east]
        assert len(held) == cluster.count == sum(cluster.kinds.values())


def test_cells_are_the_tiles_two_zooms_below_the_map_64_px_on_256_px_tiles() -> None:
    helsinki = place("a", 60.1699, 24.9384)
    (cluster,) = Clusters.of([helsinki], 10).clusters
    assert CELL_LEVELS == 2 and cluster.tile == Tile(12, 2331, 1185) == Tile.of(helsinki.location, 12)
    assert cluster.bounds == cluster.tile.bounds


def test_cells_go_north_to_south_then_west_to_east() -> None:
    places = [place("se", 60, 30), place("nw", 69, 21), place("sw", 60, 21), place("ne", 69, 30)]
    assert [c.place.key for c in Clusters.of(places, 5).clusters if c.place] == ["nw", "ne", "sw", "se"]


def test_the_marker_sits_at_the_mean_of_the_places() -> None:
    places = [place("a", 60.10, 24.90), place("b", 60.20, 24.95), place("c", 60.15, 25.00)]
    (cluster,) = Clusters.of(places, 4).clusters
    assert cluster.location == Point(pytest.approx(60.15), pytest.approx(24.95))  # type: ignore[arg-type]


def test_kinds_are_counted_in_the_enum_order_without_zeros() -> None:
    places = [place("a", 60.1, 24.9, DAYCARE), place("b", 60.1, 24.9, CAFE), place("c", 60.1, 24.9, DAYCARE)]
    (cluster,) = Clusters.of(places, 4).clusters
    assert list(cluster.kinds.items()) == [(CAFE, 1), (DAYCARE, 2)]


def test_a_cluster_is_demo_when_any_of_its_places_is() -> None:
    real, demo = place("r", 60.1, 24.9, source="registry"), place("d", 60.1, 24.9)
    assert [Clusters.of(ps, 4).clusters[0].is_demo for ps in ([real], [real, demo], [demo])] == [False, True, True]


def test_a_cluster_of_one_carries_its_place_and_larger_ones_none() -> None:
    lone, pair = place("lone", 69, 27), [place("a", 60.1, 24.9), place("b", 60.1, 24.9)]
    by_count = {c.count: c for c in Clusters.of([lone, *pair], 4).clusters}
    assert by_count[1].place == lone and by_count[1].location == lone.location
    assert by_count[2].place is None


def test_no_places_no_clusters() -> None:
    assert Clusters.of([], 6) == Clusters([]) and Clusters([]).total_count == 0


@pytest.mark.parametrize("zoom", [0, 3, 7, 11, 15])
def test_zooming_in_splits_cells_and_never_merges_them(zoom: int) -> None:
    places = scattered(300, seed=100 + zoom)
    coarse, fine = Clusters.of(places, zoom).clusters, Clusters.of(places, zoom + 1).clusters
    split: Counter[Tile] = Counter()
    for cluster in fine:
        split[Tile(coarse[0].tile.z, cluster.tile.x // 2, cluster.tile.y // 2)] += cluster.count
    assert split == {cluster.tile: cluster.count for cluster in coarse}
    assert len(fine) >= len(coarse)
