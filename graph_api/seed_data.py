"""What requests look up in the seed folder beside the store: the municipality and postal code area boundaries
(`whereIs`, the map layers, an edited place's municipality) and the populated places (coverage).

None of it is read at start-up: each is made on its first use (in a worker thread, see `Lazy`), and the populated
places come from the derived cache (`graph_api.derived_cache`) while the seeds are unchanged.
"""

from __future__ import annotations

from pathlib import Path

from graph_api.geo.areas import MunicipalityLocator, PostalCodeAreaLocator
from graph_api.lazy import Lazy
from graph_api.planning.population import Settlements


class SeedData:
    """One per app: the seed folder's areas and populated places, each made once, when first asked for."""

    def __init__(self, seeds_dir: Path, cache_dir: Path | None) -> None:
        self.locator = Lazy(lambda: MunicipalityLocator.from_seeds(seeds_dir))
        self.postal_areas = Lazy(lambda: PostalCodeAreaLocator.from_seeds(seeds_dir))
        self.settlements = Lazy(lambda: Settlements.from_seeds(seeds_dir, cache_dir))
