"""The neighbourhood of a node: what lies within a few relationships of it, ready for a network drawing."""

from __future__ import annotations

from dataclasses import dataclass

from graph_api.errors import InputError
from graph_api.models import Edge, Node, NodeRef, global_id
from graph_api.store.base import GraphStore

MAX_DEPTH = 3
"""Three steps already reach most of the graph from its hubs (MLL, the districts, the activities)."""
MAX_NODES = 1000
"""About 20 ms of GraphQL output on the event loop (see FACTS.md), and more than a drawing can show."""


@dataclass(frozen=True, slots=True)
class Subgraph:
    """Nodes and the relationships among them."""

    nodes: list[Node]
    edges: list[Edge]


async def neighbourhood(
    store: GraphStore, centre: Node, depth: int, types: frozenset[str] | None, max_nodes: int = MAX_NODES
) -> Subgraph:
    """The nodes at most `depth` relationships (of `types`, either way) from `centre`, and every relationship
    of those types among them; nodes nearest first, then by global id, edges in `Edge.order`.

    Raises `InputError` on `depth` when the neighbourhood holds more than `max_nodes` nodes.
    """
    distance = {global_id(centre): 0}
    reached = {global_id(centre): centre}
    edges: dict[tuple[str, ...], Edge] = {}
    frontier = [centre]
    for step in range(1, depth + 1):
        for edge in await store.relationships_of([NodeRef.of(node) for node in frontier], types):
            edges[edge.order] = edge
            for node in (edge.start, edge.end):
                distance.setdefault(global_id(node), step)
                reached.setdefault(global_id(node), node)
        if len(reached) > max_nodes:
            raise InputError(
                "depth",
                f"{len(reached)} nodes lie within {step} steps of {global_id(centre)}, more than the {max_nodes} "
                "a neighbourhood may hold; ask for a smaller depth or fewer types",
            )
        frontier = sorted((node for ref, node in reached.items() if distance[ref] == step), key=global_id)
    # The outermost nodes' relationships among themselves, which no step above walked.
    for edge in await store.relationships_of([NodeRef.of(node) for node in frontier], types):
        if global_id(edge.start) in reached and global_id(edge.end) in reached:
            edges[edge.order] = edge
    nodes = sorted(reached.values(), key=lambda node: (distance[global_id(node)], global_id(node)))
    return Subgraph(nodes=nodes, edges=sorted(edges.values(), key=lambda edge: edge.order))
