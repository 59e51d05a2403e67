"""Fixtures: one seeded store per backend for the session, and a GraphQL client over the ASGI app."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_api.app import create_app
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore
from loaders.seeds import read_dataset

# The suite configures what it needs itself: settings from the developer's shell or .env stay out.
for name in [name for name in os.environ if name.startswith("GRAPH_API_") or name == "GRAPH_BACKEND"]:
    del os.environ[name]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BACKENDS = ["memory"]


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def dataset():  # type: ignore[no-untyped-def]
    return read_dataset(SEEDS)


@pytest.fixture(scope="session", params=BACKENDS)
def store(request: pytest.FixtureRequest, dataset) -> Iterator[GraphStore]:  # type: ignore[no-untyped-def]
    """The shipped seeds in each backend; tests read it and never write."""
    seeded = MemoryStore()
    asyncio.run(seeded.load(dataset))
    yield seeded


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


@pytest.fixture
async def http(store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(store, Settings(_env_file=None)))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)
