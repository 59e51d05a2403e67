"""Nearest points within a radius, exact to the geodesic.

Candidates come with an approximate distance (great-circle on a sphere) that lies within `MARGIN` of the
geodesic one, whichever backend found them. They are measured with the geodesic nearest-first, and the
measuring stops once no remaining candidate can come closer than the farthest point kept: a `limit` of
20 within 1,000 km measures a few dozen points, not all of them.

`PointIndex` finds such candidates in memory: a kd-tree over the points' Earth-centred coordinates (km). The
straight line between two points of the ellipsoid is never longer than the geodesic, and under a few km it is
shorter by only c³/24R² (a millimetre at 10 km). So `nearest_in_radius` asks the tree for the limit and one more,
measures only the points whose chord can still beat the limit-th distance, and asks for more only while the
farthest chord given could still be nearer: a limit of 20 among a million points costs the same at 1 km and at
1,000 km. Distances under `SERIES_KM` are that series of the chord, within 0.2 µm of Karney's geodesic (which
pyproj measures beyond it): ten of them cost less than one pyproj call.

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
from graph_api.geo.distance import WGS84, geodesic_km, geodesic_kms_from
from graph_api.models import MeetingPlace, Point

EQUATORIAL_RADIUS_KM = WGS84.a / 1000
ECCENTRICITY_SQUARED = WGS84.es
MARGIN = 1.01
"""Sphere and ellipsoid differ by under 0.6% (also for Neo4j's sphere of radius 6,378.14 km)."""
SLACK_KM = 1e-6
"""Room for rounding (nanometres) in comparing chords with distances and radii: a millimetre."""
BEYOND_EVERY_CHORD = 13_000.0
"""An upper bound no chord through the Earth reaches (12,756 km at most): pykdtree marks a missing point by an
infinite chord and position `len(self)` only under a bound (without one, by the largest float and index it has)."""
SERIES_KM = 3.0
"""The longest chord whose geodesic km is its series c + c³/24R², R² the product of the two radii of curvature at
the centre: within 0.2 µm of Karney's there (tests/geo/test_index.py), as the terms left out grow with c⁵."""

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


def earth_centred(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Points of the WGS-84 ellipsoid as x, y, z in km from the Earth's centre, one row a point."""
    lat, lon = np.radians(lats), np.radians(lons)
    sin_lat = np.sin(lat)
    normal = EQUATORIAL_RADIUS_KM / np.sqrt(1 - ECCENTRICITY_SQUARED * sin_lat**2)
    across = normal * np.cos(lat)
    xyz = (across * np.cos(lon), across * np.sin(lon), normal * (1 - ECCENTRICITY_SQUARED) * sin_lat)
    return np.column_stack(xyz).reshape(-1, 3)


def earth_centred_point(point: Point) -> np.ndarray:
    """`earth_centred` of one point, as a row of one, without arrays' set-up."""
    lat, lon = math.radians(point.lat), math.radians(point.lon)
    sin_lat = math.sin(lat)
    normal = EQUATORIAL_RADIUS_KM / math.sqrt(1 - ECCENTRICITY_SQUARED * sin_lat * sin_lat)
    across = normal * math.cos(lat)
    xyz = (across * math.cos(lon), across * math.sin(lon), normal * (1 - ECCENTRICITY_SQUARED) * sin_lat)
    return np.array((xyz,))


def series_divisor(lat: float) -> float:
    """24R² of `SERIES_KM`'s series at this latitude (degrees): R² = M·N = a²(1 - e²) / (1 - e² sin² lat)²."""
    w = 1 - ECCENTRICITY_SQUARED * math.sin(math.radians(lat)) ** 2
    return 24 * EQUATORIAL_RADIUS_KM**2 * (1 - ECCENTRICITY_SQUARED) / (w * w)


def longest_geodesic_km(chords: np.ndarray) -> np.ndarray:
    """The longest a geodesic can be whose chord through the Earth is this long (km): that of a circle as curved as
    the ellipsoid is at its most (the meridian's radius at the equator, a(1 - e²)), as no curve bends more sharply
    than it would have to; infinite past that circle's diameter, near the antipode."""
    diameter = 2 * EQUATORIAL_RADIUS_KM * (1 - ECCENTRICITY_SQUARED)
    inside = chords < diameter
    return np.where(inside, diameter * np.arcsin(np.where(inside, chords, 0.0) / diameter), np.inf) + SLACK_KM


Keep = Callable[[np.ndarray], np.ndarray]
"""Which of the points at these positions a search keeps, as an array of booleans."""


class PointIndex:
    """Points by position in the given arrays of coordinates; finds those within a geodesic radius, nearest first.

    `lats` and `lons` are the points' coordinates, for readers that count over all of them at once.
    """

    def __init__(self, lats: np.ndarray, lons: np.ndarray) -> None:
        self.lats, self.lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
        self._xyz = earth_centred(self.lats, self.lons)
        self._tree = KDTree(self._xyz) if len(self._xyz) else None

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

        The tree gives the nearest k by chord, and no geodesic is shorter than its chord. So of those k, the first
        `limit` are measured, then any other whose chord does not pass the farthest of them. They are the answer
        once the k-th chord passes the `limit`-th distance kept: every point the tree did not give lies at least
        as far. Else k grows fourfold, until the tree runs out of points within the radius.
        """
        count = len(self)
        if self._tree is None or limit < 1:
            return []
        target, divisor = earth_centred_point(center), series_divisor(center.lat)
        k = min(count, limit + 1)
        while True:
            checkpoint()
            chords, found = self._tree.query(target, k, distance_upper_bound=radius_km + SLACK_KM)
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
            km = self._measured(center, divisor, ordered[:limit], found[:limit])
            if len(ordered) > limit:
                more = bisect.bisect_right(ordered, max(km) + SLACK_KM, lo=limit)
                km += self._measured(center, divisor, ordered[limit:more], found[limit:more])
                found = found[:more]
            hits = sorted(hit for hit in zip(km, found.tolist(), strict=True) if hit[0] <= radius_km)[:limit]
            if complete or (len(hits) == limit and last - SLACK_KM > hits[-1][0]):
                return hits
            k = min(count, 4 * k)

    def _measured(self, center: Point, divisor: float, chords: list[float], positions: np.ndarray) -> list[float]:
        """The geodesic km to the points at `positions` from the center, their `chords` ascending: the chord's
        series up to `SERIES_KM`, pyproj's geodesic beyond."""
        short = bisect.bisect_right(chords, SERIES_KM)
        km = [chord + chord * chord * chord / divisor for chord in chords[:short]]
        if short < len(chords):
            km += geodesic_kms_from(center, self.lats[positions[short:]], self.lons[positions[short:]])
        return km

    def nearest_candidates(self, points: Sequence[Point], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The `k` points nearest to each of `points` by chord through the Earth, in one query for all of them:
        arrays of (chord km, position) of shape (len(points), k), nearest first; past the last point the chord is
        infinite and the position is `len(self)`. No geodesic is shorter than its chord, nor longer than
        `longest_geodesic_km` of it."""
        shape = (len(points), k)
        if self._tree is None:
            return np.full(shape, np.inf), np.zeros(shape, dtype=np.intp)
        targets = earth_centred(np.array([p.lat for p in points]), np.array([p.lon for p in points]))
        chords, found = self._tree.query(targets, k=k, distance_upper_bound=BEYOND_EVERY_CHORD)
        return np.reshape(chords, shape), np.reshape(found, shape).astype(np.intp)
