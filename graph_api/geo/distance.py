"""Distances on the WGS-84 ellipsoid: geopy's geodesic (Karney's algorithm) is the reference."""

from __future__ import annotations

from geopy.distance import geodesic

from graph_api.models import Point


def geodesic_km(a: Point, b: Point) -> float:
    return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).kilometers)
