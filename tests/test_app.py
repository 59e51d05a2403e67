"""The HTTP surface around GraphQL: health, readiness, GraphiQL, the explorer."""

from __future__ import annotations

import httpx
import pytest

from graph_api import __version__
from graph_api.app import create_app
from graph_api.errors import StoreUnavailable
from graph_api.settings import Settings
from graph_api.store.memory import MemoryStore
from tests.conftest import client_for

pytestmark = pytest.mark.anyio


async def test_healthz_answers_without_touching_the_store(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


async def test_readyz_reports_the_store(http: httpx.AsyncClient) -> None:
    response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


async def test_graphiql_on_get(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_graphiql_can_be_turned_off() -> None:
    app = create_app(MemoryStore(), Settings(GRAPH_API_GRAPHIQL=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 404


async def test_explorer_can_be_turned_off_leaving_graphiql_its_files() -> None:
    graphiql_file = "/static/vendor/graphiql/graphiql.min.js"
    async with client_for(MemoryStore(), Settings(_env_file=None, GRAPH_API_EXPLORER=False)) as client:
        assert (await client.get("/")).status_code == 404
        assert (await client.get("/static/vendor/leaflet/leaflet.js")).status_code == 404
        assert (await client.get(graphiql_file)).status_code == 200
    off = Settings(_env_file=None, GRAPH_API_EXPLORER=False, GRAPH_API_GRAPHIQL=False)
    async with client_for(MemoryStore(), off) as client:
        assert (await client.get(graphiql_file)).status_code == 404


async def test_lifespan_runs_the_startup_hook_once() -> None:
    calls = []

    async def on_startup(store: object) -> None:
        calls.append(store)

    store = MemoryStore()
    app = create_app(store, on_startup=on_startup)
    async with app.router.lifespan_context(app):
        assert calls == [store]


class UnreachableStore(MemoryStore):
    async def ping(self) -> None:
        raise StoreUnavailable("cannot reach the graph")


async def test_readyz_says_503_when_the_store_cannot_answer() -> None:
    app = create_app(UnreachableStore())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "store": "memory", "reason": "cannot reach the graph"}
