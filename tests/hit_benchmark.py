"""A cached answer's CPU in process: `python -m tests.hit_benchmark [--requests N] [--rounds R]`.

The repeated `nearby` query of the load benchmark (`tests.load_benchmark`) sent straight to the ASGI app, as
shipped (logging to a buffer, slow requests only), beside the plain Starlette JSON endpoint answering the same
bytes, in interleaved rounds: no HTTP server or client shares the CPU, so a change to the cache-hit path shows in
microseconds where wrk's figures on a shared machine scatter by a fifth. Each figure is the best round's.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import time

from starlette.types import ASGIApp, Message, Scope

from graph_api.app import create_app
from graph_api.observability.logs import log_handler
from graph_api.settings import Settings
from graph_api.store.memory import MemoryStore
from loaders.seeds import read_dataset
from tests.load_benchmark import NEARBY, REPEATED, starlette_app

REQUESTS = 3000
ROUNDS = 6
WARM_UP = 200


async def cpu_us(app: ASGIApp, body: bytes, requests: int) -> float:
    """CPU microseconds a request: the same POST to /graphql, `requests` times."""
    headers = [(b"host", b"bench"), (b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] != 200:
            raise RuntimeError(f"answered {message['status']}")

    started = time.process_time()
    for _ in range(requests):
        await app(dict(scope), receive, send)
    return (time.process_time() - started) / requests * 1e6


async def hit_lines(requests: int = REQUESTS, rounds: int = ROUNDS) -> list[str]:
    """The figures, with the project's ratio to the plain endpoint of the same run."""
    from tests.conftest import SEEDS  # imported here: it clears GRAPH_API_* (see `tests.load_benchmark`)

    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    logging.basicConfig(level=logging.INFO, handlers=[log_handler("text", io.StringIO())], force=True)
    try:
        store = MemoryStore()
        await store.load(read_dataset(SEEDS))
        app = create_app(store, Settings(_env_file=None))
        body = json.dumps({"query": NEARBY, "variables": REPEATED}).encode()
        async with app.router.lifespan_context(app):
            apps: dict[str, ASGIApp] = {"plain Starlette": starlette_app(b"{}"), "graph-api": app}
            for one in apps.values():
                await cpu_us(one, body, WARM_UP)
            figures: dict[str, list[float]] = {name: [] for name in apps}
            for _ in range(rounds):
                for name, one in apps.items():
                    figures[name].append(await cpu_us(one, body, requests))
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    ours, plain = min(figures["graph-api"]), min(figures["plain Starlette"])
    return [
        f"in process, repeated nearby (a cached answer), graph-api: {ours:5.1f} µs CPU a request; "
        f"plain Starlette: {plain:5.1f} µs; ratio {plain / ours:.1%} by CPU a request"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=REQUESTS, help=f"requests a round ({REQUESTS})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"rounds for each app ({ROUNDS})")
    args = parser.parse_args()
    print("\n".join(asyncio.run(hit_lines(args.requests, args.rounds))))


if __name__ == "__main__":
    main()
