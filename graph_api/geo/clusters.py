"""Places counted per cell of a grid, so that a zoomed-out map draws one marker per cell, not thousands.

The cells are the slippy-map tiles at the map's zoom + `CELL_LEVELS`: on a map of 256-px tiles at that
zoom (Leaflet's; MapLibre's 512-px tiles make it MapLibre's zoom + 1) each cell is a 64-px square, a
little smaller than the 80-px radius Leaflet.markercluster gathers markers in. Tiles nest, so zooming
in splits cells and never merges them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import fmean

from graph_api.geo.tiles import Tile
from graph_api.models import Bounds, MeetingPlace, MeetingPlaceKind, Point

CELL_LEVELS = 2
"""A 256-px tile is cut into 2**2 by 2**2 cells."""


@dataclass(frozen=True, slots=True)
class Cluster:
    """The places in one cell, in the order they were given."""

    tile: Tile
    places: tuple[MeetingPlace, ...]

    @property
    def count(self) -> int:
        return len(self.places)

    @property
    def bounds(self) -> Bounds:
        return self.tile.bounds

    @property
    def location(self) -> Point:
        """The mean position: the marker sits among its places and inside the cell, which is convex."""
        return Point(fmean(p.location.lat for p in self.places), fmean(p.location.lon for p in self.places))

    @property
    def kinds(self) -> dict[MeetingPlaceKind, int]:
        """How many of each kind, in `MeetingPlaceKind`'s order, leaving out kinds with none."""
        counts = Counter(place.kind for place in self.places)
        return {kind: counts[kind] for kind in MeetingPlaceKind if counts[kind]}

    @property
    def is_demo(self) -> bool:
        return any(place.is_demo for place in self.places)

    @property
    def place(self) -> MeetingPlace | None:
        """The one place, so that a map can draw it as itself; None when there are more."""
        return self.places[0] if len(self.places) == 1 else None


@dataclass(frozen=True, slots=True)
class Clusters:
    clusters: list[Cluster]

    @property
    def total_count(self) -> int:
        return sum(cluster.count for cluster in self.clusters)

    @classmethod
    def of(cls, places: Iterable[MeetingPlace], zoom: int) -> Clusters:
        """The places by cell at the map's `zoom`, cells north to south, then west to east; empty cells left out."""
        cells: defaultdict[Tile, list[MeetingPlace]] = defaultdict(list)
        for place in places:
            cells[Tile.of(place.location, zoom + CELL_LEVELS)].append(place)
        ordered = sorted(cells, key=lambda tile: (tile.y, tile.x))
        return cls([Cluster(tile, tuple(cells[tile])) for tile in ordered])
