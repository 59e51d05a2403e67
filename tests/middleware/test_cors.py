"""Pages on other origins may call /graphql and /geojson/* (GRAPH_API_CORS_ORIGINS), preflight included."""

from __future__ import annotations

import httpx
import pytest
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from graph_api.app import create_app
from graph_api.middleware.cors import METHODS, PathCORSMiddleware
from graph_api.settings import Settings
from graph_api.store.base import GraphStore

pytestmark = pytest.mark.anyio

MAP_SITE = "https://kartta.example.fi"


def client_for(store: GraphStore, **settings: object) -> httpx.AsyncClient:
    app = create_app(store, Settings(_env_file=None, **settings))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.example.fi")


def preflight(path: str, origin: str = MAP_SITE, method: str = "POST", headers: str = "content-type") -> dict[str, str]:
    return {"origin": origin, "access-control-request-method": method, "access-control-request-headers": headers}


@pytest.mark.parametrize("path", ["/graphql", "/geojson/meeting-places"])
async def test_cors_preflight_is_answered_for_any_origin_by_default(store: GraphStore, path: str) -> None:
    async with client_for(store) as client:
        asked = preflight(path, headers="content-type, if-none-match, x-request-id")
        response = await client.options(path, headers=asked)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert set(response.headers["access-control-allow-methods"].split(", ")) == {"GET", "POST", "OPTIONS"}
    allowed = {name.strip().lower() for name in response.headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "authorization", "if-none-match"} <= allowed


async def test_cors_post_from_another_site_can_be_read_with_its_headers_exposed(store: GraphStore) -> None:
    async with client_for(store) as client:
        response = await client.post("/graphql", json={"query": "{ regions { id } }"}, headers={"origin": MAP_SITE})
    assert len(response.json()["data"]["regions"]) == 19
    assert response.headers["access-control-allow-origin"] == "*"
    assert set(response.headers["access-control-expose-headers"].split(", ")) == {"ETag", "X-Request-ID"}


async def test_cors_get_of_a_map_layer_from_another_site(store: GraphStore) -> None:
    async with client_for(store) as client:
        response = await client.get("/geojson/meeting-places", headers={"origin": MAP_SITE})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


async def test_cors_origins_setting_admits_only_those_listed(store: GraphStore) -> None:
    async with client_for(store, GRAPH_API_CORS_ORIGINS=f"{MAP_SITE}, https://other.example.fi") as client:
        admitted = await client.options("/graphql", headers=preflight("/graphql"))
        refused = await client.options("/graphql", headers=preflight("/graphql", origin="https://evil.example"))
        plain = await client.post(
            "/graphql", json={"query": "{ regions { id } }"}, headers={"origin": "https://evil.example"}
        )
    assert admitted.headers["access-control-allow-origin"] == MAP_SITE
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "Disallowed CORS origin"
    assert "access-control-allow-origin" not in plain.headers


async def test_cors_preflight_refuses_a_header_not_allowed_as_graphql(store: GraphStore) -> None:
    async with client_for(store) as client:
        response = await client.options("/graphql", headers=preflight("/graphql", headers="x-secret"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Disallowed CORS headers"


async def test_cors_leaves_health_checks_alone(store: GraphStore) -> None:
    async with client_for(store) as client:
        response = await client.get("/healthz", headers={"origin": MAP_SITE})
    assert "access-control-allow-origin" not in response.headers


def answering(headers: list[tuple[bytes, bytes]]) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


@pytest.mark.parametrize(
    ("headers", "vary"),
    [
        ([(b"content-type", b"application/json")], b"Origin"),
        ([(b"vary", b"Accept"), (b"content-type", b"application/json")], b"Accept, Origin"),
        ([(b"vary", b"Accept"), (b"etag", b'"x"'), (b"vary", b"Accept-Encoding")], b"Accept, Accept-Encoding, Origin"),
    ],
    ids=["no-vary", "one-vary", "two-vary"],
)
async def test_an_answer_to_a_request_without_origin_has_the_headers_starlettes_cors_gives_it(
    headers: list[tuple[bytes, bytes]], vary: bytes
) -> None:
    """Such a request skips Starlette's middleware, which costs a fifth of a cached answer: the answer must still
    say that it varies by `Origin`, byte for byte as Starlette says it."""
    ours = PathCORSMiddleware(answering(headers), paths=["/graphql"], allow_origins=["*"])
    starlettes = CORSMiddleware(answering(headers), allow_origins=["*"], allow_methods=METHODS)
    answers = []
    for app in (ours, starlettes):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.example.fi") as client:
            answers.append((await client.post("/graphql", content=b"{}")).headers.raw)
    assert answers[0] == answers[1]
    assert [value for name, value in answers[0] if name == b"vary"] == [vary]
