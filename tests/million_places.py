"""A seed folder with a million meeting places, for benchmarks only: `python -m tests.million_places OUT [--places N]`.

It is the shipped seed folder (reference and demo) with generated meeting places added to the demo part, marked
`source = demo` as every demo row is, so that the real loaders (`loaders.seeds.read_dataset`) read it and every
answer shows it as demo. The places are spread like people: each municipality gets a share by its population
(a multinomial draw), and its places lie uniformly (in degrees) inside its boundary. Each is `LOCATED_IN` its
municipality and `OFFERS` its kind's core activity, as the shipped demo places do. The same seed always writes
the same folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
from pathlib import Path

import numpy as np
import shapely

from graph_api.models import DEMO_SOURCE
from loaders.csvfiles import read_rows
from loaders.demo import CORE_ACTIVITY, KIND_NAMES, KIND_WEIGHTS
from tests.conftest import SEEDS

DEFAULT_PLACES = 1_000_000
DEFAULT_SEED = 14
DRAWS_PER_ROUND = 1.5
"""How many more points than still needed each round of rejection draws inside the bounding box, per the share of
the box the boundary covers."""


def write_million(out: Path, places: int = DEFAULT_PLACES, seed: int = DEFAULT_SEED) -> int:
    """Write the seed folder to `out` (replacing it) with `places` meeting places in all; return how many were
    generated (the shipped demo places count towards `places`)."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(SEEDS, out)
    nodes = out / DEMO_SOURCE / "nodes" / "MeetingPlace.csv"
    shipped = sum(1 for _ in read_rows(nodes))
    count = max(0, places - shipped)
    rng = np.random.default_rng(seed)
    municipalities = list(read_rows(out / "reference" / "nodes" / "Municipality.csv"))
    boundaries = _boundaries(out / "reference" / "boundaries" / "municipalities.geojson")
    municipalities = [m for m in municipalities if m["key"] in boundaries]
    population = np.array([int(m["population"]) for m in municipalities], dtype=float)
    shares = rng.multinomial(count, population / population.sum())
    kinds = list(KIND_WEIGHTS)
    weights = np.array(list(KIND_WEIGHTS.values()), dtype=float)
    with (
        nodes.open("a", encoding="utf-8", newline="") as node_file,
        (out / DEMO_SOURCE / "relationships" / "LOCATED_IN.csv").open("a", encoding="utf-8", newline="") as located,
        (out / DEMO_SOURCE / "relationships" / "OFFERS.csv").open("a", encoding="utf-8", newline="") as offers,
    ):
        node_rows, located_rows, offer_rows = (csv.writer(f, lineterminator="\n") for f in (node_file, located, offers))
        number = 0
        for municipality, share in zip(municipalities, shares.tolist(), strict=True):
            if not share:
                continue
            lats, lons = _inside(boundaries[municipality["key"]], share, rng)
            chosen = rng.choice(len(kinds), size=share, p=weights / weights.sum())
            for lat, lon, kind_number in zip(lats.tolist(), lons.tolist(), chosen.tolist(), strict=True):
                number += 1
                key, kind = f"mp-million-{number:07d}", kinds[kind_number]
                name = f"{KIND_NAMES[kind]} {municipality['name_fi']} {number}"
                node_rows.writerow((key, DEMO_SOURCE, name, kind, f"{lat:.5f}", f"{lon:.5f}"))
                located_rows.writerow((f"MeetingPlace:{key}", f"Municipality:{municipality['key']}", DEMO_SOURCE))
                offer_rows.writerow((f"MeetingPlace:{key}", f"Activity:{CORE_ACTIVITY[kind]}", DEMO_SOURCE))
    return count


def _boundaries(path: Path) -> dict[str, shapely.Geometry]:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {str(f["id"]): shapely.geometry.shape(f["geometry"]) for f in features}


def _inside(boundary: shapely.Geometry, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`count` points uniform in degrees inside the boundary: drawn in its box, those outside thrown away."""
    shapely.prepare(boundary)
    west, south, east, north = boundary.bounds
    covered = max(boundary.area / ((east - west) * (north - south)), 0.01)
    lats: list[np.ndarray] = []
    lons: list[np.ndarray] = []
    found = 0
    while found < count:
        draws = int((count - found) / covered * DRAWS_PER_ROUND) + 16
        lat, lon = rng.uniform(south, north, draws), rng.uniform(west, east, draws)
        kept = shapely.contains_xy(boundary, lon, lat)
        lats.append(lat[kept])
        lons.append(lon[kept])
        found += int(kept.sum())
    return np.concatenate(lats)[:count], np.concatenate(lons)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path, help="the seed folder to write (replaced if it exists)")
    parser.add_argument("--places", type=int, default=DEFAULT_PLACES, help="meeting places in all")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    generated = write_million(args.out, args.places, args.seed)
    print(f"wrote {args.out}: {generated:,} generated meeting places beside the shipped ones")


if __name__ == "__main__":
    main()
