"""How long the data lets a list be: the figures the cost limit multiplies by, measured from the store.

A depth limit cannot see that `welfareAreas { municipalities { welfareArea { municipalities ... } } }`
multiplies its work some 30-fold a level; the largest number of municipalities a county has can. The
figures are measured through the `GraphStore` interface only (every node, every relationship), so both
backends give the same ones, and measured again when older than `max_age_s`, as loads change the data.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import time
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from graph_api.analysis.partners import DIRECT, IN_A_PLACE
from graph_api.models import NODE_TYPES, Direction, Edge, Hop, MeetingPlace, NodeRef, label_of
from graph_api.relations import Path
from graph_api.store.base import GraphStore, NodeQuery

HopKey = tuple[str, str, Direction, str]
"""The start label, the relationship type, the direction and the end label of one hop."""

DEFAULT_MAX_AGE_S = 300.0
EVERY = NodeQuery(first=None, include_withdrawn=True)


@dataclass(frozen=True)
class DataSizes:
    """Counts and the largest fan-outs in the graph: every list the API answers is at most one of these."""

    nodes: Counter[str] = field(default_factory=Counter)
    hops: Counter[HopKey] = field(default_factory=Counter)
    relationships: int = 0
    agreements: int = 0
    max_agreements: int = 0
    max_partners: int = 0
    max_shared_places: int = 0
    max_opening_hours: int = 0
    max_closures: int = 0

    @classmethod
    def of(cls, counts: Counter[str], edges: Iterable[Edge], places: Sequence[MeetingPlace]) -> DataSizes:
        """The figures of a graph with these node counts, relationships and meeting places.

        Nodes are told apart by (label, key) tuples and directions by booleans, which hash in C: `NodeRef`s and
        `Direction`s hash in Python, and counting by them took 90 ms of a server's first request."""
        fan_outs: Counter[tuple[str, str, bool, str, str]] = Counter()  # a hop with its outgoing flag, and a key
        agreements: Counter[tuple[str, str]] = Counter()
        partners: defaultdict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        in_place: defaultdict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        relationships = 0
        for edge in edges:
            relationships += 1
            start_label, end_label = label_of(edge.start), label_of(edge.end)
            start, end = (start_label, edge.start.key), (end_label, edge.end.key)
            fan_outs[start_label, edge.type, True, end_label, start[1]] += 1
            fan_outs[end_label, edge.type, False, start_label, end[1]] += 1
            if edge.type == "HAS_AGREEMENT":
                agreements.update((start, end))
            if edge.type in DIRECT:
                partners[start].add(end)
                partners[end].add(start)
            if edge.type in IN_A_PLACE:
                in_place[start].add(end)
        shared: Counter[tuple[tuple[str, str], tuple[str, str]]] = Counter()
        for parties in in_place.values():
            for one, other in itertools.permutations(parties, 2):
                partners[one].add(other)
                shared[one, other] += 1
        largest: dict[tuple[str, str, bool, str], int] = {}
        for (start_label, type_, outgoing, end_label, _), count in fan_outs.items():
            hop = (start_label, type_, outgoing, end_label)
            largest[hop] = max(largest.get(hop, 0), count)
        hops = Counter({(s, t, Direction.OUT if out else Direction.IN, e): n for (s, t, out, e), n in largest.items()})
        return cls(
            nodes=counts,
            hops=hops,
            relationships=relationships,
            agreements=sum(agreements.values()) // 2,
            max_agreements=max(agreements.values(), default=0),
            max_partners=max(map(len, partners.values()), default=0),
            max_shared_places=max(shared.values(), default=0),
            max_opening_hours=max((len(place.schedules) for place in places), default=0),
            max_closures=max((len(place.closures) for place in places), default=0),
        )

    @property
    def all_nodes(self) -> int:
        return sum(self.nodes.values())

    def fan_out(self, label: str, path: Path) -> int:
        """At most how many nodes `path` reaches from one node of `label`: the product of its hops' largest."""
        size, labels = 1, {label}
        for hop in path:
            size *= max((self._hop(start, hop) for start in labels), default=0)
            labels = {hop.label} if hop.label else set(NODE_TYPES)
        return size

    def _hop(self, start: str, hop: Hop) -> int:
        """The most nodes one hop reaches from one node: a hop towards any label may reach several labels."""
        return sum(
            count
            for (s, t, d, e), count in self.hops.items()
            if (s, t, d) == (start, hop.type, hop.direction) and hop.label in (None, e)
        )


async def measure(store: GraphStore) -> DataSizes:
    """Read every node and relationship once (a few reads on either backend) and count."""
    pages = dict(
        zip(NODE_TYPES, await asyncio.gather(*(store.find(label, EVERY) for label in NODE_TYPES)), strict=True)
    )
    counts = Counter({label: page.total_count for label, page in pages.items()})
    refs = [NodeRef.of(node) for page in pages.values() for node in page.items]
    places = [node for node in pages["MeetingPlace"].items if isinstance(node, MeetingPlace)]
    return DataSizes.of(counts, await store.relationships_of(refs), places)


class DataSizesCache:
    """A store's figures, measured from start-up, again after every load in this process, and in the background
    once older than `max_age_s` (a load by another process into the same Neo4j).

    One per store, shared by every app on it (`of`), and one measure at a time: a request cancelled while it
    waits for a measure (its time budget ran out) does not cancel it, and a failed measure keeps the figures
    there were until the next try.
    """

    def __init__(self, store: GraphStore, max_age_s: float = DEFAULT_MAX_AGE_S) -> None:
        self._store = weakref.ref(store)  # SHARED keeps a cache no longer than its store
        self.max_age_s = max_age_s
        self._sizes: DataSizes | None = None
        self._generation = -1
        self._measured_at = 0.0
        self.measures = 0
        """How many measures were taken: the figures an answer's cost was estimated with (the response cache)."""
        self._measuring: asyncio.Task[DataSizes] | None = None

    @classmethod
    def of(cls, store: GraphStore) -> DataSizesCache:
        if store not in SHARED:
            SHARED[store] = cls(store)
        return SHARED[store]

    def refresh(self) -> asyncio.Task[DataSizes]:
        """Start measuring, unless a measure is under way already (on this event loop)."""
        if self._measuring is None or self._measuring.get_loop() is not asyncio.get_running_loop():
            # A context of its own: the measure belongs to no request, and outlives the one that started it.
            self._measuring = asyncio.create_task(self._measure(), context=contextvars.Context())
            self._measuring.add_done_callback(self._measured)
        return self._measuring

    @property
    def store(self) -> GraphStore:
        store = self._store()
        assert store is not None, "a store's figures are asked for only while it is in use"
        return store

    async def current(self) -> DataSizes:
        if self._sizes is None or self._generation != self.store.generation:
            return await asyncio.shield(self.refresh())
        if time.monotonic() - self._measured_at > self.max_age_s:
            self.refresh()
        return self._sizes

    async def _measure(self) -> DataSizes:
        generation = self.store.generation
        try:
            sizes = await measure(self.store)
            self._sizes, self._generation = sizes, generation
            self.measures += 1
            return sizes
        finally:
            self._measured_at = time.monotonic()

    def _measured(self, task: asyncio.Task[DataSizes]) -> None:
        if self._measuring is task:
            self._measuring = None
        if not task.cancelled():
            task.exception()  # retrieved here: a request waiting for the measure gets it too


SHARED: weakref.WeakKeyDictionary[GraphStore, DataSizesCache] = weakref.WeakKeyDictionary()
"""Each store's figures, for every app on it."""
