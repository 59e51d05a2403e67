"""Tiles are Web Mercator's slippy-map tiles, and a point always lies inside the bounds of its tile."""

from __future__ import annotations

import math
import random

import pytest
from pyproj import Transformer

from graph_api.geo.tiles import Tile
from graph_api.models import Bounds, Point

WEB_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
HALF_WORLD_M = 20037508.342789244


def holds(bounds: Bounds, point: Point) -> bool:
    """Cells are half-open: a point on an edge belongs to the cell east or south of it, but at 180° and -90°."""
    in_lon = bounds.west <= point.lon < bounds.east or point.lon == bounds.east == 180
    in_lat = bounds.south < point.lat <= bounds.north or point.lat == bounds.south == -90
    return in_lon and in_lat


def by_proj(point: Point, z: int) -> tuple[float, float]:
    """The point's position in tiles at zoom z, from PROJ's Web Mercator metres."""
    x, y = WEB_MERCATOR.transform(point.lon, point.lat)
    n = 2**z
    return (x + HALF_WORLD_M) / (2 * HALF_WORLD_M) * n, (HALF_WORLD_M - y) / (2 * HALF_WORLD_M) * n


@pytest.mark.parametrize("z", [0, 1, 4, 10, 17, 26])
def test_tiles_are_those_of_web_mercator(z: int) -> None:
    rng = random.Random(z)
    for _ in range(500):
        point = Point(rng.uniform(-85, 85), rng.uniform(-180, 180))
        x, y = by_proj(point, z)
        if min(abs(x - round(x)), abs(y - round(y))) < 1e-6:
            continue  # too near an edge for PROJ's rounding to decide
        assert Tile.of(point, z) == Tile(z, math.floor(x), math.floor(y))


def test_helsinki_at_zoom_10_is_the_osm_tile() -> None:
    assert Tile.of(Point(60.1699, 24.9384), 10) == Tile(10, 582, 296)


@pytest.mark.parametrize("z", [1, 6, 12, 24])
def test_a_tile_holds_its_points_also_on_its_edges(z: int) -> None:
    rng = random.Random(z)
    n = 2**z
    for _ in range(300):
        tile = Tile(z, rng.randrange(n), rng.randrange(n))
        bounds = tile.bounds
        assert Tile.of(Point(bounds.north, bounds.west), z) == tile, "the north-west corner is the tile's own"
        inside = Point(rng.uniform(bounds.south, bounds.north), rng.uniform(bounds.west, bounds.east))
        assert holds(Tile.of(inside, z).bounds, inside)
        for corner in (Point(bounds.south, bounds.west), Point(bounds.north, bounds.east)):
            assert holds(Tile.of(corner, z).bounds, corner)


@pytest.mark.parametrize(
    ("point", "tile"),
    [
        pytest.param(Point(90, 0), Tile(3, 4, 0), id="north-pole"),
        pytest.param(Point(86, 0), Tile(3, 4, 0), id="above-mercator"),
        pytest.param(Point(-90, 0), Tile(3, 4, 7), id="south-pole"),
        pytest.param(Point(0, -180), Tile(3, 0, 4), id="west-end"),
        pytest.param(Point(0, 180), Tile(3, 7, 4), id="east-end"),
    ],
)
def test_the_edge_rows_and_columns_take_the_poles_and_the_antimeridian(point: Point, tile: Tile) -> None:
    assert Tile.of(point, 3) == tile
    assert holds(tile.bounds, point)


def test_the_top_and_bottom_rows_reach_the_poles() -> None:
    assert Tile(2, 1, 0).bounds == Bounds(south=66.51326044311186, west=-90.0, north=90.0, east=0.0)
    assert Tile(2, 2, 1).bounds == Bounds(south=0.0, west=0.0, north=66.51326044311186, east=90.0)
    assert Tile(2, 1, 3).bounds.south == -90


@pytest.mark.parametrize("z", [0, 5, 11, 25])
def test_tiles_nest(z: int) -> None:
    """A tile's four children at the next zoom cover it exactly, so zooming in splits cells, never merges them."""
    rng = random.Random(z)
    for _ in range(500):
        point = Point(round(rng.uniform(-90, 90), rng.choice([1, 3, 5])), round(rng.uniform(-180, 180), 2))
        parent, child = Tile.of(point, z), Tile.of(point, z + 1)
        assert (child.x // 2, child.y // 2) == (parent.x, parent.y)
