"""While Neo4j is down the API answers at once that the store is unavailable, and recovers by itself."""

from __future__ import annotations

import time

import pytest

from graph_api.store.neo4j import Neo4jStore
from tests.conftest import GraphQLClient, client_for
from tests.neo4j_server import Neo4jServer

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
            started = time.monotonic()
            error = await gql.error(QUERY)
            assert time.monotonic() - started < neo4j_store.timeout_s + 0.5
            assert error["extensions"] == {"code": "STORE_UNAVAILABLE"}
            assert "unavailable" in error["message"] or "did not answer" in error["message"]
            ready = await http.get("/readyz")
            assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        finally:
            neo4j_server.start()
        assert await gql.data(QUERY) == {"node": {"id": "Municipality:091"}}
        assert (await http.get("/readyz")).status_code == 200
