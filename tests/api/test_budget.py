"""The time budget per request, and no stalls: a request past its budget is stopped with a TIMEOUT error, a
request whose client has gone stops working, and heavy work leaves the event loop free for small requests.

The last two run over real HTTP, with uvicorn on 127.0.0.1 in a thread of this process, so that the
process's CPU time shows whether abandoned work goes on.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn

from graph_api.app import create_app
from graph_api.models import Dataset
from graph_api.planning.coverage import nearest_place
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore
from tests.conftest import BACKENDS, GraphQLClient, client_for, neo4j_store_for
from tests.neo4j_server import free_port

pytestmark = pytest.mark.anyio


def together(*queries: str) -> str:
    """One operation asking for the fields of all the queries."""
    return "{ " + " ".join(query.strip()[1:-1] for query in queries) + " }"


NATIONAL_GAPS = "{ coverageGaps(withinKm: 10) { totalCount municipalities { municipality { code } shareWithin } } }"
LARGEST_DISTRICT_NETWORK = '{ network(areaId: "District:uusimaa") { partnerCount byBetweenness { betweenness } } }'
SMALL = "{ welfareAreas { id } }"
NETWORKS = [f'{{ n{i}: network(areaId: "District:uusimaa") {{ partnerCount }} }}' for i in range(20)]
HEAVY = together(NATIONAL_GAPS, *NETWORKS)
"""Seconds of work on either backend."""
TIGHT_BUDGET_S = 1.0
"""Far less than HEAVY takes, and more than a small request takes on a busy machine (Neo4j's: some 0.2 s)."""
SMALL_ANSWER_S = 0.1
"""The issue's bound for a small request while a heavy one runs."""
STALL_S = 0.5
"""The longest any one small request may wait: a stall would be seconds."""
BUSY_S = 0.25
"""The longest one event-loop step may keep the loop's thread busy. On Neo4j the driver decodes the heavy reads'
records on the loop: up to some 30 ms a step. Heavy work of the embedded store's on the loop: half a second."""
WAIT_S = 2.0
"""The longest one event-loop step may take by the clock. Beside the loop's own work that counts the time its
thread waits for a core or for the interpreter's lock (two busy workers and this test's client share it): on a
busy two-core machine more than half a second now and then. Heavy work holding the lock would be seconds."""
LIVE_BUDGET_S = 60
"""Heavy requests over HTTP must finish: on Neo4j a cold national coverage takes seconds on a busy machine."""
IDLE_CPU_S = 0.1
"""CPU the whole process may spend in a second after its work was stopped: stray work would take far more."""
SETTLE_S = 0.25
"""From a client's leaving to measuring that CPU: the work under way goes on to its next checkpoint (a network's
betweenness in each worker, and the loop's share), and what requests share is still made for the next
(graph_api.lazy). Measured from 0.1 s after, a stopped request on Neo4j's data took up to 0.16 s of CPU in the
second; from 0.25 s, 0.002-0.015 s, and one left running (its client's leaving not watched) 0.3-0.6 s."""


def budgeted(seconds: float) -> Settings:
    """HEAVY is far over the cost limit: these tests are of time, so the cost limit is lifted for them."""
    return Settings(_env_file=None, GRAPH_API_REQUEST_TIMEOUT=seconds, GRAPH_API_MAX_COST=10**9)


async def measured(gql: GraphQLClient) -> None:
    """As in a running service, the cost limit's figures are measured already: on a cold Neo4j that first
    measure may take longer than a tight budget, and goes on while the requests waiting for it time out."""
    for _ in range(10):
        if "errors" not in await gql.execute(SMALL):
            return
    raise AssertionError("the cost limit's first measure of the data did not end")


def cold() -> None:
    """As in a fresh process: no kd-tree of meeting places built yet."""
    nearest_place.cache_clear()


async def test_a_request_past_its_budget_gets_timeout_and_the_next_one_is_answered(store: GraphStore) -> None:
    cold()
    async with client_for(store, budgeted(TIGHT_BUDGET_S)) as http:
        gql = GraphQLClient(http)
        await measured(gql)
        started = time.perf_counter()
        body = await gql.execute(HEAVY)
        assert time.perf_counter() - started < TIGHT_BUDGET_S + 1.0
        assert body.get("data") is None
        (error,) = body["errors"]
        assert error["extensions"] == {"code": "TIMEOUT"}
        assert f"{TIGHT_BUDGET_S:g} s" in error["message"]
        assert (await gql.data(SMALL))["welfareAreas"][0] == {"id": "WelfareArea:EK"}


async def test_a_stopped_request_stops_its_worker_threads(store: GraphStore) -> None:
    cold()
    async with client_for(store, budgeted(TIGHT_BUDGET_S)) as http:
        await measured(GraphQLClient(http))
        errors = (await GraphQLClient(http).execute(HEAVY))["errors"]
        assert [error["extensions"]["code"] for error in errors] == ["TIMEOUT"]
        await asyncio.sleep(0.05)
        assert cpu_spent_in(1.0) < IDLE_CPU_S


def test_an_operation_stopped_as_it_gathers_fields_leaves_no_warning() -> None:
    """The resolvers graphql-core was given and never started are dropped quietly, in a process whose every
    warning is an error: an operator's log shows nothing for a request stopped at that moment."""
    command = [sys.executable, "-W", "error", "-m", "tests.stopped_mid_gather"]
    ran = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    assert (ran.stdout, ran.stderr) == ("CLIENT_DISCONNECTED\n", "")


def test_the_time_budget_is_a_setting_that_must_be_positive() -> None:
    assert Settings(_env_file=None).request_timeout_s == 5.0
    with pytest.raises(ValueError, match="GRAPH_API_REQUEST_TIMEOUT"):
        Settings(_env_file=None, GRAPH_API_REQUEST_TIMEOUT=0)


@dataclass
class LoopLag:
    """The largest delay of a 1 ms sleep on the server's event loop, by the clock and in its thread's CPU time: how
    long the loop was kept from its next step, and how much of that by work of its own."""

    worst_s: float = 0.0
    worst_busy_s: float = 0.0

    async def watch(self) -> None:
        while True:
            started, busy = time.perf_counter(), time.thread_time()
            await asyncio.sleep(0.001)
            self.worst_s = max(self.worst_s, time.perf_counter() - started - 0.001)
            self.worst_busy_s = max(self.worst_busy_s, time.thread_time() - busy)


@dataclass
class LiveServer:
    url: str
    port: int
    backend: str
    loop: asyncio.AbstractEventLoop

    @contextmanager
    def lag_watched(self) -> Iterator[LoopLag]:
        """The server's event-loop lag while the block runs: watched only then, as the watch costs the process some
        CPU (a wake-up a millisecond), which the tests of stopped work measure."""
        lag = LoopLag()
        watch = asyncio.run_coroutine_threadsafe(lag.watch(), self.loop)
        try:
            yield lag
        finally:
            watch.cancel()


@pytest.fixture(params=BACKENDS)
def live_server(request: pytest.FixtureRequest, dataset: Dataset) -> Iterator[LiveServer]:
    """The app under uvicorn on a free port, on a store of its own: a store belongs to the loop it opens in."""
    if request.param == "neo4j":
        request.getfixturevalue("neo4j_store")  # the seeds are in
        store: GraphStore = neo4j_store_for(request.getfixturevalue("neo4j_uri"))
    else:
        store = MemoryStore()
    loops: list[asyncio.AbstractEventLoop] = []

    async def start(store: GraphStore) -> None:
        if isinstance(store, MemoryStore):
            await store.load(dataset)
        loops.append(asyncio.get_running_loop())

    port = free_port()
    app = create_app(store, budgeted(LIVE_BUDGET_S), on_startup=start)
    with serving(uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))):
        # Answered once the cost limit's figures are measured (from start-up): the tests watch the heavy work alone.
        httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": SMALL}, timeout=30).raise_for_status()
        yield LiveServer(f"http://127.0.0.1:{port}", port, request.param, loops[0])


@contextmanager
def serving(server: uvicorn.Server) -> Iterator[None]:
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
async def live(live_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as client:
        yield client


async def test_small_requests_are_answered_while_heavy_ones_run(
    live_server: LiveServer, live: httpx.AsyncClient
) -> None:
    await live.post("/graphql", json={"query": SMALL})  # connections and caches of small requests warm
    cold()
    heavy = [
        asyncio.create_task(live.post("/graphql", json={"query": query}))
        for query in (HEAVY, LARGEST_DISTRICT_NETWORK)  # national coverage alone now ends within the small ones
    ]
    await asyncio.sleep(0.05)  # both under way
    timings = []
    with live_server.lag_watched() as lag:
        for path, request in [("/graphql", {"json": {"query": SMALL}}), ("/healthz", {})] * 3:
            started = time.perf_counter()
            response = await (live.post(path, **request) if request else live.get(path))
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
    assert not all(task.done() for task in heavy), "the heavy requests ended before the small ones: nothing measured"
    for answer in await asyncio.gather(*heavy):
        assert "errors" not in answer.json()
    print(
        f"small requests {max(timings) * 1000:.1f} ms at most, event-loop lag {lag.worst_s * 1000:.1f} ms at most, "
        f"{lag.worst_busy_s * 1000:.1f} ms of it the loop's own work"
    )
    # The test's client shares the interpreter (and its lock) with the server and its two workers, so on a busy
    # two-core machine one request or loop step now and then waits longer: the typical one is held to the
    # issue's bound, the worst to a few times it (the benchmark prints both figures of a quiet run).
    assert lag.worst_busy_s < BUSY_S and lag.worst_s < WAIT_S
    if live_server.backend == "memory":
        # A Neo4j on the same two cores is busy with the heavy reads, and a small read waits for it there.
        assert statistics.median(timings) < SMALL_ANSWER_S and max(timings) < STALL_S


async def test_work_for_a_client_that_disconnected_stops(live_server: LiveServer) -> None:
    cold()
    with send_and_hang_up(live_server.port, HEAVY, after_s=0.5):
        pass
    await asyncio.sleep(SETTLE_S)
    assert cpu_spent_in(1.0) < IDLE_CPU_S


@contextmanager
def send_and_hang_up(port: int, query: str, after_s: float) -> Iterator[None]:
    """Post the query over a plain socket, and close it without reading the answer `after_s` later."""
    body = ('{"query": ' + httpx.Request("POST", "/", json=query).content.decode() + "}").encode()
    head = f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head.encode() + b"\r\n\r\n" + body)
        time.sleep(after_s)
        yield


def cpu_spent_in(seconds: float) -> float:
    """The CPU time the whole process (every thread) spends while the test waits `seconds`."""
    before = time.process_time()
    time.sleep(seconds)
    return time.process_time() - before


async def test_a_map_layer_past_its_budget_gets_504(store: GraphStore) -> None:
    async with client_for(store, budgeted(0.001)) as http:
        response = await http.get("/geojson/municipalities?tolerance=0")
    assert response.status_code == 504
    assert response.json()["error"]["message"].startswith("The request ran past its time budget of 0.001 s")
