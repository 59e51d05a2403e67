"""Nearest points within a radius, exact to the geodesic.

Candidates come with an approximate distance (great-circle on a sphere) that lies within `MARGIN` of the
geodesic one, whichever backend found them. They are measured with the geodesic nearest-first, and the
measuring stops once no remaining candidate can come closer than the farthest point kept: a `limit` of
20 within 1,000 km measures a few dozen points, not all of them.

`PointIndex` finds such candidates in memory: a kd-tree (scipy's cKDTree) over unit vectors, whose
chord length grows with the great-circle angle.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import numpy as np
from scipy.spatial import cKDTree

from graph_api.cancellation import checkpoint
from graph_api.geo.distance import geodesic_km
from graph_api.models import MeetingPlace, Point

MEAN_EARTH_RADIUS_KM = 6371.0088
MARGIN = 1.01
FIRST_SEARCH_KM = 5.0
"""Where a search for the nearest places starts when the index cannot rank by distance; it grows from there."""
"""Sphere and ellipsoid differ by under 0.6% (also for Neo4j's sphere of radius 6,378.14 km)."""

T = TypeVar("T")


def nearest(
    center: Point,
    candidates: Iterable[tuple[float, T]],
    location: Callable[[T], Point],
    radius_km: float,
    limit: int,
) -> list[tuple[float, T]]:
    """The `limit` candidates nearest by geodesic within the radius, as (km, item); ties keep the given order.

    `candidates` are (approximate km, item) pairs that include every item within `radius_km * MARGIN`.
    """
    ordered = sorted(enumerate(candidates), key=lambda c: (c[1][0], c[0]))
    kept: list[tuple[float, int, T]] = []  # a max-heap by (km, order), stored negated
    for order, (approx_km, item) in ordered:
        if len(kept) == limit and approx_km / MARGIN > -kept[0][0]:
            break
        checkpoint()
        km = geodesic_km(center, location(item))
        if km > radius_km:
            continue
        entry = (-km, -order, item)
        if len(kept) < limit:
            heapq.heappush(kept, entry)
        elif (km, order) < (-kept[0][0], -kept[0][1]):
            heapq.heapreplace(kept, entry)
    return [(-km, item) for km, _, item in sorted(kept, key=lambda e: (-e[0], -e[1]))]


def location_of(place: MeetingPlace) -> Point:
    """Where a meeting place is, for `nearest`."""
    return place.location


def unit_vectors(points: Sequence[Point]) -> np.ndarray:
    lat = np.radians([p.lat for p in points])
    lon = np.radians([p.lon for p in points])
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat))).reshape(-1, 3)


class PointIndex:
    """Points by position in the given sequence; finds those that may lie within a geodesic radius."""

    def __init__(self, points: Sequence[Point]) -> None:
        self.points = list(points)
        self._vectors = unit_vectors(self.points)
        self._tree = cKDTree(self._vectors)

    def candidates(self, center: Point, radius_km: float) -> list[tuple[float, int]]:
        """(great-circle km, position) of every point within `radius_km * MARGIN`, in position order."""
        if not self.points:
            return []
        angle = min(math.pi, radius_km * MARGIN / MEAN_EARTH_RADIUS_KM)
        target = unit_vectors([center])[0]
        found = sorted(self._tree.query_ball_point(target, 2 * math.sin(angle / 2) + 1e-12))
        chords = np.linalg.norm(self._vectors[found] - target, axis=1)
        great_circle = 2 * MEAN_EARTH_RADIUS_KM * np.arcsin(np.minimum(chords / 2, 1.0))
        return [(float(km), int(i)) for km, i in zip(great_circle, found, strict=True)]

    def nearest_candidates(self, points: Sequence[Point], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The `k` points nearest to each of `points` by great circle, in one query for all of them: arrays of
        (great-circle km, position) of shape (len(points), k), nearest first; past the last point the km is
        infinite and the position is `len(self.points)`.

        Chord length on the unit sphere grows with the great-circle angle, so the tree's k nearest are those.
        """
        chords, found = self._tree.query(unit_vectors(points), k=k)
        chords, found = np.reshape(chords, (len(points), k)), np.reshape(found, (len(points), k))
        great_circle = 2 * MEAN_EARTH_RADIUS_KM * np.arcsin(np.minimum(chords / 2, 1.0))
        return np.where(np.isinf(chords), np.inf, great_circle), found
