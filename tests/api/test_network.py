"""`network(areaId, year)`: an area's network and its figures, checked against the network built from the seed
files by the README's rules and measured with networkx here, apart from the service's code."""

from __future__ import annotations

import datetime
from typing import Any

import networkx as nx
import pytest

from graph_api.models import Dataset, Relationship
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

NETWORK = """query ($area: ID!, $year: Int, $top: Int!) { network(areaId: $area, year: $year) {
  area { id } year partnerCount counts { type count }
  nodes { id type } edges { source target type }
  byDegree(top: $top) { node { id } degree betweenness } byBetweenness(top: $top) { node { id } degree betweenness }
  unconnected { id type } } }"""


def in_force(rel: Relationship, year: int | None) -> bool:
    since, until = rel.properties["since"], rel.properties.get("until")
    assert isinstance(since, datetime.date) and (until is None or isinstance(until, datetime.date))
    return year is None or (since.year <= year and (until is None or until.year >= year))


def network_in_seeds(dataset: Dataset, area: str, year: int | None) -> tuple[set[str], list[tuple[str, str, str]]]:
    """The members and the relationships of an area's network, by the README's rules, from the seed files."""
    counted = (r for r in dataset.relationships if r.type != "HAS_AGREEMENT" or in_force(r, year))
    rels = [(r.type, str(r.start), str(r.end)) for r in counted]
    if area.startswith("District:"):
        regions = {end for t, start, end in rels if t == "COVERS" and start == area}
        municipalities = {start for t, start, end in rels if t == "IN_REGION" and end in regions}
        counties = {end for t, start, end in rels if t == "IN_WELFARE_AREA" and start in municipalities}
    else:
        municipalities = {start for t, start, end in rels if t == "IN_WELFARE_AREA" and end == area}
        counties = set()
    served = {area} | municipalities | counties
    members = {area} | {start for t, start, end in rels if t in ("LOCATED_IN", "ACTIVE_IN") and end in municipalities}
    for t, start, end in rels:
        if t in ("SERVES", "HAS_AGREEMENT") and (start in served or end in served):
            members |= {start, end}
    members |= {end for t, start, end in rels if t in ("RUN_BY", "PART_OF") and start in members}
    members |= {end for t, start, end in rels if t == "MEMBER_OF" and start in members}
    cooperation = ("RUN_BY", "PART_OF", "SERVES", "HAS_AGREEMENT", "MEMBER_OF")
    edges = [(t, s, e) for t, s, e in rels if t in cooperation and s in members and e in members]
    return members, edges


def figures_in_seeds(dataset: Dataset, area: str, year: int | None = None) -> dict[str, Any]:
    members, edges = network_in_seeds(dataset, area, year)
    graph = nx.Graph()
    graph.add_nodes_from(members)
    graph.add_edges_from((s, e) for _, s, e in edges)
    betweenness = nx.betweenness_centrality(graph)
    kind = {ref: ref.split(":")[0] for ref in members}
    cooperating = {ref for ref in members if kind[ref] == "FamilyCentre"}
    cooperating |= {ref for t, s, e in edges if t == "HAS_AGREEMENT" for ref in (s, e)}
    grassroots = [ref for ref in members if kind[ref] in ("MeetingPlace", "LocalAssociation")]
    return {
        "members": sorted(members),
        "edges": sorted(edges),
        "partners": sum(1 for ref in members if kind[ref] != "MeetingPlace" and ref != area),
        "degree": {ref: graph.degree(ref) for ref in members},
        "betweenness": betweenness,
        "unconnected": sorted(ref for ref in grassroots if cooperating.isdisjoint(graph[ref])),
    }


async def network(gql: GraphQLClient, area: str, year: int | None = None, top: int = 100) -> dict[str, Any]:
    return (await gql.data(NETWORK, area=area, year=year, top=top))["network"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("area", "year"), [("WelfareArea:KY", None), ("WelfareArea:EK", 2023), ("District:kainuu", None)]
)
async def test_network_figures_match_networkx_on_the_seed_files(
    gql: GraphQLClient, dataset: Dataset, area: str, year: int | None
) -> None:
    found = await network(gql, area, year)
    expected = figures_in_seeds(dataset, area, year)
    assert found["area"] == {"id": area} and found["year"] == year
    assert [node["id"] for node in found["nodes"]] == expected["members"]
    assert sorted((e["type"], e["source"], e["target"]) for e in found["edges"]) == expected["edges"]
    assert found["partnerCount"] == expected["partners"]
    assert sum(c["count"] for c in found["counts"]) == len(expected["members"])
    ranked = found["byDegree"]
    assert len(ranked) == len(found["byBetweenness"]) == len(expected["members"])
    assert [m["degree"] for m in ranked] == sorted((expected["degree"][m["node"]["id"]] for m in ranked), reverse=True)
    assert [(-m["degree"], m["node"]["id"]) for m in ranked] == sorted((-m["degree"], m["node"]["id"]) for m in ranked)
    for member in found["byBetweenness"]:
        assert member["betweenness"] == pytest.approx(expected["betweenness"][member["node"]["id"]], abs=1e-9)
    scores = [m["betweenness"] for m in found["byBetweenness"]]
    assert scores == sorted(scores, reverse=True)
    assert [node["id"] for node in found["unconnected"]] == expected["unconnected"]


async def test_a_county_network_is_its_places_associations_centres_and_agreements(gql: GraphQLClient) -> None:
    found = await network(gql, "WelfareArea:EK", top=3)
    counts = {count["type"]: count["count"] for count in found["counts"]}
    assert list(counts) == sorted(counts) and counts["MeetingPlace"] and counts["LocalAssociation"]
    assert (counts["WelfareArea"], counts["District"], counts["FamilyCentre"]) == (1, 1, 1)
    assert found["partnerCount"] == sum(counts.values()) - counts["MeetingPlace"] - 1
    edges = {(e["type"], e["source"], e["target"]) for e in found["edges"]}
    assert ("HAS_AGREEMENT", "District:kaakkois-suomi", "WelfareArea:EK") in edges
    assert ("SERVES", "FamilyCentre:fc-ek", "WelfareArea:EK") in edges
    assert [m["node"]["id"] for m in found["byDegree"][:2]] == ["District:kaakkois-suomi", "FamilyCentre:fc-ek"]
    assert len(found["byDegree"]) == len(found["byBetweenness"]) == 3


async def test_with_a_year_only_the_agreements_then_in_force_count(gql: GraphQLClient) -> None:
    before, after = await network(gql, "WelfareArea:KS", 2023), await network(gql, "WelfareArea:KS", 2025)
    agreements = [[e for e in n["edges"] if e["type"] == "HAS_AGREEMENT"] for n in (before, after)]
    assert agreements == [[], [{"source": "District:jarvi-suomi", "target": "WelfareArea:KS", "type": "HAS_AGREEMENT"}]]
    assert {"id": "District:jarvi-suomi", "type": "District"} in before["nodes"]
    assert len(before["unconnected"]) > len(after["unconnected"])


@pytest.mark.parametrize(
    ("variables", "argument", "reason"),
    [
        pytest.param({"area": "WelfareArea:XX"}, "areaId", "no WelfareArea has the id", id="unknown"),
        pytest.param(
            {"area": "Municipality:091"}, "areaId", "expected the id of a District or WelfareArea", id="municipality"
        ),
        pytest.param({"area": "WelfareArea:KY", "year": 1800}, "year", "outside [1900, 2100]", id="year"),
        pytest.param({"area": "WelfareArea:KY", "top": 0}, "top", "outside [1, 100]", id="top-0"),
        pytest.param({"area": "WelfareArea:KY", "top": 101}, "top", "outside [1, 100]", id="top-101"),
    ],
)
async def test_bad_input_names_the_argument(
    gql: GraphQLClient, variables: dict[str, Any], argument: str, reason: str
) -> None:
    body = await gql.execute(NETWORK, **{"year": None, "top": 10, **variables})
    messages = {error["message"] for error in body["errors"]}
    assert all(message.startswith(f"{argument}: ") and reason in message for message in messages), messages
    assert {error["extensions"]["argument"] for error in body["errors"]} == {argument}
