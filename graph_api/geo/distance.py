"""Distances on the WGS-84 ellipsoid by Karney's algorithm, the one geopy's `geodesic` (the tests' reference) uses.

pyproj's `Geod` runs it in C (PROJ's geodesic), about 1 µs a pair against geopy's 150 µs, and over whole numpy
arrays at once; the two agree to within a nanometre.
"""

from __future__ import annotations

import numpy as np
from pyproj import Geod

from graph_api.models import Point

WGS84 = Geod(ellps="WGS84")


def geodesic_km(a: Point, b: Point) -> float:
    return float(WGS84.inv(a.lon, a.lat, b.lon, b.lat)[2]) / 1000


def geodesic_km_from(center: Point, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """The distance in km from `center` to each point of the arrays of latitudes and longitudes (degrees)."""
    lats, lons = np.array(lats, dtype=float), np.array(lons, dtype=float)  # copies: `inplace` writes into them
    if not lats.size:
        return np.zeros(0)
    # In place, pyproj skips copying each argument into a buffer of its own and back: a third of a short call.
    _, _, metres = WGS84.inv(np.full(lons.shape, center.lon), np.full(lats.shape, center.lat), lons, lats, inplace=True)
    return metres / 1000
