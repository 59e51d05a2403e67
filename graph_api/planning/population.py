"""Where people live inside a municipality, approximated from GeoNames' populated places.

Each populated place of 500+ inhabitants (`seeds/reference/gazetteer/places.csv`) belongs to the
municipality it lies in (or the closest one, where the 1:4.5M coast cuts it off). A municipality's
people live at its places, with their GeoNames populations, and the rest of its population at the
municipality's `location`. GeoNames lists a town and its neighbourhoods side by side, so their
populations can add up to more than the municipality's: then each place is scaled down by the same
factor, so that the people still add up to the municipality's population and nobody lives at its
`location` apart from its places.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from graph_api.geo.places import Settlement, settlements_by_municipality
from graph_api.models import Municipality, Point


@dataclass(frozen=True, slots=True)
class Residents:
    """People living at one point; fractional where a municipality's places are scaled down."""

    location: Point
    people: float


class Settlements:
    """GeoNames' populated places by the code of the municipality they lie in."""

    def __init__(self, by_municipality: Mapping[str, Sequence[Settlement]]) -> None:
        self._by_municipality = {code: tuple(places) for code, places in by_municipality.items()}

    @classmethod
    def from_seeds(cls, seeds_dir: Path, cache_dir: Path | None = None) -> Settlements:
        """The settlements of a seed folder, read once per process (from `cache_dir` while the seeds are unchanged)."""
        return cls(settlements_by_municipality(seeds_dir, cache_dir))

    def of(self, code: str) -> tuple[Settlement, ...]:
        return self._by_municipality.get(code, ())

    def residents(self, municipality: Municipality) -> list[Residents]:
        """Where the municipality's people live; they add up to its population."""
        places = self.of(municipality.key)
        listed = sum(place.population for place in places)
        scale = min(1.0, municipality.population / listed) if listed else 1.0
        residents = [Residents(place.location, place.population * scale) for place in places]
        rest = municipality.population - listed
        if rest > 0:
            residents.append(Residents(municipality.location, float(rest)))
        return residents
