"""Bodies over GRAPH_API_MAX_BODY_BYTES get 413 before they are read whole, declared or streamed."""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn

from graph_api.app import create_app
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore
from tests.conftest import client_for

pytestmark = pytest.mark.anyio

LIMIT = 4096
CHUNK = 1024


SMALL_LIMIT = Settings(_env_file=None, GRAPH_API_MAX_BODY_BYTES=LIMIT)


@pytest.fixture
async def client(store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(store, SMALL_LIMIT) as http:
        yield http


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "message": f"the request body is over {LIMIT} bytes, the most this service reads",
                "extensions": {"code": "PAYLOAD_TOO_LARGE"},
            }
        ]
    }


async def test_body_limit_refuses_a_declared_length_over_it(client: httpx.AsyncClient) -> None:
    padding = " " * LIMIT
    response = await client.post("/graphql", content=f'{{"query": "{{ regions {{ id }} }}"}}{padding}'.encode())
    assert_refused(response)


async def test_body_limit_lets_a_body_at_it_through(client: httpx.AsyncClient) -> None:
    body = b'{"query": "{ regions { id } }"}'
    response = await client.post(
        "/graphql", content=body + b" " * (LIMIT - len(body)), headers={"content-type": "application/json"}
    )
    assert len(response.json()["data"]["regions"]) == 19


async def test_body_limit_stops_reading_a_streamed_body_once_past_it(client: httpx.AsyncClient) -> None:
    sent: list[int] = []

    async def endless_json() -> AsyncIterator[bytes]:
        yield b'{"query": "{ regions { id } }", "padding": "'
        while True:
            sent.append(CHUNK)
            yield b"x" * CHUNK

    response = await client.post("/graphql", content=endless_json(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_refused(response)
    assert sum(sent) <= LIMIT + CHUNK


async def test_body_limit_refuses_before_the_response_cache_is_asked(client: httpx.AsyncClient) -> None:
    """A body over the limit is refused whole, never looked up: not even a request the cache could answer."""
    body = b'{"query": "{ regions { id } }"}'
    json_type = {"content-type": "application/json"}

    async def looked_up() -> list[str]:
        text = (await client.get("/metrics")).text
        return [line for line in text.splitlines() if line.startswith("graph_api_response_cache_total{")]

    async def streamed() -> AsyncIterator[bytes]:
        yield body
        yield b" " * LIMIT

    await client.post("/graphql", content=body, headers=json_type)
    before = await looked_up()
    assert_refused(await client.post("/graphql", content=body + b" " * LIMIT, headers=json_type))
    assert_refused(await client.post("/graphql", content=streamed(), headers=json_type))
    assert await looked_up() == before


@pytest.fixture
def server_port() -> Iterator[int]:
    """The app under a real uvicorn on a free local port, for as long as the test runs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(MemoryStore(), SMALL_LIMIT), log_level="warning", lifespan="off"))  # type: ignore[arg-type]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.01)
    try:
        yield listener.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(5)
        listener.close()


def test_body_limit_answers_a_real_connection_before_the_body_is_sent(server_port: int) -> None:
    """The client declares 50 MB and sends 100 bytes of it: the answer comes, and the connection closes."""
    with socket.create_connection(("127.0.0.1", server_port), timeout=5) as connection:
        connection.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 50000000\r\n\r\n" + b'{"query": "' + b"x" * 89
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"connection: close" in head.lower()
    assert b"PAYLOAD_TOO_LARGE" in body
