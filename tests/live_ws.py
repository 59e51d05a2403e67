"""A real uvicorn serving the app in the test's own event loop (the store belongs to that loop; the browser tests
load their pages from it too), a real graphql-transport-ws client, and the publish-to-message benchmark the figures use.

The client speaks the protocol by hand, message by message, as the `graphql-ws` JavaScript client does:
`connection_init` → `connection_ack`, then `subscribe` (with an id) → `next`... → `complete`, or `error`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import statistics
import time
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from graph_api.app import create_app
from graph_api.live import Change, PlaceChanged, PlaceEvents
from graph_api.models import Bounds, MeetingPlace
from graph_api.settings import Settings
from graph_api.store.base import GraphStore

PROTOCOL = Subprotocol("graphql-transport-ws")
WAIT_S = 10.0
PLACES_CHANGED = """
subscription Changes($bounds: BoundsInput!, $kinds: [MeetingPlaceKind!]) {
  placesChanged(bounds: $bounds, kinds: $kinds) { change at place { id name kind location { lat lon } withdrawnAt } }
}
"""


@contextlib.asynccontextmanager
async def listening(app: Starlette) -> AsyncIterator[str]:
    """`app` under uvicorn on a free port of 127.0.0.1 while the block runs; yields its base URL, `http://127.0.0.1:port`.
    No lifespan: the store is the test's, opened and closed by its fixture."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, lifespan="off", log_config=None, log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listener]))
    deadline = time.monotonic() + WAIT_S
    while not server.started:
        assert not task.done() and time.monotonic() < deadline, "uvicorn did not start"
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        listener.close()


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """As `listening`, yielding the websocket URL of /graphql."""
    async with listening(app) as url:
        yield f"ws{url.removeprefix('http')}/graphql"


class Client:
    """One websocket connection, initialised; `subscribe` starts an operation, `message` reads the next one."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    @classmethod
    @contextlib.asynccontextmanager
    async def connected(cls, url: str, receive_buffer: int | None = None) -> AsyncIterator[Client]:
        """`receive_buffer` shrinks the socket's receive buffer: a client that stops reading backs up sooner."""
        sock = None
        if receive_buffer is not None:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            sock.connect(("127.0.0.1", int(url.split(":")[2].split("/")[0])))
            sock.setblocking(False)
        # Uncompressed, so that what is sent fills the socket as its size says.
        compression = None if receive_buffer is not None else "deflate"
        async with connect(
            url, subprotocols=[PROTOCOL], sock=sock, max_size=None, compression=compression
        ) as connection:
            client = cls(connection)
            await client.send({"type": "connection_init", "payload": {}})
            assert await client.message() == {"type": "connection_ack"}
            yield client

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def message(self, timeout_s: float = WAIT_S) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.connection.recv(), timeout_s))  # type: ignore[no-any-return]

    async def subscribe(self, id: str, bounds: Bounds, kinds: list[str] | None = None) -> None:
        variables = {"bounds": vars_of(bounds), "kinds": kinds}
        await self.send({"id": id, "type": "subscribe", "payload": {"query": PLACES_CHANGED, "variables": variables}})

    async def change(self, id: str) -> dict[str, Any]:
        """The next message, which must be a change pushed to the subscription `id`."""
        message = await self.message()
        assert message["type"] == "next" and message["id"] == id, message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]["placesChanged"]  # type: ignore[no-any-return]


def vars_of(bounds: Bounds) -> dict[str, float]:
    return {"south": bounds.south, "west": bounds.west, "north": bounds.north, "east": bounds.east}


async def subscribed(events: PlaceEvents, count: int) -> None:
    """Returns once `count` subscriptions are open: the server registers one a moment after `subscribe` is sent."""
    deadline = time.monotonic() + WAIT_S
    while len(events) != count:
        assert time.monotonic() < deadline, f"{len(events)} subscriptions open, not {count}"
        await asyncio.sleep(0.001)


def events_of(app: Starlette) -> PlaceEvents:
    return app.state.events  # type: ignore[no-any-return]


async def publish_to_message_seconds(store: GraphStore, place: MeetingPlace, rounds: int = 200) -> list[float]:
    """Seconds from `publish` to the subscriber's having read the message, one change at a time, over a real
    websocket on 127.0.0.1 (what a write adds before a map sees it, besides the write itself)."""
    app = create_app(store, Settings(_env_file=None))
    events = events_of(app)
    around = Bounds(
        place.location.lat - 0.1, place.location.lon - 0.1, place.location.lat + 0.1, place.location.lon + 0.1
    )
    seconds = []
    async with serving(app) as url, Client.connected(url) as client:
        await client.subscribe("1", around)
        await subscribed(events, 1)
        for _ in range(rounds):
            started = time.perf_counter()
            events.publish(PlaceChanged(Change.UPDATED, place, place))
            await client.change("1")
            seconds.append(time.perf_counter() - started)
    return seconds


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }
