"""Log lines: one JSON object a line when asked, each carrying the request id the response header has."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from graph_api.observability.logs import LogFormat, log_handler
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore
from loaders.seeds import read_dataset
from tests.conftest import SEEDS, GraphQLClient, client_for

pytestmark = pytest.mark.anyio

Lines = Callable[[], list[str]]


@pytest.fixture
def capture() -> Iterator[Callable[[LogFormat], Lines]]:
    """Sends every log line to a buffer in the format asked; returns a function that gives the lines so far."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)

    def start(log_format: LogFormat) -> Lines:
        buffer = io.StringIO()
        root.addHandler(log_handler(log_format, buffer))
        root.setLevel(logging.INFO)
        return lambda: buffer.getvalue().splitlines()

    yield start
    root.handlers[:] = handlers
    root.setLevel(level)


def client(store: GraphStore, **settings: Any) -> httpx.AsyncClient:
    """An app logging a line for every request, whose requests count as slow only past a minute, unless the test
    says otherwise."""
    chosen = {"GRAPH_API_LOG_REQUESTS": True, "GRAPH_API_SLOW_REQUEST_MS": 60_000, **settings}
    return client_for(store, Settings(_env_file=None, **chosen))


def request_lines(lines: Lines) -> list[dict[str, Any]]:
    return [line for line in map(json.loads, lines()) if line["logger"] == "graph_api.requests"]


async def test_json_lines_carry_the_request_id_the_response_header_has(
    store: GraphStore, capture: Callable[[LogFormat], Lines]
) -> None:
    lines = capture("json")
    async with client(store) as http:
        response = await http.post("/graphql", json={"query": "query Areas { welfareAreas { id } }"})
    (line,) = request_lines(lines)
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert (line["level"], line["route"], line["status"], line["operation"], line["outcome"]) == (
        "INFO",
        "/graphql",
        200,
        "Areas",
        "ok",
    )


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        pytest.param("frontend-4f1c.7", True, id="sane"),
        pytest.param("x" * 129, False, id="too-long"),
        pytest.param("a b<script>", False, id="odd-characters"),
    ],
)
async def test_a_sane_incoming_request_id_is_kept(
    store: GraphStore, capture: Callable[[LogFormat], Lines], incoming: str, kept: bool
) -> None:
    lines = capture("json")
    async with client(store) as http:
        response = await http.get("/healthz", headers={"X-Request-ID": incoming})
    (line,) = request_lines(lines)
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (response.headers["X-Request-ID"] == incoming) is kept


async def test_other_lines_of_the_request_carry_its_id(
    store: GraphStore, capture: Callable[[LogFormat], Lines], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("secret internals")

    lines = capture("json")
    async with client(store) as http:
        monkeypatch.setattr(http._transport.app.routes[0].endpoint.store, "agreements", broken)  # type: ignore[attr-defined]
        response = await http.post("/graphql", json={"query": "{ agreements { since } }"})
    (unexpected,) = [line for line in map(json.loads, lines()) if line["message"].startswith("unexpected error")]
    assert unexpected["request_id"] == response.headers["X-Request-ID"]
    assert unexpected["level"] == "ERROR" and "secret internals" in unexpected["exception"]
    assert request_lines(lines)[0]["outcome"] == "error"


async def test_requests_slower_than_the_threshold_are_logged_at_warning(
    store: GraphStore, capture: Callable[[LogFormat], Lines]
) -> None:
    lines = capture("json")
    async with client(store, GRAPH_API_SLOW_REQUEST_MS=0) as http:
        await GraphQLClient(http).error('query Bad { node(id: "x") { id } }')
    (line,) = request_lines(lines)
    assert line["level"] == "WARNING" and line["message"].startswith("slow request")
    assert (line["route"], line["operation"], line["outcome"]) == ("/graphql", "Bad", "user_error")
    assert line["duration_ms"] > 0
    assert "cost_estimate" in line


async def test_the_cost_estimate_is_logged(store: GraphStore, capture: Callable[[LogFormat], Lines]) -> None:
    """The cost limit's extension leaves its estimate on the request state, where the request's log line reads it."""
    lines = capture("json")
    async with client(store, GRAPH_API_SLOW_REQUEST_MS=0) as http:
        body = await GraphQLClient(http).execute("{ regions { id } }")
    (line,) = request_lines(lines)
    assert line["cost_estimate"] == body["extensions"]["cost"]["estimated"] == 39


async def test_requests_within_the_threshold_are_logged_at_info(
    store: GraphStore, capture: Callable[[LogFormat], Lines]
) -> None:
    assert Settings(_env_file=None).slow_request_ms == 1000
    lines = capture("json")
    async with client(store) as http:
        await GraphQLClient(http).data("{ regions { id } }")
    (line,) = request_lines(lines)
    assert line["level"] == "INFO" and line["message"].startswith("request ")


async def test_text_lines_carry_the_request_id_too(store: GraphStore, capture: Callable[[LogFormat], Lines]) -> None:
    lines = capture("text")
    async with client(store) as http:
        response = await http.get("/healthz")
    request_id = response.headers["X-Request-ID"]
    assert f"INFO:     [{request_id}] request route=/healthz method=GET status=200" in lines()[0]


async def test_by_default_requests_are_not_logged_one_by_one_but_slow_ones_are(
    store: GraphStore, capture: Callable[[LogFormat], Lines]
) -> None:
    """A line a request costs a fifth of a cached answer's CPU (README: Configuration); /metrics counts them all."""
    assert Settings(_env_file=None).log_requests is False
    lines = capture("json")
    async with client_for(store, Settings(_env_file=None, GRAPH_API_SLOW_REQUEST_MS=60_000)) as http:
        await GraphQLClient(http).data("{ regions { id } }")
    assert request_lines(lines) == []
    async with client_for(store, Settings(_env_file=None, GRAPH_API_SLOW_REQUEST_MS=0)) as http:
        await GraphQLClient(http).data("{ regions { id } }")
    (line,) = request_lines(lines)
    assert line["level"] == "WARNING"


async def test_a_cached_answer_is_logged_and_counted_as_the_answer_it_repeats(
    capture: Callable[[LogFormat], Lines],
) -> None:
    """A repeated query answered from the response cache (the embedded store's answers are kept) has the log line
    of the answer made (but the cost estimate, as nothing was estimated) and counts in the metrics as one."""
    store = MemoryStore()
    await store.load(read_dataset(SEEDS))
    lines = capture("json")
    query = {"query": "query Areas { welfareAreas { id } }"}
    async with client(store) as http:
        await http.post("/graphql", json=query)
        again = await http.post("/graphql", json=query)
        metrics = (await http.get("/metrics")).text
    first, second, _ = request_lines(lines)
    assert second["request_id"] == again.headers["X-Request-ID"] != first["request_id"]
    fields = ("level", "route", "method", "status", "operation", "outcome")
    assert [second[name] for name in fields] == [first[name] for name in fields]
    assert [first[name] for name in fields] == ["INFO", "/graphql", "POST", 200, "Areas", "ok"]
    assert second["cost_estimate"] is None and first["cost_estimate"] > 0
    assert 'graph_api_response_cache_total{result="hit"} 1.0' in metrics
    assert 'graph_api_graphql_requests_total{operation="Areas",outcome="ok"} 2.0' in metrics
    assert 'graph_api_http_request_duration_seconds_count{method="POST",route="/graphql",status="200"} 2.0' in metrics
