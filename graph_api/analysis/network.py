"""An area's network: who works there and how they are joined, with who is most connected, who holds it
together, and which meeting places and associations are left out of the family-centre cooperation.

Who is in the network of a county (or Helsinki), or of a district:
- the area itself;
- the meeting places located in its municipalities, and the local associations active in them;
- whoever runs those places (RUN_BY) and the family centres they are part of (PART_OF);
- the districts of all those associations (MEMBER_OF);
- both ends of every SERVES and HAS_AGREEMENT relationship of the area or its municipalities (for a district:
  of the district, its municipalities and their counties): family centres and whom they serve there, districts
  and the parties to their agreements.
They are joined by the relationships of cooperation among them: RUN_BY, PART_OF, SERVES, HAS_AGREEMENT and
MEMBER_OF. Geography (where a place lies, which regions a district covers) decides who is in, not how they
are joined. With a year, only agreements in force at some time in that year count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from graph_api.analysis._graphs import undirected
from graph_api.cancellation import in_worker
from graph_api.models import Agreement, District, Edge, Node, NodeRef, global_id, label_of
from graph_api.relations import MUNICIPALITIES_OF_AREA, MUNICIPALITY_WELFARE_AREA
from graph_api.store.base import GraphStore

AREAS = frozenset({"WelfareArea", "District"})
IN_THE_AREA = frozenset({"LOCATED_IN", "ACTIVE_IN"})
"""Bring in the places and associations of the area's municipalities."""
PARTIES_THERE = frozenset({"SERVES", "HAS_AGREEMENT"})
"""Bring in both ends when one is the area, one of its municipalities or, for a district, their counties."""
PLACE_TIES = frozenset({"RUN_BY", "PART_OF"})
MEMBERSHIP = frozenset({"MEMBER_OF"})
COOPERATION = PARTIES_THERE | PLACE_TIES | MEMBERSHIP
"""What joins the members of a network."""
GRASSROOTS = frozenset({"MeetingPlace", "LocalAssociation"})
DIGITS = 9
"""Betweenness is rounded, so that sums taken in another order cannot reorder equal scores."""


@dataclass(frozen=True, slots=True)
class Centrality:
    """How central one member is: its distinct neighbours, and its normalised betweenness centrality."""

    node: Node
    degree: int
    betweenness: float


@dataclass(frozen=True, slots=True)
class AreaNetwork:
    """The network of an area (see the module's docstring), its members by global id."""

    area: Node
    year: int | None
    members: list[Centrality]
    edges: list[Edge]
    unconnected: list[Node]
    """Meeting places and associations none of whose neighbours is a family centre or a party to an agreement."""

    @property
    def nodes(self) -> list[Node]:
        return [member.node for member in self.members]

    @property
    def partners(self) -> list[Node]:
        """Everyone in the network but the area itself and the meeting places."""
        area = global_id(self.area)
        return [node for node in self.nodes if label_of(node) != "MeetingPlace" and global_id(node) != area]

    @property
    def counts(self) -> dict[str, int]:
        """Members per node type, in type order."""
        return dict(sorted(Counter(label_of(node) for node in self.nodes).items()))

    def by_degree(self) -> list[Centrality]:
        return sorted(self.members, key=lambda member: (-member.degree, global_id(member.node)))

    def by_betweenness(self) -> list[Centrality]:
        return sorted(self.members, key=lambda member: (-member.betweenness, global_id(member.node)))


async def area_network(store: GraphStore, area: Node, year: int | None = None) -> AreaNetwork:
    """The network of a county, Helsinki or a district."""
    members = {global_id(area): area}
    reaching = await store.relationships_of(await _served(store, area), IN_THE_AREA | PARTIES_THERE)
    reaching = [edge for edge in reaching if _counts(edge, year)]
    _bring_in(members, (edge.start for edge in reaching if edge.type in IN_THE_AREA))
    _bring_in(members, (node for edge in reaching if edge.type in PARTIES_THERE for node in (edge.start, edge.end)))
    run = await store.relationships_of(_refs(members, "MeetingPlace"), PLACE_TIES)
    _bring_in(members, (edge.end for edge in run))
    belong = await store.relationships_of(_refs(members, "LocalAssociation"), MEMBERSHIP)
    _bring_in(members, (edge.end for edge in belong))
    edges = [
        edge
        for edge in reaching + run + belong
        if edge.type in COOPERATION and global_id(edge.start) in members and global_id(edge.end) in members
    ]
    # Betweenness is pure Python: a district's takes a few hundred ms, which must not stall the event loop.
    return await in_worker(_figures, area, year, list(members.values()), edges)


def _bring_in(members: dict[str, Node], nodes: Iterable[Node]) -> None:
    for node in nodes:
        members.setdefault(global_id(node), node)


def _refs(members: dict[str, Node], label: str) -> list[NodeRef]:
    return [NodeRef.of(node) for node in members.values() if label_of(node) == label]


async def _served(store: GraphStore, area: Node) -> list[NodeRef]:
    """The area and its municipalities, and for a district also their counties."""
    (links,) = await store.traverse_many([NodeRef.of(area)], MUNICIPALITIES_OF_AREA[label_of(area)])
    served = [NodeRef.of(area), *(NodeRef.of(link.node) for link in links)]
    if isinstance(area, District):
        counties = await store.traverse_many(served[1:], MUNICIPALITY_WELFARE_AREA)
        served += sorted({NodeRef.of(link.node) for found in counties for link in found}, key=str)
    return served


def _counts(edge: Edge, year: int | None) -> bool:
    """Whether the edge is part of the network in `year`: an agreement must be in force then."""
    if edge.type != "HAS_AGREEMENT" or year is None:
        return True
    return Agreement.of_relationship(edge.start, edge.end, edge.properties).in_force(year)


def _figures(area: Node, year: int | None, nodes: Iterable[Node], edges: list[Edge]) -> AreaNetwork:
    by_id = {global_id(node): node for node in nodes}
    edges = sorted(edges, key=lambda edge: edge.order)
    graph = undirected(by_id.values(), edges)
    betweenness = nx.betweenness_centrality(graph)
    members = [Centrality(by_id[ref], graph.degree(ref), round(betweenness[ref], DIGITS)) for ref in graph]
    cooperating = {ref for ref in graph if label_of(by_id[ref]) == "FamilyCentre"}
    cooperating |= {global_id(n) for edge in edges if edge.type == "HAS_AGREEMENT" for n in (edge.start, edge.end)}
    unconnected = [
        by_id[ref] for ref in graph if label_of(by_id[ref]) in GRASSROOTS and cooperating.isdisjoint(graph[ref])
    ]
    return AreaNetwork(area=area, year=year, members=members, edges=edges, unconnected=unconnected)
