"""Which points lie in a map view, by one rule for every reader: edges included, and `west > east` a box that
crosses the antimeridian (as Neo4j's `point.withinBBox` reads its corners).

The same expression serves numpy arrays of coordinates (a store's whole index at once) and a single point (a
change pushed to a subscription), so the two can never disagree on a place at the edge.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from graph_api.models import Bounds, Point

Coordinates = TypeVar("Coordinates", float, NDArray[np.float64])


def inside(bounds: Bounds, lats: Coordinates, lons: Coordinates) -> bool | NDArray[np.bool_]:
    """Whether each (lat, lon) lies in `bounds`: a bool for floats, an array of them for arrays."""
    in_lat = (lats >= bounds.south) & (lats <= bounds.north)
    if bounds.west <= bounds.east:
        return in_lat & (lons >= bounds.west) & (lons <= bounds.east)
    return in_lat & ((lons >= bounds.west) | (lons <= bounds.east))


def contains(bounds: Bounds, point: Point) -> bool:
    return bool(inside(bounds, point.lat, point.lon))
