"""Which municipality a point lies in, by point-in-polygon on the municipality boundaries.

The boundaries are reference data shipped in `seeds/` (1:4.5M, so a point within a few hundred metres of
a border or the coast may fall on either side); an R-tree (shapely's STRtree) finds the few candidates.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path

import shapely

from graph_api.errors import DataError
from graph_api.models import Point

BOUNDARIES = Path("reference/boundaries/municipalities.geojson")


class MunicipalityLocator:
    """Municipality codes by position; a point on a shared border goes to the lower code."""

    def __init__(self, boundaries: Mapping[str, shapely.Geometry]) -> None:
        self.boundaries = dict(boundaries)
        self.codes = list(boundaries)
        self.shapes = list(boundaries.values())
        self._tree = shapely.STRtree(self.shapes)
        west, south, east, north = shapely.total_bounds(self.shapes)
        self._box = shapely.box(west, south, east, north)

    @classmethod
    @functools.cache
    def from_seeds(cls, seeds_dir: Path) -> MunicipalityLocator:
        """The locator for a seed folder, read once per process."""
        path = seeds_dir / BOUNDARIES
        if not path.is_file():
            raise DataError(f"{seeds_dir} is not a seed folder: it has no {BOUNDARIES}")
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        return cls({feature["id"]: shapely.geometry.shape(feature["geometry"]) for feature in features})

    def locate(self, point: Point) -> str | None:
        hits = self._tree.query(shapely.Point(point.lon, point.lat), predicate="intersects")
        return min((self.codes[i] for i in hits), default=None)

    def nearest(self, point: Point) -> str:
        """The municipality the point lies in, or else the closest one (for places the 1:4.5M coast cuts off)."""
        return self.locate(point) or self.codes[int(self._tree.query_nearest(shapely.Point(point.lon, point.lat))[0])]

    def why_nowhere(self, point: Point) -> str:
        """Why `locate` found no municipality for the point."""
        if not self._box.intersects(shapely.Point(point.lon, point.lat)):
            return "the point is outside Finland"
        return "the point is in no municipality of Finland: at sea, or across the border"
