"""`/metrics`: what Prometheus scrapes, read back with prometheus-client's own parser."""

from __future__ import annotations

import functools
from pathlib import Path

import httpx
import pytest
from graphql import GraphQLError
from prometheus_client.parser import text_string_to_metric_families

from graph_api.observability.caches import CacheSizes, register_cache
from graph_api.observability.metrics import MAX_OPERATION_NAMES, OperationNames
from graph_api.observability.outcomes import Outcome, outcome_of
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.neo4j import Neo4jStore
from tests.conftest import GraphQLClient, client_for
from tests.fake_geocoder import FakeProvider, nominatim_place
from tests.neo4j_server import free_port

pytestmark = pytest.mark.anyio

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(http: httpx.AsyncClient) -> Samples:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests(samples: Samples, operation: str, outcome: str) -> float:
    return value(samples, "graph_api_graphql_requests_total", operation=operation, outcome=outcome)


async def test_graphql_requests_are_counted_by_operation_name_and_outcome(http: httpx.AsyncClient) -> None:
    gql = GraphQLClient(http)
    for _ in range(3):
        await gql.data("query Areas { welfareAreas { id } }")
    await gql.error('query Lookup { node(id: "not-an-id") { id } }')
    await gql.error("{ noSuchField }")
    await gql.data("{ regions { id } }")
    samples = await scrape(http)
    assert requests(samples, "Areas", "ok") == 3
    assert requests(samples, "Lookup", "user_error") == 1
    assert requests(samples, "anonymous", "user_error") == 1
    assert requests(samples, "anonymous", "ok") == 1
    latency = "graph_api_graphql_request_duration_seconds_count"
    assert value(samples, latency, operation="Areas", outcome="ok") == 3
    assert (
        value(samples, "graph_api_http_request_duration_seconds_count", route="/graphql", method="POST", status="200")
        == 6
    )


async def test_an_unreachable_store_is_counted_as_store_unavailable() -> None:
    store = Neo4jStore(f"bolt://127.0.0.1:{free_port()}", "neo4j", "password")
    await store.open()
    try:
        async with client_for(store) as http:
            error = await GraphQLClient(http).error('query One { node(id: "Municipality:091") { id } }')
            assert error["extensions"]["code"] == "STORE_UNAVAILABLE"
            samples = await scrape(http)
    finally:
        await store.close()
    assert requests(samples, "One", "store_unavailable") == 1


async def test_store_calls_are_timed_by_backend_and_operation(store: GraphStore, http: httpx.AsyncClient) -> None:
    await GraphQLClient(http).data("{ regions { id } }")  # the cost limit measures the data on first use
    before = await scrape(http)
    await GraphQLClient(http).data("{ municipalities(first: 3) { edges { node { id region { id } } } } }")
    samples = await scrape(http)
    count = "graph_api_store_call_duration_seconds_count"
    for operation in ("find", "traverse_many"):
        calls = [value(scraped, count, backend=store.name, operation=operation) for scraped in (before, samples)]
        assert calls[1] - calls[0] == 1
    assert value(samples, "graph_api_store_call_duration_seconds_sum", backend=store.name, operation="find") > 0


async def test_requests_are_timed_by_route_and_known_method_not_by_url(http: httpx.AsyncClient) -> None:
    await http.get("/geojson/meeting-places?bbox=24,60,25,61")
    await http.get("/geojson/meeting-places?bbox=nonsense")
    await http.get("/no/such/page")
    await http.request("BREW", "/healthz")
    samples = await scrape(http)
    count = "graph_api_http_request_duration_seconds_count"
    assert value(samples, count, route="/geojson/meeting-places", method="GET", status="200") == 1
    assert value(samples, count, route="/geojson/meeting-places", method="GET", status="400") == 1
    assert value(samples, count, route="unmatched", method="GET", status="404") == 1
    assert value(samples, count, route="/healthz", method="other", status="405") == 1


GEOCODE = "query ($address: String!) { geocode(address: $address) { results { label } } }"


async def test_offline_geocodings_count_under_provider_offline(http: httpx.AsyncClient) -> None:
    gql = GraphQLClient(http)
    await gql.data(GEOCODE, address="Rovaniemi")
    await gql.data(GEOCODE, address="Xqzzv")
    samples = await scrape(http)
    assert value(samples, "graph_api_geocodings_total", provider="offline", outcome="found") == 1
    assert value(samples, "graph_api_geocodings_total", provider="offline", outcome="nothing") == 1


async def test_online_geocodings_count_answers_cache_hits_and_fallbacks(
    store: GraphStore, provider: FakeProvider, tmp_path: Path
) -> None:
    provider.answer = lambda query: (200, [nominatim_place(66.5, 25.7, "Rovaniemi", "city")])
    settings = Settings(
        _env_file=None, GEOCODER="nominatim", GEOCODER_URL=provider.url, GEOCODER_CACHE=tmp_path, GEOCODER_MIN_DELAY=0
    )
    async with client_for(store, settings) as http:
        gql = GraphQLClient(http)
        await gql.data(GEOCODE, address="Rovaniemi")
        await gql.data(GEOCODE, address="Rovaniemi")
        provider.answer = lambda query: (500, {"error": "down"})
        await gql.data(GEOCODE, address="Oulu")
        samples = await scrape(http)
    outcomes = {
        outcome: value(samples, "graph_api_geocodings_total", provider="nominatim", outcome=outcome)
        for outcome in ("found", "cache_hit", "fallback", "nothing")
    }
    assert outcomes == {"found": 1, "cache_hit": 1, "fallback": 1, "nothing": 0}
    assert value(samples, "graph_api_cache_entries", cache="geocodings") == 1


async def test_cache_sizes_are_read_at_each_scrape(http: httpx.AsyncClient) -> None:
    await GraphQLClient(http).data("query Sized { regions { id } }")
    samples = await scrape(http)
    assert value(samples, "graph_api_cache_entries", cache="parsed_documents") >= 1
    assert value(samples, "graph_api_cache_entries", cache="validated_documents") >= 1
    assert ("graph_api_cache_entries", frozenset({("cache", "coverage_place_sets")})) in samples


def test_a_cache_registers_with_its_len_its_lru_info_or_a_size_function() -> None:
    remembered = functools.lru_cache(maxsize=4)(str)
    remembered(1)
    remembered(2)
    register_cache("test_sized", {"a": 1})
    register_cache("test_lru", remembered)
    register_cache("test_callable", lambda: 7)
    (gauge,) = CacheSizes().collect()
    sizes = {sample.labels["cache"]: sample.value for sample in gauge.samples}
    assert (sizes["test_sized"], sizes["test_lru"], sizes["test_callable"]) == (1, 2, 7)


def test_operation_names_are_bounded_in_number_and_shape() -> None:
    names = OperationNames(limit=2)
    assert [names.label(name) for name in ["First", "Second", "Third", "First"]] == [
        "First",
        "Second",
        "other",
        "First",
    ]
    assert names.label(None) == "anonymous"
    assert OperationNames().label("x" * 65) == "other"
    assert OperationNames().label("drop table; --") == "other"
    assert MAX_OPERATION_NAMES == 100


@pytest.mark.parametrize(
    ("codes", "outcome"),
    [
        pytest.param([], Outcome.OK, id="no-errors"),
        pytest.param(["BAD_USER_INPUT"], Outcome.USER_ERROR, id="bad-input"),
        pytest.param(["GRAPHQL_VALIDATION_FAILED"], Outcome.USER_ERROR, id="validation"),
        pytest.param(["COST_LIMIT"], Outcome.COST_LIMIT, id="cost-limit"),
        pytest.param(["TIMEOUT"], Outcome.TIMEOUT, id="timeout"),
        pytest.param(["STORE_UNAVAILABLE", "BAD_USER_INPUT"], Outcome.STORE_UNAVAILABLE, id="worst-first"),
        pytest.param(["SOMETHING_ELSE"], Outcome.ERROR, id="unknown-code"),
    ],
)
def test_the_outcome_is_read_from_the_errors_codes(codes: list[str], outcome: Outcome) -> None:
    errors = [GraphQLError("x", path=["field"], extensions={"code": code}) for code in codes]
    assert outcome_of(errors) is outcome


def test_an_error_without_a_code_is_the_clients_only_without_a_path() -> None:
    assert outcome_of([GraphQLError("Syntax Error: Unexpected <EOF>.")]) is Outcome.USER_ERROR
    assert outcome_of([GraphQLError("Unexpected error.", path=["agreements"])]) is Outcome.ERROR


async def test_apps_in_one_process_count_apart(store: GraphStore) -> None:
    async with client_for(store) as first, client_for(store) as second:
        await GraphQLClient(first).data("query Apart { regions { id } }")
        assert requests(await scrape(first), "Apart", "ok") == 1
        assert requests(await scrape(second), "Apart", "ok") == 0


async def test_a_request_past_its_time_budget_is_counted_as_timeout(store: GraphStore) -> None:
    async with client_for(store, Settings(_env_file=None, GRAPH_API_REQUEST_TIMEOUT=0.001)) as http:
        error = await GraphQLClient(http).error("query Slow { coverageGaps(withinKm: 1) { totalCount } }")
        assert error["extensions"]["code"] == "TIMEOUT"
        samples = await scrape(http)
    assert requests(samples, "Slow", "timeout") == 1
