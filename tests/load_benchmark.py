"""Throughput over HTTP: `python -m tests.load_benchmark [--seconds N] [--connections 32]`.

Servers, each in a process of its own under uvicorn (one worker, 127.0.0.1, uvloop and httptools as
`uvicorn[standard]` brings them), loaded in turn by `wrk` (Debian's `wrk` package) with `connections`
connections over one thread:
- a plain Starlette JSON endpoint answering the small `nearby` answer's body (the floor of the HTTP stack);
- a bare strawberry app answering the same shape from memory, with strawberry's parser and validation caches
  (what a tuned GraphQL app without a store or limits costs);
- the project, `graph-api serve` on the embedded store with the shipped seeds, as shipped and with a log line
  for every request (`GRAPH_API_LOG_REQUESTS=true`).
Two scenarios: a map frontend asking the same document with the same variables again and again (the response
cache answers), and unique queries, a random point in Finland each request. Figures: requests per second and the
p50 and p99 latency of each, and the project's ratios to the references measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

from graph_api.store.memory import MemoryStore
from loaders.seeds import read_dataset

CONNECTIONS = 32
SECONDS = 15
ROUNDS = 3
WARM_UP_S = 1
NEARBY = (
    "query Nearby($lat: Float!, $lon: Float!) "
    "{ nearby(near: {lat: $lat, lon: $lon}, radiusKm: 100, limit: 5) { place { id name } } }"
)
REPEATED = {"lat": 60.1699, "lon": 24.9384}
"""Helsinki's centre: a map frontend opening on the capital."""
FINLAND = (59.9, 20.6, 70.0, 31.5)
"""South-west and north-east corners of the box the random points fall in."""
P99_TARGET_MS = 50.0
REPEATED_SHARE_TARGET = 0.5
INSTALL = "wrk is missing: install it with `apt-get install -y wrk` (Debian's package)"
LOGGED = "graph-api, request log on"
"""The project with `GRAPH_API_LOG_REQUESTS=true`: a log line a request costs a fifth of a cached answer."""
ANSWER = "LOAD_BENCHMARK_ANSWER"
"""The environment variable handing the project's answer to the reference servers."""

LUA = """
local document = %(document)s
local south, west, north, east = %(box)s
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(requests)s
"""
REPEATED_LUA = "wrk.body = %(body)s\n"
UNIQUE_LUA = """
request = function()
  local lat = south + math.random() * (north - south)
  local lon = west + math.random() * (east - west)
  local body = string.format('{"query":%s,"variables":{"lat":%.5f,"lon":%.5f}}', document, lat, lon)
  return wrk.format(nil, nil, nil, body)
end
"""


async def project_answer() -> bytes:
    """The project's answer to the repeated query, asked in process: what the references answer."""
    from tests.conftest import SEEDS, client_for  # imported here: it clears GRAPH_API_*, the references' port too

    store = MemoryStore()
    await store.load(read_dataset(SEEDS))
    async with client_for(store) as client:
        answer = await client.post("/graphql", json={"query": NEARBY, "variables": REPEATED})
    answer.raise_for_status()
    return answer.content


async def ready(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ready"})


def starlette_app(body: bytes) -> Starlette:
    """The floor: the answer's bytes, made once, from a plain Starlette route."""

    async def plain_json(request: Request) -> Response:
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/graphql", plain_json, methods=["POST"]), Route("/readyz", ready)])


@strawberry.type
class Place:
    id: strawberry.ID
    name: str


@strawberry.type
class Hit:
    place: Place


@strawberry.input
class Near:
    lat: float
    lon: float


def strawberry_app(body: bytes) -> Starlette:
    """A bare strawberry app answering the same places from memory, with the parser and validation caches a tuned
    app has (and no store, limits, cost estimate or observability)."""
    hits = [Hit(place=Place(**hit["place"])) for hit in json.loads(body)["data"]["nearby"]]

    @strawberry.type
    class Query:
        @strawberry.field
        def nearby(self, near: Near, radius_km: float, limit: int) -> list[Hit]:
            return hits[:limit]

    caches = [lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)]
    schema = strawberry.Schema(query=Query, extensions=caches)
    return Starlette(routes=[Route("/graphql", GraphQL(schema, graphql_ide=None)), Route("/readyz", ready)])


REFERENCES = {"starlette": starlette_app, "strawberry": strawberry_app}


@dataclass(frozen=True)
class Load:
    """What wrk measured: requests per second, the median and 99th percentile latency, failures (non-2xx answers
    and time-outs) and requests made; and the server's CPU time a request, which holds on a machine whose other
    processes take turns on the cores (the rate and latencies do not)."""

    per_s: float
    p50_ms: float
    p99_ms: float
    failed: int
    requests: int
    cpu_us: float = 0.0


def lua_script(document: str, unique: bool) -> str:
    body = json.dumps({"query": document, "variables": REPEATED}, separators=(",", ":"))
    requests = UNIQUE_LUA if unique else REPEATED_LUA % {"body": json.dumps(body)}
    return LUA % {
        "document": json.dumps(json.dumps(document)),
        "box": ", ".join(map(str, FINLAND)),
        "requests": requests,
    }


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def parse_wrk(output: str) -> Load:
    per_s = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: .*?timeout (\d+)", output)
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    failures = (int(failed.group(1)) if failed else 0) + (int(errors.group(1)) if errors else 0)
    return Load(per_s, p50, p99, failures, requests)


def cpu_seconds(pid: int) -> float:
    """The process's user and system CPU time so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, pid: int, script: str, seconds: int, connections: int) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = ["wrk", "-t1", f"-c{connections}", "--latency", "-s", lua.name, f"{url}/graphql"]
        subprocess.run([*command, f"-d{WARM_UP_S}s"], check=True, capture_output=True)
        before = cpu_seconds(pid)
        done = subprocess.run([*command, f"-d{seconds}s"], check=True, capture_output=True, text=True)
        used = cpu_seconds(pid) - before
    load = parse_wrk(done.stdout)
    return dataclasses.replace(load, cpu_us=used / max(load.requests, 1) * 1e6)


def serve_reference(name: str) -> None:
    """One reference server, as `graph-api serve` runs: uvicorn, one worker, 127.0.0.1, the port given."""
    app = REFERENCES[name](os.environ[ANSWER].encode())
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["GRAPH_API_PORT"]), log_level="warning", access_log=False)


def measure_all(answer: bytes, seconds: int, connections: int) -> dict[str, dict[str, Load]]:
    """The three servers up side by side, loaded one at a time (the others idle), in `ROUNDS` interleaved rounds
    of `seconds / ROUNDS` each: a neighbour's burst on a shared machine then hits every server alike. Each
    figure is the median round's (by req/s)."""
    from tests.write_benchmark import launched  # imports tests.conftest (see `project_answer`)

    settings = {"GRAPH_API_BACKEND": "memory", ANSWER: answer.decode()}
    reference = [sys.executable, "-m", "tests.load_benchmark", "--serve"]
    commands: dict[str, tuple[list[str] | None, dict[str, str]]] = {
        "plain Starlette": ([*reference, "starlette"], {}),
        "bare strawberry": ([*reference, "strawberry"], {}),
        "graph-api": (None, {}),
        LOGGED: (None, {"GRAPH_API_LOG_REQUESTS": "true"}),
    }
    scenarios = {"repeated": lua_script(NEARBY, False), "unique": lua_script(NEARBY, True)}
    rounds: dict[str, dict[str, list[Load]]] = {name: {s: [] for s in scenarios} for name in commands}
    with contextlib.ExitStack() as stack:
        servers = {name: stack.enter_context(launched(settings | env, cmd)) for name, (cmd, env) in commands.items()}
        for _ in range(ROUNDS):
            for scenario, script in scenarios.items():
                for name, (url, pid) in servers.items():
                    rounds[name][scenario].append(wrk(url, pid, script, max(1, seconds // ROUNDS), connections))
    return {
        name: {scenario: sorted(loads, key=lambda load: load.per_s)[len(loads) // 2] for scenario, loads in by.items()}
        for name, by in rounds.items()
    }


async def load_lines(seconds: int = SECONDS, connections: int = CONNECTIONS) -> list[str]:
    """The figures, one line each, with the project's ratios to the references of the same run."""
    if shutil.which("wrk") is None:
        raise SystemExit(INSTALL)
    figures = await asyncio.to_thread(measure_all, await project_answer(), seconds, connections)
    lines = []
    for scenario in ("repeated", "unique"):
        for name, loads in figures.items():
            load = loads[scenario]
            failed = f", {load.failed} failed" if load.failed else ""
            lines.append(
                f"load, {scenario} nearby, {name + ':':27}{load.per_s:7.0f} req/s, p50 {load.p50_ms:6.1f} ms, "
                f"p99 {load.p99_ms:6.1f} ms, {load.cpu_us:5.0f} µs CPU a request ({connections} connections{failed})"
            )
    plain, bare = figures["plain Starlette"], figures["bare strawberry"]
    for name in ("graph-api", LOGGED):
        ours, theirs = figures[name]["repeated"], plain["repeated"]
        lines.append(
            f"ratio {name} / plain Starlette, repeated: {ours.per_s / theirs.per_s:6.1%} req/s, "
            f"{theirs.cpu_us / ours.cpu_us:6.1%} by CPU a request (target >= {REPEATED_SHARE_TARGET:.0%})"
        )
        ours, theirs = figures[name]["unique"], bare["unique"]
        lines.append(
            f"ratio {name} / bare strawberry, unique: {ours.per_s / theirs.per_s:6.2f} x req/s, "
            f"{theirs.cpu_us / ours.cpu_us:6.2f} x by CPU a request (target >= 1); "
            f"p99 {ours.p99_ms:.1f} ms (target <= {P99_TARGET_MS:g} ms)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=int, default=SECONDS, help=f"load per server and scenario ({SECONDS})")
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help=f"wrk's connections ({CONNECTIONS})")
    parser.add_argument("--serve", choices=sorted(REFERENCES), help="serve one reference (what the run launches)")
    args = parser.parse_args()
    if args.serve:
        serve_reference(args.serve)
        return
    print("\n".join(asyncio.run(load_lines(args.seconds, args.connections))))


if __name__ == "__main__":
    main()
