"""PointIndex answers radius searches as a geodesic scan does: the same points in the same order, to a micrometre."""

from __future__ import annotations

import random

import pytest
from geopy.distance import geodesic

from graph_api.geo.index import PointIndex, nearest
from graph_api.models import Point


def within(index: PointIndex, center: Point, radius_km: float, limit: int) -> list[tuple[float, int]]:
    """The stores' way: the index's candidates, ranked by geodesic."""
    return nearest(center, index.candidates(center, radius_km), index.points.__getitem__, radius_km, limit)


def scan(points: list[Point], center: Point, radius_km: float) -> list[tuple[float, int]]:
    hits = ((geodesic((center.lat, center.lon), (p.lat, p.lon)).km, i) for i, p in enumerate(points))
    return sorted(hit for hit in hits if hit[0] <= radius_km)


@pytest.mark.parametrize("radius_km", [0.5, 10, 150, 2000, 20100])
def test_within_matches_a_geodesic_scan(radius_km: float) -> None:
    rng = random.Random(radius_km)
    points = [Point(rng.uniform(-89, 89), rng.uniform(-180, 180)) for _ in range(150)]
    points += [Point(60 + rng.gauss(0, 0.05), 25 + rng.gauss(0, 0.1)) for _ in range(150)]
    index = PointIndex(points)
    for _ in range(8):
        center = Point(60 + rng.gauss(0, 0.05), 25 + rng.gauss(0, 0.1))
        expected = scan(points, center, radius_km)
        for limit in (1, 7, 1000):
            found = within(index, center, radius_km, limit)
            assert [i for _, i in found] == [i for _, i in expected[:limit]]
            assert [km for km, _ in found] == pytest.approx([km for km, _ in expected[:limit]], abs=1e-9)


def test_duplicates_tie_by_position() -> None:
    index = PointIndex([Point(60, 25), Point(61, 25), Point(60, 25)])
    assert within(index, Point(60, 25), 1, 10) == [(0.0, 0), (0.0, 2)]
    assert within(index, Point(60, 25), 1, 1) == [(0.0, 0)]


def test_empty_index_finds_nothing() -> None:
    assert within(PointIndex([]), Point(0, 0), 100, 10) == []
