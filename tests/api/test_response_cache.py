"""The response cache, through HTTP: a repeated query is answered from it with the very bytes an uncached answer
has; every change the store takes (an edit, a load, another process's write taken in) makes the next answer fresh;
what depends on who asks or on the time now, errors and mutations are never kept; GET answers carry an ETag.

On Neo4j, whose data other processes write without telling, no cheap version exists and nothing is cached
(`Neo4jStore.data_version`): there the tests check that every answer is fresh; GET answers carry ETags on both.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from graph_api.models import Dataset, ImportRecord, MeetingPlace
from graph_api.schema.ids import parse_global_id
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore
from tests.api.edits import CHANGES, SETTINGS, UPDATE_PLACE, Editor, Setup, bearer, token_for
from tests.conftest import client_for

pytestmark = pytest.mark.anyio

NEARBY = "query ($lat: Float!, $lon: Float!) { nearby(near: {lat: $lat, lon: $lon}, limit: 5) { place { id name } } }"
HELSINKI = {"lat": 60.1699, "lon": 24.9384}
PLACE = "query ($id: ID!) { node(id: $id) { ... on MeetingPlace { name version } } }"
OPEN_NOW = "query ($id: ID!) { node(id: $id) { ... on MeetingPlace { isOpen } } }"
OPEN_AT = 'query ($id: ID!) { node(id: $id) { ... on MeetingPlace { isOpen(at: "2026-03-02T10:00:00+02:00") } } }'
GRAPHQL_RESPONSE = "application/graphql-response+json"
NOW = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)


async def place(store: GraphStore, key: str) -> str:
    """A new place in the store, by a load; its global id."""
    setup = Setup()
    global_id = setup.place(f"cache-{key}")
    await store.load(setup.dataset)
    return global_id


@pytest.fixture
async def http(editable_store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(editable_store, SETTINGS) as client:
        yield client


def cached(store: GraphStore) -> bool:
    """Whether the backend's answers are cached at all (not on Neo4j)."""
    return isinstance(store, MemoryStore)


async def counts(http: httpx.AsyncClient) -> dict[str, float]:
    """The response cache's hits, misses and answers kept so far, and the entries it holds."""
    text = (await http.get("/metrics")).text
    found = {"hit": 0.0, "miss": 0.0, "kept": 0.0, "entries": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "graph_api_response_cache_total":
                found[sample.labels["result"]] = sample.value
            elif sample.name == "graph_api_cache_entries" and sample.labels["cache"] == "responses":
                found["entries"] = sample.value
    return found


async def post(http: httpx.AsyncClient, query: str, headers: dict[str, str] | None = None, **variables: Any) -> Any:
    return await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def name_of(http: httpx.AsyncClient, global_id: str) -> str:
    answer = (await post(http, PLACE, id=global_id)).json()
    return str(answer["data"]["node"]["name"])


async def test_response_cache_answers_a_repeated_query_from_the_cache(
    http: httpx.AsyncClient, editable_store: GraphStore
) -> None:
    first = await post(http, NEARBY, **HELSINKI)
    before = await counts(http)
    again = await post(http, NEARBY, **HELSINKI)
    after = await counts(http)
    assert again.content == first.content
    assert after["hit"] - before["hit"] == (1 if cached(editable_store) else 0)


def graphql_ok(text: str) -> tuple[float, float]:
    """How many requests to /graphql were answered 200, and how many `ok` GraphQL operations were counted."""
    http_ok = ok = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "graph_api_http_request_duration_seconds_count" and labels["route"] == "/graphql":
                http_ok += sample.value if labels["status"] == "200" else 0
            elif sample.name == "graph_api_graphql_requests_total" and labels["outcome"] == "ok":
                ok += sample.value
    return http_ok, ok


async def test_response_cache_hit_has_the_headers_and_metrics_of_any_answer(
    http: httpx.AsyncClient, editable_store: GraphStore
) -> None:
    """The request id, CORS, nosniff and the metrics are the same whether the cache answers or strawberry does."""
    origin = {"Origin": "https://map.example"}
    first = await post(http, NEARBY, origin, **HELSINKI)
    before, hits = graphql_ok((await http.get("/metrics")).text), (await counts(http))["hit"]
    again = await post(http, NEARBY, origin, **HELSINKI)
    assert (await counts(http))["hit"] - hits == (1 if cached(editable_store) else 0)
    assert graphql_ok((await http.get("/metrics")).text) == (before[0] + 1, before[1] + 1)
    assert again.content == first.content
    for name in (
        "content-type",
        "access-control-allow-origin",
        "access-control-expose-headers",
        "x-content-type-options",
    ):
        assert again.headers[name] == first.headers[name], name
    assert len(again.headers["x-request-id"]) == 32 and again.headers["x-request-id"] != first.headers["x-request-id"]


MAP_SITE = "https://kartta.example.fi"


@pytest.mark.parametrize("origin", [MAP_SITE, "https://elsewhere.example", None], ids=["allowed", "refused", "none"])
@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_response_cache_hit_has_every_header_and_byte_of_the_answer_it_repeats(
    editable_store: GraphStore, method: str, origin: str | None
) -> None:
    """Answered before the router, a kept answer still passes every edge: the same status, body and headers (CORS
    for the request's origin, allowed or not, nosniff, ETag on GET, ...) as the answer made; only the id is new."""
    settings = SETTINGS.model_copy(update={"cors_origins": [MAP_SITE]})
    headers = {"Origin": origin} if origin else {}
    asked = {"query": NEARBY, "variables": HELSINKI}
    async with client_for(editable_store, settings) as http:
        if method == "GET":
            params = {"query": NEARBY, "variables": json.dumps(HELSINKI)}
            made, again = [await http.get("/graphql", params=params, headers=headers) for _ in range(2)]
        else:
            made, again = [await http.post("/graphql", json=asked, headers=headers) for _ in range(2)]
        assert (await counts(http))["hit"] == (1 if cached(editable_store) else 0)
    assert made.status_code == again.status_code == 200
    assert again.content == made.content
    assert made.headers["x-request-id"] != again.headers["x-request-id"]
    assert sorted((k, v) for k, v in again.headers.multi_items() if k != "x-request-id") == sorted(
        (k, v) for k, v in made.headers.multi_items() if k != "x-request-id"
    )
    assert (made.headers.get("access-control-allow-origin"), made.headers["x-content-type-options"]) == (
        origin if origin == MAP_SITE else None,
        "nosniff",
    )


@pytest.mark.parametrize("accept", [None, GRAPHQL_RESPONSE, f"{GRAPHQL_RESPONSE}, application/json;q=0.5"])
async def test_response_cache_answer_is_the_uncached_answer_byte_for_byte(
    http: httpx.AsyncClient, editable_store: GraphStore, accept: str | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    uncacheable = Settings(_env_file=None, GRAPH_API_RESPONSE_CACHE_ENTRIES=0, GRAPH_API_REQUEST_TIMEOUT=60)
    async with client_for(editable_store, uncacheable) as plain:
        expected = await post(plain, NEARBY, headers, **HELSINKI)
        assert (await counts(plain))["kept"] == 0
    await post(http, NEARBY, headers, **HELSINKI)
    answer = await post(http, NEARBY, headers, **HELSINKI)
    assert (answer.status_code, answer.headers["content-type"], answer.content) == (
        expected.status_code,
        expected.headers["content-type"],
        expected.content,
    )
    assert answer.headers["x-request-id"] != expected.headers["x-request-id"]  # each request its own


async def test_response_cache_edit_makes_the_next_answer_fresh(
    http: httpx.AsyncClient, editable_store: GraphStore
) -> None:
    global_id = await place(editable_store, "edited")
    assert await name_of(http, global_id) == "Perhekahvila cache-edited"
    assert await name_of(http, global_id) == "Perhekahvila cache-edited"
    editor = Editor(http, bearer(await token_for(editable_store, "District:uusimaa", "places:write")))
    await editor.data(UPDATE_PLACE, input={"id": global_id, "expectedVersion": 1, "name": "Renamed by an edit"})
    assert await name_of(http, global_id) == "Renamed by an edit"


async def test_response_cache_load_makes_the_next_answer_fresh(
    http: httpx.AsyncClient, editable_store: GraphStore
) -> None:
    global_id = await place(editable_store, "loaded")
    assert await name_of(http, global_id) == "Perhekahvila cache-loaded"
    node = next(n for n in (await editable_store.get_many([parse_global_id(global_id, "id")])) if n is not None)
    assert isinstance(node, MeetingPlace)
    record = ImportRecord(at=NOW, source="spreadsheet:cache.xlsx", by="test", summary={})
    await editable_store.load(Dataset([dataclasses.replace(node, name="Renamed by an import")], []), record=record)
    assert await name_of(http, global_id) == "Renamed by an import"


async def test_response_cache_another_process_write_taken_in_makes_the_next_answer_fresh(
    http: httpx.AsyncClient, editable_store: GraphStore
) -> None:
    if not isinstance(editable_store, MemoryStore) or editable_store._data_folder is None:
        pytest.skip("another process writes the memory store's data folder; Neo4j's case is the load above")
    global_id = await place(editable_store, "elsewhere")
    assert await name_of(http, global_id) == "Perhekahvila cache-elsewhere"
    other = MemoryStore(editable_store._data_folder)  # another process, on the same data folder
    await other.refresh()
    node = (await other.get_many([parse_global_id(global_id, "id")]))[0] or (
        await editable_store.get_many([parse_global_id(global_id, "id")])
    )[0]
    record = ImportRecord(at=NOW, source="spreadsheet:other.xlsx", by="another process", summary={})
    await other.load(Dataset([dataclasses.replace(node, name="Renamed elsewhere")], []), record=record)
    assert await name_of(http, global_id) == "Perhekahvila cache-elsewhere"  # not taken in yet: as uncached
    await editable_store.refresh()
    assert await name_of(http, global_id) == "Renamed elsewhere"


async def test_response_cache_never_shows_one_caller_what_another_may_see(
    http: httpx.AsyncClient, editable_store: GraphStore
) -> None:
    global_id = await place(editable_store, "audited")
    uusimaa = bearer(await token_for(editable_store, "District:uusimaa", "places:write"))
    await Editor(http, uusimaa).data(UPDATE_PLACE, input={"id": global_id, "expectedVersion": 1, "name": "Audited"})
    admin = bearer(await token_for(editable_store, "Organization:mll", "admin"))
    stranger = bearer(await token_for(editable_store, "FamilyCentre:fc-049", "places:write"))
    before = await counts(http)
    seen = {}
    for who in (admin, stranger, admin, stranger):
        answer = (await post(http, CHANGES, {"Authorization": who}, nodeId=global_id)).json()
        seen.setdefault(who, []).append(answer["data"]["changes"]["totalCount"])
    assert seen == {admin: [1, 1], stranger: [0, 0]}
    anonymous = (await post(http, CHANGES, nodeId=global_id)).json()
    assert anonymous["errors"] and not anonymous.get("data")
    after = await counts(http)
    assert (after["hit"], after["kept"]) == (before["hit"], before["kept"])


async def test_response_cache_never_keeps_an_answer_by_the_time_now(
    http: httpx.AsyncClient, editable_store: GraphStore
) -> None:
    global_id = await place(editable_store, "hours")
    before = await counts(http)
    for _ in range(2):
        assert (await post(http, OPEN_NOW, id=global_id)).json()["data"]["node"]["isOpen"] is False
    assert (await counts(http))["kept"] == before["kept"]
    for _ in range(2):
        await post(http, OPEN_AT, id=global_id)  # a moment given: the answer is the data's, and kept
    assert (await counts(http))["hit"] - before["hit"] == (1 if cached(editable_store) else 0)


async def test_response_cache_never_keeps_errors_or_mutations(
    http: httpx.AsyncClient, editable_store: GraphStore
) -> None:
    global_id = await place(editable_store, "mutated")
    editor = Editor(http, bearer(await token_for(editable_store, "District:uusimaa", "places:write")))
    before = await counts(http)
    for _ in range(2):
        refused = (await post(http, NEARBY, lat=95.0, lon=24.9)).json()
        assert refused["errors"][0]["extensions"]["argument"] == "near.lat"
    for version in (1, 1):  # the second is a version conflict
        await editor.send(UPDATE_PLACE, input={"id": global_id, "expectedVersion": version, "name": "Mutated"})
    after = await counts(http)
    assert (after["hit"], after["kept"]) == (before["hit"], before["kept"])


async def test_response_cache_get_answers_carry_an_etag_and_304_when_unchanged(
    http: httpx.AsyncClient, editable_store: GraphStore
) -> None:
    global_id = await place(editable_store, "etag")
    params = {"query": PLACE, "variables": f'{{"id": "{global_id}"}}'}
    answer = await http.get("/graphql", params=params)
    tag = answer.headers["etag"]
    assert answer.headers["cache-control"] == "no-cache"
    assert "Accept" in answer.headers["vary"]
    unchanged = await http.get("/graphql", params=params, headers={"If-None-Match": tag})
    assert (unchanged.status_code, unchanged.content, unchanged.headers["etag"]) == (304, b"", tag)
    other_type = await http.get("/graphql", params=params, headers={"Accept": GRAPHQL_RESPONSE})
    assert other_type.headers["etag"] != tag  # another media type, another representation
    await place(editable_store, "etag-changed")  # the data changed, if not this answer's bytes
    changed = await http.get("/graphql", params=params, headers={"If-None-Match": tag})
    assert (changed.status_code, changed.headers["etag"]) == (304, tag)  # the same bytes: the same tag
    editor = Editor(http, bearer(await token_for(editable_store, "District:uusimaa", "places:write")))
    await editor.data(UPDATE_PLACE, input={"id": global_id, "expectedVersion": 1, "name": "A new name"})
    renamed = await http.get("/graphql", params=params, headers={"If-None-Match": tag})
    assert renamed.status_code == 200
    assert renamed.headers["etag"] != tag
    assert renamed.json()["data"]["node"]["name"] == "A new name"


async def test_response_cache_post_answers_have_no_etag_and_ignore_if_none_match(http: httpx.AsyncClient) -> None:
    """POST answers are not stored by HTTP caches (RFC 9110 9.3.3): no validator, always the whole answer."""
    answer = await post(http, NEARBY, **HELSINKI)
    again = await post(http, NEARBY, {"If-None-Match": "*"}, **HELSINKI)
    assert "etag" not in answer.headers
    assert (again.status_code, again.content) == (200, answer.content)


async def test_response_cache_time_or_caller_dependent_get_has_no_etag(
    http: httpx.AsyncClient, editable_store: GraphStore
) -> None:
    global_id = await place(editable_store, "etag-now")
    answer = await http.get("/graphql", params={"query": OPEN_NOW, "variables": f'{{"id": "{global_id}"}}'})
    assert answer.status_code == 200
    assert "etag" not in answer.headers


async def test_response_cache_holds_no_more_than_its_bounds(editable_store: GraphStore) -> None:
    small = Settings(_env_file=None, GRAPH_API_RESPONSE_CACHE_ENTRIES=2, GRAPH_API_REQUEST_TIMEOUT=60)
    async with client_for(editable_store, small) as http:
        for lat in (60.1, 60.2, 60.3, 60.4):
            await post(http, NEARBY, lat=lat, lon=24.9)
        assert (await counts(http))["entries"] == (2 if cached(editable_store) else 0)
    tiny = Settings(_env_file=None, GRAPH_API_RESPONSE_CACHE_MB=0.0001, GRAPH_API_REQUEST_TIMEOUT=60)
    async with client_for(editable_store, tiny) as http:
        for lat in (60.1, 60.2):
            await post(http, NEARBY, lat=lat, lon=24.9)
        assert (await counts(http))["entries"] == 0  # ~100 bytes: no answer fits
