"""Relations for partners: neighbourhoods and paths shaped for a network drawing, partners, the history of
agreements, and an area's network figures. The work is done in `graph_api.analysis`, from the store's
`relationships_of`, so that both backends give the same answers."""

from __future__ import annotations

import datetime
import enum
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph_api import models
from graph_api.analysis import neighbourhood, network, partners, paths
from graph_api.models import global_id, label_of
from graph_api.restrictions import restriction
from graph_api.schema.context import Context
from graph_api.schema.inputs import check_range, check_year
from graph_api.schema.types import Agreement, MeetingPlace, Node

DEFAULT_TOP = 10
MAX_TOP = 100

RelationshipType = strawberry.enum(
    enum.Enum("RelationshipType", {name: name for name in sorted(models.RELATIONSHIP_TYPES)}),  # type: ignore[misc]
    description="A type of relationship; the README's *Relations for partners* says which way each points.",
)


@strawberry.type(description="A node in a drawing of the network.")
class GraphNode:
    @strawberry.field
    def id(self, root: strawberry.Parent[models.Node]) -> strawberry.ID:
        return strawberry.ID(global_id(root))

    @strawberry.field(description="The node's type, as in its id: `Municipality`, `District`, ...")
    def type(self, root: strawberry.Parent[models.Node]) -> str:
        return label_of(root)

    @strawberry.field(description="A name to show: the Finnish name, or a meeting place's name.")
    def label(self, root: strawberry.Parent[models.Node]) -> str:
        if isinstance(root, models.NamedNode):
            return root.name_fi
        return root.name if isinstance(root, models.MeetingPlace) else root.key

    @strawberry.field(description="True for generated demo data, which is not the real register.")
    def is_demo(self, root: strawberry.Parent[models.Node]) -> bool:
        return root.is_demo

    @strawberry.field(description="The node itself, for any of its other fields.")
    def node(self, root: strawberry.Parent[models.Node]) -> Node:
        return root  # type: ignore[return-value]


@strawberry.type(description="A relationship in a drawing of the network, pointing the way it does in the graph.")
class GraphEdge:
    @strawberry.field(description="The id of the node the relationship starts from.")
    def source(self, root: strawberry.Parent[models.Edge]) -> strawberry.ID:
        return strawberry.ID(global_id(root.start))

    @strawberry.field(description="The id of the node it points to.")
    def target(self, root: strawberry.Parent[models.Edge]) -> strawberry.ID:
        return strawberry.ID(global_id(root.end))

    @strawberry.field
    def type(self, root: strawberry.Parent[models.Edge]) -> RelationshipType:  # type: ignore[valid-type]
        return RelationshipType[root.type]

    @strawberry.field(description="The relationship's properties (an agreement's `since`, `until`, `kind`; a `role`).")
    def properties(self, root: strawberry.Parent[models.Edge]) -> JSON:
        return {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in root.properties.items()
            if name != "source"
        }

    @strawberry.field(description="True for generated demo data, which is not the real register.")
    def is_demo(self, root: strawberry.Parent[models.Edge]) -> bool:
        return root.is_demo


@strawberry.type(description="Nodes and the relationships among them.")
class Graph:
    nodes: list[GraphNode] = strawberry.field(description="Nearest the node asked about first, then by id.")
    edges: list[GraphEdge] = strawberry.field(description="By type, then by the ids of their ends.")


@strawberry.type(description="A shortest path; when there is none, no nodes and a reason.")
class Path:
    length: int | None = strawberry.field(description="How many relationships long; null when there is no path.")
    nodes: list[GraphNode] = strawberry.field(description="From `from` to `to`.")
    edges: list[GraphEdge] = strawberry.field(
        description="The relationship between each node and the next, each pointing the way it does in the graph."
    )
    reason: str | None = strawberry.field(description="Why there is no path, if there is none.")


@strawberry.type(description="Another organisation and every way the two work together.")
class Partner:
    partner: Node
    meeting_places: list[MeetingPlace] = strawberry.field(
        description="The meeting places both run (either role) or are part of (a family centre's), by id."
    )
    agreements: list[Agreement] = strawberry.field(description="The agreements between the two, oldest first.")

    @strawberry.field(
        description="The relationships that join the two themselves: HAS_AGREEMENT, SERVES (a family centre and "
        "the county or municipality it serves) and MEMBER_OF (an association and its district)."
    )
    def ties(self, root: strawberry.Parent[partners.Partnership]) -> list[RelationshipType]:  # type: ignore[valid-type]
        return [RelationshipType[name] for name in root.ties]


@strawberry.type(description="How central one member of a network is.")
class NetworkMember:
    node: GraphNode
    degree: int = strawberry.field(description="How many other members it is joined to.")
    betweenness: float = strawberry.field(
        description="The share of the shortest paths between two other members that pass through it "
        "(networkx's normalised betweenness centrality, rounded to 9 decimals)."
    )


@strawberry.type(description="How many members of one type.")
class TypeCount:
    type: str
    count: int


@strawberry.type(
    description="The network of a county, Helsinki or a district: who works there, and how they are joined. "
    "See the README's *Relations for partners* for who is in it."
)
class Network:
    area: Node
    year: int | None = strawberry.field(description="Only agreements in force in this year counted; null: all.")
    nodes: list[GraphNode] = strawberry.field(description="Every member, the area itself included, by id.")
    edges: list[GraphEdge] = strawberry.field(
        description="The RUN_BY, PART_OF, SERVES, HAS_AGREEMENT and MEMBER_OF relationships among the members."
    )
    unconnected: list[GraphNode] = strawberry.field(
        description="Meeting places and local associations none of whose neighbours in the network is a family "
        "centre or a party to an agreement, by id."
    )

    @strawberry.field(description="How many members there are besides the area itself and the meeting places.")
    def partner_count(self, root: strawberry.Parent[network.AreaNetwork]) -> int:
        return len(root.partners)

    @strawberry.field(description="How many members of each type, in type order.")
    def counts(self, root: strawberry.Parent[network.AreaNetwork]) -> list[TypeCount]:
        return [TypeCount(type=label, count=count) for label, count in root.counts.items()]

    @strawberry.field(description=f"The most connected members, by degree, then id ({MAX_TOP} at most).")
    def by_degree(self, root: strawberry.Parent[network.AreaNetwork], top: int = DEFAULT_TOP) -> list[NetworkMember]:
        return root.by_degree()[: _top(top)]  # type: ignore[return-value]

    @strawberry.field(
        description=f"The members that hold the network together, by betweenness, then id ({MAX_TOP} at most)."
    )
    def by_betweenness(
        self, root: strawberry.Parent[network.AreaNetwork], top: int = DEFAULT_TOP
    ) -> list[NetworkMember]:
        return root.by_betweenness()[: _top(top)]  # type: ignore[return-value]


def _top(top: int) -> int:
    return int(check_range(top, 1, MAX_TOP, "top"))


def _types(types: list[RelationshipType] | None) -> frozenset[str] | None:  # type: ignore[valid-type]
    chosen = restriction(types, "types", "relationship type")
    return None if chosen is None else frozenset(kind.value for kind in chosen)


@strawberry.field(
    description="The neighbourhood of any node, ready for a network drawing: the nodes at most `depth` "
    f"relationships away (1 to {neighbourhood.MAX_DEPTH}; either way, only `types` when given) and every such "
    f"relationship among them. More than {neighbourhood.MAX_NODES} nodes is an error: ask for less depth or "
    "fewer types."
)
async def relations(
    info: Info[Context, None],
    id: strawberry.ID,
    depth: int = 1,
    types: list[RelationshipType] | None = None,  # type: ignore[valid-type]
) -> Graph:
    centre = await info.context.existing(id, "id")
    check_range(depth, 1, neighbourhood.MAX_DEPTH, "depth")
    return await neighbourhood.neighbourhood(info.context.store, centre, depth, _types(types))  # type: ignore[return-value]


@strawberry.field(
    description="A shortest path between two nodes, following relationships either way (only `types` when "
    f"given), at most {paths.MAX_LENGTH} long. Among equally short paths, the one that steps from each node to "
    "the next with the smallest id. No path is not an error: `length` is null and `reason` says why."
)
async def path(
    info: Info[Context, None],
    from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
    to: strawberry.ID,
    types: list[RelationshipType] | None = None,  # type: ignore[valid-type]
) -> Path:
    start = await info.context.existing(from_, "from")
    end = await info.context.existing(to, "to")
    return await paths.shortest_path(info.context.store, start, end, _types(types))  # type: ignore[return-value]


@strawberry.field(
    description="Who a district, local association, family centre, county (or Helsinki), municipality or "
    "organisation works with, by id: everyone it shares a meeting place with (each runs it, in either role, or "
    "has it in its family centre's network), and everyone joined to it by an agreement (HAS_AGREEMENT, of any year), "
    "by service (SERVES: a family centre and the county or municipality it serves) or by membership (MEMBER_OF: "
    "an association and its district)."
)
async def partners_of(info: Info[Context, None], id: strawberry.ID) -> list[Partner]:
    party = await info.context.existing(id, "id", partners.PARTIES)
    return await partners.partners_of(info.context.store, party)  # type: ignore[return-value]


@strawberry.field(
    description="Every agreement a district holds, or a county or municipality is party to, oldest first "
    "(by `since`), ended ones included."
)
async def agreement_history(info: Info[Context, None], id: strawberry.ID) -> list[Agreement]:
    party = await info.context.existing(id, "id", partners.HISTORY_PARTIES)
    return await partners.agreement_history(info.context.store, party)  # type: ignore[return-value]


@strawberry.field(
    description="The network of a county (or Helsinki) or a district, and its figures: partners, the most "
    "connected members, those that hold it together, and the meeting places and associations left unconnected. "
    "With `year`, only agreements in force in that year count."
)
async def area_network(info: Info[Context, None], area_id: strawberry.ID, year: int | None = None) -> Network:
    area = await info.context.existing(area_id, "areaId", network.AREAS)
    return await network.area_network(info.context.store, area, check_year(year))  # type: ignore[return-value]
