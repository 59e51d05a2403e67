"""A `GraphStore` that times every call of the store it wraps, as httpx transports wrap one another.

Resolvers still see a `GraphStore`; the histogram gets each call's seconds by backend and operation,
failed calls included (an unavailable Neo4j shows as calls that take its connection timeout).
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Awaitable, Mapping, Sequence
from typing import TypeVar

from prometheus_client import Histogram

from graph_api.geo.clusters import Clusters
from graph_api.models import (
    Agreement,
    ApiKey,
    Bounds,
    Change,
    Dataset,
    Edge,
    Hop,
    ImportRecord,
    Link,
    NearbyHit,
    Node,
    NodeRef,
    Point,
)
from graph_api.observability.metrics import Children
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
)

T = TypeVar("T")


class InstrumentedStore(GraphStore):
    """Delegates to `inner`, observing each call in `seconds` (labels: backend, operation)."""

    def __init__(self, inner: GraphStore, seconds: Histogram) -> None:
        self.inner = inner
        self.name = inner.name
        self._seconds = Children(seconds)

    async def _timed(self, operation: str, call: Awaitable[T]) -> T:
        started = time.perf_counter()
        try:
            return await call
        finally:
            self._seconds(self.name, operation).observe(time.perf_counter() - started)

    async def open(self) -> None:
        await self.inner.open()

    async def close(self) -> None:
        await self.inner.close()

    async def ping(self) -> None:
        await self._timed("ping", self.inner.ping())

    async def refresh(self) -> None:
        await self._timed("refresh", self.inner.refresh())

    async def data_version(self) -> int | None:
        return await self.inner.data_version()

    async def load(
        self,
        dataset: Dataset,
        progress: Progress | None = None,
        record: ImportRecord | None = None,
        *,
        expected: Mapping[NodeRef, int] | None = None,
        changes: Sequence[Change] = (),
    ) -> LoadSummary:
        return await self._timed("load", self.inner.load(dataset, progress, record, expected=expected, changes=changes))

    async def imports(self, first: int | None, after: int | None = None) -> Page[ImportRecord]:
        return await self._timed("imports", self.inner.imports(first, after))

    async def changes(self, query: ChangeQuery) -> Page[Change]:
        return await self._timed("changes", self.inner.changes(query))

    async def add_key(self, key: ApiKey) -> None:
        await self._timed("add_key", self.inner.add_key(key))

    async def api_key(self, key_id: str) -> ApiKey | None:
        return await self._timed("api_key", self.inner.api_key(key_id))

    async def api_keys(self) -> list[ApiKey]:
        return await self._timed("api_keys", self.inner.api_keys())

    async def revoke_key(self, key_id: str, at: datetime.datetime) -> ApiKey | None:
        return await self._timed("revoke_key", self.inner.revoke_key(key_id, at))

    async def get_many(self, refs: Sequence[NodeRef]) -> list[Node | None]:
        return await self._timed("get_many", self.inner.get_many(refs))

    async def traverse_many(self, refs: Sequence[NodeRef], path: Sequence[Hop]) -> list[list[Link]]:
        return await self._timed("traverse_many", self.inner.traverse_many(refs, path))

    async def find(self, label: str, query: NodeQuery) -> Page[Node]:
        return await self._timed("find", self.inner.find(label, query))

    async def nearby(
        self,
        center: Point,
        radius_km: float,
        limit: int,
        places: PlaceFilter = EVERY_PLACE,
    ) -> list[NearbyHit]:
        return await self._timed("nearby", self.inner.nearby(center, radius_km, limit, places))

    async def in_bounds(
        self,
        bounds: Bounds,
        limit: int,
        places: PlaceFilter = EVERY_PLACE,
    ) -> PlacesInBounds:
        return await self._timed("in_bounds", self.inner.in_bounds(bounds, limit, places))

    async def place_clusters(self, bounds: Bounds, zoom: int, places: PlaceFilter = EVERY_PLACE) -> Clusters:
        return await self._timed("place_clusters", self.inner.place_clusters(bounds, zoom, places))

    async def place_spread(self, places: PlaceFilter) -> PlaceSpread:
        return await self._timed("place_spread", self.inner.place_spread(places))

    async def agreements(self, year: int | None, involving: Sequence[NodeRef] | None = None) -> list[Agreement]:
        return await self._timed("agreements", self.inner.agreements(year, involving))

    async def relationships_of(self, refs: Sequence[NodeRef], types: frozenset[str] | None = None) -> list[Edge]:
        return await self._timed("relationships_of", self.inner.relationships_of(refs, types))
