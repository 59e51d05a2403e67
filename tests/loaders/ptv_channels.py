"""A PTV listing of any length for the benchmark: an organization's service locations, every one of which imports
without a rejection.

The places are those of `spreadsheet_rows` (round the municipalities, each inside its own), given as PTV gives
them: ETRS-TM35FIN coordinates, named as meeting places of each kind, with weekly hours on two days.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import SEEDS
from tests.loaders.fake_ptv import location_channel, page_of, street_address, weekly
from tests.loaders.spreadsheet_rows import placed_rows

ORGANIZATION = "5c4b4a3e-0000-4000-8000-00000000be0c"
NAMES = ("Perhekahvila", "Perhetalo", "Avoin päiväkoti", "Kohtaamispaikka")


def ptv_channels(count: int = 1_000, seeds_dir: Path = SEEDS, organization: str = ORGANIZATION) -> dict[str, Any]:
    """The organization's `count` service locations as one page of `list/organization`, the same every time."""
    channels = [
        location_channel(
            f"0b000000-0000-4000-8000-{number:012d}",
            organization,
            f"{NAMES[number % len(NAMES)]} {municipality['name_fi']} {number}",
            street_address(point.lat, point.lon, "Kylätie", str(number), "00100", municipality["key"]),
            name_sv=f"Mötesplats {municipality['name_sv']} {number}",
            hours=[weekly(("Monday", "09:00", "12:00"), ("Thursday", f"{9 + number % 3:02d}:00", "15:00"))],
        )
        for number, municipality, point in placed_rows(count, seeds_dir)
    ]
    return page_of(channels, 1, max(count, 1))
