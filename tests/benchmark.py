"""Benchmarks, printed from one run: `python -m tests.benchmark [--queries N] [--writes N] [--no-neo4j]`.

Figures are medians over the same random points; ratios compare methods measured in the same run,
so they hold on a noisy machine where absolute times do not. The Neo4j figures use the server at
`NEO4J_URI` when that is set (it is wiped and loaded with the seeds), else one started for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import shapely
from geopy.distance import geodesic
from graphql import get_introspection_query, parse
from neo4j import READ_ACCESS

from graph_api.analysis.network import AreaNetwork, area_network
from graph_api.app import create_app
from graph_api.geo.areas import MunicipalityLocator
from graph_api.geo.distance import geodesic_km_from
from graph_api.geo.gazetteer import Gazetteer
from graph_api.geo.places import settlements_by_municipality
from graph_api.models import Dataset, MeetingPlace, Municipality, Node, NodeRef, Point, WelfareArea, global_id
from graph_api.planning import coverage, planner
from graph_api.planning.population import Settlements
from graph_api.schema import build_schema
from graph_api.schema.cost import estimate_cost
from graph_api.schema.data_sizes import measure
from graph_api.settings import Settings
from graph_api.store.base import EVERY_PLACE, GraphStore, PlaceFilter
from graph_api.store.memory import MemoryStore
from graph_api.store.neo4j import Neo4jStore
from loaders.seeds import read_dataset
from tests.conftest import ROOT, SEEDS, claim, neo4j_store_for, wipe, with_scheme
from tests.import_benchmark import PTV_LOCATIONS, import_lines
from tests.jvm_warm_up import MOST_S, warmed_up
from tests.load_benchmark import load_lines
from tests.million_benchmark import DEFAULT_PLACES, million_lines
from tests.neo4j_server import Neo4jServer, free_port
from tests.write_benchmark import CLIENTS, ROUNDS, WRITES, write_lines

NEARBY = (
    "query ($lat: Float!, $lon: Float!) { nearby(near: {lat: $lat, lon: $lon}, radiusKm: 10, limit: 20) "
    "{ distanceKm place { id name } } }"
)
RADIUS_KM = 10.0
READY_TIMEOUT_S = 60
STARTUP_RUNS = 5
LIMIT = 20
COVERAGE_KM = 10.0
COVERAGE_ROUNDS = 9
BRUTE_FORCE_ROUNDS = 3
"""Each brute-force round of the coverage distances takes a second or more."""
NO_FILTER = "no filter"
FIRST_ANSWER = "populated places read and located, kd-tree built, every resident measured"
AGAIN = "the store read again, every resident measured again; the kd-tree kept"
NATIONAL_PLACES = {NO_FILTER: EVERY_PLACE} | {f"task {key}": PlaceFilter(tasks=frozenset({key})) for key in "123"}
"""Task 4 is left out: no place in the seeds offers an activity serving it, so its coverage has no place to measure
a distance to and skips the work the others do: no fair comparison with the unfiltered one."""
LOAD_SECONDS = 15
"""wrk's load per server and scenario (`tests.load_benchmark`)."""
HELSINKI = NodeRef("Municipality", "091")
NETWORK_RUNS = 20
README = ROOT / "README.md"
SETTINGS = Settings(_env_file=None, GRAPH_API_REQUEST_TIMEOUT=60)
"""A budget a loaded machine cannot run out of: the first request after a load waits for the data sizes (about a
second on Neo4j, past the default 5 s while other test runs share the machine); the benchmark times requests."""
IMPORT_ROWS = 10_000
FUZZ_QUERIES_PER_EXAMPLE = 60
"""The fuzz run sends `queries // 60` queries per root field: 5 by default, as the test suite does."""


def brute_force(places: list[MeetingPlace], center: Point) -> list[tuple[float, str]]:
    hits = ((geodesic((center.lat, center.lon), (p.location.lat, p.location.lon)).km, p.key) for p in places)
    return sorted(hit for hit in hits if hit[0] <= RADIUS_KM)[:LIMIT]


def fuzz_peak_memory(examples: int) -> tuple[float, float, str]:
    """Peak resident memory in MiB of `python -m tests.fuzz` on the embedded store, its seconds and its summary.

    Measured in a child process (`os.wait4` gives that child's own peak), so nothing else counts.
    """
    started = time.perf_counter()
    command = [sys.executable, "-m", "tests.fuzz", "--examples", str(examples), "--seed", "1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as child:
        output = child.stdout.read() if child.stdout else ""
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait for it again
    summary = next((line for line in output.splitlines() if line.endswith(("findings", "finding"))), "no summary")
    return usage.ru_maxrss / 1024, time.perf_counter() - started, summary


async def timed(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


FIRST_QUERY = "{ nearby(near: {lat: 60.1699, lon: 24.9384}, radiusKm: 2, limit: 5) { distanceKm place { id name } } }"
"""The first answer a launch is timed to: a small `nearby` (5 places, id and name)."""
PLAIN_SERVER = """
import sys
import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def readyz(request):
    return JSONResponse({"status": "ready"})

uvicorn.run(Starlette(routes=[Route("/readyz", readyz)]), port=int(sys.argv[1]), log_level="warning")
"""
"""The floor a launch cannot go below: Python, uvicorn and Starlette answering one route."""
SCHEMA_BUILD = (
    "import time; from graph_api.schema import build_schema; "
    "started = time.perf_counter(); build_schema(); print(time.perf_counter() - started)"
)
FIRST_USES = """
import sys, time
from pathlib import Path
from graph_api.geo.areas import MunicipalityLocator, PostalCodeAreaLocator
from graph_api.geo.gazetteer import Gazetteer
from graph_api.planning.population import Settlements

seeds, cache = Path(sys.argv[1]), Path(sys.argv[2])
make = {
    "boundaries": lambda: (MunicipalityLocator.from_seeds(seeds), PostalCodeAreaLocator.from_seeds(seeds)),
    "gazetteer": lambda: Gazetteer.from_seeds(seeds, cache),
    "places": lambda: Settlements.from_seeds(seeds, cache),
}[sys.argv[3]]
started = time.perf_counter()
make()
print(time.perf_counter() - started)
"""
"""What the first request needing a derived thing waits for, in a fresh process: the boundaries (`whereIs`), the
gazetteer (`geocode`) or the populated places (coverage), the last two from the cache folder given if it has them."""


@dataclass(frozen=True)
class Launch:
    """Seconds from launching a server to its first ready answer on /readyz and to its first answer to a query, and
    the CPU seconds it used (its own: what a loaded machine inflates least), its stop included."""

    ready: float
    answered: float
    cpu: float


def launch(command: list[str], query: str | None) -> Launch:
    """Launch `command` (a server taking its port last), wait for /readyz, then ask the GraphQL `query` (None: the
    ready answer is the first answer): imports, seeds and all."""
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([*command, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < READY_TIMEOUT_S:
            try:
                httpx.get(f"http://127.0.0.1:{port}/readyz").raise_for_status()
            except httpx.TransportError:
                if server.poll() is not None:
                    break
                time.sleep(0.005)
                continue
            ready = answered = time.perf_counter() - started
            if query is not None:
                answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": query}, timeout=READY_TIMEOUT_S)
                assert "errors" not in answer.json(), answer.text
                answered = time.perf_counter() - started
            server.terminate()
            _, status, usage = os.wait4(server.pid, 0)
            server.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait for it again
            return Launch(ready, answered, usage.ru_utime + usage.ru_stime)
        raise RuntimeError(f"{command} was not ready within {READY_TIMEOUT_S} s")
    finally:
        if server.returncode is None:
            server.terminate()
            server.wait()


def heaviest_imports(module: str, count: int) -> tuple[float, list[tuple[str, float]]]:
    """Seconds `python -X importtime` counts for importing `module`, and the `count` top-level packages that take
    the most of it (their modules' own times added up)."""
    command = [sys.executable, "-X", "importtime", "-c", f"import {module}"]
    report = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    packages: dict[str, float] = {}
    for line in report.splitlines()[1:]:
        own, _, name = line.removeprefix("import time:").split("|")
        package = name.strip().split(".")[0]
        packages[package] = packages.get(package, 0.0) + int(own) / 1e6
    top = sorted(packages.items(), key=lambda item: -item[1])[:count]
    return sum(packages.values()), top


def first_use_lines() -> list[str]:
    """What deferring the derived data costs the first request that needs it: built (an empty cache, which it then
    fills), and read back from the derived cache by the next process."""
    with tempfile.TemporaryDirectory(prefix="graph-api-cache-") as cache:

        def seconds(kind: str) -> float:
            command = [sys.executable, "-c", FIRST_USES, str(SEEDS), cache, kind]
            return float(subprocess.run(command, capture_output=True, text=True, check=True).stdout)

        boundaries = seconds("boundaries")
        figures = {kind: (seconds(kind), seconds(kind)) for kind in ("gazetteer", "places")}
    lines = [f"first use, whereIs's boundaries:   {boundaries * 1000:9.1f} ms (municipalities and postal code areas)"]
    for kind, name in (("gazetteer", "the gazetteer:         "), ("places", "the populated places:  ")):
        built, cached = figures[kind]
        lines.append(
            f"first use, {name}{built * 1000:9.1f} ms built, {cached * 1000:.1f} ms from the cache "
            f"({built / cached:.1f} x)"
        )
    return lines


def startup_lines(runs: int) -> list[str]:
    """`graph-api serve` on the embedded store from launch to /readyz and to its first GraphQL answer, beside a plain
    uvicorn + Starlette app launched in turn with it (so noise hits both), medians of `runs`; strawberry's schema
    build in a fresh process; and where the imports' time goes.

    The project's bytecode is written first, as `pip install` leaves it: where PYTHONDONTWRITEBYTECODE is set (as
    in this project's shells) each launch compiled some 100 modules from source, 60-140 ms of it."""
    for package in ("graph_api", "loaders"):
        compileall.compile_dir(ROOT / package, quiet=1)
    serve = [sys.executable, "-m", "graph_api", "serve", "--port"]
    plain = [sys.executable, "-c", PLAIN_SERVER]
    served, floors, builds = [], [], []
    for _ in range(runs):
        served.append(launch(serve, FIRST_QUERY))
        floors.append(launch(plain, None))
        built = subprocess.run([sys.executable, "-c", SCHEMA_BUILD], capture_output=True, text=True, check=True)
        builds.append(float(built.stdout))
    ready, answer = statistics.median(s.ready for s in served), statistics.median(s.answered for s in served)
    floor = statistics.median(f.answered for f in floors)
    cpu, floor_cpu = statistics.median(s.cpu for s in served), statistics.median(f.cpu for f in floors)
    imports, top = heaviest_imports("graph_api.cli", 6)
    return [
        f"start-up, launch to /readyz:       {ready * 1000:9.1f} ms median of {runs} (Python imports included, from "
        "bytecode)",
        f"start-up, launch to first answer:  {answer * 1000:9.1f} ms median of {runs} (a small nearby over HTTP)",
        f"start-up, plain uvicorn+Starlette: {floor * 1000:9.1f} ms median of {runs}, launch to its first answer",
        f"ratio first answer / plain:        {answer / floor:9.1f} x",
        f"start-up, CPU to first answer:     {cpu * 1000:9.1f} ms median, plain {floor_cpu * 1000:.1f} ms "
        f"({cpu / floor_cpu:.1f} x; the servers' own CPU time, which a loaded machine inflates least)",
        f"start-up, strawberry schema build: {statistics.median(builds) * 1000:9.1f} ms median (a fresh process)",
        f"start-up, imports of the CLI:      {imports * 1000:9.1f} ms by -X importtime; most: "
        + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in top),
    ]


def where_is_medians(points: list[Point]) -> tuple[float, float]:
    """Median seconds to find a point's municipality with the locator, and by testing every polygon."""
    locator = MunicipalityLocator.from_seeds(SEEDS)
    located, looped = [], []
    for point in points:
        started = time.perf_counter()
        locator.locate(point)
        located.append(time.perf_counter() - started)
        started = time.perf_counter()
        target = shapely.Point(point.lon, point.lat)
        min(
            (c for c, shape in zip(locator.codes, locator.shapes, strict=True) if shape.intersects(target)),
            default=None,
        )
        looped.append(time.perf_counter() - started)
    return statistics.median(located), statistics.median(looped)


def typed_addresses(rng: random.Random, count: int) -> tuple[list[str], list[str]]:
    """Addresses as people type them, made from the seeds: street + postal code + town, towns, places;
    and the same names misspelt (one letter dropped), which take the gazetteer's slower closest-name path."""
    municipalities = [m for m in read_dataset(SEEDS).nodes if isinstance(m, Municipality)]
    exact, misspelt = [], []
    for _ in range(count):
        town = rng.choice(municipalities)
        name = rng.choice([n for n in (town.name_fi, town.name_sv) if n])
        exact.append(rng.choice([f"Koulukatu {rng.randint(1, 40)}, {name}", name, name.upper()]))
        cut = rng.randrange(1, len(name))
        misspelt.append(name[:cut] + name[cut + 1 :])
    return exact, misspelt


def geocoding_figures(rng: random.Random, count: int) -> dict[str, float]:
    """Seconds to build the gazetteer (call it first in a run), and addresses per second by kind of name."""
    started = time.perf_counter()
    gazetteer = Gazetteer.from_seeds(SEEDS)
    build_s = time.perf_counter() - started
    exact, misspelt = typed_addresses(rng, count)
    rates = {}
    for name, addresses in (("exact", exact), ("misspelt", misspelt)):
        started = time.perf_counter()
        found = sum(bool(gazetteer.search(address).results) for address in addresses)
        rates[name] = len(addresses) / (time.perf_counter() - started)
        rates[f"{name} found"] = found / len(addresses)
    return {"build": build_s, **rates}


async def nearby_medians(store: GraphStore, centers: list[Point]) -> tuple[float, float]:
    """Median seconds of `nearby` on the store in process, and through the ASGI app, after a warm-up round."""
    for center in centers[:50]:
        await store.nearby(center, RADIUS_KM, LIMIT)
    in_process = [await timed(lambda c=c: store.nearby(c, RADIUS_KM, LIMIT)) for c in centers]
    app = create_app(store, SETTINGS)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:

        async def request(c: Point) -> None:
            response = await client.post("/graphql", json={"query": NEARBY, "variables": {"lat": c.lat, "lon": c.lon}})
            body = response.json()
            assert "errors" not in body, body["errors"]

        await request(centers[0])
        over_asgi = [await timed(lambda c=c: request(c)) for c in centers]
    return statistics.median(in_process), statistics.median(over_asgi)


async def largest_county(store: GraphStore, dataset: Dataset) -> Node:
    """The county (or Helsinki) whose network has the most members."""
    areas = [node for node in dataset.nodes if isinstance(node, WelfareArea)]
    sizes = [len((await area_network(store, area)).members) for area in areas]
    return max(zip(sizes, areas, strict=True), key=lambda pair: (pair[0], global_id(pair[1])))[1]


async def network_median(store: GraphStore, area: Node, runs: int) -> tuple[float, AreaNetwork]:
    """Median seconds of an area's network figures on the store, after a warm-up, and the figures."""
    figures = await area_network(store, area)
    return statistics.median([await timed(lambda: area_network(store, area)) for _ in range(runs)]), figures


def describe(network: AreaNetwork) -> str:
    hub, bridge = network.by_degree()[0], network.by_betweenness()[0]
    return (
        f"{len(network.members)} members, {len(network.edges)} relationships, {len(network.partners)} partners; "
        f"most connected {global_id(hub.node)} ({hub.degree}), holding it together {global_id(bridge.node)} "
        f"({bridge.betweenness:.2f}); {len(network.unconnected)} unconnected"
    )


def forget_coverage_data() -> None:
    """As in a fresh process: no populated places read or located (nor the boundaries that locate them read), no
    kd-tree of meeting places built; the interpreter's imports and the loaded store stay, as in a running service."""
    settlements_by_municipality.cache_clear()
    MunicipalityLocator.from_seeds.__func__.cache_clear()  # type: ignore[attr-defined]
    coverage.nearest_place.cache_clear()


async def national_coverage_seconds(store: GraphStore, rounds: int) -> dict[str, tuple[float, float]]:
    """Seconds for the coverage of all 309 municipalities at 10 km by each of `NATIONAL_PLACES`: the median first
    answer from a fresh process's data (`forget_coverage_data`: the populated places read and located, the places'
    kd-tree built, every resident measured), and the median answer again. The place sets take turns in each round,
    so noise hits them alike."""

    async def national(places: PlaceFilter) -> None:
        terms = planner.coverage_terms(COVERAGE_KM, places, 2023)
        gaps = await planner.coverage_gaps(store, Settlements.from_seeds(SEEDS), terms, None, None, None)
        assert len(gaps.municipalities) == 309

    firsts: dict[str, list[float]] = {name: [] for name in NATIONAL_PLACES}
    agains: dict[str, list[float]] = {name: [] for name in NATIONAL_PLACES}
    for _ in range(rounds):
        for name, places in NATIONAL_PLACES.items():
            forget_coverage_data()
            firsts[name].append(await timed(lambda places=places: national(places)))
            agains[name].append(await timed(lambda places=places: national(places)))
    return {name: (statistics.median(firsts[name]), statistics.median(agains[name])) for name in NATIONAL_PLACES}


def coverage_distance_medians(dataset: Dataset, rounds: int) -> tuple[float, float, int, int]:
    """Median seconds to find every resident's nearest meeting place, as national coverage does: through the
    kd-tree's candidates (the tree built each time), and the reference, a brute-force geodesic from each resident to
    every place (pyproj over arrays); checked to agree to a micrometre. Also how many residents and places."""
    settlements = Settlements.from_seeds(SEEDS)
    municipalities = [node for node in dataset.nodes if isinstance(node, Municipality)]
    residents = [resident.location for m in municipalities for resident in settlements.residents(m)]
    places = [node.location for node in dataset.nodes if isinstance(node, MeetingPlace) and not node.is_withdrawn]
    lats, lons = coverage.coordinates(places)
    indexed, scanned = [], []
    for _ in range(rounds):
        coverage.nearest_place.cache_clear()
        started = time.perf_counter()
        found = coverage.nearest_place(lats, lons).km(residents)
        indexed.append(time.perf_counter() - started)
        started = time.perf_counter()
        brute = [float(geodesic_km_from(resident, lats, lons).min()) for resident in residents]
        scanned.append(time.perf_counter() - started)
        np.testing.assert_allclose(found, brute, rtol=0, atol=1e-9)
    return statistics.median(indexed), statistics.median(scanned), len(residents), len(places)


def task_coverage_lines(backend: str, figures: Mapping[str, tuple[float, float]]) -> list[str]:
    """Each task's national coverage and its ratio to the same without a filter (issue 12 asks for within 1.5 x)."""
    first, again = figures[NO_FILTER]
    lines = []
    for name, (task_first, task_again) in figures.items():
        if name == NO_FILTER:
            continue
        figure, ratio = f"{backend}national coverage, {name}:", f"ratio {backend}{name} / no filter:"
        lines.append(f"{figure:<34}{task_first * 1000:9.1f} ms median, again {task_again * 1000:.1f} ms median")
        lines.append(f"{ratio:<34}{task_first / first:9.2f} x (first answers), {task_again / again:.2f} x (again)")
    return lines


ONE_NODE_RUNS = 300


async def read_floor(store: Neo4jStore) -> dict[str, float]:
    """Median seconds of `RETURN 1` sent as the store sends a read (a session per read, auto-commit: one round
    trip) straight through the driver, of the same through the store (`ping`), and of one node by key through the
    store (`get_many`), taken in turns; and the mean client CPU seconds of the driver's `RETURN 1`."""

    async def driver_return_1() -> None:
        async with store.driver.session(database=store.database, default_access_mode=READ_ACCESS) as session:
            [record async for record in await session.run("RETURN 1 AS one")]

    calls = {"driver": driver_return_1, "ping": store.ping, "one": lambda: store.get_many([HELSINKI])}
    runs: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    for n in range(2 * ONE_NODE_RUNS):
        for name, call in calls.items():
            started_cpu = time.process_time()
            seconds = await timed(call)
            if n >= ONE_NODE_RUNS:  # the first half warms up
                runs[name].append(seconds)
                cpu[name].append(time.process_time() - started_cpu)
    return {
        **{name: statistics.median(times) for name, times in runs.items()},
        "driver cpu": statistics.mean(cpu["driver"]),
    }


async def neo4j_figures(
    uri: str, dataset: Dataset, centers: list[Point], county: Node, warm_up_s: float
) -> tuple[dict[str, float], AreaNetwork, dict[str, tuple[float, float]]]:
    """The Neo4j figures over `bolt://`, and one node and `nearby` again over `neo4j://` (the routing driver), after
    warming the JVM up for `warm_up_s` seconds at most."""
    store = neo4j_store_for(with_scheme(uri, "bolt"))
    routing = neo4j_store_for(with_scheme(uri, "neo4j"))
    await store.open()
    await routing.open()
    try:
        await claim(store)
        await wipe(store)
        # on a freshly started server, the schema included: into an empty graph, two texts create everything
        first_s = await timed(lambda: store.load(dataset))
        await wipe(store)
        load_s = await timed(lambda: store.load(dataset))
        # over what is there, a text a label and a relationship type merges, each planned first: ~0.25 s apiece
        first_reload_s = await timed(lambda: store.load(dataset))
        reload_s = await timed(lambda: store.load(dataset))
        warm_up = await warmed_up(
            [lambda n: store.get_many([HELSINKI]), lambda n: store.nearby(centers[n % len(centers)], RADIUS_KM, LIMIT)],
            warm_up_s,
        )
        in_process, over_asgi = await nearby_medians(store, centers)
        floor = await read_floor(store)
        routed = await read_floor(routing)
        routed_nearby, _ = await nearby_medians(routing, centers)
        network_s, network = await network_median(store, county, min(len(centers), NETWORK_RUNS))
        national = await national_coverage_seconds(store, min(len(centers), COVERAGE_ROUNDS))
    finally:
        await routing.close()
        await store.close()
    loads = {"first": first_s, "load": load_s, "first reload": first_reload_s, "reload": reload_s}
    cold = [statistics.median(times[:ONE_NODE_RUNS]) for times in warm_up]
    reads = {"nearby": in_process, "asgi": over_asgi, "warm-up reads": sum(map(len, warm_up))}
    reads |= dict(zip(("cold one", "cold nearby"), cold, strict=True))
    floors = {**floor, **{f"routed {name}": seconds for name, seconds in routed.items()}}
    return {**loads, **reads, **floors, "routed nearby": routed_nearby, "network": network_s}, network, national


async def neo4j_load_rate(uri: str, dataset: Dataset) -> float:
    """Rows a second of loading `dataset` into the wiped Neo4j at `uri` with `Neo4jStore.bulk_load` (a transaction
    a batch of `BATCH_SIZE` rows): for generated datasets too large for one transaction, e.g. a million places."""
    store = neo4j_store_for(uri)
    await store.open()
    try:
        await claim(store)
        await wipe(store)
        seconds = await timed(lambda: store.bulk_load(dataset))
    finally:
        await store.close()
    return (len(dataset.nodes) + len(dataset.relationships)) / seconds


BOMB = (
    "{ welfareAreas { municipalities { welfareArea { municipalities { welfareArea { municipalities { "
    "welfareArea { municipalities { welfareArea { id } } } } } } } } } }"
)
BOMBS = {
    "the depth-10 bomb": BOMB,
    "the same, 30 aliases": "{ " + " ".join(f"a{i}: {BOMB[1:-1]}" for i in range(30)) + " }",
}
COST_QUERIES = {
    "nearby": NEARBY,
    "the README's relations query": re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)[4],
    "GraphiQL's introspection": get_introspection_query(descriptions=True),
    "the depth-10 bomb (refused)": BOMB,
}


async def cost_check_medians(store: GraphStore, rounds: int) -> dict[str, float]:
    """Median seconds of estimating each query's cost, as the cost limit does before every request."""
    schema = build_schema()._schema
    data = await measure(store)
    medians = {}
    for name, query in COST_QUERIES.items():
        document = parse(query)
        variables = {"lat": 60.17, "lon": 24.94} if "$lat" in query else {}
        runs = []
        for _ in range(rounds):
            started = time.perf_counter()
            estimate_cost(schema, document, None, variables, data)
            runs.append(time.perf_counter() - started)
        medians[name] = statistics.median(runs)
    return medians


async def refusal_medians(store: GraphStore, rounds: int) -> dict[str, float]:
    """Median seconds of a refused request through the ASGI app: a new document each time (no parse cache)."""
    app = create_app(store, SETTINGS)
    medians = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for name, query in BOMBS.items():

            async def refused(n: int, query: str = query) -> None:
                body = (await client.post("/graphql", json={"query": f"{query} # {n}"})).json()
                assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT"

            await refused(-1)
            medians[name] = statistics.median([await timed(lambda n=n: refused(n)) for n in range(rounds)])
    return medians


async def run(
    queries: int,
    neo4j_uri: str | None,
    import_rows: int = IMPORT_ROWS,
    ptv_locations: int = PTV_LOCATIONS,
    writes: int = WRITES,
    load_seconds: int = LOAD_SECONDS,
    warm_up_s: float = MOST_S,
) -> None:
    """Every figure; the write figures last (`writes` 0 leaves them out), as they leave their edits in Neo4j."""
    rng = random.Random(42)
    geocoding = geocoding_figures(rng, max(queries, 100))
    started = time.perf_counter()
    dataset = read_dataset(SEEDS)
    read_s = time.perf_counter() - started
    store = MemoryStore()
    load_s = await timed(lambda: store.load(dataset))
    seed_rows = len(dataset.nodes) + len(dataset.relationships)
    places = [n for n in dataset.nodes if isinstance(n, MeetingPlace)]
    centers = [rng.choice(places).location for _ in range(queries)]
    centers = [Point(c.lat + rng.gauss(0, 0.05), c.lon + rng.gauss(0, 0.1)) for c in centers]

    indexed, over_asgi = await nearby_medians(store, centers)
    scanned = []
    for center in centers:
        begun = time.perf_counter()
        brute_force(places, center)
        scanned.append(time.perf_counter() - begun)
    median_scan = statistics.median(scanned)
    located, looped = where_is_medians(centers)
    county = await largest_county(store, dataset)
    network_s, network = await network_median(store, county, min(queries, NETWORK_RUNS))
    national = await national_coverage_seconds(store, min(queries, COVERAGE_ROUNDS))
    coverage_first, coverage_again = national[NO_FILTER]
    distances_s, brute_distances_s, residents, resident_places = coverage_distance_medians(
        dataset, min(queries, BRUTE_FORCE_ROUNDS)
    )
    cost_checks = await cost_check_medians(store, queries)
    refusals = await refusal_medians(store, min(queries, 50))

    print(f"seeds: {len(dataset.nodes)} nodes, {len(dataset.relationships)} relationships, {len(places)} places")
    print(f"start-up, read seeds:             {read_s * 1000:9.1f} ms")
    print(f"start-up, load embedded store:    {load_s * 1000:9.1f} ms")
    print("\n".join(startup_lines(STARTUP_RUNS) + first_use_lines()))
    peak_mib, fuzz_s, fuzz_summary = fuzz_peak_memory(max(1, queries // FUZZ_QUERIES_PER_EXAMPLE))
    print(f"fuzz run, peak memory:            {peak_mib:9.1f} MiB ({fuzz_summary}, {fuzz_s:.1f} s, embedded store)")
    print(f"nearby in process (kd-tree):      {indexed * 1e6:9.1f} µs median over {queries} points")
    print(f"nearby brute-force geodesic:      {median_scan * 1e6:9.1f} µs median over the same points")
    print(f"ratio brute-force / kd-tree:      {median_scan / indexed:9.1f} x")
    print(f"nearby through the ASGI app:      {over_asgi * 1000:9.2f} ms median")
    for name, seconds in cost_checks.items():
        print(f"cost check, {name}: {seconds * 1e6:.1f} µs median ({seconds / over_asgi:.1%} of nearby over ASGI)")
    for name, seconds in refusals.items():
        print(f"refused with COST_LIMIT through the ASGI app, {name}: {seconds * 1000:.2f} ms median")
    print(f"whereIs point-in-polygon (STRtree): {located * 1e6:7.1f} µs median over the same points")
    print(f"whereIs loop over all 309 polygons: {looped * 1e6:7.1f} µs median over the same points")
    print(f"ratio loop / STRtree:             {looped / located:9.1f} x")
    print(f"national coverage, 309 at 10 km:  {coverage_first * 1000:9.1f} ms median (first: {FIRST_ANSWER})")
    print(f"national coverage again:          {coverage_again * 1000:9.1f} ms median ({AGAIN})")
    print(
        f"coverage distances, kd-tree:      {distances_s * 1000:9.1f} ms median ({residents} residents to the nearest "
        f"of {resident_places} places, the tree built)"
    )
    print(f"coverage distances, brute force:  {brute_distances_s * 1000:9.1f} ms median (every pair, pyproj; same km)")
    print(f"ratio coverage brute force / kd-tree: {brute_distances_s / distances_s:5.1f} x")
    print("\n".join(task_coverage_lines("", national)))
    print(f"geocode, build the gazetteer:     {geocoding['build'] * 1000:9.1f} ms (boundaries included)")
    print(
        f"geocode offline, exact names:     {geocoding['exact']:9.0f} addresses/s "
        f"({geocoding['exact found']:.0%} found)"
    )
    print(
        f"geocode offline, misspelt names:  {geocoding['misspelt']:9.0f} addresses/s "
        f"({geocoding['misspelt found']:.0%} found)"
    )
    print(f"ratio exact / misspelt:           {geocoding['exact'] / geocoding['misspelt']:9.1f} x")
    print(f"network of the largest county:    {global_id(county)}, {describe(network)}")
    print(f"network figures, embedded store:  {network_s * 1000:9.1f} ms median of {min(queries, NETWORK_RUNS)}")
    print("\n".join(await load_lines(load_seconds)))  # the embedded store's throughput over HTTP, with wrk
    if neo4j_uri is None:
        print("\n".join(await import_lines(None, import_rows, {"memory": seed_rows / load_s}, ptv_locations)))
        if writes:
            print("\n".join(await write_lines(dataset, None, writes, min(writes, ROUNDS))))
        return
    neo4j, neo4j_network, neo4j_national = await neo4j_figures(neo4j_uri, dataset, centers, county, warm_up_s)
    loads = {
        "first": "first load, fresh server:",
        "load": "load seeds into empty db:",
        "first reload": "load again, queries unplanned:",
        "reload": "load again (unchanged):",
    }
    for name, what in loads.items():
        print(f"neo4j, {what:<31}{neo4j[name] * 1000:9.1f} ms ({seed_rows / neo4j[name]:.0f} rows/s)")
    print(f"ratio neo4j first load / embedded: {neo4j['first'] / load_s:8.1f} x (the schema made, every text planned)")
    print(
        f"neo4j, the first reads after the loads: one node {neo4j['cold one'] * 1e6:.0f} µs, nearby "
        f"{neo4j['cold nearby'] * 1e6:.0f} µs median of {ONE_NODE_RUNS} each (the JVM warming up; "
        f"{neo4j['warm-up reads']:.0f} reads, until they were no longer getting faster, before the figures below)"
    )
    print(
        f"neo4j, RETURN 1 through the driver: {neo4j['driver'] * 1e6:7.1f} µs median (a session per read, one "
        "round trip)"
    )
    print(
        f"neo4j, of which the client's CPU:  {neo4j['driver cpu'] * 1e6:9.1f} µs mean (the Python driver; the rest is "
        "Neo4j, loopback and waiting for a core)"
    )
    print(f"neo4j, RETURN 1 through the store: {neo4j['ping'] * 1e6:8.1f} µs median (ping; in turns with the above)")
    print(f"neo4j, one node by key:           {neo4j['one'] * 1e6:9.1f} µs median of {ONE_NODE_RUNS} (get_many)")
    print(f"ratio neo4j one node / RETURN 1 through the driver: {neo4j['one'] / neo4j['driver']:5.2f} x")
    print(f"ratio neo4j one node / embedded nearby: {neo4j['one'] / indexed:7.1f} x (a round trip against a search)")
    print(f"neo4j, nearby in process:         {neo4j['nearby'] * 1e6:9.1f} µs median over the same points")
    print(f"ratio neo4j nearby / RETURN 1 through the driver: {neo4j['nearby'] / neo4j['driver']:7.2f} x")
    print(f"ratio neo4j / embedded nearby:    {neo4j['nearby'] / indexed:9.1f} x")
    print(f"neo4j, nearby through ASGI app:   {neo4j['asgi'] * 1000:9.2f} ms median")
    print(f"ratio neo4j / embedded over ASGI: {neo4j['asgi'] / over_asgi:9.1f} x")
    routed_ratio = neo4j["routed one"] / neo4j["routed driver"]
    print(
        f"neo4j://, one node by key:        {neo4j['routed one'] * 1e6:9.1f} µs median (routing driver; RETURN 1 "
        f"through the driver {neo4j['routed driver'] * 1e6:.0f} µs, ratio {routed_ratio:.2f} x)"
    )
    print(f"neo4j://, nearby in process:      {neo4j['routed nearby'] * 1e6:9.1f} µs median over the same points")
    print(f"ratio neo4j:// / bolt:// nearby:  {neo4j['routed nearby'] / neo4j['nearby']:9.2f} x")
    same = "the same figures" if neo4j_network == network else "DIFFERENT figures"
    print(f"neo4j, network figures:           {neo4j['network'] * 1000:9.1f} ms median ({same} as embedded)")
    print(f"ratio neo4j / embedded network:   {neo4j['network'] / network_s:9.1f} x")
    neo4j_first, neo4j_again = neo4j_national[NO_FILTER]
    print(f"neo4j, national coverage:         {neo4j_first * 1000:9.1f} ms median (first: {FIRST_ANSWER})")
    print(f"neo4j, national coverage again:   {neo4j_again * 1000:9.1f} ms median ({AGAIN})")
    print(f"ratio neo4j / embedded coverage:  {neo4j_first / coverage_first:9.1f} x (first answers)")
    print("\n".join(task_coverage_lines("neo4j, ", neo4j_national)))
    print(
        "\n".join(
            await import_lines(
                neo4j_uri,
                import_rows,
                {"memory": seed_rows / load_s, "neo4j": seed_rows / neo4j["load"]},
                ptv_locations,
            )
        )
    )
    if writes:
        print("\n".join(await write_lines(dataset, neo4j_uri, writes, min(writes, ROUNDS))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--queries", type=int, default=300, help="random points to query (default 300)")
    parser.add_argument("--no-neo4j", action="store_true", help="measure the embedded store only")
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS, help="spreadsheet rows imported (10,000)")
    parser.add_argument(
        "--writes",
        type=int,
        default=WRITES,
        help=f"mutations over HTTP per backend by {CLIENTS} clients, 0 for none (default {WRITES})",
    )
    parser.add_argument(
        "--million", action="store_true", help=f"then the figures at {DEFAULT_PLACES:,} places (minutes)"
    )
    args = parser.parse_args()

    def everything(uri: str | None) -> None:
        asyncio.run(run(args.queries, uri, args.import_rows, writes=args.writes))
        if args.million:
            print("\n".join(asyncio.run(million_lines(DEFAULT_PLACES, uri))))

    if args.no_neo4j or os.environ.get("NEO4J_URI"):
        everything(None if args.no_neo4j else os.environ["NEO4J_URI"])
        return
    with tempfile.TemporaryDirectory(prefix="graph-api-bench-") as data_dir:
        server = Neo4jServer(Path(data_dir))
        try:
            everything(server.start())
        finally:
            server.stop()


if __name__ == "__main__":
    main()
