"""Great-circle distances, the kind Neo4j ranks the candidates it gives `graph_api.geo.index.nearest` by (on a sphere
of its own radius)."""

from __future__ import annotations

import math

from graph_api.models import Point

MEAN_EARTH_RADIUS_KM = 6371.0088


def great_circle_km(a: Point, b: Point) -> float:
    """Haversine on the sphere of the mean Earth radius."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * MEAN_EARTH_RADIUS_KM * math.asin(min(math.sqrt(h), 1.0))
