"""Benchmarks, printed from one run: `python -m tests.benchmark [--queries N]`.

Figures are medians over the same random points; ratios compare methods measured in the same run,
so they hold on a noisy machine where absolute times do not.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import httpx
from geopy.distance import geodesic

from graph_api.app import create_app
from graph_api.models import MeetingPlace, Point
from graph_api.store.memory import MemoryStore
from loaders.seeds import read_dataset
from tests.conftest import SEEDS
from tests.test_cli import free_port

NEARBY = (
    "query ($lat: Float!, $lon: Float!) { nearby(near: {lat: $lat, lon: $lon}, radiusKm: 10, limit: 20) "
    "{ distanceKm place { id name } } }"
)
RADIUS_KM = 10.0
READY_TIMEOUT_S = 60
LIMIT = 20


def brute_force(places: list[MeetingPlace], center: Point) -> list[tuple[float, str]]:
    hits = ((geodesic((center.lat, center.lon), (p.location.lat, p.location.lon)).km, p.key) for p in places)
    return sorted(hit for hit in hits if hit[0] <= RADIUS_KM)[:LIMIT]


async def timed(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


def seconds_to_ready() -> float:
    """From launching `graph-api serve` to its first ready answer: imports, seeds and all."""
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "graph_api.cli", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < READY_TIMEOUT_S:
            try:
                httpx.get(f"http://127.0.0.1:{port}/readyz").raise_for_status()
                return time.perf_counter() - started
            except httpx.TransportError:
                if server.poll() is not None:
                    break
                time.sleep(0.01)
        raise RuntimeError(f"graph-api serve was not ready within {READY_TIMEOUT_S} s")
    finally:
        server.terminate()
        server.wait()


async def run(queries: int) -> None:
    rng = random.Random(42)
    started = time.perf_counter()
    dataset = read_dataset(SEEDS)
    read_s = time.perf_counter() - started
    store = MemoryStore()
    started = time.perf_counter()
    await store.load(dataset)
    load_s = time.perf_counter() - started
    places = [n for n in dataset.nodes if isinstance(n, MeetingPlace)]
    centers = [rng.choice(places).location for _ in range(queries)]
    centers = [Point(c.lat + rng.gauss(0, 0.05), c.lon + rng.gauss(0, 0.1)) for c in centers]

    indexed = [await timed(lambda c=c: store.nearby(c, RADIUS_KM, LIMIT, None)) for c in centers]
    scanned = []
    for center in centers:
        begun = time.perf_counter()
        brute_force(places, center)
        scanned.append(time.perf_counter() - begun)

    app = create_app(store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:

        async def request(c: Point) -> None:
            response = await client.post("/graphql", json={"query": NEARBY, "variables": {"lat": c.lat, "lon": c.lon}})
            assert "errors" not in response.json()

        await request(centers[0])
        over_asgi = [await timed(lambda c=c: request(c)) for c in centers]

    median_indexed, median_scan = statistics.median(indexed), statistics.median(scanned)
    print(
        f"seeds: {len(dataset.nodes)} nodes, {len(dataset.relationships)} relationships, {len(places)} meeting places"
    )
    print(f"start-up, read seeds:            {read_s * 1000:8.1f} ms")
    print(f"start-up, load embedded store:   {load_s * 1000:8.1f} ms")
    ready = statistics.median(seconds_to_ready() for _ in range(3))
    print(f"start-up, launch to ready:       {ready * 1000:8.1f} ms median of 3 (Python imports included)")
    print(f"nearby in process (kd-tree):     {median_indexed * 1e6:8.1f} µs median over {queries} points")
    print(f"nearby brute-force geodesic:     {median_scan * 1e6:8.1f} µs median over the same points")
    print(f"ratio brute-force / kd-tree:     {median_scan / median_indexed:8.1f} x")
    print(f"nearby through the ASGI app:     {statistics.median(over_asgi) * 1000:8.2f} ms median")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--queries", type=int, default=300, help="random points to query (default 300)")
    asyncio.run(run(parser.parse_args().queries))


if __name__ == "__main__":
    main()
