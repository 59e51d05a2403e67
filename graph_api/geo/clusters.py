"""Places counted per cell of a grid, so that a zoomed-out map draws one marker per cell, not thousands.

The cells are the slippy-map tiles at the map's zoom + `CELL_LEVELS`: on a map of 256-px tiles at that
zoom (Leaflet's; MapLibre's 512-px tiles make it MapLibre's zoom + 1) each cell is a 64-px square, a
little smaller than the 80-px radius Leaflet.markercluster gathers markers in. Tiles nest, so zooming
in splits cells and never merges them.

The counting runs in numpy over arrays of the places' coordinates, kinds and demo flags (`PlaceArrays`), so
that a store holding them already counts a million places without touching one object per place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from graph_api.geo.tiles import Tile, tiles_of
from graph_api.models import Bounds, MeetingPlace, MeetingPlaceKind, Point

CELL_LEVELS = 2
"""A 256-px tile is cut into 2**2 by 2**2 cells."""
MAX_CLUSTERED = 50_000
"""The places a store that reads them as objects counts (see `GraphStore.place_clusters`): counts must add up,
so a view with more is refused rather than sampled."""
KINDS = tuple(MeetingPlaceKind)
KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}
"""Each kind's number in `PlaceArrays.kinds`: its position in the enum."""


@dataclass(frozen=True, slots=True)
class PlaceArrays:
    """Meeting places as arrays, position by position: latitudes, longitudes, kinds (`KIND_CODES`), demo flags."""

    lats: np.ndarray
    lons: np.ndarray
    kinds: np.ndarray
    demo: np.ndarray

    @classmethod
    def of(cls, places: Sequence[MeetingPlace]) -> PlaceArrays:
        return cls(
            lats=np.array([p.location.lat for p in places], dtype=float),
            lons=np.array([p.location.lon for p in places], dtype=float),
            kinds=np.array([KIND_CODES[p.kind] for p in places], dtype=np.int8),
            demo=np.array([p.is_demo for p in places], dtype=bool),
        )

    def at(self, positions: np.ndarray) -> PlaceArrays:
        return PlaceArrays(self.lats[positions], self.lons[positions], self.kinds[positions], self.demo[positions])


@dataclass(frozen=True, slots=True)
class Cluster:
    """The places in one cell: how many, of which kinds (in `MeetingPlaceKind`'s order, leaving out kinds with
    none), whether any is demo, and where the marker goes: at their mean position, among them and inside the
    cell, which is convex. `place` is the one place, so that a map can draw it as itself; None when there are
    more."""

    tile: Tile
    count: int
    location: Point
    kinds: dict[MeetingPlaceKind, int]
    is_demo: bool
    place: MeetingPlace | None

    @property
    def bounds(self) -> Bounds:
        return self.tile.bounds


@dataclass(frozen=True, slots=True)
class Clusters:
    clusters: list[Cluster]

    @property
    def total_count(self) -> int:
        return sum(cluster.count for cluster in self.clusters)

    @classmethod
    def of(cls, places: Sequence[MeetingPlace], zoom: int) -> Clusters:
        """The places by cell at the map's `zoom`, cells north to south, then west to east; empty cells left out."""
        return cls.counted(PlaceArrays.of(places), zoom, places.__getitem__)

    @classmethod
    def counted(
        cls,
        places: PlaceArrays,
        zoom: int,
        place_at: Callable[[int], MeetingPlace],
        grouped: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> Clusters:
        """`of` over arrays; `place_at` gives the place at a position of the arrays, for cells of one place.

        `grouped` is (cells ascending, each place's cell among them) when the caller has it already (`group`): its
        cells may include some that hold none of these places.
        """
        z = zoom + CELL_LEVELS
        cells, inverse = group(cells_of(places, z), z) if grouped is None else grouped
        size = len(cells)
        every_count = np.bincount(inverse, minlength=size)
        held = np.flatnonzero(every_count)
        counts = every_count[held]
        lats = np.bincount(inverse, weights=places.lats, minlength=size)[held] / counts
        lons = np.bincount(inverse, weights=places.lons, minlength=size)[held] / counts
        kinds = np.bincount(inverse * len(KINDS) + places.kinds, minlength=size * len(KINDS)).reshape(size, len(KINDS))
        demo = np.bincount(inverse, weights=places.demo, minlength=size)[held] > 0
        alone = np.flatnonzero(every_count[inverse] == 1)
        lone = dict(zip(inverse[alone].tolist(), alone.tolist(), strict=True))
        columns = zip(
            held.tolist(),
            cells[held].tolist(),
            counts.tolist(),
            lats.tolist(),
            lons.tolist(),
            kinds[held].tolist(),
            demo.tolist(),
            strict=True,
        )
        return cls(
            [
                Cluster(
                    tile=Tile(z, cell % 2**z, cell // 2**z),
                    count=count,
                    location=Point(lat, lon),
                    kinds={KINDS[k]: n for k, n in enumerate(kinded) if n},
                    is_demo=is_demo,
                    place=place_at(lone[i]) if count == 1 else None,
                )
                for i, cell, count, lat, lon, kinded, is_demo in columns
            ]
        )


def cells_of(places: PlaceArrays, z: int) -> np.ndarray:
    """Each place's cell, the tile at zoom `z` that holds it, as `y * 2**z + x`: north to south, then west to east."""
    xs, ys = tiles_of(places.lats, places.lons, z)
    return ys * 2**z + xs


def group(cells: np.ndarray, z: int) -> tuple[np.ndarray, np.ndarray]:
    """The cells (`cells_of`) that hold places, ascending, and each place's cell among them. Where the places' cells
    span a grid no larger than their number, counted on that grid; else sorted (`np.unique`)."""
    if not len(cells):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    xs, ys = cells & (2**z - 1), cells >> z
    x0, y0 = xs.min(), ys.min()
    width, height = int(xs.max() - x0) + 1, int(ys.max() - y0) + 1
    if width * height > len(cells):
        return np.unique(cells, return_inverse=True)  # type: ignore[no-any-return]
    on_grid = (ys - y0) * width + (xs - x0)
    held = np.flatnonzero(np.bincount(on_grid, minlength=width * height))
    rank = np.zeros(width * height, dtype=np.int64)
    rank[held] = np.arange(len(held))
    return (held // width + y0) * 2**z + held % width + x0, rank[on_grid]
