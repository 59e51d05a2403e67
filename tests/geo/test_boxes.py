"""One inside-the-box rule: a single point (a pushed change) is inside exactly when a store's `in_bounds` finds it."""

from __future__ import annotations

import numpy as np
import pytest

from graph_api.geo.boxes import contains, inside
from graph_api.models import Bounds, Point
from graph_api.store.base import GraphStore

pytestmark = pytest.mark.anyio

FINLAND = Bounds(59.0, 19.0, 70.5, 32.0)
BOXES = [
    pytest.param(Bounds(60.1, 24.8, 60.3, 25.2), id="Helsinki"),
    pytest.param(Bounds(61.0, 22.0, 64.0, 26.5), id="the middle"),
    pytest.param(Bounds(59.0, 25.0, 70.5, -170.0), id="across the antimeridian, east of 25°E"),
    pytest.param(Bounds(59.0, 170.0, 70.5, 24.0), id="across the antimeridian, west of 24°E"),
]


@pytest.mark.parametrize("bounds", BOXES)
async def test_a_point_is_inside_exactly_when_the_store_finds_it_in_bounds(store: GraphStore, bounds: Bounds) -> None:
    every = (await store.in_bounds(FINLAND, 10_000)).places
    found = {place.key for place in (await store.in_bounds(bounds, 10_000)).places}
    assert {place.key for place in every if contains(bounds, place.location)} == found
    assert 0 < len(found) < len(every)


def test_arrays_and_single_points_follow_the_same_rule() -> None:
    bounds = Bounds(south=-10, west=170, north=10, east=-170)
    lats = np.array([0.0, 0.0, 0.0, 10.0, 10.1])
    lons = np.array([175.0, -175.0, 0.0, 170.0, 175.0])
    expected = [True, True, False, True, False]
    assert inside(bounds, lats, lons).tolist() == expected  # type: ignore[union-attr]
    assert [contains(bounds, Point(lat, lon)) for lat, lon in zip(lats, lons, strict=True)] == expected
