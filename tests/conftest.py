"""Fixtures: one seeded store per backend for the session, and a GraphQL client over the ASGI app.

The Neo4j backend runs on a real Neo4j: the one at `NEO4J_URI` when that is set (the tests wipe it),
otherwise one that `tests.neo4j_server` starts for the session. When none can be had, the Neo4j tests
fail under `CI=true` and are skipped elsewhere, with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import subprocess
import sys
import tempfile
import warnings
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from graph_api.app import create_app
from graph_api.cli import load_seeds
from graph_api.models import Bounds, Dataset, NodeRef, Point
from graph_api.relations import MUNICIPALITY_MEETING_PLACES, MUNICIPALITY_WELFARE_AREA
from graph_api.schema.data_sizes import DataSizesCache
from graph_api.settings import Settings
from graph_api.store.base import GraphStore, NodeQuery, PlaceFilter
from graph_api.store.datafolder import DataFolder
from graph_api.store.memory import MemoryStore
from graph_api.store.neo4j import Neo4jStore
from loaders.seeds import read_dataset
from tests.fake_geocoder import FakeProvider, serve_fake_provider
from tests.neo4j_server import Neo4jLaunchError, Neo4jServer

SUITE_VARIABLES = {"GRAPH_API_CHROMIUM", "GRAPH_API_SCREENSHOTS"}
"""The test suite's own variables (see tests/browser), not the service's settings: they stay."""
# The suite configures what it needs itself: settings from the developer's shell or .env stay out.
for name in [name for name in os.environ if name.startswith("GRAPH_API_") or name == "GRAPH_BACKEND"]:
    if name not in SUITE_VARIABLES:
        del os.environ[name]
# ... and a data folder and a cache of their own, never the user's (subprocesses inherit them)
os.environ["GRAPH_API_DATA"] = tempfile.mkdtemp(prefix="graph-api-data-")
os.environ["GRAPH_API_CACHE"] = tempfile.mkdtemp(prefix="graph-api-cache-")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BACKENDS = ["memory", "neo4j"]
ROUTED = "neo4j-routing"
"""The session's Neo4j through a `neo4j://` URI: the routing driver, asking the server for its routing table (one
server is router, reader and writer in its own table), as it would ask a cluster; "neo4j" connects with `bolt://`."""
STORE_BACKENDS = [*BACKENDS, ROUTED]
"""The `store` and `new_store` fixtures' backends: what every store test runs on, once with each URI scheme."""
HOW_TO_ENABLE = (
    "set NEO4J_URI to a Neo4j 5.26 the tests may wipe, or install Java 17 and Maven so that the tests "
    "start one themselves (python -m tests.neo4j_server)"
)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return read_dataset(SEEDS)


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[Neo4jServer | None]:
    """The Neo4j the tests started, or None when they use the one at NEO4J_URI."""
    if os.environ.get("NEO4J_URI"):
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="graph-api-neo4j-") as data_dir:
        server = Neo4jServer(Path(data_dir))
        try:
            server.start()
        except Neo4jLaunchError as exc:
            if os.environ.get("CI") == "true":
                pytest.fail(f"CI needs a real Neo4j and could not start one: {exc}", pytrace=False)
            pytest.skip(f"Neo4j tests skipped ({exc.args[0].splitlines()[0]}); to run them, {HOW_TO_ENABLE}")
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_server: Neo4jServer | None, pytestconfig: pytest.Config) -> str:
    uri = neo4j_server.uri if neo4j_server is not None else os.environ["NEO4J_URI"]
    tolerate_sockets_the_driver_leaves(pytestconfig, uri)
    return uri


def tolerate_sockets_the_driver_leaves(config: pytest.Config, uri: str) -> None:
    """No error for the ResourceWarning of a socket to this Neo4j that its driver left open, from here on.

    The driver (6.4.1) closes the socket it is connecting with on an `Exception` only, not on the `CancelledError`
    of a read stopped by its time budget as it connected, so that socket is closed by the garbage collector, with
    the warning. (Every other warning stays an error: `filterwarnings` in pyproject.toml.)
    """
    port = urlsplit(uri).port or 7687
    message = rf"unclosed <socket\.socket .*raddr=\('[^']*', {port}\)>"
    config.addinivalue_line("filterwarnings", f"ignore:{message}:ResourceWarning")  # each test's own filters
    warnings.filterwarnings("ignore", message, ResourceWarning)  # the test under way's


@contextlib.asynccontextmanager
async def refused_connects_the_driver_leaves_unread(port: int) -> AsyncIterator[None]:
    """The event loop's exception handler, but for a refused connect to the Neo4j at `port` that the driver left
    unread: its `wait_for` (6.4.1, before Python 3.12) passes on the cancellation of a read stopped just as its
    connect failed without reading the connect's error, which the loop reports once the task is collected.
    Every other exception goes on to the handler before."""
    loop = asyncio.get_running_loop()
    before = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        error = context.get("exception")
        if isinstance(error, ConnectionRefusedError) and str(error).endswith(f", {port})"):
            return
        if before is None:
            loop.default_exception_handler(context)
        else:
            before(loop, context)

    loop.set_exception_handler(handler)
    try:
        yield
    finally:
        gc.collect()  # the tasks left unread are reported as they are collected
        loop.set_exception_handler(before)


def with_scheme(uri: str, scheme: str) -> str:
    """The same server and port under another scheme (`bolt`, `neo4j`), keeping `+s` or `+ssc`."""
    old, sep, rest = uri.partition("://")
    return f"{scheme}{old[old.index('+') :] if '+' in old else ''}{sep}{rest}"


def neo4j_store_for(uri: str) -> Neo4jStore:
    return Neo4jStore(
        uri,
        os.environ.get("NEO4J_USER", "neo4j"),
        os.environ.get("NEO4J_PASSWORD", "neo4j"),
        os.environ.get("NEO4J_DATABASE", "neo4j"),
    )


class NotATestDatabase(RuntimeError):
    """The Neo4j at NEO4J_URI holds data the tests did not put there, which they would wipe."""


async def claim(store: Neo4jStore) -> None:
    """Mark the database as the tests' own; refuse one that holds anything else, so no one's data is wiped."""
    async with store.driver.session(database=store.database) as session:
        result = await session.run(
            "OPTIONAL MATCH (m:GraphApiTestDatabase) WITH count(m) AS marked "
            "OPTIONAL MATCH (n) WHERE NOT n:GraphApiTestDatabase RETURN marked, count(n) AS others"
        )
        record = await result.single(strict=True)
        if record["others"] and not record["marked"]:
            raise NotATestDatabase(
                f"the Neo4j at {store.uri} holds {record['others']} nodes that the tests did not write; they wipe "
                "the database, so point NEO4J_URI at an empty one"
            )
        await session.run("MERGE (:GraphApiTestDatabase)")


async def wipe(store: Neo4jStore) -> None:
    """Delete everything but the tests' mark (see `claim`): the relationships first, so that no batch holds a node
    with all of its own (a municipality of a million places has thousands, past the server's transaction memory)."""
    async with store.driver.session(database=store.database) as session:
        await session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS")
        await session.run(
            "MATCH (n) WHERE NOT n:GraphApiTestDatabase CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
        )


async def seed(store: Neo4jStore, dataset: Dataset) -> None:
    """Load the seeds into a wiped Neo4j, then make once what the first request after a load would.

    That request measures the cost limit's data sizes for the new generation (seconds on Neo4j), and Neo4j
    plans each query anew and reads its pages in: on a loaded 2-core machine, enough to pass a test's 5 s budget
    and fail whichever test happens to come first after a load.
    """
    await store.load(dataset)
    await DataSizesCache.of(store).current()
    municipalities = [NodeRef.of(node) for node in await store.every("Municipality")]
    for path in (MUNICIPALITY_MEETING_PLACES, MUNICIPALITY_WELFARE_AREA):
        await store.traverse_many(municipalities, path)
    await store.find("MeetingPlace", NodeQuery(first=None, places=PlaceFilter(tasks=frozenset({"1"}))))
    await store.nearby(Point(60.17, 24.94), 10, 20)
    await store.in_bounds(Bounds(59.5, 19.0, 70.1, 31.6), 1000)
    await store.agreements(None)


@pytest.fixture(scope="session")
async def memory_store(dataset: Dataset) -> MemoryStore:
    store = MemoryStore()
    await store.load(dataset)
    return store


@dataclass
class Neo4jDatabase:
    """The session's Neo4j database, its stores by URI scheme (`store` over `bolt://`, `routing` over `neo4j://`),
    and whether it holds exactly the seeds right now."""

    store: Neo4jStore
    routing: Neo4jStore
    seeded: bool = False

    def by_backend(self, backend: str) -> Neo4jStore:
        return self.routing if backend == ROUTED else self.store


@pytest.fixture(scope="session")
async def neo4j_database(neo4j_uri: str) -> AsyncIterator[Neo4jDatabase]:
    store = neo4j_store_for(with_scheme(neo4j_uri, "bolt"))
    routing = neo4j_store_for(with_scheme(neo4j_uri, "neo4j"))
    await store.open()
    await routing.open()
    try:
        await claim(store)
        yield Neo4jDatabase(store, routing)
    finally:
        await routing.close()
        await store.close()


async def seeded(database: Neo4jDatabase, dataset: Dataset, backend: str) -> Neo4jStore:
    """The store of that backend, the seeds in its database: loaded again only after a test wrote into it (see
    `new_store`); the warm-up runs on the store returned, so each URI scheme's first test is not the one to wait."""
    store = database.by_backend(backend)
    if not database.seeded:
        await wipe(store)
        await seed(store, dataset)
        database.seeded = True
    return store


@pytest.fixture
async def neo4j_store(neo4j_database: Neo4jDatabase, dataset: Dataset) -> Neo4jStore:
    """Neo4j holding the seeds, over `bolt://`."""
    return await seeded(neo4j_database, dataset, "neo4j")


@pytest.fixture
async def neo4j_routing_store(neo4j_database: Neo4jDatabase, dataset: Dataset) -> Neo4jStore:
    """The same Neo4j holding the seeds, over `neo4j://`."""
    return await seeded(neo4j_database, dataset, ROUTED)


@pytest.fixture(params=STORE_BACKENDS)
def store(request: pytest.FixtureRequest) -> GraphStore:
    """The shipped seeds in each backend; tests that use it read and never write."""
    return request.getfixturevalue(f"{request.param.replace('-', '_')}_store")  # type: ignore[no-any-return]


BARE_MEMORY = "memory-without-data-folder"
"""A memory store that keeps its writes in the process only (the benchmarks' and the fuzzer's): a further param of
`empty_backend` for the tests of what it keeps itself (`pytest.mark.parametrize(..., indirect=True)`)."""


@dataclass(frozen=True)
class Neo4jBackend:
    """One of the session's Neo4j stores (`Neo4jDatabase.by_backend`) and the database it shares with the others."""

    database: Neo4jDatabase
    store: Neo4jStore


def fresh_backend(request: pytest.FixtureRequest, folder: Path) -> GraphStore | Neo4jBackend:
    """A fresh memory store as `Settings.create_store` ships it, with a data folder, so that what is written goes
    through SQLite; or the session's Neo4j (asked for here, outside any running event loop)."""
    if request.param == "memory":
        return MemoryStore(DataFolder(folder))
    if request.param == BARE_MEMORY:
        return MemoryStore()
    database: Neo4jDatabase = request.getfixturevalue("neo4j_database")
    return Neo4jBackend(database, database.by_backend(request.param))


@pytest.fixture(params=STORE_BACKENDS)
def empty_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> GraphStore | Neo4jBackend:
    """An empty store of each backend (see `fresh_backend`)."""
    return fresh_backend(request, tmp_path_factory.mktemp("data-folder"))


@pytest.fixture
async def new_store(empty_backend: GraphStore | Neo4jBackend) -> AsyncIterator[GraphStore]:
    """An empty store of each backend to write into. Neo4j is wiped, and gets the seeds back when a test
    next asks for `neo4j_store`: tests that write run one after another without reloading them each time."""
    if not isinstance(empty_backend, Neo4jBackend):
        yield empty_backend
        return
    empty_backend.database.seeded = False
    await wipe(empty_backend.store)
    yield empty_backend.store


@pytest.fixture(scope="module")
def editable_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder of the memory `editable_store`: a restarted server opens it again."""
    return tmp_path_factory.mktemp("editable-data-folder")


@pytest.fixture(scope="module", params=BACKENDS)
def editable_backend(request: pytest.FixtureRequest, editable_folder: Path) -> GraphStore | Neo4jBackend:
    """As `empty_backend`, for a module."""
    return fresh_backend(request, editable_folder)


@pytest.fixture(scope="module")
async def editable_store(editable_backend: GraphStore | Neo4jBackend, dataset: Dataset) -> GraphStore:
    """The seeds in a store of each backend, for one module's tests to write into: each test creates what it
    changes, or changes what no other test of the module reads. Loaded once a module (Neo4j takes seconds);
    Neo4j gets the seeds back when a later test asks for `neo4j_store`. A module using it asks for no other
    store fixture, which would reload Neo4j under it."""
    if not isinstance(editable_backend, Neo4jBackend):
        await load_seeds(editable_backend, SEEDS)  # as `graph-api serve` does: the seeds, then the data folder
        return editable_backend
    editable_backend.database.seeded = False
    await wipe(editable_backend.store)
    await seed(editable_backend.store, dataset)
    return editable_backend.store


class GraphQLClient:
    """Posts queries to /graphql the way a frontend does."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.execute(query, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]  # type: ignore[no-any-return]

    async def error(self, query: str, **variables: Any) -> dict[str, Any]:
        """The one error the query must give."""
        body = await self.execute(query, **variables)
        assert len(body.get("errors", [])) == 1, body
        return body["errors"][0]  # type: ignore[no-any-return]


def run_pytest_alone(test: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m pytest TEST` in a process of its own with this environment, from the repository's root: how a
    test sees what the suite does on a machine without some real part (Neo4j, a browser)."""
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", test]
    return subprocess.run(command, cwd=ROOT, env=dict(env), capture_output=True, text=True, timeout=300)


TEST_SETTINGS = Settings(_env_file=None, GRAPH_API_REQUEST_TIMEOUT=60)
"""The defaults, without the environment's, but a time budget a loaded CI machine's Neo4j cannot run out of: at the
default 5 s a read that takes 2-3 s on a quiet machine timed out now and then. The tests of the budget set their own."""


def client_for(store: GraphStore, settings: Settings | None = None) -> httpx.AsyncClient:
    """A client of the app on `store`, with these settings (by default `TEST_SETTINGS`)."""
    transport = httpx.ASGITransport(app=create_app(store, settings or TEST_SETTINGS))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def http(store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(store) as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    """An online geocoding provider on a local port; set its `answer` and `delay_s`, read its `requests`."""
    with serve_fake_provider() as fake:
        yield fake
