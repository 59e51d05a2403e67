"""The shortest path between two nodes, the same one on every backend."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import networkx as nx

from graph_api.analysis._graphs import undirected
from graph_api.models import Edge, Node, NodeRef, global_id
from graph_api.store.base import GraphStore

MAX_LENGTH = 8
"""Any two connected nodes of the shipped graph are at most 7 relationships apart."""


@dataclass(frozen=True, slots=True)
class ShortestPath:
    """Nodes from the first to the last and the relationship between each two; empty, with a reason, if none."""

    nodes: list[Node]
    edges: list[Edge]
    reason: str | None = None

    @property
    def length(self) -> int | None:
        return len(self.edges) if self.nodes else None


@dataclass
class _Search:
    """One end's side of a search from both ends: what it has reached, and how far it has looked."""

    reached: dict[str, Node]
    frontier: list[Node]
    depth: int = 0
    edges: list[Edge] = field(default_factory=list)

    @classmethod
    def from_node(cls, node: Node) -> _Search:
        return cls(reached={global_id(node): node}, frontier=[node])

    async def step(self, store: GraphStore, types: frozenset[str] | None) -> None:
        found = await store.relationships_of([NodeRef.of(node) for node in self.frontier], types)
        self.edges += found
        new = {global_id(n): n for edge in found for n in (edge.start, edge.end) if global_id(n) not in self.reached}
        self.reached |= new
        self.frontier = [new[ref] for ref in sorted(new)]
        self.depth += 1


async def shortest_path(
    store: GraphStore, start: Node, end: Node, types: frozenset[str] | None = None, max_length: int = MAX_LENGTH
) -> ShortestPath:
    """A shortest path along relationships (of `types`, when given) followed either way; among equally short
    ones, the one that steps from each node to the next with the smallest global id.

    Both ends search outwards, the one with fewer nodes at its edge first, until they meet: every relationship
    of every shortest path is then known, and the choice among them is made on that part of the graph alone.
    """
    ends = _Search.from_node(start), _Search.from_node(end)
    joins = f"joins {global_id(start)} and {global_id(end)}" + (f" through {', '.join(sorted(types))}" if types else "")
    while ends[0].reached.keys().isdisjoint(ends[1].reached):
        if not ends[0].frontier or not ends[1].frontier:
            return ShortestPath([], [], f"no path {joins}")
        if ends[0].depth + ends[1].depth >= max_length:
            return ShortestPath([], [], f"no path of at most {max_length} relationships {joins}")
        await min(ends, key=lambda side: len(side.frontier)).step(store, types)
    nodes = ends[0].reached | ends[1].reached
    return _smallest_of_shortest(undirected(nodes.values(), ends[0].edges + ends[1].edges), nodes, start, end)


def _smallest_of_shortest(graph: nx.Graph, nodes: dict[str, Node], start: Node, end: Node) -> ShortestPath:
    to_end = nx.single_source_shortest_path_length(graph, global_id(end))
    path = [global_id(start)]
    while path[-1] != global_id(end):
        path.append(min(n for n in graph[path[-1]] if to_end.get(n) == to_end[path[-1]] - 1))
    edges = [graph[a][b]["edge"] for a, b in itertools.pairwise(path)]
    return ShortestPath([nodes[ref] for ref in path], edges)
