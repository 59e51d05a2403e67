"""networkx graphs built from the edges a store lists, the same way whichever store listed them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import networkx as nx

from graph_api.cancellation import checkpoint
from graph_api.models import Edge, Node, global_id


class StoppableGraph(nx.Graph):  # type: ignore[type-arg]
    """A graph whose walks stop once the request they serve is over.

    networkx's algorithms iterate over the graph's nodes at the start of each pass (betweenness once per
    source node), so a checkpoint there stops them within one pass: about a millisecond at our sizes.
    """

    def __iter__(self) -> Iterator[str]:
        checkpoint()
        return super().__iter__()


def undirected(nodes: Iterable[Node], edges: Iterable[Edge]) -> StoppableGraph:
    """A simple undirected graph on global ids; each pair keeps its first edge in `Edge.order` as `edge`.

    Nodes and edges go in sorted, so that networkx walks them, and sums floating-point scores, in one order.
    """
    graph = StoppableGraph()
    graph.add_nodes_from(sorted(global_id(node) for node in nodes))
    for edge in sorted(edges, key=lambda edge: edge.order):
        ends = global_id(edge.start), global_id(edge.end)
        if not graph.has_edge(*ends):
            graph.add_edge(*ends, edge=edge)
    return graph
