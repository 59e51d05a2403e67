"""A partner spreadsheet of any length for the benchmark: CSV text whose every row imports without a warning.

Rows go round the municipalities in code order, each placed a little off its municipality's centre (or at the
centre when the nudge would leave the municipality), with a family café's hours on three days.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from pathlib import Path

from graph_api.geo.areas import MunicipalityLocator
from graph_api.geo.gazetteer import MUNICIPALITIES
from graph_api.models import Point
from loaders.csvfiles import read_rows
from tests.conftest import SEEDS

COLUMNS = ("id", "name", "kind", "organiser", "municipality", "lat", "lon", "mo", "we", "fr")
KINDS = ("perhekahvila", "kohtaamispaikka", "perhetalo", "avoin päiväkoti")
NUDGE_DEGREES = 0.003


def placed_rows(count: int, seeds_dir: Path = SEEDS, seed: int = 0) -> Iterator[tuple[int, dict[str, str], Point]]:
    """(number, municipality's seed row, point) for places 1 to `count`, round the municipalities in code order."""
    chance = random.Random(seed)
    locator = MunicipalityLocator.from_seeds(seeds_dir)
    municipalities = sorted(read_rows(seeds_dir / MUNICIPALITIES), key=lambda row: row["key"])
    for number in range(1, count + 1):
        municipality = municipalities[(number - 1) % len(municipalities)]
        centre = Point(float(municipality["lat"]), float(municipality["lon"]))
        nudged = Point(
            round(centre.lat + chance.uniform(-NUDGE_DEGREES, NUDGE_DEGREES), 6),
            round(centre.lon + chance.uniform(-NUDGE_DEGREES, NUDGE_DEGREES), 6),
        )
        yield number, municipality, nudged if locator.locate(nudged) == municipality["key"] else centre


def spreadsheet_rows(count: int, seeds_dir: Path = SEEDS, seed: int = 0) -> str:
    """`count` rows in the `;`-separated CSV Excel writes in Finland (with a header), the same for the same seed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for number, municipality, point in placed_rows(count, seeds_dir, seed):
        kind = KINDS[number % len(KINDS)]
        name = f"{kind.capitalize()} {municipality['name_fi']} {number}"
        hours = f"{9 + number % 3}-{12 + number % 3}"
        writer.writerow(
            (f"b-{number}", name, kind, "Organization:mll", municipality["name_fi"], point.lat, point.lon, hours, "",
             f"{hours}, 15-17")
        )  # fmt: skip
    return out.getvalue()
