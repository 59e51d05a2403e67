"""While Neo4j is down the API answers at once that the store is unavailable, and recovers by itself."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from graph_api.store.neo4j import Neo4jStore
from tests.conftest import GraphQLClient, client_for
from tests.neo4j_server import Neo4jServer, free_port

pytestmark = pytest.mark.anyio

QUERY = '{ node(id: "Municipality:091") { id } }'


async def test_neo4j_outage_is_reported_quickly_and_heals_without_a_restart(
    neo4j_server: Neo4jServer | None, neo4j_store: Neo4jStore
) -> None:
    if neo4j_server is None:
        pytest.skip("the tests use the Neo4j at NEO4J_URI, which they cannot stop and start")
    async with client_for(neo4j_store) as http:
        gql = GraphQLClient(http)
        assert await gql.data(QUERY) == {"node": {"id": "Municipality:091"}}
        neo4j_server.stop()
        try:
            for _ in range(5):
                started = time.monotonic()
                error = await gql.error(QUERY)
                assert time.monotonic() - started < 2.0
                assert error["extensions"] == {"code": "STORE_UNAVAILABLE"}
                assert error["message"].startswith(f"Neo4j at {neo4j_store.uri} is unavailable")
            ready = await http.get("/readyz")
            assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        finally:
            neo4j_server.start()
        assert await gql.data(QUERY) == {"node": {"id": "Municipality:091"}}
        assert (await http.get("/readyz")).status_code == 200


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A TCP listener that accepts connections and never says a word: a Neo4j host that has hung."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"bolt://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


@pytest.mark.parametrize("where", ["silent", "refused"])
async def test_an_unreachable_neo4j_is_reported_within_two_seconds(where: str) -> None:
    with silent_server() as uri:
        if where == "refused":
            uri = f"bolt://127.0.0.1:{free_port()}"
        store = Neo4jStore(uri, "neo4j", "password")
        await store.open()
        try:
            async with client_for(store) as http:
                for _ in range(3):
                    started = time.monotonic()
                    error = await GraphQLClient(http).error(QUERY)
                    assert time.monotonic() - started < 2.0
                    assert error["extensions"] == {"code": "STORE_UNAVAILABLE"}
                started = time.monotonic()
                assert (await http.get("/readyz")).status_code == 503
                assert time.monotonic() - started < 2.0
        finally:
            await store.close()
