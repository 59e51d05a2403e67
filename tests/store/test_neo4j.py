"""What only the Neo4j store has: its schema, its use of the point index, its transaction, its allowlists."""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import random
from collections import defaultdict
from typing import Any

import pytest
from neo4j import AsyncBoltDriver, AsyncNeo4jDriver
from neo4j.exceptions import ClientError
from neo4j.spatial import WGS84Point

from graph_api.errors import DataError
from graph_api.geo.distance import geodesic_km
from graph_api.hours import Closure
from graph_api.models import (
    NODE_TYPES,
    Dataset,
    Direction,
    Hop,
    MeetingPlace,
    MeetingPlaceKind,
    Node,
    NodeRef,
    Point,
)
from graph_api.store import neo4j
from graph_api.store.base import EVERY_PLACE, NodeQuery, PlaceFilter
from graph_api.store.neo4j import IN_BOUNDS_QUERY, NEARBY_QUERY, Neo4jStore, _place_parameters
from tests.conftest import wipe
from tests.store.test_contract import CAFE, ESPOO, HELSINKI, SMALL, UUSIMAA
from tests.store.test_place_arrays import filters, kept_one_by_one, offers_of, scattered

pytestmark = pytest.mark.anyio


async def cypher(store: Neo4jStore, query: str, **parameters: Any) -> list[dict[str, Any]]:
    async with store.driver.session(database=store.database) as session:
        result = await session.run(query, parameters)
        return [record.data() async for record in result]


def operators(plan: dict[str, Any]) -> list[str]:
    name = plan["operatorType"].split("@")[0]
    return [f"{name} {plan['args'].get('Details', '')}"] + [
        line for child in plan.get("children", []) for line in operators(child)
    ]


async def test_every_node_type_has_a_unique_key_and_places_a_point_index(neo4j_store: Neo4jStore) -> None:
    constraints = await cypher(neo4j_store, "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties")
    unique = {c["labelsOrTypes"][0] for c in constraints if c["type"] == "UNIQUENESS" and c["properties"] == ["key"]}
    assert unique == set(NODE_TYPES)
    indexes = await cypher(neo4j_store, "SHOW INDEXES YIELD type, labelsOrTypes, properties, state")
    assert {
        "type": "POINT",
        "labelsOrTypes": ["MeetingPlace"],
        "properties": ["location"],
        "state": "ONLINE",
    } in indexes


NEAR_HELSINKI = {"center": WGS84Point((24.94, 60.17)), "meters": 50_000.0, "take": None, "margin": 1.0}
AROUND_HELSINKI = {"south_west": WGS84Point((24.5, 60.0)), "north_east": WGS84Point((25.5, 60.5))}
BY_TASK = PlaceFilter(tasks=frozenset({"3"}))
BY_ALL_TERMS = PlaceFilter(
    kinds=frozenset({MeetingPlaceKind.FAMILY_CAFE, MeetingPlaceKind.MEETING_PLACE}),
    activities=frozenset({"clubs", "family-events"}),
    tasks=frozenset({"1", "3"}),
)
ONE_TASK, ALL_TERMS = _place_parameters(BY_TASK), _place_parameters(BY_ALL_TERMS)


@pytest.mark.parametrize(
    ("query", "parameters"),
    [
        pytest.param(NEARBY_QUERY, {**NEAR_HELSINKI, **ONE_TASK, "take": 20, "margin": 1.02}, id="nearby-nearest"),
        pytest.param(NEARBY_QUERY, {**NEAR_HELSINKI, "kinds": None}, id="nearby"),
        pytest.param(
            IN_BOUNDS_QUERY,
            {
                "south_west": WGS84Point((24.8, 60.1)),
                "north_east": WGS84Point((25.2, 60.3)),
                "kinds": None,
                "limit": 10,
            },
            id="in-bounds",
        ),
        pytest.param(
            IN_BOUNDS_QUERY,
            {
                "south_west": WGS84Point((24.8, 60.1)),
                "north_east": WGS84Point((25.2, 60.3)),
                "kinds": None,
                "limit": None,
            },
            id="in-bounds-all-for-open-at",
        ),
        pytest.param(NEARBY_QUERY, {**NEAR_HELSINKI, **ONE_TASK}, id="nearby-by-task"),
        pytest.param(NEARBY_QUERY, {**NEAR_HELSINKI, **ALL_TERMS}, id="nearby-by-kind-activity-and-task"),
        pytest.param(IN_BOUNDS_QUERY, {**AROUND_HELSINKI, **ONE_TASK, "limit": 10}, id="in-bounds-by-task"),
        pytest.param(IN_BOUNDS_QUERY, {**AROUND_HELSINKI, **ALL_TERMS, "limit": None}, id="in-bounds-by-all-terms"),
    ],
)
async def test_proximity_queries_seek_the_point_index(
    neo4j_store: Neo4jStore, query: str, parameters: dict[str, Any]
) -> None:
    """Every search of the places near, `nearby`'s for the k nearest and its fetch of those within their reach."""
    async with neo4j_store.driver.session(database=neo4j_store.database) as session:
        summary = await (await session.run("EXPLAIN " + query, parameters)).consume()
    seeks = [line for line in operators(summary.plan) if "MeetingPlace" in line and line.startswith("NodeIndexSeek")]
    searches = [line for line in operators(summary.plan) if line.startswith(("NodeIndexSeek", "NodeByLabelScan"))]
    assert seeks == searches and len(seeks) == query.count("MATCH (n:MeetingPlace)"), operators(summary.plan)
    assert all(line.startswith("NodeIndexSeekByRange POINT INDEX n:MeetingPlace(location)") for line in seeks)


def kept_by_hand(dataset: Dataset, places: PlaceFilter) -> set[str]:
    """The keys of the seeds' places the filter keeps by kind and offer, read from the dataset's relationships."""
    offers: dict[str, set[str]] = defaultdict(set)
    serves: dict[str, set[str]] = defaultdict(set)
    for rel in dataset.relationships:
        if rel.type == "OFFERS":
            offers[rel.start.key].add(rel.end.key)
        elif rel.type == "SERVES_TASK":
            serves[rel.start.key].add(rel.end.key)
    return {
        place.key
        for place in dataset.nodes
        if isinstance(place, MeetingPlace)
        and places.keeps(
            place, frozenset(offers[place.key]), frozenset().union(*(serves[a] for a in offers[place.key]))
        )
    }


@pytest.mark.parametrize("places", [pytest.param(BY_TASK, id="a-task"), pytest.param(BY_ALL_TERMS, id="all-terms")])
async def test_cypher_returns_only_the_places_kept_by_kind_and_offer(
    neo4j_store: Neo4jStore, dataset: Dataset, places: PlaceFilter
) -> None:
    """What the filter leaves out never crosses the wire: the proximity queries themselves return only the places
    kept, not every place near for Python to sift."""
    kept = kept_by_hand(dataset, places)
    (near,) = await neo4j_store._read(NEARBY_QUERY, **NEAR_HELSINKI, **_place_parameters(EVERY_PLACE))
    (near_kept,) = await neo4j_store._read(NEARBY_QUERY, **NEAR_HELSINKI, **_place_parameters(places))
    assert {node["key"] for node, _ in near_kept["places"]} == {node["key"] for node, _ in near["places"]} & kept
    assert 0 < len(near_kept["places"]) < len(near["places"]), "the filter keeps some of the places near, not all"
    (box,) = await neo4j_store._read(IN_BOUNDS_QUERY, **AROUND_HELSINKI, limit=None, **_place_parameters(EVERY_PLACE))
    (box_kept,) = await neo4j_store._read(IN_BOUNDS_QUERY, **AROUND_HELSINKI, limit=None, **_place_parameters(places))
    assert {node["key"] for node in box_kept["nodes"]} == {node["key"] for node in box["nodes"]} & kept
    assert box_kept["total"] == len(box_kept["nodes"]) < box["total"]


@pytest.mark.parametrize("empty_backend", ["neo4j"], indirect=True)
async def test_nearby_finds_the_nearest_places_at_any_radius_as_asking_every_place_does(
    new_store: Neo4jStore, dataset: Dataset
) -> None:
    """`nearby` widens its search from 100 m until it holds `limit` places rather than ordering everything in the
    radius: the same places in the same order as measuring every place, with radii below, between and past its
    steps, places on top of one another (ties), withdrawn places and every kind of filter."""
    moved = scattered(dataset, seed=14)
    await new_store.load(moved)
    places = sorted((n for n in moved.nodes if isinstance(n, MeetingPlace) and not n.is_withdrawn), key=lambda p: p.key)
    offers = offers_of(moved.relationships)
    rng = random.Random(3)
    for _ in range(12):
        center = rng.choice(places).location if rng.random() < 0.5 else Point(rng.uniform(60, 70), rng.uniform(20, 31))
        for chosen in filters(rng):
            kept = kept_one_by_one(places, offers, chosen)
            for radius_km, limit in ((0.05, 3), (1, 5), (45, 3), (300, 20), (2000, 100)):
                measured = sorted((geodesic_km(center, p.location), p.key, p) for p in kept)
                expected = [(km, p) for km, _, p in measured if km <= radius_km][:limit]
                found = await new_store.nearby(center, radius_km, limit, chosen)
                assert [(hit.distance_km, hit.place) for hit in found] == expected


FAILING = "RETURN 1 / 0 AS change, 1 AS count"


def fail_relationships(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text that writes relationships fails: the one creating them into an empty graph, and those merging."""
    monkeypatch.setattr(neo4j, "CREATE_RELATIONSHIPS", FAILING)
    monkeypatch.setattr(neo4j, "_merge_relationships", lambda *names: FAILING)


@pytest.mark.parametrize("empty_backend", ["neo4j"], indirect=True)
@pytest.mark.parametrize("before", [pytest.param([], id="into-empty"), pytest.param([UUSIMAA], id="over-a-node")])
async def test_a_load_that_fails_half_way_writes_nothing(
    new_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch, before: list[Node]
) -> None:
    await new_store.load(Dataset(nodes=before, relationships=[]))
    fail_relationships(monkeypatch)
    with pytest.raises(ClientError, match="/ by zero"):
        await new_store.load(SMALL)
    assert await new_store.get_many([NodeRef.of(HELSINKI), NodeRef.of(ESPOO)]) == [None, None]
    monkeypatch.undo()
    await new_store.load(SMALL)
    assert await new_store.get_many([NodeRef.of(HELSINKI)]) == [HELSINKI]


@pytest.mark.parametrize("empty_backend", ["neo4j"], indirect=True)
async def test_a_load_into_an_empty_graph_creates_everything_with_two_texts_whatever_its_labels(
    new_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A freshly started Neo4j plans each new text for 0.1-0.3 s: a text a label and a type would take seconds."""
    monkeypatch.setattr(neo4j, "_merge_nodes", lambda label: FAILING)
    monkeypatch.setattr(neo4j, "_merge_relationships", lambda *names: FAILING)
    summary = await new_store.load(SMALL)
    assert await new_store.get_many([NodeRef.of(node) for node in SMALL.nodes]) == SMALL.nodes
    assert (summary.total("created"), summary.total("updated")) == (len(SMALL.nodes) + len(SMALL.relationships), 0)
    monkeypatch.undo()
    assert (await new_store.load(SMALL)).total("unchanged") == summary.total("created"), "written as merged"


@pytest.mark.parametrize("empty_backend", ["neo4j"], indirect=True)
@pytest.mark.parametrize("write", ["load", "bulk_load"])
async def test_a_load_whose_nodes_another_writer_created_meanwhile_merges_them(
    new_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    """Between seeing no node of its labels and creating them, another writer may create some: the load then merges
    them, as it does any other time, rather than failing on the uniqueness constraint."""
    await new_store.load(SMALL)
    monkeypatch.setattr(neo4j, "_label_counts", lambda: f"RETURN {[0] * len(NODE_TYPES)} AS counts")
    summary = await getattr(new_store, write)(SMALL)
    assert summary.total("unchanged") == len(SMALL.nodes) + len(SMALL.relationships)
    assert await new_store.get_many([NodeRef.of(node) for node in SMALL.nodes]) == SMALL.nodes


@pytest.mark.parametrize("empty_backend", ["neo4j"], indirect=True)
async def test_a_bulk_load_writes_what_a_load_writes_and_keeps_the_batches_committed_before_a_failure(
    new_store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A million generated rows do not fit one transaction: `bulk_load` commits batch by batch instead."""
    monkeypatch.setattr(neo4j, "BATCH_SIZE", 2)
    summary = await new_store.bulk_load(SMALL)
    assert await new_store.get_many([NodeRef.of(node) for node in SMALL.nodes]) == SMALL.nodes
    assert (summary.total("created"), summary.total("updated")) == (len(SMALL.nodes) + len(SMALL.relationships), 0)
    assert (await new_store.load(SMALL)).total("unchanged") == summary.total("created")
    await wipe(new_store)
    fail_relationships(monkeypatch)
    with pytest.raises(ClientError, match="/ by zero"):
        await new_store.bulk_load(SMALL)
    assert await new_store.get_many([NodeRef.of(HELSINKI)]) == [HELSINKI], "the nodes' batches stay committed"


async def test_schedules_are_stored_as_hsds_json_texts(neo4j_store: Neo4jStore, dataset: Dataset) -> None:
    (place,) = (n for n in dataset.nodes if isinstance(n, MeetingPlace) and n.key == "mp-091-1")
    (record,) = await cypher(neo4j_store, "MATCH (n:MeetingPlace {key: 'mp-091-1'}) RETURN n.schedules AS schedules")
    assert place.schedules
    assert [json.loads(text) for text in record["schedules"]] == [s.to_hsds() for s in place.schedules]


@pytest.mark.parametrize("empty_backend", ["neo4j"], indirect=True)
async def test_closures_are_stored_as_json_texts_and_absent_when_there_are_none(new_store: Neo4jStore) -> None:
    closure = Closure(datetime.date(2026, 12, 24), datetime.date(2026, 12, 26), "Joulu")
    await new_store.load(
        dataclasses.replace(SMALL, nodes=[*SMALL.nodes[:-1], dataclasses.replace(CAFE, closures=(closure,))])
    )
    query = "MATCH (n:MeetingPlace {key: $key}) RETURN n.closures AS closures"
    (record,) = await cypher(new_store, query, key=CAFE.key)
    assert [json.loads(text) for text in record["closures"]] == [closure.to_json()]
    await new_store.load(SMALL)
    assert await cypher(new_store, query, key=CAFE.key) == [{"closures": None}], "a reload without them removes them"
    assert await new_store.get_many([NodeRef.of(CAFE)]) == [CAFE]


async def test_names_outside_the_allowlists_never_reach_cypher(neo4j_store: Neo4jStore) -> None:
    with pytest.raises(DataError, match="not a node type"):
        await neo4j_store.get_many([NodeRef("Municipality`) DETACH DELETE (x", "1")])
    with pytest.raises(DataError, match="not a relationship type"):
        await neo4j_store.traverse_many([NodeRef.of(HELSINKI)], (Hop("Municipality", Direction.OUT, None),))


async def test_reads_of_a_graph_with_nothing_withdrawn_log_no_warnings(
    neo4j_store: Neo4jStore, caplog: pytest.LogCaptureFixture
) -> None:
    """No `withdrawn_at` exists until an import withdraws something: Neo4j says so, and nobody needs to hear it."""
    with caplog.at_level(logging.WARNING, logger="neo4j"):
        await neo4j_store.find("MeetingPlace", NodeQuery(first=5))
        await neo4j_store.nearby(HELSINKI.location, 5, 5)
    assert [record.getMessage() for record in caplog.records] == []


async def test_a_neo4j_uri_routes_by_the_servers_routing_table_and_a_bolt_uri_connects_directly(
    neo4j_store: Neo4jStore, neo4j_routing_store: Neo4jStore
) -> None:
    """The routing store asks the server which members route, read and write (one Community server is all three)
    and sends its reads and writes where the table says; the bolt store talks to the one server it names."""
    assert (neo4j_store.uri.split("://")[0], neo4j_routing_store.uri.split("://")[0]) == ("bolt", "neo4j")
    assert isinstance(neo4j_store.driver, AsyncBoltDriver)
    assert isinstance(neo4j_routing_store.driver, AsyncNeo4jDriver)
    assert await neo4j_routing_store.get_many([NodeRef.of(HELSINKI)]) == await neo4j_store.get_many(
        [NodeRef.of(HELSINKI)]
    )
    table = neo4j_routing_store.driver._pool.routing_tables[neo4j_routing_store.database]  # no public accessor
    server = neo4j_routing_store.uri.split("://")[1]
    assert {f"{address.host}:{address.port}" for address in (*table.readers, *table.writers)} == {server}
