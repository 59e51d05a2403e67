"""Write figures for the benchmark, on a store of each kind: mutations per second over HTTP, the audit's share of
a write, and the time from a write to an open map's message.

The server is `graph-api serve` in a process of its own (one uvicorn worker on 127.0.0.1), so the clients' work
is not counted as the server's. `CLIENTS` clients each edit a meeting place of their own (no conflicts): read its
version, then rename it with `updateMeetingPlace`. The baseline, measured in the same run, is the same clients
reading the same places. What the run writes stays: on Neo4j, load the seeds again afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from graph_api.auth.caller import PLACES_WRITE
from graph_api.auth.keys import new_key
from graph_api.models import Bounds, Change, Dataset, FieldChange, ImportRecord, MeetingPlace, NodeRef
from graph_api.schema.data_sizes import measure
from graph_api.store.base import GraphStore
from graph_api.store.datafolder import DataFolder
from graph_api.store.memory import MemoryStore
from tests.conftest import SEEDS, neo4j_store_for
from tests.live_ws import Client, summary_ms
from tests.neo4j_server import free_port

CLIENTS = 8
WRITES = 160
"""Writes over HTTP per backend, shared by the clients; as many reads for the baseline."""
ROUNDS = 40
"""Writes one at a time, for the audit's overhead (each way) and for the time to the subscription's message."""
MEASURES = 5
ORGANISATION = "District:uusimaa"
READY_TIMEOUT_S = 60
READ = "query ($id: ID!) { node(id: $id) { ... on MeetingPlace { version } } }"
UPDATE = "mutation ($input: UpdateMeetingPlaceInput!) { updateMeetingPlace(input: $input) { place { version } } }"


@dataclass(frozen=True)
class Rate:
    """Operations per second of all clients together, and each operation's latency."""

    per_s: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class WriteFigures:
    reads: Rate
    writes: Rate
    with_audit_ms: float
    without_audit_ms: float
    measure_ms: float
    answer: dict[str, float]
    message: dict[str, float]
    message_after_answer_ms: float


def coordinated_places(dataset: Dataset, organisation: str, count: int) -> list[str]:
    """The global ids of `count` places the organisation runs as coordinator, in key order."""
    refs = sorted(
        str(rel.start)
        for rel in dataset.relationships
        if rel.type == "RUN_BY" and str(rel.end) == organisation and rel.properties.get("role") == "COORDINATOR"
    )
    assert len(refs) >= count, f"{organisation} coordinates {len(refs)} places, fewer than {count}"
    return refs[:count]


@contextlib.contextmanager
def serving(settings: Mapping[str, str]) -> Iterator[str]:
    """`graph-api serve` with these settings on a free port while the block runs; yields its base URL."""
    with launched(settings) as (url, _):
        yield url


@contextlib.contextmanager
def launched(settings: Mapping[str, str], command: list[str] | None = None) -> Iterator[tuple[str, int]]:
    """`graph-api serve` (or `command`, which reads its port from `GRAPH_API_PORT` and answers `/readyz`) with
    these settings on a free port while the block runs; yields its base URL and its process id."""
    port = free_port()
    env = {**os.environ, **settings, "GRAPH_API_PORT": str(port), "GRAPH_API_LOG_FORMAT": "text"}
    command = command or [sys.executable, "-m", "graph_api.cli", "serve"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            try:
                httpx.get(f"{url}/readyz").raise_for_status()
                break
            except httpx.HTTPError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"graph-api serve did not become ready ({settings})") from None
                time.sleep(0.05)
        yield url, server.pid
    finally:
        server.terminate()
        server.wait()


class Editor:
    """One client over its own HTTP connection, editing one place."""

    def __init__(self, http: httpx.AsyncClient, token: str, place: str) -> None:
        self.http, self.token, self.place = http, token, place

    async def _post(self, query: str, variables: dict[str, Any], token: bool) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if token else {}
        body = (await self.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)).json()
        assert "errors" not in body, body["errors"]
        return body["data"]  # type: ignore[no-any-return]

    async def version(self) -> int:
        return (await self._post(READ, {"id": self.place}, token=False))["node"]["version"]  # type: ignore[no-any-return]

    async def rename(self, version: int, name: str) -> None:
        variables = {"input": {"id": self.place, "expectedVersion": version, "name": name}}
        await self._post(UPDATE, variables, token=True)


@contextlib.asynccontextmanager
async def editors(url: str, token: str, places: list[str]) -> AsyncIterator[list[Editor]]:
    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=60)) for _ in places]
        yield [Editor(http, token, place) for http, place in zip(clients, places, strict=True)]


async def rate(editors: list[Editor], total: int, operation: Callable[[Editor, int], Awaitable[float]]) -> Rate:
    """All editors at once, `total` operations shared out; each operation returns the seconds to report."""
    latencies: list[float] = []

    async def run(editor: Editor) -> None:
        for n in range(total // len(editors)):
            latencies.append(await operation(editor, n))

    started = time.perf_counter()
    await asyncio.gather(*(run(editor) for editor in editors))
    elapsed = time.perf_counter() - started
    figures = summary_ms(latencies)
    return Rate(len(latencies) / elapsed, figures["median_ms"], figures["p99_ms"])


async def read_once(editor: Editor, n: int) -> float:
    started = time.perf_counter()
    await editor.version()
    return time.perf_counter() - started


async def write_once(editor: Editor, n: int) -> float:
    """A read of the version, then the rename; the rename's latency (the whole cycle counts in the rate)."""
    version = await editor.version()
    started = time.perf_counter()
    await editor.rename(version, f"Benchmark {editor.place} {n}")
    return time.perf_counter() - started


async def to_message(url: str, editor: Editor, place: MeetingPlace, rounds: int) -> tuple[list[float], list[float]]:
    """Seconds from sending a rename to its answer, and to an open `placesChanged` subscription's message; the
    message can come first, since the server publishes a write before it answers."""
    lat, lon = place.location.lat, place.location.lon
    around = Bounds(lat - 0.1, lon - 0.1, lat + 0.1, lon + 0.1)
    answers, messages = [], []
    async with Client.connected(url.replace("http", "ws", 1) + "/graphql") as subscriber:
        await subscriber.subscribe("1", around)
        await asyncio.sleep(0.2)  # the server registers a subscription a moment after `subscribe`

        async def received() -> float:
            await subscriber.change("1")
            return time.perf_counter()

        for n in range(rounds):
            version = await editor.version()
            message = asyncio.create_task(received())
            started = time.perf_counter()
            await editor.rename(version, f"Watched {n}")
            answers.append(time.perf_counter() - started)
            messages.append(await message - started)
    return answers, messages


def _change(node: MeetingPlace, before: MeetingPlace) -> Change:
    return Change(
        at=node.updated_at or datetime.datetime.now(datetime.UTC),
        actor="key:benchmark",
        organisation=ORGANISATION,
        operation="updateMeetingPlace",
        node=str(NodeRef.of(node)),
        fields=(FieldChange("name", before.name, node.name),),
        request_id=None,
        version=node.version,
    )


async def audit_overhead_ms(store: GraphStore, ref: NodeRef, rounds: int) -> tuple[float, float]:
    """Median milliseconds of the store's write of one renamed place with its audit entry, and of the same write
    without one, alternating so that both share the noise. Both are kept (durable): without the audit, the
    embedded store keeps the write with an import record (its data folder keeps only recorded writes); Neo4j
    keeps every write."""
    timings: dict[bool, list[float]] = {True: [], False: []}
    kept_by_record = isinstance(store, MemoryStore)
    for n in range(2 * rounds):
        audited = n % 2 == 0
        (before,) = await store.get_many([ref])
        assert isinstance(before, MeetingPlace)
        now = datetime.datetime.now(datetime.UTC)
        node = dataclasses.replace(before, name=f"Audited {n}", updated_at=now, version=before.version + 1)
        expected = {ref: before.version}
        record = ImportRecord(now, "api", "benchmark", {}) if kept_by_record and not audited else None
        changes = [_change(node, before)] if audited else []
        started = time.perf_counter()
        await store.load(Dataset([node], []), record=record, expected=expected, changes=changes)
        timings[audited].append(time.perf_counter() - started)
    return statistics.median(timings[True]) * 1000, statistics.median(timings[False]) * 1000


async def backend_figures(
    store: GraphStore, settings: Mapping[str, str], places: list[str], writes: int, rounds: int
) -> WriteFigures:
    """Over HTTP against `graph-api serve` with `settings` (which serves `store`'s data), then in process."""
    key, token = new_key(ORGANISATION, [PLACES_WRITE], datetime.datetime.now(datetime.UTC), name="benchmark")
    await store.add_key(key)
    (place,) = await store.get_many([_ref(places[-1])])
    assert isinstance(place, MeetingPlace)
    with serving(settings) as url:
        async with editors(url, token, places) as clients:
            reads = await rate(clients, writes, read_once)
            written = await rate(clients, writes, write_once)
            answers, messages = await to_message(url, clients[-1], place, rounds)
    if isinstance(store, MemoryStore):
        await store.refresh()  # what the server wrote into the data folder, before writing after it
    with_audit, without_audit = await audit_overhead_ms(store, _ref(places[0]), rounds)
    measures = [await timed(lambda: measure(store)) for _ in range(MEASURES)]
    lags = [message - answer for answer, message in zip(answers, messages, strict=True)]
    return WriteFigures(
        reads,
        written,
        with_audit,
        without_audit,
        statistics.median(measures) * 1000,
        summary_ms(answers),
        summary_ms(messages),
        statistics.median(lags) * 1000,
    )


async def timed(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


def _ref(global_id: str) -> NodeRef:
    ref = NodeRef.parse(global_id)
    assert ref is not None, global_id
    return ref


async def embedded_figures(dataset: Dataset, places: list[str], writes: int, rounds: int) -> WriteFigures:
    """`graph-api serve` on the embedded store with a data folder of its own, as it runs by default."""
    with tempfile.TemporaryDirectory(prefix="graph-api-bench-writes-") as folder:
        store = MemoryStore(DataFolder(Path(folder)))
        await store.load(dataset)
        await store.refresh()
        settings = {"GRAPH_BACKEND": "memory", "GRAPH_API_DATA": folder, "GRAPH_API_SEEDS": str(SEEDS)}
        return await backend_figures(store, settings, places, writes, rounds)


async def neo4j_write_figures(uri: str, places: list[str], writes: int, rounds: int) -> WriteFigures:
    """`graph-api serve` on the Neo4j at `uri`, which holds the seeds."""
    store = neo4j_store_for(uri)
    await store.open()
    try:
        settings = {
            "GRAPH_BACKEND": "neo4j",
            "NEO4J_URI": uri,
            "NEO4J_USER": os.environ.get("NEO4J_USER", "neo4j"),
            "NEO4J_PASSWORD": os.environ.get("NEO4J_PASSWORD", "neo4j"),
            "NEO4J_DATABASE": os.environ.get("NEO4J_DATABASE", "neo4j"),
        }
        return await backend_figures(store, settings, places, writes, rounds)
    finally:
        await store.close()


async def write_lines(dataset: Dataset, neo4j_uri: str | None, writes: int = WRITES, rounds: int = ROUNDS) -> list[str]:
    """The figures' lines: the embedded store, then Neo4j when there is one (it must hold the seeds)."""
    places = coordinated_places(dataset, ORGANISATION, CLIENTS)
    lines = describe("embedded", await embedded_figures(dataset, places, writes, rounds), writes, rounds)
    if neo4j_uri is not None:
        lines += describe("neo4j", await neo4j_write_figures(neo4j_uri, places, writes, rounds), writes, rounds)
    return lines


def describe(backend: str, figures: WriteFigures, writes: int, rounds: int) -> list[str]:
    reads, written, answer, message = figures.reads, figures.writes, figures.answer, figures.message
    overhead = figures.with_audit_ms / figures.without_audit_ms
    audit = "with an import record instead" if backend == "embedded" else "without"
    return [
        f"writes, {backend}: reads over HTTP (baseline): {reads.per_s:7.0f} reads/s, "
        f"p50 {reads.p50_ms:.1f} ms, p99 {reads.p99_ms:.1f} ms ({CLIENTS} clients, {writes} reads)",
        f"writes, {backend}: updateMeetingPlace over HTTP: {written.per_s:7.1f} writes/s, "
        f"p50 {written.p50_ms:.1f} ms, p99 {written.p99_ms:.1f} ms ({CLIENTS} clients, {writes} writes, "
        "each after a read of the version)",
        f"ratio writes, {backend}: reads / writes per second: {reads.per_s / written.per_s:6.1f} x",
        f"writes, {backend}: store write with its audit entry: {figures.with_audit_ms:.1f} ms, "
        f"{audit}: {figures.without_audit_ms:.1f} ms (medians of {rounds}, in process)",
        f"ratio writes, {backend}: audit overhead, with / without: {overhead:6.2f} x",
        f"writes, {backend}: rename sent -> its answer: p50 {answer['median_ms']:.1f} ms, "
        f"p99 {answer['p99_ms']:.1f} ms; -> the placesChanged message: p50 {message['median_ms']:.1f} ms, "
        f"p99 {message['p99_ms']:.1f} ms ({rounds} writes one at a time)",
        f"writes, {backend}: the message after the answer: {figures.message_after_answer_ms:+.1f} ms median "
        "(negative: it came first)",
        f"writes, {backend}: measuring the data sizes for the cost limit: {figures.measure_ms:.0f} ms median of "
        f"{MEASURES} (after a load or an import; an edit moves the figures by a node and is no new generation)",
    ]
