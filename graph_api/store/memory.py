"""The embedded store: the whole graph in one networkx MultiDiGraph, in this process.

Nodes are keyed `Label:key` and hold their domain object; a relationship's networkx key is its identity
(its type, and for agreements its start date), so loading the same data twice changes nothing and a
reload replaces a relationship's properties whole.
Loads are checked whole and swapped in at once: a failed load leaves the previous graph as it was. A load
writes into a copy that shares with the graph it replaces everything it does not touch (`_copy_for`), so
an edit of one place costs what it touches, not the whole graph; no graph is ever changed once swapped in.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import functools
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

import anyio.to_thread
import networkx as nx
import numpy as np

from graph_api import heap
from graph_api.cancellation import in_worker
from graph_api.errors import DataError, VersionConflict
from graph_api.geo.boxes import inside
from graph_api.geo.clusters import CELL_LEVELS, KIND_CODES, Clusters, PlaceArrays, cells_of, group
from graph_api.geo.index import PointIndex
from graph_api.models import (
    Agreement,
    ApiKey,
    Bounds,
    Change,
    Dataset,
    Direction,
    Edge,
    Hop,
    ImportRecord,
    Link,
    MeetingPlace,
    NearbyHit,
    Node,
    NodeRef,
    Point,
    label_of,
)
from graph_api.store.base import (
    EVERY_PLACE,
    ChangeQuery,
    GraphStore,
    LoadSummary,
    NodeQuery,
    Page,
    PlaceFilter,
    PlacesInBounds,
    PlaceSpread,
    Progress,
    changes_page,
    imports_page,
    is_open_at,
    matches_query,
    page_of,
)
from graph_api.store.datafolder import DataFolder, Stale
from graph_api.text import fold

logger = logging.getLogger(__name__)
T = TypeVar("T")
CACHED_ZOOMS = 4
"""Zooms whose cells a graph keeps for `clusters`: 8 MB each at a million places."""
EDGE_VIEWS = ("edges", "out_edges", "in_edges")
"""The views networkx caches on a graph (`functools.cached_property`) that point back at it."""


class MemoryStore(GraphStore):
    """networkx in memory; the default, and what the tests run first.

    With a data folder (`graph_api.store.datafolder`), imports and edits (with their audit) and the API keys
    are kept there before they are taken in, and `refresh` takes in what other processes wrote: `open` starts a
    task that does so every `poll_s` seconds once the first `refresh` (after the seeds are loaded) has run.
    Without one, they last as long as the process.
    """

    name = "memory"

    def __init__(self, data_folder: DataFolder | None = None, poll_s: float = 2.0) -> None:
        self._graph = nx.MultiDiGraph()
        self._data_folder = data_folder
        self._poll_s = poll_s
        self._records: list[ImportRecord] = []
        self._writes: list[int] = []
        """Without a data folder: the numbers of the kept writes (imports and edits), the imports' records, the
        audit and the API keys, as long as the process lives."""
        self._changes: list[Change] = []
        self._keys: dict[str, ApiKey] = {}
        self._applied: int | None = None
        """The number of the last import from the data folder taken in; None until the first `refresh`."""
        self._poller: asyncio.Task[None] | None = None
        self._writing = asyncio.Lock()
        """Held while the graph is replaced, so that a refresh and a load never interleave."""
        self._by_label: dict[str, list[Node]] = {}
        self._folded: dict[str, list[tuple[str, ...]]] = {}
        """The folded search names of `_by_label`'s nodes, position by position."""
        self._version = 0
        self._reindex()

    async def open(self) -> None:
        if self._data_folder is not None and self._poller is None:
            self._poller = asyncio.create_task(self._poll())

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self._poll_s)
            if self._applied is not None:
                try:
                    await self.refresh()
                except Exception:  # a running server keeps serving what it has, and tries again
                    logger.exception("could not take in the data folder's imports")

    async def ping(self) -> None:
        return None

    async def data_version(self) -> int:
        """Counts the graphs served (`_swap`) and the keys changed in this process. Keys another process adds to
        the data folder matter only to who calls, and answers that depend on who calls are not cached."""
        return self._version

    async def refresh(self) -> None:
        async with self._writing:
            await self._take_in()

    async def _take_in(self) -> None:
        if self._data_folder is None:
            return
        folder = self._data_folder
        if self._applied is not None and await anyio.to_thread.run_sync(folder.last_number) == self._applied:
            return
        writes = await anyio.to_thread.run_sync(folder.since, self._applied or 0)
        if not writes:
            self._applied = self._applied or 0
            return
        graph = self._graph
        for _, dataset in writes:
            graph = _copy_for(graph, dataset)
            _apply(graph, dataset, LoadSummary(), None)
        self._swap(graph)
        self._applied = writes[-1][0]

    async def load(
        self,
        dataset: Dataset,
        progress: Progress | None = None,
        record: ImportRecord | None = None,
        *,
        expected: Mapping[NodeRef, int] | None = None,
        changes: Sequence[Change] = (),
    ) -> LoadSummary:
        async with self._writing:
            while True:
                try:
                    return await self._load(dataset, progress, record, expected or {}, changes)
                except Stale:  # another process wrote meanwhile: take that in, and check the versions again
                    continue

    async def _load(
        self,
        dataset: Dataset,
        progress: Progress | None,
        record: ImportRecord | None,
        expected: Mapping[NodeRef, int],
        changes: Sequence[Change],
    ) -> LoadSummary:
        kept = record is not None or bool(changes)
        if kept:
            await self._take_in()  # what other processes wrote comes first, as in the data folder's log
        for ref, version in expected.items():
            current = self._graph.nodes[str(ref)]["node"].version if str(ref) in self._graph else 0
            if current != version:
                raise VersionConflict(str(ref), version, current)
        graph, summary = _copy_for(self._graph, dataset), LoadSummary()
        _apply(graph, dataset, summary, progress)
        if kept and self._data_folder is not None:
            folder = self._data_folder
            self._applied = await anyio.to_thread.run_sync(folder.append, dataset, record, changes, self._applied or 0)
        elif kept:
            number = len(self._writes) + 1
            self._writes.append(number)
            if record is not None:
                self._records.append(dataclasses.replace(record, number=number))
            first = len(self._changes) + 1
            self._changes += [dataclasses.replace(change, number=first + i) for i, change in enumerate(changes)]
        self._swap(graph, edit=record is None and bool(changes))
        return summary

    async def imports(self, first: int | None, after: int | None = None) -> Page[ImportRecord]:
        if self._data_folder is None:
            return imports_page(self._records, first, after)
        return imports_page(await anyio.to_thread.run_sync(self._data_folder.records), first, after)

    async def changes(self, query: ChangeQuery) -> Page[Change]:
        if self._data_folder is None:
            return changes_page(self._changes, query)
        return await anyio.to_thread.run_sync(self._data_folder.changes, query)

    async def add_key(self, key: ApiKey) -> None:
        if self._data_folder is not None:
            await anyio.to_thread.run_sync(self._data_folder.add_key, key)
        elif key.id in self._keys:
            raise DataError(f"an API key with the id {key.id!r} exists already")
        else:
            self._keys[key.id] = key
        self._version += 1

    async def api_key(self, key_id: str) -> ApiKey | None:
        if self._data_folder is None:
            return self._keys.get(key_id)
        return await anyio.to_thread.run_sync(self._data_folder.api_key, key_id)

    async def api_keys(self) -> list[ApiKey]:
        if self._data_folder is None:
            return sorted(self._keys.values(), key=lambda key: (key.created_at, key.id))
        return await anyio.to_thread.run_sync(self._data_folder.api_keys)

    async def revoke_key(self, key_id: str, at: datetime.datetime) -> ApiKey | None:
        self._version += 1
        if self._data_folder is not None:
            return await anyio.to_thread.run_sync(self._data_folder.revoke_key, key_id, at)
        key = self._keys.get(key_id)
        if key is not None and key.revoked_at is None:
            key = self._keys[key_id] = dataclasses.replace(key, revoked_at=at)
        return key

    def _swap(self, graph: nx.MultiDiGraph, *, edit: bool = False) -> None:
        """Serve the new graph; a load or an import (not an edit: see `GraphStore.generation`) is a new generation."""
        old, self._graph = self._graph, graph
        self._reindex()
        self.generation += not edit
        self._version += 1
        # networkx keeps its edge views on the graph, each pointing back at it: a cycle that only the collector's
        # walk frees, and `settle` keeps the old graph out of it. Without them, the last reader to let go frees it.
        for view in EDGE_VIEWS:
            vars(old).pop(view, None)
        heap.settle()

    def _reindex(self) -> None:
        nodes = sorted((data["node"] for _, data in self._graph.nodes(data=True)), key=lambda n: n.key)
        # Folding every name is most of the work: a node the last graph had keeps its folded names.
        folded = {
            id(node): (node, names)
            for label, kept in self._by_label.items()
            for node, names in zip(kept, self._folded[label], strict=True)
        }
        self._by_label, self._folded = {}, {}
        for node in nodes:
            label, kept = label_of(node), folded.get(id(node))
            self._by_label.setdefault(label, []).append(node)
            names = kept[1] if kept is not None and kept[0] is node else tuple(fold(n) for n in node.search_names)
            self._folded.setdefault(label, []).append(names)
        del folded
        places = self._by_label.get("MeetingPlace", [])
        self._offers = _offers(self._graph, self._by_label.get("Activity", []))
        served: list[MeetingPlace] = [p for p in places if not p.is_withdrawn]  # type: ignore[misc]
        self._placed = Placed.of(served, self._offers, *_municipalities(self._graph, served))

    def _node(self, ref: str) -> Node:
        """From networkx's node dict, not its `nodes` view, which costs a lookup of its own on hot paths."""
        return self._graph._node[ref]["node"]  # type: ignore[no-any-return]

    async def get_many(self, refs: Sequence[NodeRef]) -> list[Node | None]:
        return [self._node(str(ref)) if str(ref) in self._graph else None for ref in refs]

    async def traverse_many(self, refs: Sequence[NodeRef], path: Sequence[Hop]) -> list[list[Link]]:
        return [self._traverse(str(ref), path) for ref in refs]

    def _traverse(self, start: str, path: Sequence[Hop]) -> list[Link]:
        frontier: dict[str, dict[str, object]] = {start: {}} if start in self._graph else {}
        for hop in path:
            reached: dict[str, dict[str, object]] = {}
            for ref in frontier:
                for other, data in self._steps(ref, hop):
                    reached.setdefault(other, data)
            frontier = reached
        links = [Link(self._node(ref), _properties(data)) for ref, data in frontier.items()]
        return sorted(links, key=lambda link: link.node.key)

    def _steps(self, ref: str, hop: Hop) -> Iterable[tuple[str, dict[str, object]]]:
        if hop.direction is Direction.OUT:
            edges = ((end, data) for _, end, data in self._graph.out_edges(ref, data=True))
        else:
            edges = ((start, data) for start, _, data in self._graph.in_edges(ref, data=True))
        prefix = f"{hop.label}:" if hop.label else ""
        return ((other, data) for other, data in edges if data["type"] == hop.type and other.startswith(prefix))

    async def find(self, label: str, query: NodeQuery) -> Page[Node]:
        nodes = zip(self._by_label.get(label, []), self._folded.get(label, []), strict=True)
        return page_of([node for node, names in nodes if self._matches(node, names, query)], query)

    def _matches(self, node: Node, names: tuple[str, ...], query: NodeQuery) -> bool:
        if not matches_query(node, query):
            return False
        if query.keys is not None and node.key not in query.keys:
            return False
        if query.places.restricts and not (isinstance(node, MeetingPlace) and self._keeps(query.places, node)):
            return False
        if query.search:
            needle = fold(query.search)
            if not any(needle in name for name in names):
                return False
        return True

    def _keeps(self, places: PlaceFilter, place: MeetingPlace) -> bool:
        return places.keeps(place, *self._offers.get(place.key, NOTHING_OFFERED))

    async def nearby(
        self,
        center: Point,
        radius_km: float,
        limit: int,
        places: PlaceFilter = EVERY_PLACE,
    ) -> list[NearbyHit]:
        placed = self._placed
        if not places.restricts:  # the k nearest and their geodesics: less work than a thread hop
            hits = placed.index.nearest_in_radius(center, radius_km, limit)
        else:
            keep = functools.partial(placed.kept, places)
            hits = await in_worker(placed.index.nearest_in_radius, center, radius_km, limit, keep)
        return [NearbyHit(distance_km=km, place=placed.places[i]) for km, i in hits]

    async def in_bounds(
        self,
        bounds: Bounds,
        limit: int,
        places: PlaceFilter = EVERY_PLACE,
    ) -> PlacesInBounds:
        placed = self._placed
        found = placed.positions(bounds, places)
        return PlacesInBounds(total_count=len(found), places=[placed.places[i] for i in found[:limit]])

    async def place_spread(self, places: PlaceFilter) -> PlaceSpread:
        """Counted over the arrays: no place is read as an object, however many; every place comes with the kd-tree
        that `nearby` asks."""
        if places.open_at is not None:
            raise ValueError("a place spread is asked by kinds and offers, not by opening hours")
        placed = self._placed
        kept = np.arange(len(placed.places))
        kept = kept[placed.kept(places, kept)] if places.restricts else kept
        codes = placed.municipality[kept]
        counts = np.bincount(codes[codes >= 0], minlength=len(placed.municipalities))
        located = {key: count for key, count in zip(placed.municipalities, counts.tolist(), strict=True) if count}
        lats, lons, demo = placed.arrays.lats[kept], placed.arrays.lons[kept], bool(placed.arrays.demo[kept].any())
        return PlaceSpread(lats, lons, demo, located, None if places.restricts else placed.index)

    async def place_clusters(self, bounds: Bounds, zoom: int, places: PlaceFilter = EVERY_PLACE) -> Clusters:
        """Every place in the view, counted over the arrays, however many."""
        placed = self._placed
        return await in_worker(placed.clusters, placed.positions(bounds, places), zoom)

    async def agreements(self, year: int | None, involving: Sequence[NodeRef] | None = None) -> list[Agreement]:
        """Read from the districts' side, where every agreement starts: not a pass over every relationship."""
        wanted = None if involving is None else {str(ref) for ref in involving}
        districts = [f"District:{district.key}" for district in self._by_label.get("District", [])]
        found = (
            Agreement.of_relationship(self._node(start), self._node(end), _properties(data))
            for start, end, data in self._graph.out_edges(districts, data=True)
            if data["type"] == "HAS_AGREEMENT" and (wanted is None or start in wanted or end in wanted)
        )
        return sorted((a for a in found if year is None or a.in_force(year)), key=lambda a: a.order)

    async def relationships_of(self, refs: Sequence[NodeRef], types: frozenset[str] | None = None) -> list[Edge]:
        """Listed in a worker thread: a district's network lists thousands, tens of milliseconds of CPU."""
        return await in_worker(self._relationships_of, refs, types)

    def _relationships_of(self, refs: Sequence[NodeRef], types: frozenset[str] | None) -> list[Edge]:
        """Read from networkx's adjacency dicts, in a third of the time its edge views take; an edge between two of
        the refs is met at both ends, and made once."""
        graph, found = self._graph, {}
        for ref in {str(ref) for ref in refs} & graph._node.keys():
            touching = [(ref, end, keyed) for end, keyed in graph._adj[ref].items()]
            touching += [(start, ref, keyed) for start, keyed in graph._pred[ref].items()]
            for start, end, keyed in touching:
                for key, data in keyed.items():
                    if (start, end, key) not in found and (types is None or data["type"] in types):
                        edge = Edge.of(data["type"], self._node(start), self._node(end), _properties(data))
                        found[start, end, key] = edge
        return sorted(found.values(), key=lambda edge: edge.order)


def _copy_for(graph: nx.MultiDiGraph, dataset: Dataset) -> nx.MultiDiGraph:
    """A copy of `graph` that `_apply(copy, dataset)` may change while `graph` stays as it was, made in time
    proportional to what the dataset touches: networkx's outer dicts are copied, and below them only the
    dicts `_apply` changes in place (the attributes of the dataset's nodes, and the adjacency of its relationships'
    starts and ends); the rest, the edges' key and data dicts among it, is shared with `graph`, and never changed."""
    copy = nx.MultiDiGraph()
    copy.graph.update(graph.graph)
    copy._node = dict(graph._node)
    copy._adj = dict(graph._adj)  # networkx keeps `_succ` the same dict as `_adj`
    copy._pred = dict(graph._pred)
    for name in {str(NodeRef.of(node)) for node in dataset.nodes} & graph._node.keys():
        copy._node[name] = dict(graph._node[name])
    starts = {str(rel.start) for rel in dataset.relationships} | {str(ref) for ref, _ in dataset.replaces}
    ends = {str(rel.end) for rel in dataset.relationships}
    for end in ends & graph._pred.keys():
        copy._pred[end] = dict(graph._pred[end])
    for start in starts & graph._adj.keys():
        copy._adj[start] = dict(graph._adj[start])
        for end in copy._adj[start]:  # a stale edge of the start is dropped at its end too
            if copy._pred[end] is graph._pred[end]:
                copy._pred[end] = dict(graph._pred[end])
    return copy


def _apply(graph: nx.MultiDiGraph, dataset: Dataset, summary: LoadSummary, progress: Progress | None) -> None:
    """Write the dataset into the graph (a copy of the store's), counting what changed; raise DataError, and
    leave the copy to be thrown away, if a relationship points nowhere."""
    edges = _Edges(graph)
    for node in dataset.nodes:
        ref = edges.name(NodeRef.of(node))
        old = graph.nodes[ref]["node"] if ref in graph else None
        if old is not None and old.updated_at is not None and node.updated_at is None:
            node = old  # the seeds never overwrite what an import wrote (as on Neo4j)
        summary.add(label_of(node), "created" if old is None else "unchanged" if old == node else "updated")
        graph.add_node(ref, node=node)
    if progress is not None:
        progress(len(dataset.nodes))
    missing = sorted(
        {str(ref) for rel in dataset.relationships for ref in (rel.start, rel.end) if str(ref) not in graph}
    )
    if missing:
        raise DataError(f"relationships point to {len(missing)} unknown nodes, e.g. {', '.join(missing[:5])}")
    replaced = {(str(ref), type_) for ref, type_ in dataset.replaces}
    listed = {
        (str(rel.start), rel.type, str(rel.end), rel.identity)
        for rel in dataset.relationships
        if (str(rel.start), rel.type) in replaced
    }
    for replaced_ref, type_ in dataset.replaces:
        start = str(replaced_ref)
        if start in graph:
            stale = [
                (end, key)
                for _, end, key, data in graph.out_edges(start, keys=True, data=True)
                if data["type"] == type_ and (start, type_, end, key) not in listed
            ]
            for end, key in stale:
                edges.drop(start, end, key)
    for rel in dataset.relationships:
        start, end = edges.name(rel.start), edges.name(rel.end)
        data: dict[str, object] = {"type": rel.type, "source": rel.source, **rel.properties}
        if "updated_at" not in rel.properties and graph._node[start]["node"].updated_at is not None:
            summary.add(rel.type, "unchanged")  # an import wrote the start node: its relationships are the import's
            continue
        old = graph.get_edge_data(start, end, rel.identity)
        summary.add(rel.type, "created" if old is None else "unchanged" if old == data else "updated")
        edges.put(start, end, rel.identity, data)
    nx._clear_cache(graph)
    if progress is not None:
        progress(len(dataset.relationships))


class _Edges:
    """Writes a graph's edges, never changing a key or data dict in place (a new one replaces it), so that equal ones
    are shared: a million places' `LOCATED_IN` and `OFFERS` are a few dozen objects, not four million dicts and
    tuples, and the ends' names are the graph's own strings, not a new pair for every relationship."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self._graph = graph
        self._names: dict[str, str] = {}
        self._shared: dict[object, Any] = {}

    def name(self, ref: NodeRef) -> str:
        text = str(ref)
        return self._names.setdefault(text, text)

    def put(self, start: str, end: str, key: object, data: dict[str, object]) -> None:
        """Add the edge, or replace its data."""
        data = self._share(("data", *data.items()), data)
        keys = self._graph._adj[start].get(end)
        if keys is None or keys.keys() == {key}:
            keys = self._share(("keys", key, id(data)), {key: data})
        else:
            keys = {**keys, key: data}
        self._graph._adj[start][end] = self._graph._pred[end][start] = keys

    def drop(self, start: str, end: str, key: object) -> None:
        rest = {other: data for other, data in self._graph._adj[start][end].items() if other != key}
        if rest:
            self._graph._adj[start][end] = self._graph._pred[end][start] = rest
        else:
            del self._graph._adj[start][end], self._graph._pred[end][start]

    def _share(self, identity: object, made: T) -> T:
        return self._shared.setdefault(identity, made)  # type: ignore[no-any-return]


NOTHING_OFFERED: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def _offers(graph: nx.MultiDiGraph, activities: Sequence[Node]) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Each meeting place's key, for those that offer any activity, to the keys of the activities it offers and
    of the tasks they serve; read from the activities' side, where there are few nodes to visit. Places that offer
    the same activities share one pair of sets, and the keys are the places' own strings: a million places offer a
    few dozen mixes."""
    offered: dict[str, frozenset[str]] = {}
    mixes: dict[frozenset[str], frozenset[str]] = {}
    serves: dict[str, frozenset[str]] = {}
    for activity in activities:
        ref = f"Activity:{activity.key}"
        tasks = (end for _, end, data in graph.out_edges(ref, data=True) if data["type"] == "SERVES_TASK")
        serves[activity.key] = frozenset(end.partition(":")[2] for end in tasks)
        for start, _, data in graph.in_edges(ref, data=True):
            if data["type"] == "OFFERS" and start.startswith("MeetingPlace:"):
                mix = offered.get(start, frozenset()) | {activity.key}
                offered[start] = mixes.setdefault(mix, mix)
    pairs = {mix: (mix, frozenset().union(*(serves[key] for key in mix))) for mix in mixes}
    return {graph._node[place]["node"].key: pairs[mix] for place, mix in offered.items()}


def _municipalities(graph: nx.MultiDiGraph, places: Sequence[MeetingPlace]) -> tuple[list[str], np.ndarray]:
    """The keys of the municipalities the places are `LOCATED_IN`, and each place's as a position among them (-1 for
    none), read from the places' side: a place has a few relationships, a municipality thousands of places."""
    keys: dict[str, int] = {}
    found = np.full(len(places), -1, dtype=np.int32)
    for position, place in enumerate(places):
        for end, edges in graph._adj[f"MeetingPlace:{place.key}"].items():
            if end.startswith("Municipality:") and any(data["type"] == "LOCATED_IN" for data in edges.values()):
                found[position] = keys.setdefault(end.partition(":")[2], len(keys))
                break
    return list(keys), found


@dataclasses.dataclass(frozen=True, slots=True)
class Placed:
    """The meeting places a graph serves (withdrawn ones left out), in key order, and the same as arrays: the
    kd-tree, coordinates, kinds and demo flags, and for each activity and task which places offer it. One per graph,
    replaced whole, so that a search still running when a load swaps the graph reads the graph it started on."""

    places: list[MeetingPlace]
    index: PointIndex
    arrays: PlaceArrays
    offering: dict[str, np.ndarray]
    serving: dict[str, np.ndarray]
    municipalities: list[str]
    municipality: np.ndarray
    """Each place's municipality (where it is `LOCATED_IN`) as a position in `municipalities`, -1 for none."""
    grouped: dict[int, tuple[np.ndarray, np.ndarray]] = dataclasses.field(default_factory=dict)
    """The places' cells by tile zoom (`group`), for the last `CACHED_ZOOMS` zooms asked."""

    @classmethod
    def of(
        cls,
        places: list[MeetingPlace],
        offers: Mapping[str, tuple[frozenset[str], frozenset[str]]],
        municipalities: list[str],
        municipality: np.ndarray,
    ) -> Placed:
        index = PointIndex.of([place.location for place in places])
        kinds = np.array([KIND_CODES[place.kind] for place in places], dtype=np.int8)
        arrays = PlaceArrays(index.lats, index.lons, kinds, np.array([p.is_demo for p in places], dtype=bool))
        offering: dict[str, np.ndarray] = {}
        serving: dict[str, np.ndarray] = {}
        for position, place in enumerate(places):
            activities, tasks = offers.get(place.key, NOTHING_OFFERED)
            for keys, masks in ((activities, offering), (tasks, serving)):
                for key in keys:
                    if key not in masks:
                        masks[key] = np.zeros(len(places), dtype=bool)
                    masks[key][position] = True
        return cls(places, index, arrays, offering, serving, municipalities, municipality)

    def kept(self, chosen: PlaceFilter, positions: np.ndarray) -> np.ndarray:
        """Which of the places at these positions `chosen` keeps: `PlaceFilter.keeps` over the arrays, but for the
        opening hours, asked of the places the rest keeps."""
        kept = np.ones(len(positions), dtype=bool)
        if chosen.kinds is not None:
            kept &= np.isin(self.arrays.kinds[positions], [KIND_CODES[kind] for kind in chosen.kinds])
        for keys, masks in ((chosen.activities, self.offering), (chosen.tasks, self.serving)):
            if keys is not None:
                kept &= np.logical_or.reduce([masks[key][positions] for key in keys if key in masks] or [False])
        if chosen.open_at is not None:
            survivors = np.flatnonzero(kept)
            kept[survivors] = [is_open_at(self.places[i], chosen.open_at) for i in positions[survivors]]
        return kept

    def clusters(self, positions: np.ndarray, zoom: int) -> Clusters:
        """The places at these positions counted per cell at the map's zoom; every place's cell is found once a
        zoom (`grouped`), and the whole country's clusters gather nothing."""
        z = zoom + CELL_LEVELS
        grouped = self.grouped.get(z)
        if grouped is None:
            if len(self.grouped) >= CACHED_ZOOMS:
                self.grouped.pop(next(iter(self.grouped)), None)  # the zoom asked first
            grouped = self.grouped[z] = group(cells_of(self.arrays, z), z)
        cells, inverse = grouped
        if len(positions) < len(self.places):
            return Clusters.counted(
                self.arrays.at(positions), zoom, lambda i: self.places[positions[i]], (cells, inverse[positions])
            )
        return Clusters.counted(self.arrays, zoom, self.places.__getitem__, grouped)

    def positions(self, bounds: Bounds, chosen: PlaceFilter) -> np.ndarray:
        """The positions, in key order, of the places inside the box that `chosen` keeps."""
        found = np.flatnonzero(inside(bounds, self.arrays.lats, self.arrays.lons))
        return found[self.kept(chosen, found)] if chosen.restricts else found


def _properties(data: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in data.items() if name != "type"}
