"""`relations` and `path`: neighbourhoods and shortest paths in the shape a network drawing takes, checked
against the seed files read independently of the stores."""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx
import pytest

from graph_api.models import Dataset
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

RELATIONS = """query ($id: ID!, $depth: Int, $types: [RelationshipType!]) {
  relations(id: $id, depth: $depth, types: $types) {
    nodes { id type label isDemo node { id } } edges { source target type properties isDemo } } }"""
PATH = """query ($from: ID!, $to: ID!, $types: [RelationshipType!]) { path(from: $from, to: $to, types: $types) {
  length reason nodes { id } edges { source target type } } }"""
GEOGRAPHY = ["IN_WELFARE_AREA", "IN_REGION", "COVERS"]
COOPERATION = ["LOCATED_IN", "RUN_BY", "PART_OF", "MEMBER_OF", "SERVES", "HAS_AGREEMENT"]


def seed_graph(dataset: Dataset, types: list[str] | None = None) -> nx.MultiGraph:
    graph = nx.MultiGraph()
    for rel in dataset.relationships:
        if types is None or rel.type in types:
            graph.add_edge(str(rel.start), str(rel.end), type=rel.type, start=str(rel.start))
    return graph


def edge_set(edges: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(edge["type"], edge["source"], edge["target"]) for edge in edges}


async def test_relations_of_a_municipality_reach_its_county_and_region_pointing_away(gql: GraphQLClient) -> None:
    found = (await gql.data(RELATIONS, id="Municipality:091", types=GEOGRAPHY))["relations"]
    assert [node.pop("node") == {"id": node["id"]} for node in found["nodes"]] == [True] * 3
    assert found["nodes"] == [
        {"id": "Municipality:091", "type": "Municipality", "label": "Helsinki", "isDemo": False},
        {"id": "Region:FI1B1", "type": "Region", "label": "Helsinki-Uusimaa", "isDemo": False},
        {"id": "WelfareArea:HKI", "type": "WelfareArea", "label": "Helsingin kaupunki", "isDemo": False},
    ]
    no_properties = {"properties": {}, "isDemo": False}
    assert found["edges"] == [
        {"source": "Municipality:091", "target": "Region:FI1B1", "type": "IN_REGION", **no_properties},
        {"source": "Municipality:091", "target": "WelfareArea:HKI", "type": "IN_WELFARE_AREA", **no_properties},
    ]


async def test_relations_at_depth_2_reach_the_district_through_the_region(gql: GraphQLClient) -> None:
    found = (await gql.data(RELATIONS, id="Municipality:091", depth=2, types=GEOGRAPHY))["relations"]
    ids = [node["id"] for node in found["nodes"]]
    assert ids[:3] == ["Municipality:091", "Region:FI1B1", "WelfareArea:HKI"]
    assert "District:uusimaa" in ids and "Municipality:049" in ids
    assert ("COVERS", "District:uusimaa", "Region:FI1B1") in edge_set(found["edges"])


@pytest.mark.parametrize(
    ("centre", "depth"), [("Municipality:091", 1), ("District:kainuu", 2), ("Organization:mll", 1)]
)
async def test_relations_are_the_neighbourhood_in_the_seed_files(
    gql: GraphQLClient, dataset: Dataset, centre: str, depth: int
) -> None:
    found = (await gql.data(RELATIONS, id=centre, depth=depth))["relations"]
    seeds = seed_graph(dataset)
    distance = nx.single_source_shortest_path_length(seeds, centre, cutoff=depth)
    ids = [node["id"] for node in found["nodes"]]
    assert ids == sorted(distance, key=lambda ref: (distance[ref], ref))
    among = {(data["type"], data["start"], b if data["start"] == a else a) for a, b, data in seeds.edges(data=True)}
    assert edge_set(found["edges"]) == {edge for edge in among if edge[1] in distance and edge[2] in distance}
    assert len(found["edges"]) == seeds.subgraph(distance).number_of_edges()


async def test_relations_show_properties_as_json_and_demo_data_as_such(gql: GraphQLClient) -> None:
    found = (await gql.data(RELATIONS, id="District:hame", types=["HAS_AGREEMENT"]))["relations"]
    ended = next(edge for edge in found["edges"] if edge["target"] == "Municipality:291")
    assert ended["properties"] == {"since": "2019-01-01", "until": "2022-12-31", "kind": "MUNICIPAL"}
    assert ended["isDemo"] is True
    run = (await gql.data(RELATIONS, id="MeetingPlace:mp-091-1", types=["RUN_BY"]))["relations"]
    assert all(edge["properties"]["role"] in ("COORDINATOR", "PARTNER") for edge in run["edges"])
    assert all(node["isDemo"] for node in run["nodes"] if node["type"] in ("MeetingPlace", "LocalAssociation"))


async def test_a_path_from_a_municipality_to_its_county_is_one_relationship(gql: GraphQLClient) -> None:
    found = (await gql.data(PATH, **{"from": "Municipality:091", "to": "WelfareArea:HKI"}))["path"]
    assert found == {
        "length": 1,
        "reason": None,
        "nodes": [{"id": "Municipality:091"}, {"id": "WelfareArea:HKI"}],
        "edges": [{"source": "Municipality:091", "target": "WelfareArea:HKI", "type": "IN_WELFARE_AREA"}],
    }


async def test_a_path_may_follow_a_relationship_against_its_direction(gql: GraphQLClient) -> None:
    found = (await gql.data(PATH, **{"from": "Region:FI1B1", "to": "District:uusimaa"}))["path"]
    assert [node["id"] for node in found["nodes"]] == ["Region:FI1B1", "District:uusimaa"]
    assert found["edges"] == [{"source": "District:uusimaa", "target": "Region:FI1B1", "type": "COVERS"}]


async def test_a_path_of_chosen_types_goes_in_order(gql: GraphQLClient) -> None:
    variables = {"from": "MeetingPlace:mp-091-1", "to": "District:uusimaa", "types": ["LOCATED_IN", *GEOGRAPHY]}
    found = (await gql.data(PATH, **variables))["path"]
    ids = ["MeetingPlace:mp-091-1", "Municipality:091", "Region:FI1B1", "District:uusimaa"]
    assert [node["id"] for node in found["nodes"]] == ids
    assert [(e["type"], e["source"], e["target"]) for e in found["edges"]] == [
        ("LOCATED_IN", ids[0], ids[1]),
        ("IN_REGION", ids[1], ids[2]),
        ("COVERS", ids[3], ids[2]),
    ]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("MeetingPlace:mp-091-1", "District:lappi"),
        ("LocalAssociation:la-091-1", "District:lappi"),
        ("Region:FI1D7", "Region:FI1B1"),
        ("Municipality:698", "FamilyCentreTask:4"),
    ],
)
async def test_a_path_is_the_smallest_of_the_shortest_in_the_seed_files(
    gql: GraphQLClient, dataset: Dataset, start: str, end: str
) -> None:
    """Stepping to the next node with the smallest id makes the path the least of all shortest ones, id by id."""
    found = (await gql.data(PATH, **{"from": start, "to": end}))["path"]
    seeds = seed_graph(dataset)
    ids = [node["id"] for node in found["nodes"]]
    assert ids == min(nx.all_shortest_paths(nx.Graph(seeds), start, end))
    assert found["length"] == len(ids) - 1 == len(found["edges"])
    for (a, b), edge in zip(itertools.pairwise(ids), found["edges"], strict=True):
        assert {edge["source"], edge["target"]} == {a, b}
        assert edge["type"] == min(data["type"] for data in seeds.get_edge_data(a, b).values())


async def test_a_path_from_a_node_to_itself_is_the_node(gql: GraphQLClient) -> None:
    found = (await gql.data(PATH, **{"from": "District:hame", "to": "District:hame"}))["path"]
    assert found == {"length": 0, "reason": None, "nodes": [{"id": "District:hame"}], "edges": []}


@pytest.mark.parametrize(
    ("start", "end", "types", "reason"),
    [
        pytest.param(
            "Municipality:478",
            "Municipality:091",
            None,
            "no path joins Municipality:478 and Municipality:091",
            id="aland-apart",
        ),
        pytest.param(
            "Municipality:018",
            "Municipality:071",
            COOPERATION,
            "no path of at most 8 relationships joins Municipality:018 and Municipality:071 through HAS_AGREEMENT, "
            "LOCATED_IN, MEMBER_OF, PART_OF, RUN_BY, SERVES",
            id="ten-apart",
        ),
    ],
)
async def test_no_path_is_an_answer_with_a_reason(
    gql: GraphQLClient, start: str, end: str, types: list[str] | None, reason: str
) -> None:
    found = (await gql.data(PATH, **{"from": start, "to": end, "types": types}))["path"]
    assert found == {"length": None, "reason": reason, "nodes": [], "edges": []}


@pytest.mark.parametrize(
    ("query", "variables", "argument", "reason"),
    [
        pytest.param(RELATIONS, {"id": "Municipality:999"}, "id", "no Municipality has the id", id="unknown"),
        pytest.param(RELATIONS, {"id": "Helsinki"}, "id", "not a global id", id="malformed"),
        pytest.param(RELATIONS, {"id": "Municipality:091", "depth": 0}, "depth", "outside [1, 3]", id="depth-0"),
        pytest.param(RELATIONS, {"id": "Municipality:091", "depth": 4}, "depth", "outside [1, 3]", id="depth-4"),
        pytest.param(RELATIONS, {"id": "Municipality:091", "types": []}, "types", "at least one", id="no-types"),
        pytest.param(
            RELATIONS,
            {"id": "Organization:mll", "depth": 3},
            "depth",
            "within 3 steps of Organization:mll, more than the 1000",
            id="too-many-nodes",
        ),
        pytest.param(PATH, {"from": "District:nowhere", "to": "District:hame"}, "from", "no District", id="from"),
        pytest.param(PATH, {"from": "District:hame", "to": "Planet:3"}, "to", "not a global id", id="to"),
    ],
)
async def test_bad_input_names_the_argument(
    gql: GraphQLClient, query: str, variables: dict[str, Any], argument: str, reason: str
) -> None:
    error = await gql.error(query, **variables)
    assert error["message"].startswith(f"{argument}: ") and reason in error["message"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}


async def test_an_unknown_relationship_type_is_refused_before_it_runs(gql: GraphQLClient) -> None:
    error = await gql.error(RELATIONS, id="Municipality:091", types=["FRIENDS_WITH"])
    assert "FRIENDS_WITH" in error["message"] and "RelationshipType" in error["message"]
