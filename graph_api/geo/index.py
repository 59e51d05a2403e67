"""Nearest points within a radius, exact to the geodesic.

Candidates come with an approximate distance (great-circle on a sphere) that lies within `MARGIN` of the
geodesic one, whichever backend found them. They are measured with the geodesic nearest-first, and the
measuring stops once no remaining candidate can come closer than the farthest point kept: a `limit` of
20 within 1,000 km measures a few dozen points, not all of them.

`PointIndex` finds such candidates in memory: a kd-tree over unit vectors, whose chord length grows with the
great-circle angle. Its `nearest_in_radius` asks the tree for the nearest k by chord and measures only those that
can be among the nearest, asking for more only while the k-th could still be nearer than the farthest kept: a
limit of 20 among a million points costs the same at 1 km and at 1,000 km.

The tree is pykdtree's: one point's query takes a third to a half of the time of scipy's cKDTree's (whose call
alone costs some 15-20 µs, more than its search of a million points), it builds more than twice as fast, and it
needs only numpy, where importing scipy.spatial took a quarter of a second of the server's start. Its queries run on
OpenMP threads, which a single point's query only waits for: it is loaded with one (`_single_threaded`).
"""

from __future__ import annotations

import bisect
import heapq
import importlib
import math
import os
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import TypeVar

import numpy as np

from graph_api.cancellation import checkpoint
from graph_api.geo.distance import geodesic_km, geodesic_kms_from
from graph_api.models import MeetingPlace, Point

MEAN_EARTH_RADIUS_KM = 6371.0088
MARGIN = 1.01
"""Sphere and ellipsoid differ by under 0.6% (also for Neo4j's sphere of radius 6,378.14 km)."""
SLACK_KM = 1e-6
"""Room for rounding in the chords (nanometres) where distances are too short for `MARGIN` to cover it."""
BEYOND_EVERY_CHORD = 3.0
"""An upper bound no chord of the unit sphere reaches (2 at most): pykdtree marks a missing point by an infinite
chord and position `len(self)` only under a bound (without one, by the largest float and index it has)."""
FIRST_K = 16
"""The fewest points `nearest_in_radius` asks the tree for; it asks for `2 * limit` when that is more."""

T = TypeVar("T")


def _single_threaded(module: str) -> ModuleType:
    """`module` imported with `OMP_NUM_THREADS` 1, which its OpenMP runtime reads as it loads: pykdtree's wheels
    bundle a runtime of their own, so nothing else is limited. Two threads made each single query wait for the second
    to wake (some 0.25 ms where one thread takes 10 µs on a busy machine) and then spin on a second core."""
    before = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = "1"
    try:
        return importlib.import_module(module)
    finally:
        if before is None:
            del os.environ["OMP_NUM_THREADS"]
        else:
            os.environ["OMP_NUM_THREADS"] = before


KDTree = _single_threaded("pykdtree.kdtree").KDTree


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


def unit_vectors(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    lat, lon = np.radians(lats), np.radians(lons)
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat))).reshape(-1, 3)


def chord_of(km: float) -> float:
    """The chord on the unit sphere that a great-circle distance spans."""
    return 2 * math.sin(min(math.pi, km / MEAN_EARTH_RADIUS_KM) / 2)


def great_circle_km(chords: np.ndarray) -> np.ndarray:
    return 2 * MEAN_EARTH_RADIUS_KM * np.arcsin(np.minimum(chords / 2, 1.0))


def great_circle_km_of(chord: float) -> float:
    """`great_circle_km` of one chord, without an array's set-up."""
    return 2 * MEAN_EARTH_RADIUS_KM * math.asin(min(chord / 2, 1.0))


Keep = Callable[[np.ndarray], np.ndarray]
"""Which of the points at these positions a search keeps, as an array of booleans."""


class PointIndex:
    """Points by position in the given arrays of coordinates; finds those within a geodesic radius, nearest first.

    `lats` and `lons` are the points' coordinates, for readers that count over all of them at once.
    """

    def __init__(self, lats: np.ndarray, lons: np.ndarray) -> None:
        self.lats, self.lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        self._vectors = unit_vectors(self.lats, self.lons)
        self._tree = KDTree(self._vectors) if len(self._vectors) else None

    @classmethod
    def of(cls, points: Sequence[Point]) -> PointIndex:
        count = len(points)
        return cls(
            np.fromiter((p.lat for p in points), float, count), np.fromiter((p.lon for p in points), float, count)
        )

    def __len__(self) -> int:
        return len(self.lats)

    def nearest_in_radius(
        self, center: Point, radius_km: float, limit: int, keep: Keep | None = None
    ) -> list[tuple[float, int]]:
        """The `limit` points nearest by geodesic within the radius that `keep` keeps, as (km, position); ties
        by position.

        The tree gives the nearest k by chord. Of those, only the ones that can come before the `limit`-th by chord
        are measured: each lies within `MARGIN` of its great-circle km, so none more than `MARGIN`² farther can.
        They are the answer once the k-th is farther, even allowing for `MARGIN`, than the farthest of the `limit`
        kept: every point the tree did not give lies at least as far as the k-th. Else k grows fourfold, until the
        tree runs out of points within the radius.
        """
        count = len(self)
        if self._tree is None or limit < 1:
            return []
        target = unit_vector(center).reshape(1, 3)
        bound = chord_of(radius_km * MARGIN + SLACK_KM)
        k = min(count, max(FIRST_K, 2 * limit))
        while True:
            checkpoint()
            chords, found = self._tree.query(target, k, distance_upper_bound=bound)
            chords, found = chords.reshape(-1), found.reshape(-1)
            ordered = chords.tolist()
            last = ordered[-1]
            complete = k == count or last == math.inf  # the tree ran out of points within the radius
            if complete:
                chords, found = chords[found < count], found[found < count]
            if keep is not None:
                kept = keep(found)
                chords, found = chords[kept], found[kept]
            if complete or keep is not None:
                ordered = chords.tolist()
            if len(found) > limit:
                reach = MARGIN * (MARGIN * great_circle_km_of(ordered[limit - 1]) + SLACK_KM) + SLACK_KM
                found = found[: bisect.bisect_right(ordered, chord_of(reach))]
            km = geodesic_kms_from(center, self.lats[found], self.lons[found])
            hits = sorted(hit for hit in zip(km, found.tolist(), strict=True) if hit[0] <= radius_km)[:limit]
            if complete or (len(hits) == limit and (great_circle_km_of(last) - SLACK_KM) / MARGIN > hits[-1][0]):
                return hits
            k = min(count, 4 * k)

    def nearest_candidates(self, points: Sequence[Point], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The `k` points nearest to each of `points` by great circle, in one query for all of them: arrays of
        (great-circle km, position) of shape (len(points), k), nearest first; past the last point the km is
        infinite and the position is `len(self)`.

        Chord length on the unit sphere grows with the great-circle angle, so the tree's k nearest are those.
        """
        shape = (len(points), k)
        if self._tree is None:
            return np.full(shape, np.inf), np.zeros(shape, dtype=np.intp)
        targets = unit_vectors(np.array([p.lat for p in points]), np.array([p.lon for p in points]))
        chords, found = self._tree.query(targets, k=k, distance_upper_bound=BEYOND_EVERY_CHORD)
        chords, found = np.reshape(chords, shape), np.reshape(found, shape).astype(np.intp)
        return np.where(np.isinf(chords), np.inf, great_circle_km(chords)), found


def unit_vector(point: Point) -> np.ndarray:
    lat, lon = math.radians(point.lat), math.radians(point.lon)
    return np.array((math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)))
