"""The cost limit: estimated from list sizes before execution, never below the answer, refused above the maximum."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLObjectType, GraphQLSchema, get_introspection_query, get_nullable_type, is_list_type

from graph_api import relations
from graph_api.geo.tiles import Tile
from graph_api.models import Dataset, NodeRef, Point
from graph_api.schema import build_schema
from graph_api.schema.cost import LIST_SIZES, Estimate
from graph_api.schema.cost_limit import Estimates
from graph_api.schema.data_sizes import DataSizesCache, measure
from graph_api.schema.types import PATH_METADATA
from graph_api.settings import DEFAULT_MAX_COST, Settings
from graph_api.store.base import GraphStore, NodeQuery
from graph_api.store.memory import MemoryStore
from tests.conftest import GraphQLClient, client_for

pytestmark = pytest.mark.anyio

README = Path(__file__).resolve().parents[2] / "README.md"
BOMB = """{ welfareAreas { municipalities { welfareArea { municipalities { welfareArea { municipalities {
  welfareArea { municipalities { welfareArea { id } } } } } } } } } }"""
FINLAND = "{south: 59.5, west: 19.0, north: 70.1, east: 31.6}"

# Queries of every shape a client sends, each answered in full: the estimate must not be below any answer.
ANSWERED = {
    "plain lists": "{ regions { id nameFi municipalities { id } districts { id } } districts { id nameFi } }",
    "nested relations": """{ welfareArea: node(id: "WelfareArea:KY") { ... on WelfareArea { municipalities { id
        meetingPlaces { id name kind
        runBy { role organiser { __typename ... on District { id } ... on LocalAssociation { id } } }
        openingHours { weekdays } } localAssociations { id } } } } }""",
    "connections": """query ($n: Int!) { municipalities(first: $n) { totalCount edges { cursor node { id
        districts { id } agreements { since isDemo } } } pageInfo { hasNextPage endCursor } } }""",
    "aliases and fragments": """{ a: nearby(near: {lat: 60.17, lon: 24.94}, radiusKm: 50, limit: 30) { ...hit }
        b: nearby(near: {lat: 61.5, lon: 23.76}, limit: 10) { ...hit }
        c: inBounds(bounds: {south: 60, west: 24, north: 61, east: 26}, limit: 300) { totalCount places { id } } }
        fragment hit on NearbyHit { distanceKm place { id name location { lat lon } municipality { nameFi } } }""",
    "interfaces": """{ nodes(ids: ["Municipality:091", "District:hame", "MeetingPlace:mp-091-1", "Region:FI1B1"]) {
        id ... on Municipality { meetingPlaces { id } } ... on District { localAssociations { id } regions { id } }
        ... on Region { municipalities { id } } } }""",
    "partners": """{ partners(id: "District:hame") { partner { ... on Node { id } } ties
        meetingPlaces { id } agreements { since until } } agreementHistory(id: "District:hame") { since } }""",
    "relations": """{ relations(id: "Municipality:091", depth: 2) { nodes { id type label } edges { source target
        type properties } } path(from: "MeetingPlace:mp-091-1", to: "District:uusimaa") { length nodes { id } } }""",
    "network": """{ network(areaId: "WelfareArea:VS") { partnerCount counts { type count } nodes { id }
        edges { source } unconnected { id } byDegree(top: 20) { degree node { id } } } }""",
    "coverage": """{ coverage(areaId: "WelfareArea:KY") { shareWithin municipalities { shareWithin } terms { kinds } }
        coverageGaps(withinKm: 10, limit: 20) { totalCount
          municipalities { municipality { id } populationBeyond } } }""",
    "task coverage of the largest area": """{ taskCoverage(areaId: "District:jarvi-suomi", withinKm: 20) { ...Tasks } }
        fragment Tasks on TaskCoverage { area { id } withinKm population populationYear isDemo
          tasks { ...Reach } weakest { ...Reach } }
        fragment Reach on TaskReach { task { id nameFi number } shareWithin populationWithin places weightedDistanceKm
          municipalitiesWithNobodyWithin { id code nameFi } nationalActivities { id nameFi channel } isDemo
          coverage { area { id } terms { withinKm kinds activityIds taskIds year } population populationYear places
            placesPer10k weightedDistanceKm shareWithin populationBeyond municipalityCount
            municipalitiesUnderAgreement populationUnderAgreement isDemo
            municipalities { municipality { id code } population populationYear places placesPer10k
              weightedDistanceKm shareWithin populationBeyond underAgreement isDemo } } }""",
    "maps": f"""{{ clusters(bounds: {FINLAND}, zoom: 5) {{ totalCount clusters {{ count kinds {{ kind count }} }} }}
        whereIs(lat: 60.17, lon: 24.94) {{ districts {{ id }} }}
        geocode(address: "Åbo", limit: 3) {{ results {{ label }} }}
        agreements(year: 2023) {{ district {{ id }} }} }}""",
    "where a point is": "{ whereIs(lat: 60.17, lon: 24.94) { districts { id nameFi regions { id } } } }",
    "map layers": "{ meetingPlacesGeoJson municipalitiesGeoJson(tolerance: 0) welfareAreasGeoJson(tolerance: 0) }",
    "introspection": get_introspection_query(descriptions=True),
}


def answer_size(value: Any) -> int:
    """What the estimate counts: each field of the answer, and each item of a list (a JSON scalar's too)."""
    if isinstance(value, dict):
        return sum(1 + answer_size(item) for item in value.values())
    if isinstance(value, list):
        return sum(1 + answer_size(item) for item in value)
    return 0


async def test_cost_limit_refuses_the_nested_bomb_before_running_it(gql: GraphQLClient) -> None:
    body = await gql.execute(BOMB)
    assert body.get("data") is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "COST_LIMIT"
    assert error["extensions"]["maxCost"] == DEFAULT_MAX_COST
    assert error["extensions"]["cost"] > 100 * DEFAULT_MAX_COST
    assert f"{error['extensions']['cost']:,}" in error["message"] and f"{DEFAULT_MAX_COST:,}" in error["message"]


async def test_cost_limit_counts_every_alias(gql: GraphQLClient) -> None:
    aliased = "{ " + " ".join(f"a{i}: " + BOMB.strip()[1:-1] for i in range(30)) + " }"
    one = (await gql.execute(BOMB))["errors"][0]["extensions"]["cost"]
    error = await gql.error(aliased)
    assert error["extensions"]["code"] == "COST_LIMIT"
    assert error["extensions"]["cost"] == 30 * one


async def test_cost_limit_refuses_thirty_map_views_of_a_thousand_places_with_their_details(gql: GraphQLClient) -> None:
    view = f"""inBounds(bounds: {FINLAND}, limit: 1000) {{ places {{ id name location {{ lat lon }}
        runBy {{ role organiser {{ ... on Node {{ id }} }} }} activities {{ id }}
        openingHours {{ weekdays opensAt }} }} }}"""
    assert "errors" not in await gql.execute("{ " + view + " }")
    error = await gql.error("{ " + " ".join(f"v{i}: {view}" for i in range(30)) + " }")
    assert error["extensions"]["code"] == "COST_LIMIT"


async def test_cost_limit_sees_fragments_that_multiply(gql: GraphQLClient) -> None:
    """Each fragment spreads the next twice: 2^20 copies of one field, estimated without expanding them."""
    fragments = [f"fragment f{i} on Query {{ ...f{i + 1} ...f{i + 1} }}" for i in range(20)]
    query = "{ ...f0 } " + " ".join(fragments) + " fragment f20 on Query { welfareAreas { id } }"
    error = await gql.error(query)
    assert error["extensions"]["code"] == "COST_LIMIT"
    assert error["extensions"]["cost"] == 2**20 * 45


async def test_cost_limit_sees_introspection_fragments_that_multiply(gql: GraphQLClient) -> None:
    fragments = " ".join(f"fragment f{i} on __Type {{ ...f{i + 1} ...f{i + 1} }}" for i in range(24))
    error = await gql.error("{ __schema { types { ...f0 } } } " + fragments + " fragment f24 on __Type { name }")
    assert error["extensions"]["code"] == "COST_LIMIT"
    assert error["extensions"]["cost"] > 2**24


@pytest.mark.parametrize("name", ANSWERED)
async def test_cost_estimate_is_never_below_the_answer(gql: GraphQLClient, name: str) -> None:
    body = await gql.execute(ANSWERED[name], n=100)
    assert "errors" not in body, body["errors"]
    cost = body["extensions"]["cost"]
    assert cost["maximum"] == DEFAULT_MAX_COST
    assert answer_size(body["data"]) <= cost["estimated"] <= DEFAULT_MAX_COST


async def test_cost_estimate_follows_list_arguments_and_variables(gql: GraphQLClient) -> None:
    query = "query ($n: Int!) { municipalities(first: $n) { edges { node { id } } } }"
    costs = [(await gql.execute(query, n=n))["extensions"]["cost"]["estimated"] for n in (10, 20, 40)]
    assert costs[0] < costs[1] < costs[2]
    assert costs[2] - costs[1] == 2 * (costs[1] - costs[0])


async def test_cost_limit_is_a_setting(store: GraphStore) -> None:
    async with client_for(store, Settings(_env_file=None, GRAPH_API_MAX_COST=50)) as http:
        small = (await http.post("/graphql", json={"query": "{ districts { id } }"})).json()
        large = (await http.post("/graphql", json={"query": "{ welfareAreas { id nameFi nameSv } }"})).json()
    assert small["extensions"]["cost"] == {"estimated": 21, "maximum": 50}
    assert large["errors"][0]["extensions"] == {"code": "COST_LIMIT", "cost": 89, "maxCost": 50}


def list_fields(schema: GraphQLSchema) -> list[str]:
    """`Type.field` of every list field of the API's own object and interface types."""
    return [
        f"{type_.name}.{name}"
        for type_ in schema.type_map.values()
        if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__")
        for name, field in type_.fields.items()
        if is_list_type(get_nullable_type(field.type))
    ]


async def test_every_list_field_has_a_size() -> None:
    """A new list field must say how long it can be, here or by the path it follows."""
    schema = build_schema()._schema
    following_paths = {
        f"{type_.name}.{name}"
        for type_ in schema.type_map.values()
        for name, field in getattr(type_, "fields", {}).items()
        if PATH_METADATA in getattr(field.extensions.get("strawberry-definition"), "metadata", {})
    }
    assert set(list_fields(schema)) == set(LIST_SIZES) | following_paths
    assert not set(LIST_SIZES) & following_paths


async def test_data_sizes_bound_every_path_of_the_seeds(store: GraphStore) -> None:
    """The largest fan-out of each path field, walked node by node, is within the measured figure."""
    sizes = await measure(store)
    schema = build_schema()._schema
    for type_ in schema.type_map.values():
        for field in getattr(type_, "fields", {}).values():
            path = getattr(field.extensions.get("strawberry-definition"), "metadata", {}).get(PATH_METADATA)
            if path is None:
                continue
            nodes = (await store.find(type_.name, NodeQuery(first=None))).items
            reached = await store.traverse_many([NodeRef.of(node) for node in nodes], path)
            assert max(map(len, reached), default=0) <= sizes.fan_out(type_.name, path), (type_.name, path)


async def test_a_request_cancelled_waiting_for_the_first_measure_leaves_it_running(store: GraphStore) -> None:
    cache = DataSizesCache(store)
    waiting = asyncio.ensure_future(cache.current())
    await asyncio.sleep(0)
    measuring = cache.refresh()
    waiting.cancel()
    sizes = await measuring
    assert sizes.nodes["Municipality"] == 309
    assert await cache.current() is sizes


async def test_data_sizes_are_measured_again_in_the_background_when_old(store: GraphStore) -> None:
    cache = DataSizesCache(store, max_age_s=0)
    first = await cache.current()
    assert await cache.current() is first  # answered at once, while a new measure starts
    assert await cache.refresh() is not first


async def test_data_sizes_are_measured_again_after_a_load(dataset: Dataset) -> None:
    store = MemoryStore()
    sizes = DataSizesCache.of(store)
    assert (await sizes.current()).all_nodes == 0
    await store.load(dataset)
    assert DataSizesCache.of(store) is sizes
    assert (await sizes.current()).all_nodes == 1541


async def test_data_sizes_of_the_seeds(store: GraphStore) -> None:
    sizes = await measure(store)
    assert sizes.nodes["Municipality"] == 309 and sizes.all_nodes == 1541 and sizes.relationships == 5159
    assert sizes.fan_out("WelfareArea", relations.WELFARE_AREA_MUNICIPALITIES) == 30  # Pohjois-Pohjanmaa
    assert sizes.fan_out("Municipality", relations.MUNICIPALITY_WELFARE_AREA) == 1
    assert sizes.agreements == 32


def readme_queries() -> list[str]:
    return re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


README_VARIABLES = {
    "address": "Mannerheimintie 1, Helsinki",
    "view": {"south": 60.1, "west": 24.8, "north": 60.3, "east": 25.2},
    "now": "2026-12-02T10:00:00+02:00",
}


@pytest.mark.parametrize("query", readme_queries())
async def test_every_readme_query_is_within_the_limit(gql: GraphQLClient, query: str) -> None:
    body = await gql.execute(query, **README_VARIABLES)
    assert "errors" not in body, body["errors"]
    assert body["extensions"]["cost"]["estimated"] <= DEFAULT_MAX_COST


async def test_cost_of_clusters_counts_the_cells_the_view_spans_not_every_place(gql: GraphQLClient) -> None:
    """Helsinki at zoom 10 spans a handful of cells: the estimate counts them, not the 575 places each once more."""
    view = {"south": 60.1, "west": 24.8, "north": 60.3, "east": 25.2}
    body = await gql.execute(
        "query ($b: BoundsInput!) { clusters(bounds: $b, zoom: 10) { clusters { count } } }", b=view
    )
    north_west, south_east = Tile.of(Point(60.3, 24.8), 12), Tile.of(Point(60.1, 25.2), 12)
    cells = (south_east.x - north_west.x + 1) * (south_east.y - north_west.y + 1)
    places = len(body["data"]["clusters"]["clusters"])
    assert 0 < places <= cells < 100
    assert body["extensions"]["cost"]["estimated"] == 1 + 575 + 1 + 2 * cells


async def test_cost_estimate_is_kept_for_the_same_request_until_the_data_sizes_change(dataset: Dataset) -> None:
    store = MemoryStore()
    query = "query ($n: Int!) { municipalities(first: $n) { edges { node { id districts { id } } } } }"
    async with client_for(store) as http:
        gql = GraphQLClient(http)

        async def estimated(n: int) -> int:
            return (await gql.execute(query, n=n))["extensions"]["cost"]["estimated"]  # type: ignore[no-any-return]

        async def kept() -> int:
            metrics = (await http.get("/metrics")).text
            return int(float(re.search(r'graph_api_cache_entries\{cache="cost_estimates"\} (\S+)', metrics)[1]))  # type: ignore[index]

        empty = await estimated(10)
        assert await estimated(10) == empty and await kept() == 1
        await store.load(dataset)
        loaded = await estimated(10)
        assert loaded > empty and await kept() == 2  # measured anew: estimated anew
        assert await estimated(20) > loaded and await kept() == 3  # other variables, another estimate


async def test_cost_estimate_is_kept_whatever_the_variables_that_size_nothing(store: GraphStore) -> None:
    """A map asks `nearby` at point after point: the point sizes no list, the limit does."""
    query = """query ($lat: Float!, $lon: Float!, $n: Int!) {
        nearby(near: {lat: $lat, lon: $lon}, radiusKm: 50, limit: $n) { place { id } } }"""
    async with client_for(store) as http:
        gql = GraphQLClient(http)

        async def estimated(lat: float, n: int) -> int:
            return (await gql.execute(query, lat=lat, lon=25.0, n=n))["extensions"]["cost"]["estimated"]  # type: ignore[no-any-return]

        async def kept() -> int:
            metrics = (await http.get("/metrics")).text
            return int(float(re.search(r'graph_api_cache_entries\{cache="cost_estimates"\} (\S+)', metrics)[1]))  # type: ignore[index]

        before = await kept()
        five = await estimated(60.2, 5)
        assert [await estimated(lat, 5) for lat in (61.5, 62.2, 65.0)] == [five] * 3
        assert await kept() == before + 1
        assert await estimated(60.2, 10) > five and await kept() == before + 2  # the limit sizes the list
        bad = await gql.execute(query, lat="north", lon=25.0, n=5)  # variables that do not fit: no estimate
        assert "extensions" not in bad and "lat" in bad["errors"][0]["message"]


def test_cost_estimates_are_taken_only_for_variables_agreeing_on_every_one_read() -> None:
    estimates, operation = Estimates(max_entries=8), ("query ($n: Int, $m: Int) { ... }", None, 1)
    estimates.put(operation, {"n": 10, "m": 1}, Estimate(5, frozenset({"n"})))
    assert estimates.get(operation, {"n": 10, "m": 2}) == 5  # m sized nothing
    assert estimates.get(operation, {"n": 11, "m": 1}) is None
    estimates.put(operation, {"n": 11, "m": 1}, Estimate(7, frozenset({"n", "m"})))  # for n 11, m sizes something
    assert estimates.get(operation, {"n": 11, "m": 1}) == 7
    assert estimates.get(operation, {"n": 10, "m": 2}) is None  # estimated anew: m may matter now
