"""Radius search over points, exact to the geodesic.

A kd-tree (scipy's cKDTree) over unit vectors finds candidates by chord length, which grows with the
great-circle angle; the search radius is widened by `SPHERE_MARGIN` so that no point whose geodesic
distance is within the radius is missed (sphere and ellipsoid differ by under 0.6%), then each
candidate is measured with the geodesic and filtered and sorted by that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.spatial import cKDTree

from graph_api.geo.distance import geodesic_km
from graph_api.models import Point

MEAN_EARTH_RADIUS_KM = 6371.0088
SPHERE_MARGIN = 1.01


def unit_vectors(points: Sequence[Point]) -> np.ndarray:
    lat = np.radians([p.lat for p in points])
    lon = np.radians([p.lon for p in points])
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


class PointIndex:
    """Points by position in the given sequence; answers which lie within a geodesic radius."""

    def __init__(self, points: Sequence[Point]) -> None:
        self.points = list(points)
        self._tree = cKDTree(unit_vectors(self.points).reshape(-1, 3))

    def within(self, center: Point, radius_km: float) -> list[tuple[float, int]]:
        """(distance in km, position) of every point within the radius, nearest first, ties by position."""
        if not self.points:
            return []
        angle = min(math.pi, radius_km * SPHERE_MARGIN / MEAN_EARTH_RADIUS_KM)
        chord = 2 * math.sin(angle / 2) + 1e-12
        candidates = self._tree.query_ball_point(unit_vectors([center])[0], chord)
        hits = ((geodesic_km(center, self.points[i]), int(i)) for i in candidates)
        return sorted(hit for hit in hits if hit[0] <= radius_km)
