"""Which municipality and which postal code area a point lies in, by point-in-polygon on boundaries in `seeds/`.

The municipality boundaries are 1:4.5M, so a point within a few hundred metres of a border or the coast may
fall on either side; the postal code areas are Statistics Finland's, simplified on their own, so near a
border the two layers need not agree. An R-tree (shapely's STRtree) finds the few candidates.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Self

import shapely

from graph_api.errors import DataError
from graph_api.models import Point

BOUNDARIES = Path("reference/boundaries/municipalities.geojson")
POSTAL_CODE_AREAS = Path("reference/boundaries/postal_code_areas.geojson")


class AreaLocator:
    """Area codes by position, for one layer of boundaries; a point on a shared border goes to the lower code."""

    layer: ClassVar[Path]
    """The layer's file in a seed folder: GeoJSON features whose `id` is the area's code."""

    def __init__(self, boundaries: Mapping[str, shapely.Geometry]) -> None:
        self.boundaries = dict(boundaries)
        self.codes = list(boundaries)
        self.shapes = list(boundaries.values())
        self._tree = shapely.STRtree(self.shapes)
        west, south, east, north = shapely.total_bounds(self.shapes)
        self._box = shapely.box(west, south, east, north)

    @classmethod
    @functools.cache
    def from_seeds(cls, seeds_dir: Path) -> Self:
        """The locator for a seed folder, read once per process."""
        path = seeds_dir / cls.layer
        if not path.is_file():
            raise DataError(f"{seeds_dir} is not a seed folder: it has no {cls.layer}")
        text = path.read_text(encoding="utf-8")
        # GEOS reads all the geometries in one call, in half the time of shapely's `shape` feature by feature
        shapes = shapely.get_parts(shapely.from_geojson(text))
        return cls.from_features(json.loads(text)["features"], list(shapes))

    @classmethod
    def from_features(cls, features: list[dict[str, Any]], shapes: list[shapely.Geometry]) -> Self:
        """The locator of a layer's features, given their geometries in the same order."""
        return cls({feature["id"]: shape for feature, shape in zip(features, shapes, strict=True)})

    def locate(self, point: Point) -> str | None:
        hits = self._tree.query(shapely.Point(point.lon, point.lat), predicate="intersects")
        return min((self.codes[i] for i in hits), default=None)

    def nearest(self, point: Point) -> str:
        """The area the point lies in, or else the closest one (for places the 1:4.5M coast cuts off)."""
        return self.nearest_each([point])[0]

    def nearest_each(self, points: Sequence[Point]) -> list[str]:
        """`nearest` of each point, asked of the R-tree in two calls for all of them: locating a thousand populated
        places one by one took 60 ms, most of it in shapely's per-call overhead."""
        targets = shapely.points([p.lon for p in points], [p.lat for p in points])
        inside: dict[int, str] = {}
        for i, hit in zip(*self._tree.query(targets, predicate="intersects").tolist(), strict=True):
            inside[i] = min(inside.get(i, self.codes[hit]), self.codes[hit])
        outside = [i for i in range(len(points)) if i not in inside]
        closest: dict[int, str] = {}
        if outside:
            for i, hit in zip(*self._tree.query_nearest(targets[outside]).tolist(), strict=True):
                closest.setdefault(outside[i], self.codes[hit])  # the first of equally close areas, as for one point
        return [inside.get(i) or closest[i] for i in range(len(points))]

    def outside(self, point: Point) -> bool:
        """True when the point is beyond the box around every area: not in or near Finland."""
        return not self._box.intersects(shapely.Point(point.lon, point.lat))


class MunicipalityLocator(AreaLocator):
    """Municipality codes by position."""

    layer = BOUNDARIES

    def why_nowhere(self, point: Point) -> str:
        """Why `locate` found no municipality for the point."""
        if self.outside(point):
            return "the point is outside Finland"
        return "the point is in no municipality of Finland: at sea, or across the border"


@dataclass(frozen=True, slots=True)
class PostalCodeArea:
    """A postal code's area; `municipality` is the code of the municipality Statistics Finland counts it in."""

    postal_code: str
    municipality: str


class PostalCodeAreaLocator(AreaLocator):
    """Postal code areas by position. The seeds' areas do not overlap, and PO boxes and special codes have none."""

    layer = POSTAL_CODE_AREAS

    def __init__(self, boundaries: Mapping[str, shapely.Geometry], municipalities: Mapping[str, str]) -> None:
        super().__init__(boundaries)
        self.areas = {code: PostalCodeArea(code, municipalities[code]) for code in boundaries}

    @classmethod
    def from_features(cls, features: list[dict[str, Any]], shapes: list[shapely.Geometry]) -> Self:
        boundaries = {feature["id"]: shape for feature, shape in zip(features, shapes, strict=True)}
        return cls(boundaries, {feature["id"]: feature["properties"]["municipality"] for feature in features})

    def area_at(self, point: Point) -> PostalCodeArea | None:
        code = self.locate(point)
        return None if code is None else self.areas[code]

    def point_in(self, code: str, within: shapely.Geometry | None = None) -> Point | None:
        """A point inside the code's area, and inside `within` too where the two meet; None if it has no area.

        shapely's `representative_point`: always inside the polygon, unlike a centroid, which may fall in a bay.
        """
        area = self.boundaries.get(code)
        if area is None:
            return None
        inside = area.representative_point()
        if within is not None and not within.intersects(inside):
            part = shapely.intersection(area, within)
            inside = part.representative_point() if shapely.area(part) > 0 else inside
        return Point(inside.y, inside.x)
