"""The one interface every backend implements; resolvers see nothing else.

Like httpx's transport base class it is small: the reads the API needs, a batch load, and open/close.
All methods are async so that a networked backend never blocks the event loop.
"""

from __future__ import annotations

import abc
import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from graph_api.errors import InputError
from graph_api.geo.clusters import MAX_CLUSTERED, Clusters
from graph_api.geo.index import PointIndex
from graph_api.hours import is_open
from graph_api.models import (
    NODE_TYPES,
    RELATIONSHIP_TYPES,
    Agreement,
    ApiKey,
    Bounds,
    Change,
    Dataset,
    Edge,
    Hop,
    ImportRecord,
    Link,
    MeetingPlace,
    MeetingPlaceKind,
    NearbyHit,
    Node,
    NodeRef,
    Point,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PlaceFilter:
    """Which meeting places a question keeps: AND across the fields, OR within one; None keeps all.

    A place is kept when it is of one of `kinds`, offers one of `activities` (Activity keys), offers an
    activity that serves one of `tasks` (FamilyCentreTask keys), and is open at `open_at` (`is_open_at`).
    Kinds and offers are filtered by the backend where it keeps the graph (in Cypher on Neo4j); opening hours
    in Python, by the one rule of `graph_api.hours`.
    """

    kinds: frozenset[MeetingPlaceKind] | None = None
    activities: frozenset[str] | None = None
    tasks: frozenset[str] | None = None
    open_at: datetime.datetime | None = None

    @property
    def restricts(self) -> bool:
        """Whether it keeps fewer than all meeting places (and so no node that is not one)."""
        return self != EVERY_PLACE

    def keeps(self, place: MeetingPlace, activities: frozenset[str], tasks: frozenset[str]) -> bool:
        """Whether it keeps the place, which offers those activities, serving those tasks."""
        return (
            (self.kinds is None or place.kind in self.kinds)
            and (self.activities is None or not self.activities.isdisjoint(activities))
            and (self.tasks is None or not self.tasks.isdisjoint(tasks))
            and is_open_at(place, self.open_at)
        )


EVERY_PLACE = PlaceFilter()


@dataclass(frozen=True, slots=True)
class PlaceSpread:
    """Where the meeting places a filter keeps are, for measuring over all of them at once: their coordinates as
    arrays in key order, whether any is demo, and how many are located in each municipality (by its key; those with
    none left out). Coverage reads a million places this way, not as a million objects."""

    lats: np.ndarray
    lons: np.ndarray
    is_demo: bool
    located: Mapping[str, int]
    index: PointIndex | None = None
    """The kd-tree of these places, when the store keeps one already (the embedded store, of every place): building
    one over a million places takes a second."""

    @classmethod
    def of(cls, places: Sequence[MeetingPlace], located: Mapping[str, int]) -> PlaceSpread:
        count = len(places)
        return cls(
            np.fromiter((p.location.lat for p in places), float, count),
            np.fromiter((p.location.lon for p in places), float, count),
            any(place.is_demo for place in places),
            located,
        )

    def __len__(self) -> int:
        return len(self.lats)


@dataclass(frozen=True, slots=True)
class NodeQuery:
    """A page of one label's nodes in key order (all of them when `first` is None).

    `keys` restricts to those keys, `places` to the meeting places it keeps (and to no other node when it
    restricts), `search` to nodes one of whose names contains the folded text (see `graph_api.text.fold`),
    `source` to nodes from that source; withdrawn nodes are left out unless `include_withdrawn`.
    `after` is the last key of the previous page.
    """

    first: int | None
    after: str | None = None
    keys: frozenset[str] | None = None
    places: PlaceFilter = EVERY_PLACE
    search: str | None = None
    source: str | None = None
    include_withdrawn: bool = False


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total_count: int
    has_next_page: bool


def page_of(matches: Sequence[Node], query: NodeQuery) -> Page[Node]:
    """The query's page of all its matches, given in key order."""
    rest = [node for node in matches if query.after is None or node.key > query.after]
    has_next = query.first is not None and len(rest) > query.first
    return Page(items=rest[: query.first], total_count=len(matches), has_next_page=has_next)


def imports_page(records: Sequence[ImportRecord], first: int | None, after: int | None) -> Page[ImportRecord]:
    """Imports newest first; `after` is the number of the last one of the previous page."""
    rest = [r for r in sorted(records, key=lambda r: -r.number) if after is None or r.number < after]
    has_next = first is not None and len(rest) > first
    return Page(items=rest[:first], total_count=len(records), has_next_page=has_next)


def matches_query(node: Node, query: NodeQuery) -> bool:
    """Whether the node passes the query's provenance filters (its source, whether it is withdrawn)."""
    return (query.source is None or node.source == query.source) and (query.include_withdrawn or not node.is_withdrawn)


def is_open_at(node: Node, moment: datetime.datetime | None) -> bool:
    """True when no moment is asked, or the node is a meeting place that its schedules have open then, on a
    date none of its closures covers.

    The one opening rule both stores apply, in Python (`graph_api.hours`), never restated in a query language.
    """
    return moment is None or (
        isinstance(node, MeetingPlace) and is_open(node.schedules, moment, closures=node.closures)
    )


@dataclass(frozen=True, slots=True)
class ChangeQuery:
    """A page of the audit, newest first: changes to `node`, made for `organisation`, at or after `since`.
    `after` is the number of the last change of the previous page."""

    first: int | None
    after: int | None = None
    node: str | None = None
    organisation: str | None = None
    since: datetime.datetime | None = None


def changes_page(changes: Iterable[Change], query: ChangeQuery) -> Page[Change]:
    """The query's page of all the changes kept, in any order."""
    matches = sorted(
        (
            change
            for change in changes
            if (query.node is None or change.node == query.node)
            and (query.organisation is None or change.organisation == query.organisation)
            and (query.since is None or change.at >= query.since)
        ),
        key=lambda change: -change.number,
    )
    rest = [change for change in matches if query.after is None or change.number < query.after]
    has_next = query.first is not None and len(rest) > query.first
    return Page(items=rest[: query.first], total_count=len(matches), has_next_page=has_next)


@dataclass(frozen=True, slots=True)
class PlacesInBounds:
    total_count: int
    places: list[MeetingPlace] = field(default_factory=list)


CHANGES = ("created", "updated", "unchanged")

Progress = Callable[[int], None]
"""Called with the number of rows written since the last call, as a load goes on."""


@dataclass(frozen=True, slots=True)
class LoadSummary:
    """What a load did, per node label and relationship type: rows created, updated and left unchanged."""

    changes: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, name: str, change: str, count: int = 1) -> None:
        self.changes.setdefault(name, Counter())[change] += count

    def total(self, change: str, names: Iterable[str] | None = None) -> int:
        return sum(self.changes[n][change] for n in (self.changes if names is None else names) if n in self.changes)

    @property
    def nodes(self) -> int:
        return sum(self.total(change, NODE_TYPES) for change in CHANGES)

    @property
    def relationships(self) -> int:
        return sum(self.total(change, RELATIONSHIP_TYPES) for change in CHANGES)


class GraphStore(abc.ABC):
    """A graph of the partnership network, read by the API and written by the loaders."""

    name: str
    generation: int = 0
    """How many loads and imports this process has made into the store (or taken in from others): what is derived
    from its data (the cost limit's figures) is measured again when it changes. A partner's edit does not count:
    it moves the figures by a node or two, and measuring the whole graph again after each would stall the next
    request; they catch up within the figures' age limit (`DataSizesCache.max_age_s`)."""

    async def open(self) -> None:
        """Connect and prepare; called once before the first request."""
        return None

    async def close(self) -> None:
        """Release connections; called once at shutdown."""
        return None

    @abc.abstractmethod
    async def ping(self) -> None:
        """Return if the store can answer queries, raise `StoreUnavailable` if not."""

    async def refresh(self) -> None:
        """Take in what other processes wrote since the store was loaded; nothing to do on a shared database."""
        return None

    @abc.abstractmethod
    async def data_version(self) -> int | None:
        """A number that changes with every change the store takes, after it is visible to reads: loads,
        imports, edits, and what it takes in from other processes; what the response cache is keyed by. None
        when the backend cannot tell cheaply (answers are then never cached)."""

    @abc.abstractmethod
    async def load(
        self,
        dataset: Dataset,
        progress: Progress | None = None,
        record: ImportRecord | None = None,
        *,
        expected: Mapping[NodeRef, int] | None = None,
        changes: Sequence[Change] = (),
    ) -> LoadSummary:
        """Upsert the dataset as a whole, or write nothing and raise `DataError` (e.g. a dangling relationship).

        Nodes are matched by label and key, relationships by their identity (`Relationship.identity`);
        a match's properties are replaced whole (but a node without `updated_at`, as the seeds give it, never
        replaces one an import wrote), and the pairs in `dataset.replaces` lose the relationships
        the dataset no longer lists.

        A write that is kept (an import's `record`, or an edit's audit `changes`) is written with them in one
        transaction, and the call returns once all is durable. With `expected`, each node named must be at that
        version (0: must not exist) when the transaction writes, or nothing is written and `VersionConflict`
        is raised: the writer's compare-and-set, safe between concurrent writers and processes.
        """

    @abc.abstractmethod
    async def imports(self, first: int | None, after: int | None = None) -> Page[ImportRecord]:
        """The imports applied to the store, newest first, a page at a time (see `imports_page`)."""

    @abc.abstractmethod
    async def changes(self, query: ChangeQuery) -> Page[Change]:
        """The audit, newest first, a page at a time: every change kept by `load`."""

    @abc.abstractmethod
    async def add_key(self, key: ApiKey) -> None:
        """Keep a new API key (its id is new; `DataError` if not)."""

    @abc.abstractmethod
    async def api_key(self, key_id: str) -> ApiKey | None:
        """The key with this id as kept now (revoked or not), read afresh: revocation is seen at once,
        also when another process revoked it."""

    @abc.abstractmethod
    async def api_keys(self) -> list[ApiKey]:
        """Every key, revoked ones too, oldest first."""

    @abc.abstractmethod
    async def revoke_key(self, key_id: str, at: datetime.datetime) -> ApiKey | None:
        """Mark the key revoked at `at` (a key revoked already keeps its time); None if there is no such key."""

    @abc.abstractmethod
    async def get_many(self, refs: Sequence[NodeRef]) -> list[Node | None]:
        """The nodes in the order asked, None for each that does not exist."""

    @abc.abstractmethod
    async def traverse_many(self, refs: Sequence[NodeRef], path: Sequence[Hop]) -> list[list[Link]]:
        """For each start node, the distinct nodes at the end of the path, in key order.

        Each link carries the properties of the path's last relationship.
        """

    @abc.abstractmethod
    async def find(self, label: str, query: NodeQuery) -> Page[Node]:
        """One page of a label's nodes, filtered as the query says."""

    async def every(self, label: str) -> list[Node]:
        """Every node of a label in key order, withdrawn ones left out: `find` without a page."""
        return (await self.find(label, NodeQuery(first=None))).items

    @abc.abstractmethod
    async def nearby(
        self,
        center: Point,
        radius_km: float,
        limit: int,
        places: PlaceFilter = EVERY_PLACE,
    ) -> list[NearbyHit]:
        """Meeting places within the geodesic radius that `places` keeps, nearest first (ties by key), at most
        `limit`; never withdrawn ones, nor in `in_bounds`."""

    @abc.abstractmethod
    async def in_bounds(
        self,
        bounds: Bounds,
        limit: int,
        places: PlaceFilter = EVERY_PLACE,
    ) -> PlacesInBounds:
        """Meeting places inside the box that `places` keeps, in key order, at most `limit`, and how many there
        are in all."""

    @abc.abstractmethod
    async def place_spread(self, places: PlaceFilter) -> PlaceSpread:
        """The meeting places that `places` keeps, withdrawn ones left out, as a `PlaceSpread`; a place counts in
        the municipality it is `LOCATED_IN`. Asked by kinds and offers only: opening hours raise ValueError."""

    async def place_clusters(self, bounds: Bounds, zoom: int, places: PlaceFilter = EVERY_PLACE) -> Clusters:
        """The meeting places inside the box that `places` keeps, counted per cell at the map's `zoom`.

        Here from `in_bounds`' places, so a view with more than `MAX_CLUSTERED` is refused; a store that holds
        the places as arrays counts them there, all of them (`PlaceArrays`), the same way.
        """
        found = await self.in_bounds(bounds, MAX_CLUSTERED, places)
        if found.total_count > len(found.places):
            raise InputError(
                "bounds", f"holds {found.total_count} places, more than the {MAX_CLUSTERED} that clusters counts"
            )
        return Clusters.of(found.places, zoom)

    @abc.abstractmethod
    async def agreements(self, year: int | None, involving: Sequence[NodeRef] | None = None) -> list[Agreement]:
        """Agreements in force at some time in `year` (all when None), by district, party and start.

        With `involving`, only those whose district or party is one of these nodes.
        """

    @abc.abstractmethod
    async def relationships_of(self, refs: Sequence[NodeRef], types: frozenset[str] | None = None) -> list[Edge]:
        """Every relationship touching any of the nodes, either way, once each, in `Edge.order`.

        With `types`, only relationships of those types. Relations, paths and network figures are all built
        from this (in `graph_api.analysis`), so every backend gives them alike.
        """
