"""Slippy-map tiles: the Web Mercator grid that Leaflet, MapLibre and OpenStreetMap draw maps in.

At zoom `z` the world is `2**z` by `2**z` tiles; columns run east from 180°W, rows south from 85.0511°N,
the latitude where Web Mercator's square ends. So that every place has a tile, the top and bottom rows
reach the poles. A tile's edges are computed in one place (`_west`, `_north`), and a position goes to the
tile whose edges hold it, so that a place lies inside the bounds of its tile to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from graph_api.models import Bounds, Point

EDGE_HAIR = 1e-9
"""Degrees from a row's edge within which numpy's rounding (of `arctan`, `sinh`) might differ from math's."""


@dataclass(frozen=True, slots=True)
class Tile:
    """Tile `x`, `y` at zoom `z`, as in a tile URL `{z}/{x}/{y}`."""

    z: int
    x: int
    y: int

    @classmethod
    def of(cls, point: Point, z: int) -> Tile:
        """The tile holding the point; on an edge, the tile to the east or the south of it."""
        n = 2**z
        x_guess = (point.lon + 180) / 360 * n
        y_guess = (1 - math.asinh(math.tan(math.radians(point.lat))) / math.pi) / 2 * n
        x = _cell(point.lon, x_guess, lambda i: _west(i, n), n)
        y = _cell(-point.lat, y_guess, lambda j: -_north(j, n), n)
        return cls(z, x, y)

    @property
    def bounds(self) -> Bounds:
        n = 2**self.z
        return Bounds(
            south=_north(self.y + 1, n), west=_west(self.x, n), north=_north(self.y, n), east=_west(self.x + 1, n)
        )


def tiles_of(lats: np.ndarray, lons: np.ndarray, z: int) -> tuple[np.ndarray, np.ndarray]:
    """The columns and rows of `Tile.of` for arrays of positions: the formula and its edges in numpy, and
    `Tile.of` itself for the few points the formula puts in the wrong cell or a hair from a row's edge."""
    n = 2**z
    xs = np.clip(np.floor((lons + 180) / 360 * n), 0, n - 1).astype(np.int64)
    ys = np.clip(np.floor((1 - np.arcsinh(np.tan(np.radians(lats))) / np.pi) / 2 * n), 0, n - 1).astype(np.int64)
    west, east = xs * 360 / n - 180, np.where(xs == n - 1, np.inf, (xs + 1) * 360 / n - 180)
    if len(ys) and ys.max() - ys.min() < len(ys):  # fewer rows than points: each row's edge computed once
        edges = _norths(np.arange(ys.min(), ys.max() + 2), n)
        north, south = edges[ys - ys.min()], edges[ys - ys.min() + 1]
    else:
        north, south = _norths(ys, n), _norths(ys + 1, n)
    unsure = ~((west <= lons) & (lons < east) & (south + EDGE_HAIR < lats) & (lats < north - EDGE_HAIR))
    for i in np.flatnonzero(unsure):
        tile = Tile.of(Point(float(lats[i]), float(lons[i])), z)
        xs[i], ys[i] = tile.x, tile.y
    return xs, ys


def _norths(ys: np.ndarray, n: int) -> np.ndarray:
    """`_north` over an array of rows, up to numpy's rounding."""
    inner = np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * ys / n))))
    return np.where(ys == 0, 90.0, np.where(ys == n, -90.0, inner))


def _west(x: int, n: int) -> float:
    return x * 360 / n - 180


def _north(y: int, n: int) -> float:
    if y == 0:
        return 90.0
    if y == n:
        return -90.0
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))


def _cell(position: float, guess: float, edge: Callable[[int], float], count: int) -> int:
    """The `i` in `[0, count)` with `edge(i) <= position < edge(i + 1)` (the last cell takes its far edge too).

    `guess` is the position in cells by the formula, off by one at most where rounding meets an edge.
    """
    i = min(max(math.floor(guess), 0), count - 1)
    while i > 0 and position < edge(i):
        i -= 1
    while i < count - 1 and position >= edge(i + 1):
        i += 1
    return i
