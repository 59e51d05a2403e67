"""PointIndex's nearest candidates for many points at once: the k nearest by great circle, as a scan finds them."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from graph_api.geo.index import MEAN_EARTH_RADIUS_KM, PointIndex
from graph_api.models import Point


def great_circle_km(a: Point, b: Point) -> float:
    """Haversine on the sphere of the mean Earth radius."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * MEAN_EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@pytest.mark.parametrize("k", [1, 4, 30])
def test_nearest_candidates_are_the_k_nearest_by_great_circle_nearest_first(k: int) -> None:
    rng = random.Random(k)
    points = [Point(rng.uniform(59.8, 70), rng.uniform(20, 31)) for _ in range(200)]
    centers = [Point(rng.uniform(59.8, 70), rng.uniform(20, 31)) for _ in range(20)] + [Point(-33.87, 151.21)]
    km, found = PointIndex.of(points).nearest_candidates(centers, k)
    assert km.shape == found.shape == (len(centers), k)
    for center, row_km, row in zip(centers, km, found, strict=True):
        scanned = sorted(great_circle_km(center, p) for p in points)[:k]
        assert row_km == pytest.approx(scanned, abs=1e-6)
        assert [great_circle_km(center, points[i]) for i in row] == pytest.approx(scanned, abs=1e-6)


def test_past_the_last_point_the_candidates_are_infinitely_far() -> None:
    km, found = PointIndex.of([Point(60, 25), Point(61, 25)]).nearest_candidates([Point(60, 25)], 3)
    assert found.tolist() == [[0, 1, 2]]
    assert km[0, 0] == 0.0 and math.isfinite(km[0, 1]) and np.isinf(km[0, 2])
