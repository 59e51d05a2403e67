"""GeoNames' populated places (500+ inhabitants), each in its municipality: read once per seed folder.

Two features read them: the gazetteer finds them by name, and coverage places people at them. A place
belongs to the municipality it lies in, or the closest one where the 1:4.5M coast cuts it off. Finding it takes a
point-in-polygon test a place (~0.1 s for the seeds'), so the result is kept in the derived cache when one is given.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from graph_api.derived_cache import derived
from graph_api.errors import DataError
from graph_api.geo.areas import BOUNDARIES, MunicipalityLocator
from graph_api.models import Point

PLACES = Path("reference/gazetteer/places.csv")


@dataclass(frozen=True, slots=True)
class Settlement:
    """A GeoNames populated place; `alternate_names` are GeoNames' other spellings, in any language."""

    name: str
    location: Point
    population: int
    alternate_names: tuple[str, ...] = field(default=(), compare=False)


@functools.cache
def settlements_by_municipality(seeds_dir: Path, cache_dir: Path | None = None) -> Mapping[str, tuple[Settlement, ...]]:
    """The seed folder's populated places by the code of their municipality, in the file's order; read from
    `cache_dir` while the files they come from are unchanged."""
    if not (seeds_dir / PLACES).is_file():
        raise DataError(f"{seeds_dir} is not a seed folder: it has no {PLACES}")
    return derived("settlements", seeds_dir, (PLACES, BOUNDARIES), lambda: _settlements(seeds_dir), cache_dir)


def _settlements(seeds_dir: Path) -> dict[str, tuple[Settlement, ...]]:
    path = seeds_dir / PLACES
    with path.open(encoding="utf-8", newline="") as file:
        settlements = [
            Settlement(
                row["name"],
                Point(float(row["latitude"]), float(row["longitude"])),
                int(row["population"]),
                tuple(name for name in row["alternatenames"].split("|") if name),
            )
            for row in csv.DictReader(file)
        ]
    codes = MunicipalityLocator.from_seeds(seeds_dir).nearest_each([s.location for s in settlements])
    grouped: dict[str, list[Settlement]] = {}
    for code, settlement in zip(codes, settlements, strict=True):
        grouped.setdefault(code, []).append(settlement)
    return {code: tuple(settlements) for code, settlements in grouped.items()}
