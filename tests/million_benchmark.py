"""Figures at a million meeting places: `python -m tests.million_benchmark [--places N] [--no-neo4j]`.

A seed folder with `--places` meeting places (`tests.million_places`) is loaded into the embedded store, and again
one with a tenth of them, so that each figure shows how it scales: k-nearest and `nearby` at radii from 1 to 1,000
km, `inBounds` and `clusters` of the whole country, national coverage, the load rate and the peak memory of a
process holding the store. Each figure stands beside a reference measured in the same run (the kd-tree's own query,
the numpy box test alone, the shipped seeds) and the ratio; k-nearest also beside scipy's cKDTree, the tree the index
had before pykdtree's. Neo4j loads `--neo4j-places` of them through `Neo4jStore.bulk_load` and answers `nearby`
beside the embedded store of the same data and its own read of one node by key. It takes minutes:
`tests.benchmark --million` runs it after the other figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from graph_api.geo.boxes import inside
from graph_api.geo.index import earth_centred_point, nearest
from graph_api.maps import place_clusters
from graph_api.models import Bounds, MeetingPlace, NodeRef, Point
from graph_api.planning import coverage, planner
from graph_api.planning.population import Settlements
from graph_api.store.base import EVERY_PLACE, GraphStore
from graph_api.store.memory import MemoryStore
from loaders.seeds import read_dataset
from tests.conftest import SEEDS, claim, neo4j_store_for, wipe
from tests.jvm_warm_up import MOST_S, warmed_up
from tests.million_places import DEFAULT_PLACES, write_million
from tests.neo4j_server import Neo4jServer

FINLAND = Bounds(south=59.0, west=19.0, north=71.0, east=32.0)
FINLAND_ZOOM = 5
"""The zoom at which Leaflet shows the whole of Finland on a 1,000-px-high map."""
RADII_KM = (1.0, 10.0, 100.0, 1000.0)
LIMIT = 20
K = 10
WHOLE_EARTH_KM = 20_100.0
QUERIES = 300
WHOLE_COUNTRY_ROUNDS = 15
OLD_QUERIES = 5
"""The radius search that `nearby` replaced gathers everything in the radius: a few queries are enough to time it."""
COVERAGE_KM = 10.0
NEO4J_PLACES = 1_000_000
"""`bulk_load` wrote the million's 3 million rows at 8,400 rows a second (6 minutes) on a busy 2-core machine."""
SHARE = 10
"""The smaller run holds a tenth of the places."""


@dataclass
class Figures:
    places: int
    rows: int
    read_s: float
    load_s: float
    knn_s: float
    tree_s: float
    scipy_s: float
    nearby_s: dict[float, float]
    tree_limit_s: float
    old_s: dict[float, float]
    in_bounds_s: float
    clusters_s: float
    box_s: float
    clusters: int
    coverage_s: float


def median_time(call: Callable[[], object], items: int) -> float:
    times = []
    for _ in range(items):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def median_async(calls: list[Callable[[], Awaitable[object]]]) -> float:
    times = []
    for call in calls:
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def centers_near(places: list[MeetingPlace], count: int, seed: int) -> list[Point]:
    """Half a few km from a place, where people live, half anywhere over Finland."""
    rng = random.Random(seed)
    centers = []
    for n in range(count):
        if n % 2:
            at = rng.choice(places).location
            centers.append(Point(at.lat + rng.gauss(0, 0.03), at.lon + rng.gauss(0, 0.06)))
        else:
            centers.append(Point(rng.uniform(60.0, 69.5), rng.uniform(21.0, 30.5)))
    return centers


async def loaded(folder: Path) -> tuple[MemoryStore, int, float, float]:
    """The folder in a new embedded store, its rows, and the seconds reading it and loading it took."""
    started = time.perf_counter()
    dataset = read_dataset(folder)
    read_s = time.perf_counter() - started
    store = MemoryStore()
    started = time.perf_counter()
    await store.load(dataset)
    return store, len(dataset.nodes) + len(dataset.relationships), read_s, time.perf_counter() - started


async def national_coverage_s(store: GraphStore) -> float:
    """Seconds for the first answer of every municipality's coverage at 10 km, as `tests.benchmark` asks it: once,
    since at a million places it takes long."""
    settlements = Settlements.from_seeds(SEEDS)
    coverage.nearest_place.cache_clear()
    started = time.perf_counter()
    terms = planner.coverage_terms(COVERAGE_KM, EVERY_PLACE, 2023)
    gaps = await planner.coverage_gaps(store, settlements, terms, None, None, None)
    assert len(gaps.municipalities) == 309
    return time.perf_counter() - started


async def embedded_figures(folder: Path) -> Figures:
    store, rows, read_s, load_s = await loaded(folder)
    places, index = store._placed.places, store._placed.index
    tree, scipy_tree = index._tree, cKDTree(index._xyz)
    centers = centers_near(places, QUERIES, seed=len(places))
    targets = [earth_centred_point(c) for c in centers]
    turn = iter(range(10**9))

    def one(call: Callable[[int], object]) -> Callable[[], object]:
        return lambda: call(next(turn) % QUERIES)

    knn_s = median_time(one(lambda i: index.nearest_in_radius(centers[i], WHOLE_EARTH_KM, K)), QUERIES)
    tree_s = median_time(one(lambda i: tree.query(targets[i], K)), QUERIES)
    scipy_s = median_time(one(lambda i: scipy_tree.query(targets[i][0], K)), QUERIES)
    tree_limit_s = median_time(one(lambda i: tree.query(targets[i], LIMIT)), QUERIES)
    nearby_s = {
        radius: await median_async([lambda c=c, r=radius: store.nearby(c, r, LIMIT) for c in centers])
        for radius in RADII_KM
    }
    old_s = {
        radius: median_time(
            one(
                lambda i, r=radius: nearest(
                    centers[i], radius_candidates(scipy_tree, centers[i], r), places_at(places), r, LIMIT
                )
            ),
            OLD_QUERIES,
        )
        for radius in RADII_KM[:3]
    }
    in_bounds_s = await median_async([lambda: store.in_bounds(FINLAND, 500)] * WHOLE_COUNTRY_ROUNDS)
    clusters_s = await median_async(
        [lambda: place_clusters(store, FINLAND, FINLAND_ZOOM, EVERY_PLACE)] * WHOLE_COUNTRY_ROUNDS
    )
    box_s = median_time(lambda: inside(FINLAND, index.lats, index.lons), WHOLE_COUNTRY_ROUNDS)
    clusters = len((await place_clusters(store, FINLAND, FINLAND_ZOOM, EVERY_PLACE)).clusters)
    coverage_s = await national_coverage_s(store)
    return Figures(
        len(places),
        rows,
        read_s,
        load_s,
        knn_s,
        tree_s,
        scipy_s,
        nearby_s,
        tree_limit_s,
        old_s,
        in_bounds_s,
        clusters_s,
        box_s,
        clusters,
        coverage_s,
    )


def radius_candidates(tree: cKDTree, center: Point, radius_km: float) -> list[tuple[float, int]]:
    """The reference: what the index gave before it searched for the nearest k, every point within the radius, with
    its chord through the Earth (km), which no geodesic is shorter than and, up to 1,000 km, within 0.03% of it."""
    target = earth_centred_point(center)[0]
    found = sorted(tree.query_ball_point(target, radius_km))
    chords = np.linalg.norm(tree.data[found] - target, axis=1)
    return [(float(km), int(i)) for km, i in zip(chords, found, strict=True)]


def places_at(places: list[MeetingPlace]) -> Callable[[int], Point]:
    return lambda i: places[i].location


def peak_memory_mib(folder: Path) -> float:
    """Peak resident memory in MiB of a process that loads the folder into an embedded store (`--hold`).

    The child reads its own peak (`VmHWM`): the peak `os.wait4` reports would count this process's pages too, since
    Linux keeps the larger of a process's peak before and after it runs a new program, and a child starts as a
    copy of its parent.
    """
    command = [sys.executable, "-m", "tests.million_benchmark", "--hold", str(folder)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return float(output.split()[-2])


async def neo4j_lines(uri: str, folder: Path, embedded: MemoryStore, warm_up_s: float) -> list[str]:
    """Load the folder into Neo4j through `Neo4jStore.bulk_load` (a transaction a batch: a million places are too
    many for one), and time `nearby` beside the embedded store and Neo4j's read of one place by key, after warming
    the JVM up for `warm_up_s` seconds at most."""
    dataset = read_dataset(folder)
    rows = len(dataset.nodes) + len(dataset.relationships)
    places = sum(isinstance(n, MeetingPlace) for n in dataset.nodes)
    centers = centers_near(embedded._placed.places, QUERIES // 3, seed=places)
    store = neo4j_store_for(uri)
    await store.open()
    try:
        await claim(store)
        await wipe(store)
        started = time.perf_counter()
        await store.bulk_load(dataset)
        load_s = time.perf_counter() - started
        lines = [f"neo4j, load {places:,} places ({rows:,} rows): {load_s:9.1f} s, {rows / load_s:,.0f} rows/s"]
        one = NodeRef("MeetingPlace", embedded._placed.places[0].key)
        warm_up = await warmed_up(
            [
                lambda n: store.get_many([one]),
                lambda n: store.nearby(centers[n % len(centers)], RADII_KM[n % len(RADII_KM)], LIMIT),
            ],
            warm_up_s,
        )
        one_s = await median_async([lambda: store.get_many([one]) for _ in centers])
        lines.append(
            f"neo4j, one place by key:       {one_s * 1000:9.2f} ms median (the reference for nearby below; after "
            f"{sum(map(len, warm_up)):,} reads warming the JVM up)"
        )
        for radius in RADII_KM:
            neo4j_s = await median_async([lambda c=c, r=radius: store.nearby(c, r, LIMIT) for c in centers])
            embedded_s = await median_async([lambda c=c, r=radius: embedded.nearby(c, r, LIMIT) for c in centers])
            lines.append(
                f"neo4j, nearby {radius:6.0f} km, limit {LIMIT}: {neo4j_s * 1000:9.2f} ms median (one place by key "
                f"{neo4j_s / one_s:.2f} x; embedded, same places: {embedded_s * 1000:.2f} ms; ratio "
                f"{neo4j_s / embedded_s:.1f} x)"
            )
        await wipe(store)
    finally:
        await store.close()
    return lines


def scale(small: float, large: float) -> str:
    return f"x {large / small:.2f} at {SHARE} x the places"


def figure_lines(small: Figures, large: Figures, peak_mib: float, seeds_peak_mib: float) -> list[str]:
    n = f"{large.places:,}"
    lines = [
        f"million: {n} places ({large.rows:,} rows); the scaling beside each figure is against {small.places:,}",
        f"million, read the seed folder:     {large.read_s:9.1f} s, {large.rows / large.read_s:9,.0f} rows/s "
        f"({scale(small.rows / small.read_s, large.rows / large.read_s)})",
        f"million, load the embedded store:  {large.load_s:9.1f} s, {large.rows / large.load_s:9,.0f} rows/s "
        f"({scale(small.rows / small.load_s, large.rows / large.load_s)})",
        f"million, peak memory loading them: {peak_mib:9.0f} MiB (the shipped seeds: {seeds_peak_mib:.0f} MiB; "
        f"{(peak_mib - seeds_peak_mib) * 2**20 / large.places:,.0f} bytes a place more)",
        f"million, k-nearest (k {K}):         {large.knn_s * 1e6:9.1f} µs median (the kd-tree's query alone "
        f"{large.tree_s * 1e6:.1f} µs; ratio {large.knn_s / large.tree_s:.1f} x; scipy's cKDTree.query alone "
        f"{large.scipy_s * 1e6:.1f} µs, ratio {large.knn_s / large.scipy_s:.2f} x; {scale(small.knn_s, large.knn_s)})",
    ]
    for radius, seconds in large.nearby_s.items():
        old = f"; the radius search it replaced {large.old_s[radius] * 1000:.1f} ms" if radius in large.old_s else ""
        lines.append(
            f"million, nearby {radius:6.0f} km, limit {LIMIT}: {seconds * 1e3:7.3f} ms median (the kd-tree's query "
            f"of {LIMIT} alone {large.tree_limit_s * 1e6:.1f} µs; ratio {seconds / large.tree_limit_s:.1f} x"
            f"{old}; {scale(small.nearby_s[radius], seconds)})"
        )
    lines += [
        f"million, inBounds of Finland:      {large.in_bounds_s * 1000:9.1f} ms median (the numpy box test alone "
        f"{large.box_s * 1000:.1f} ms; ratio {large.in_bounds_s / large.box_s:.1f} x; "
        f"{scale(small.in_bounds_s, large.in_bounds_s)})",
        f"million, clusters of Finland, z{FINLAND_ZOOM}:  {large.clusters_s * 1000:9.1f} ms median, {large.clusters} "
        f"cells (box test alone {large.box_s * 1000:.1f} ms; ratio {large.clusters_s / large.box_s:.1f} x; "
        f"{scale(small.clusters_s, large.clusters_s)})",
        f"million, national coverage:        {large.coverage_s * 1000:9.1f} ms median first answer "
        f"({scale(small.coverage_s, large.coverage_s)})",
    ]
    return lines


async def million_lines(
    places: int = DEFAULT_PLACES, neo4j_uri: str | None = None, neo4j_places: int = 0, warm_up_s: float = MOST_S
) -> list[str]:
    """Every figure's line; Neo4j's when there is a URI, at `neo4j_places` (by default `NEO4J_PLACES`), after
    warming its JVM up for `warm_up_s` seconds at most."""
    with tempfile.TemporaryDirectory(prefix="graph-api-million-") as tmp:
        small_folder, large_folder = Path(tmp) / "small", Path(tmp) / "large"
        write_million(small_folder, places // SHARE)
        small = await embedded_figures(small_folder)
        write_million(large_folder, places)
        large = await embedded_figures(large_folder)
        lines = figure_lines(small, large, peak_memory_mib(large_folder), peak_memory_mib(SEEDS))
        if neo4j_uri is not None:
            neo4j_places = neo4j_places or NEO4J_PLACES
            neo4j_folder = large_folder if neo4j_places == places else Path(tmp) / "neo4j"
            if neo4j_folder != large_folder:
                write_million(neo4j_folder, neo4j_places)
            embedded, *_ = await loaded(neo4j_folder)
            lines += await neo4j_lines(neo4j_uri, neo4j_folder, embedded, warm_up_s)
    return lines


def hold(folder: Path) -> None:
    """Load the folder into an embedded store and print the process's peak resident memory in MiB and its places."""
    store, *_ = asyncio.run(loaded(folder))
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines())
    print(int(status["VmHWM"].split()[0]) / 1024, len(store._placed.places))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--places", type=int, default=DEFAULT_PLACES, help="meeting places (default 1,000,000)")
    parser.add_argument("--no-neo4j", action="store_true", help="measure the embedded store only")
    parser.add_argument("--neo4j-places", type=int, default=NEO4J_PLACES, help="places loaded into Neo4j (1,000,000)")
    parser.add_argument("--hold", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hold:
        hold(args.hold)
        return
    if args.no_neo4j or os.environ.get("NEO4J_URI"):
        uri = None if args.no_neo4j else os.environ["NEO4J_URI"]
        print("\n".join(asyncio.run(million_lines(args.places, uri, args.neo4j_places))))
        return
    with tempfile.TemporaryDirectory(prefix="graph-api-bench-") as data_dir:
        server = Neo4jServer(Path(data_dir))
        try:
            print("\n".join(asyncio.run(million_lines(args.places, server.start(), args.neo4j_places))))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
