"""Bounded memory: a request grows the process by at most its estimated cost times MEMORY_PER_COST bytes, and
the caches that grow with what clients send are bounded LRUs whose sizes are settings."""

from __future__ import annotations

import re
import tracemalloc

import pytest

from graph_api.settings import MEMORY_PER_COST, Settings
from graph_api.store.base import GraphStore
from tests.conftest import GraphQLClient, client_for

pytestmark = pytest.mark.anyio

FINLAND = "{south: 59.5, west: 19.0, north: 70.1, east: 31.6}"
VIEW = f"inBounds(bounds: {FINLAND}, limit: 1000) {{ totalCount places {{ id name kind location {{ lat lon }} }} }}"

HEAVY = {
    "map views": "{ " + " ".join(f"v{i}: {VIEW}" for i in range(8)) + " }",
    "boundaries": "{ municipalitiesGeoJson(tolerance: 0) welfareAreasGeoJson(tolerance: 0) }",
    "relations": """{ relations(id: "District:hame", depth: 3) { nodes { id type label isDemo }
        edges { source target type properties isDemo } } }""",
    "network": """{ network(areaId: "District:uusimaa") { nodes { id label } edges { source target type }
        byBetweenness(top: 100) { betweenness node { id } } } }""",
    "coverage": "{ coverageGaps(withinKm: 5, limit: 309) { municipalities { municipality { id } shareWithin } } }",
}


TRACED = Settings(_env_file=None, GRAPH_API_REQUEST_TIMEOUT=60)
"""Tracing every allocation slows Python several times over: the bound measured here is memory, not time, so a
traced request gets a budget a loaded machine cannot run out of."""


@pytest.mark.parametrize("name", HEAVY)
async def test_request_memory_stays_within_its_estimate(store: GraphStore, name: str) -> None:
    async with client_for(store, TRACED) as http:
        gql = GraphQLClient(http)
        await gql.execute(HEAVY[name])  # the first answer fills the bounded caches; the bound is for the request
        tracemalloc.start()
        try:
            body = await gql.execute(HEAVY[name])
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert "errors" not in body, body["errors"]
    assert peak <= body["extensions"]["cost"]["estimated"] * MEMORY_PER_COST


async def test_request_memory_setting_lowers_the_cost_ceiling(store: GraphStore) -> None:
    settings = Settings(_env_file=None, GRAPH_API_MAX_REQUEST_MEMORY=1)
    assert settings.cost_ceiling == 2**20 // MEMORY_PER_COST
    async with client_for(store, settings) as http:
        body = (await http.post("/graphql", json={"query": "{ " + VIEW + " }"})).json()
    assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT"
    assert body["errors"][0]["extensions"]["maxCost"] == 1024


@pytest.mark.parametrize("size", [3, 11])
async def test_document_caches_keep_at_most_their_size(store: GraphStore, size: int) -> None:
    async with client_for(store, Settings(_env_file=None, GRAPH_API_DOCUMENT_CACHE_SIZE=size)) as http:
        for n in range(size + 20):
            await http.post("/graphql", json={"query": f"{{ a{n}: districts {{ id }} }}"})
        metrics = (await http.get("/metrics")).text
    for cache in ("parsed_documents", "validated_documents"):
        assert re.search(rf'graph_api_cache_entries\{{cache="{cache}"\}} (\S+)', metrics)[1] == f"{size}.0"  # type: ignore[index]
