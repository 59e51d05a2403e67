"""The production store: Neo4j 5.26 over Bolt, through the official async driver.

Each node type is a label with a uniqueness constraint on `key`; meeting places carry a WGS-84 `location`
under a POINT index. Loads run in one explicit transaction (`UNWIND` + `MERGE`, in batches of fixed query texts,
one a label and one a relationship type and its end labels), so a failed load writes nothing; `bulk_load` commits
each batch by itself, for a million generated rows. Every read is one auto-commit query: its RUN and PULL go out
together and come back in one round trip (a managed transaction adds BEGIN and COMMIT, two more). Every query is
parameterised: the only text put into Cypher are labels and relationship types, and those come from the allowlists
in `graph_api.models`, never from a request. `bolt://` URIs talk to one server; `neo4j://` URIs route by the
routing table the server gives (a cluster's members; one server is all of them in its own table).

Distances: the point index finds candidates by `point.distance` (a haversine on a sphere of radius
6,378,140 m) in a radius widened by `MARGIN`; the exact geodesic then filters and orders them, so the
answers equal the embedded store's. The index has no k-nearest search, so `nearby`'s one query first finds how
far the `limit` nearest by `point.distance` lie, widening its search from 100 m until it holds them (not ordering
every place in the radius), then fetches every place within that distance widened by `MARGIN` twice: every place
nearer by geodesic than the farthest of them lies within it.

Opening hours. A meeting place's schedules are the node's `schedules` property: a list of strings, each one
schedule's HSDS columns as JSON (`Schedule.to_hsds`), absent when there are none. Neo4j properties hold no
maps, and parallel lists could not hold a missing `valid_to` (lists take no nulls); JSON texts round-trip
exactly and read plainly in Neo4j Browser. Its exceptional closures are the `closures` property, likewise a
list of JSON texts (`Closure.to_json`), absent when there are none. Whether a place is open is decided by the
one rule in `graph_api.hours`, in Python on the nodes Cypher returns, never restated in Cypher, so both stores
always agree. The price is in what crosses the wire when `open_at` is asked: `nearby` fetches every place within
the radius asked to keep the open ones, `in_bounds` fetches every place in the box to count the open ones, and `find`
fetches every match to page over the open ones. With the seeds that is at most the 575 meeting places, small
nodes; kinds, keys and names are still filtered in Cypher.

Two budgets. `timeout_s` bounds reaching Neo4j: the driver's own retries (30 s by default) are off, and
a read that fails for a reason worth retrying (refused or dropped connection, a leader switch) is retried
here only while that deadline allows, each connection attempt itself bounded; so while Neo4j is down or
unreachable a read raises `StoreUnavailable` within `timeout_s`, and the next read after Neo4j is back
simply succeeds. `query_timeout_s` bounds a read on a Neo4j that answers (a freshly started server plans
its first queries slowly), and also cuts a connection that stays open but falls silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import enum
import functools
import json
import typing
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, LiteralString, TypeVar, cast

import numpy as np
from neo4j import (
    READ_ACCESS,
    WRITE_ACCESS,
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncSession,
    AsyncTransaction,
    NotificationDisabledClassification,
)
from neo4j.exceptions import AuthError, ClientError, DriverError, ServiceUnavailable, SessionExpired, TransientError
from neo4j.spatial import WGS84Point

from graph_api.cancellation import in_worker_if_large
from graph_api.errors import DataError, StoreUnavailable, VersionConflict
from graph_api.geo.index import MARGIN, location_of, nearest
from graph_api.hours import Closure, Schedule
from graph_api.models import (
    DEMO_SOURCE,
    IDENTIFYING_PROPERTIES,
    NODE_TYPES,
    RELATIONSHIP_TYPES,
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
    Relationship,
    defaulted_fields,
    field_types,
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
    is_open_at,
    page_of,
)
from graph_api.store.encoding import fields_from_json, fields_to_json
from graph_api.text import fold

BATCH_SIZE = 1000
RETRY_PAUSE_S = 0.1
LIVENESS_CHECK_S = 1.0
FINLAND_BOX = ([19.0, 59.0], [32.0, 71.0])
SCHEDULES = tuple[Schedule, ...]
"""The type of `MeetingPlace.schedules`, stored as JSON texts (see the module's docstring)."""
CLOSURES = tuple[Closure, ...]
"""The type of `MeetingPlace.closures`, stored as JSON texts too."""
SCHEDULE_CACHE_SIZE = 65536
T = TypeVar("T")
CONSTRAINT_FAILED = "Neo.ClientError.Schema.ConstraintValidationFailed"

PLACE_CONDITIONS: dict[str, LiteralString] = {
    "kinds": "n.kind IN $kinds",
    "activities": "EXISTS { MATCH (n)-[:OFFERS]->(a:Activity) WHERE a.key IN $activities }",
    "tasks": "EXISTS { MATCH (n)-[:OFFERS]->(:Activity)-[:SERVES_TASK]->(t:FamilyCentreTask) WHERE t.key IN $tasks }",
}
"""`PlaceFilter`'s kinds and offers, each a condition on the meeting place `n`, named by its parameter (see
`_place_parameters`)."""
PLACES_KEPT: LiteralString = "".join(f"AND (${name} IS NULL OR {cond}) " for name, cond in PLACE_CONDITIONS.items())
"""Every condition, each skipped when its parameter is null: one fixed text for the proximity queries."""
PLACE_SPREAD_QUERY: LiteralString = (
    "MATCH (n:MeetingPlace) WHERE n.withdrawn_at IS NULL " + PLACES_KEPT + "WITH n ORDER BY n.key "
    "RETURN collect(n.location.latitude) AS lats, collect(n.location.longitude) AS lons, "
    "count(CASE WHEN n.source = $demo THEN 1 END) > 0 AS demo"
)
"""`place_spread`'s coordinates, in key order, and whether any is demo."""
PLACES_LOCATED_QUERY: LiteralString = (
    "MATCH (n:MeetingPlace)-[:LOCATED_IN]->(m:Municipality) WHERE n.withdrawn_at IS NULL "
    + PLACES_KEPT
    + "RETURN m.key AS key, count(DISTINCT n) AS places"
)
"""`place_spread`'s count of places in each municipality."""
# Each MATCH served by the POINT index (the indexed property is the first argument; see tests/store/test_neo4j.py).
NEARBY_REACHES: LiteralString = "[i IN range(0, 24) WHERE 100.0 * 2 ^ i < $meters | 100.0 * 2 ^ i] + $meters"
"""The radii `NEARBY_QUERY` tries for the `$take` nearest, in metres: from 100 m, doubling, up to `$meters`."""
NEARBY_QUERY: LiteralString = (
    "CALL () { UNWIND " + NEARBY_REACHES + " AS r "
    "CALL (r) { MATCH (n:MeetingPlace) WHERE point.distance(n.location, $center) <= r "
    + PLACES_KEPT
    + "AND n.withdrawn_at IS NULL WITH n LIMIT coalesce($take, 0) RETURN count(*) AS found } "
    "WITH r, found WHERE found >= $take OR r >= $meters RETURN r LIMIT 1 } "
    "CALL (r) { MATCH (n:MeetingPlace) WHERE $take IS NOT NULL AND point.distance(n.location, $center) <= r "
    + PLACES_KEPT
    + "AND n.withdrawn_at IS NULL "
    "WITH point.distance(n.location, $center) AS meters ORDER BY meters LIMIT coalesce($take, 0) "
    "RETURN count(*) AS found, max(meters) AS farthest } "
    "WITH CASE WHEN $take IS NULL OR found < $take THEN $meters ELSE farthest * $margin END AS reach "
    "MATCH (n:MeetingPlace) WHERE point.distance(n.location, $center) <= reach "
    + PLACES_KEPT
    + "AND n.withdrawn_at IS NULL "
    "WITH n, point.distance(n.location, $center) AS meters ORDER BY n.key "
    "RETURN collect([properties(n), meters]) AS places"
)
"""The places within `$meters` that may be among the `$take` nearest by geodesic, as [properties, metres] in key
order, in one round trip and one record (a record a place cost the driver a third more). The index has
no k-nearest search, and ordering every place within a large radius by distance read them all (13.7 ms at 1,000 km
over 10,000 places). So the first part finds the smallest of `NEARBY_REACHES` holding `$take` places (or `$meters`),
each try stopping at the `$take`-th place the index gives and the tries stopping at the first that holds them all
(Cypher pulls rows lazily, so `LIMIT 1` ends the `UNWIND`); the second orders only the places within that radius
to find how far the `$take` nearest lie; the last fetches those within that distance times `$margin` (every place
nearer by geodesic than the farthest of them is within it). With `$take` null, every place within `$meters`."""
IMPORTS_QUERY: LiteralString = (
    "MATCH (i:Import) WITH i ORDER BY i.number DESC WITH collect(i) AS found "
    "WITH size(found) AS total, [i IN found WHERE $after IS NULL OR i.number < $after] AS rest "
    "RETURN total, [i IN CASE WHEN $take IS NULL THEN rest ELSE rest[0..$take] END | properties(i)] AS imports, "
    "size(rest) AS remaining"
)
RECORD_IMPORT: LiteralString = (
    "OPTIONAL MATCH (old:Import) WITH coalesce(max(old.number), 0) AS floor "
    "MERGE (s:Sequence {name: 'Import'}) SET s._lock = true REMOVE s._lock "
    "WITH s, coalesce(s.value, floor) + 1 AS number SET s.value = number "
    "CREATE (i:Import {number: number, at: $at, source: $source, by: $by, summary: $summary}) RETURN number"
)
RECORD_CHANGES: LiteralString = (
    "MERGE (s:Sequence {name: 'Change'}) SET s._lock = true REMOVE s._lock "
    "WITH s, coalesce(s.value, 0) AS last SET s.value = last + size($rows) "
    "WITH last UNWIND range(0, size($rows) - 1) AS i WITH last + i + 1 AS number, $rows[i] AS row "
    "CREATE (c:Change {number: number, at: row.at, actor: row.actor, organisation: row.organisation, "
    "operation: row.operation, node: row.node, fields: row.fields, request_id: row.request_id, version: row.version})"
)
"""Numbers come from a `Sequence` node, locked first (Neo4j's documented way to avoid a lost update), so that
concurrent writers never take the same one; imports kept before the sequence existed are counted from."""
CHANGES_QUERY: LiteralString = (
    "MATCH (c:Change) WHERE ($node IS NULL OR c.node = $node) AND ($organisation IS NULL OR c.organisation = "
    "$organisation) AND ($since IS NULL OR c.at >= $since) "
    "WITH c ORDER BY c.number DESC WITH collect(c) AS found "
    "WITH size(found) AS total, [c IN found WHERE $after IS NULL OR c.number < $after] AS rest "
    "RETURN total, [c IN CASE WHEN $take IS NULL THEN rest ELSE rest[0..$take] END | properties(c)] AS changes, "
    "size(rest) AS remaining"
)
API_KEY: LiteralString = "MATCH (k:ApiKey {id: $id}) RETURN properties(k) AS key"
API_KEYS: LiteralString = "MATCH (k:ApiKey) RETURN properties(k) AS key ORDER BY k.created_at, k.id"
ADD_KEY: LiteralString = "CREATE (k:ApiKey $key)"
REVOKE_KEY: LiteralString = (
    "MATCH (k:ApiKey {id: $id}) SET k.revoked_at = coalesce(k.revoked_at, $at) RETURN properties(k) AS key"
)
IN_BOUNDS_QUERY: LiteralString = (
    "MATCH (n:MeetingPlace) WHERE point.withinBBox(n.location, $south_west, $north_east) "
    + PLACES_KEPT
    + "AND n.withdrawn_at IS NULL "
    "WITH n ORDER BY n.key WITH collect(n) AS inside "
    "RETURN size(inside) AS total, "
    "[m IN CASE WHEN $limit IS NULL THEN inside ELSE inside[0..$limit] END | properties(m)] AS nodes"
)

CREATE_NODES: LiteralString = (
    "UNWIND $rows AS row CREATE (n:$(row.label)) SET n = row.properties "
    "RETURN row.label AS label, n.key AS key, elementId(n) AS id"
)
"""Nodes of any label in one text: the label a parameter, from `NODE_TYPES` (checked by `_label`)."""
CREATE_RELATIONSHIPS: LiteralString = (
    "UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.a MATCH (b) WHERE elementId(b) = row.b "
    "CREATE (a)-[r:$(row.type)]->(b) SET r = row.properties"
)
"""Relationships of any type in one text, between nodes found by element id (no label needed for an index)."""


class Neo4jStore(GraphStore):
    """Neo4j over Bolt.

    - `uri`: e.g. `bolt://localhost:7687`, `neo4j://cluster:7687` or `neo4j+s://xxx.databases.neo4j.io`
    - `user`, `password`: credentials
    - `database`: the database to use (`neo4j` by default)
    - `timeout_s`: how long a read may try to reach Neo4j before `StoreUnavailable`
    - `query_timeout_s`: how long a read may run once it has reached Neo4j (loads are not bounded)
    """

    name = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str,
        password: str,
        database: str = "neo4j",
        timeout_s: float = 1.5,
        query_timeout_s: float = 10.0,
    ) -> None:
        self.uri = uri
        self.database = database
        self.timeout_s = timeout_s
        self.query_timeout_s = query_timeout_s
        self._auth = (user, password)
        self._driver: AsyncDriver | None = None
        self._schema_ready = False

    async def open(self) -> None:
        if self._driver is None:
            self._driver = AsyncGraphDatabase.driver(
                self.uri,
                auth=self._auth,
                connection_timeout=self.timeout_s / 3,
                connection_acquisition_timeout=self.timeout_s,
                max_transaction_retry_time=0,
                liveness_check_timeout=LIVENESS_CHECK_S,
                # "property `withdrawn_at` does not exist" until an import withdraws something: not worth a log
                # line on every query (the tests catch a misspelt property)
                notifications_disabled_classifications=[NotificationDisabledClassification.UNRECOGNIZED],
            )

    async def close(self) -> None:
        if self._driver is not None:
            await self._driver.close()
            self._driver = None

    @property
    def driver(self) -> AsyncDriver:
        if self._driver is None:
            raise StoreUnavailable("the Neo4j store is not open")
        return self._driver

    @contextlib.asynccontextmanager
    async def _translated(self, timeout_s: float | None) -> AsyncIterator[None]:
        """The driver's connection errors, and a call that takes too long, as StoreUnavailable."""
        try:
            async with asyncio.timeout(timeout_s):
                yield
        except TimeoutError as exc:
            raise StoreUnavailable(f"Neo4j at {self.uri} did not answer within {timeout_s:g} s") from exc
        except AuthError as exc:
            raise StoreUnavailable(f"Neo4j at {self.uri} refused the credentials: {exc.message}") from exc
        except ClientError as exc:
            if not (exc.code or "").startswith("Neo.ClientError.Database."):
                raise
            raise StoreUnavailable(f"Neo4j at {self.uri} cannot serve {self.database!r}: {exc.message}") from exc
        except (ServiceUnavailable, SessionExpired, TransientError, DriverError, OSError) as exc:
            raise StoreUnavailable(f"Neo4j at {self.uri} is unavailable: {exc}") from exc

    async def _read(self, query: LiteralString, **parameters: Any) -> list[dict[str, Any]]:
        return await self._managed(query, parameters, write=False)

    async def _write_one(self, query: LiteralString, **parameters: Any) -> list[dict[str, Any]]:
        """A small write (an API key's) in its own transaction, bounded and tried again as a read is."""
        return await self._managed(query, parameters, write=True)

    async def _managed(self, query: LiteralString, parameters: dict[str, Any], *, write: bool) -> list[dict[str, Any]]:
        """One auto-commit query: RUN and PULL go out together and come back in one round trip, where a managed
        transaction (`execute_read`, `execute_query`) adds a BEGIN and a COMMIT round trip each."""

        async def attempt() -> list[dict[str, Any]]:
            if write:
                await self.ensure_schema()
            async with self._session(WRITE_ACCESS if write else READ_ACCESS) as session:
                result = await session.run(query, parameters)
                # Not `record.data()`: it copies every value again in Python, recursively, to turn graph objects
                # into dicts; these queries return maps and lists already (a third of a large read's decoding).
                return [dict(record.items()) async for record in result]

        return await self._retried(attempt)

    def _session(self, access: str) -> AsyncSession:
        """A session on the configured database, routed by `access` under `neo4j://`; sessions share the driver's
        bookmarks, so that in a cluster a read after a write (an edit, an import) sees it."""
        return self.driver.session(
            database=self.database,
            default_access_mode=access,
            bookmark_manager=self.driver.execute_query_bookmark_manager,
        )

    async def ping(self) -> None:
        """A read on the configured database, so that a missing database is not reported ready."""
        await self._read("RETURN 1 AS one")

    async def data_version(self) -> None:
        """Unknown: other processes write the same database, and no counter covers every write (a plain load
        bumps none), so answers from Neo4j are never cached: a version read each request would cost a round trip
        as long as most answers."""
        return None

    async def ensure_schema(self) -> None:
        """Uniqueness of every node type's key and the POINT index on meeting places (idempotent); once a process.

        Each statement commits by itself: all in one transaction took a quarter less on a warm server but no less on
        a freshly started one (first loads of 8.5-9.6 s against 4.5-11 s on a shared machine), where each statement
        costs 40-190 ms of planning cold code, 1.5 s of a first load for the 17."""
        if self._schema_ready:
            return
        async with self._session(WRITE_ACCESS) as session:
            for statement in _schema_statements():
                await session.run(statement, min=FINLAND_BOX[0], max=FINLAND_BOX[1])
            await session.run("CALL db.awaitIndexes(60)")
        self._schema_ready = True

    async def load(
        self,
        dataset: Dataset,
        progress: Progress | None = None,
        record: ImportRecord | None = None,
        *,
        expected: Mapping[NodeRef, int] | None = None,
        changes: Sequence[Change] = (),
    ) -> LoadSummary:
        """An edit (`changes` without a `record`) is bounded like a read (`query_timeout_s`) and tried again when
        Neo4j reports a deadlock with another writer; a load or an import runs as long as it takes."""
        if record is not None or not changes:
            async with self._translated(None):
                summary = await self._load(dataset, progress, record, expected or {}, changes)
            self.generation += 1
            return summary
        return await self._retried(lambda: self._load(dataset, progress, record, expected or {}, changes))

    async def _retried(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """The attempt, made again after a passing failure (a deadlock, a dropped connection) while the
        connection budget allows; within `query_timeout_s` in all."""
        clock = asyncio.get_running_loop().time
        # The last attempt must be able to fail (a connection attempt takes up to timeout_s / 3) in time.
        last_start = clock() + self.timeout_s * 2 / 3 - RETRY_PAUSE_S
        async with self._translated(self.query_timeout_s):
            while True:
                try:
                    return await attempt()
                except (ServiceUnavailable, SessionExpired, TransientError):
                    if clock() + RETRY_PAUSE_S > last_start:
                        raise
                    await asyncio.sleep(RETRY_PAUSE_S)

    async def imports(self, first: int | None, after: int | None = None) -> Page[ImportRecord]:
        (found,) = await self._read(IMPORTS_QUERY, after=after, take=first)
        records = [
            ImportRecord(
                at=_native(props)["at"],  # type: ignore[arg-type]
                source=props["source"],
                by=props["by"],
                summary=json.loads(props["summary"]),
                number=props["number"],
            )
            for props in found["imports"]
        ]
        has_next = first is not None and found["remaining"] > first
        return Page(items=records, total_count=found["total"], has_next_page=has_next)

    async def changes(self, query: ChangeQuery) -> Page[Change]:
        (found,) = await self._read(
            CHANGES_QUERY,
            node=query.node,
            organisation=query.organisation,
            since=None if query.since is None else query.since.astimezone(datetime.UTC),  # Neo4j orders by offset too
            after=query.after,
            take=query.first,
        )
        items = [_change(props) for props in found["changes"]]
        has_next = query.first is not None and found["remaining"] > query.first
        return Page(items=items, total_count=found["total"], has_next_page=has_next)

    async def add_key(self, key: ApiKey) -> None:
        try:
            await self._write_one(ADD_KEY, key=_key_row(key))
        except ClientError as exc:
            if exc.code != CONSTRAINT_FAILED:
                raise
            raise DataError(f"an API key with the id {key.id!r} exists already") from exc

    async def api_key(self, key_id: str) -> ApiKey | None:
        found = await self._read(API_KEY, id=key_id)
        return _api_key(found[0]["key"]) if found else None

    async def api_keys(self) -> list[ApiKey]:
        return [_api_key(record["key"]) for record in await self._read(API_KEYS)]

    async def revoke_key(self, key_id: str, at: datetime.datetime) -> ApiKey | None:
        found = await self._write_one(REVOKE_KEY, id=key_id, at=at)
        return _api_key(found[0]["key"]) if found else None

    async def _load(
        self,
        dataset: Dataset,
        progress: Progress | None,
        record: ImportRecord | None,
        expected: Mapping[NodeRef, int],
        changes: Sequence[Change],
    ) -> LoadSummary:
        await self.ensure_schema()
        return await self._created_or_merged(
            lambda create: self._load_once(dataset, progress, record, expected, changes, create=create)
        )

    async def _load_once(
        self,
        dataset: Dataset,
        progress: Progress | None,
        record: ImportRecord | None,
        expected: Mapping[NodeRef, int],
        changes: Sequence[Change],
        *,
        create: bool,
    ) -> LoadSummary:
        summary = LoadSummary()
        async with self._session(WRITE_ACCESS) as session, _transaction(session) as tx:
            await self._check_versions(tx, expected)
            await self._write_dataset(tx, dataset, summary, progress, create=create)
            if record is not None:
                await tx.run(
                    RECORD_IMPORT,
                    at=record.at,
                    source=record.source,
                    by=record.by,
                    summary=json.dumps(record.summary),
                )
            if changes:
                await tx.run(RECORD_CHANGES, rows=[_change_row(change) for change in changes])
            await tx.commit()
        return summary

    async def bulk_load(self, dataset: Dataset, progress: Progress | None = None) -> LoadSummary:
        """Load `dataset` as `load` does, but each batch of `BATCH_SIZE` rows in a transaction of its own: a
        million generated rows in one transaction would hold them all in the server's memory. Not all-or-nothing,
        so only for data that can simply be loaded again (the benchmarks' generated places); no import record."""
        await self.ensure_schema()

        async def write(create: bool) -> LoadSummary:
            summary = LoadSummary()
            async with self._session(WRITE_ACCESS) as session:
                await self._write_dataset(session, dataset, summary, progress, create=create)
            return summary

        async with self._translated(None):
            summary = await self._created_or_merged(write)
        self.generation += 1
        return summary

    @staticmethod
    async def _created_or_merged(write: Callable[[bool], Awaitable[T]]) -> T:
        """`write(True)`, which creates a dataset `_into_empty` accepts; if another writer created one of its nodes
        after `_into_empty` looked, so that the uniqueness constraint refused a `CREATE`, `write(False)`, which
        merges every node as it would have had the other writer been first."""
        try:
            return await write(True)
        except ClientError as exc:
            if exc.code != CONSTRAINT_FAILED:
                raise
            return await write(False)

    async def _write_dataset(
        self,
        runner: AsyncTransaction | AsyncSession,
        dataset: Dataset,
        summary: LoadSummary,
        progress: Progress | None,
        *,
        create: bool,
    ) -> None:
        """Nodes, then what the dataset replaces, then relationships, in batches of `BATCH_SIZE` rows: all in the
        transaction `runner`, or each batch committed by itself when `runner` is a session (`bulk_load`). Into
        an empty graph, with `create`, by `_create_dataset`."""
        await self._check_endpoints(runner, dataset)
        if create and await self._into_empty(runner, dataset):
            await self._create_dataset(runner, dataset, summary, progress)
            return
        for label, rows in _group(dataset.nodes, label_of, _node_row).items():
            await self._write(runner, _merge_nodes(label), label, rows, summary, progress)
        await self._remove_replaced(runner, dataset)
        for (type_, start, end), rows in _group(dataset.relationships, _rel_group, _rel_row).items():
            await self._write(runner, _merge_relationships(type_, start, end), type_, rows, summary, progress)

    async def _into_empty(self, runner: AsyncTransaction | AsyncSession, dataset: Dataset) -> bool:
        """Whether `dataset` can simply be created: no node of its labels exists yet, each node and relationship
        is listed once, and every relationship's ends and every node it replaces the relationships of are its own.
        Then nothing can be updated, unchanged or replaced, and one `CREATE` text for all nodes and one for all
        relationships do what the `MERGE` texts (one a label and one a relationship type) would: a freshly
        started Neo4j plans each new text for 0.1-0.3 s, more than writing the seeds takes."""
        refs = {NodeRef.of(node) for node in dataset.nodes}
        rels = {(rel.start, rel.end, rel.identity) for rel in dataset.relationships}
        if (
            not refs
            or len(refs) < len(dataset.nodes)
            or len(rels) < len(dataset.relationships)
            or any(ref not in refs for rel in dataset.relationships for ref in (rel.start, rel.end))
            or any(ref not in refs for ref, _ in dataset.replaces)
        ):
            return False
        result = await runner.run(_label_counts())
        counts = (await result.single(strict=True))["counts"]
        present = {label for label, count in zip(NODE_TYPES, counts, strict=True) if count}
        return not present & {ref.label for ref in refs}

    async def _create_dataset(
        self, runner: AsyncTransaction | AsyncSession, dataset: Dataset, summary: LoadSummary, progress: Progress | None
    ) -> None:
        """Create every node and relationship of a dataset `_into_empty` accepted, in batches of `BATCH_SIZE`
        rows; relationships find their ends by the element ids their creation gave back."""
        ids: dict[NodeRef, str] = {}
        rows: list[dict[str, Any]] = [
            {"label": _label(label_of(node)), "properties": _node_row(node)} for node in dataset.nodes
        ]
        imported = {
            NodeRef(row["label"], row["properties"]["key"]) for row in rows if "updated_at" in row["properties"]
        }
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            result = await runner.run(CREATE_NODES, rows=batch)
            ids.update({NodeRef(record["label"], record["key"]): record["id"] async for record in result})
            for row in batch:
                summary.add(row["label"], "created")
            if progress is not None:
                progress(len(batch))
        for start in range(0, len(dataset.relationships), BATCH_SIZE):
            rels = dataset.relationships[start : start + BATCH_SIZE]
            created = []
            for rel, row in zip(rels, map(_rel_row, rels), strict=True):
                # as `_merge_relationships` does: a row without provenance leaves out an imported start node's
                kept = rel.start in imported and "updated_at" not in row["properties"]
                summary.add(_type(rel.type), "unchanged" if kept else "created")
                if not kept:
                    created.append({"type": rel.type, "a": ids[rel.start], "b": ids[rel.end], **row})
            await (await runner.run(CREATE_RELATIONSHIPS, rows=created)).consume()
            if progress is not None:
                progress(len(rels))

    async def _check_versions(self, tx: AsyncTransaction, expected: Mapping[NodeRef, int]) -> None:
        """Lock each node named (in a fixed order, so that two writers never wait on each other) and compare its
        version with the one expected; the locks hold until the transaction ends, so nobody changes it between."""
        current: dict[NodeRef, int] = {}
        for label, keys in _by_label(expected).items():
            query = _cypher(
                f"UNWIND $keys AS key MATCH (n:{label} {{key: key}}) SET n._lock = true REMOVE n._lock "
                "RETURN n.key AS key, coalesce(n.version, 1) AS version"
            )
            result = await tx.run(query, keys=keys)
            current.update({NodeRef(label, record["key"]): record["version"] async for record in result})
        for ref, version in sorted(expected.items(), key=lambda item: str(item[0])):
            if current.get(ref, 0) != version:
                raise VersionConflict(str(ref), version, current.get(ref, 0))

    async def _remove_replaced(self, tx: AsyncTransaction | AsyncSession, dataset: Dataset) -> None:
        """Remove what `dataset.replaces` says the dataset gives in full but does not list."""
        keep: dict[tuple[str, str], dict[str, list[list[object]]]] = defaultdict(dict)
        for ref, type_ in dataset.replaces:
            keep[_label(ref.label), _type(type_)][ref.key] = []
        for rel in dataset.relationships:
            kept = keep.get((rel.start.label, rel.type), {}).get(rel.start.key)
            if kept is not None:
                kept.append([rel.end.label, rel.end.key, *rel.identity[1:]])
        for (label, type_), rows in sorted(keep.items()):
            identity = "".join(f", r.{name}" for name in IDENTIFYING_PROPERTIES.get(type_, ()))
            query = _cypher(
                f"UNWIND $rows AS row MATCH (a:{label} {{key: row.key}})-[r:{type_}]->(b) "
                f"WHERE NOT [labels(b)[0], b.key{identity}] IN row.keep DELETE r"
            )
            await tx.run(query, rows=[{"key": key, "keep": kept} for key, kept in sorted(rows.items())])

    async def _check_endpoints(self, tx: AsyncTransaction | AsyncSession, dataset: Dataset) -> None:
        loaded = {str(NodeRef.of(node)) for node in dataset.nodes}
        wanted = {ref for rel in dataset.relationships for ref in (rel.start, rel.end) if str(ref) not in loaded}
        missing = []
        for label, keys in _by_label(wanted).items():
            query = _cypher(
                f"UNWIND $keys AS key OPTIONAL MATCH (n:{label} {{key: key}}) WITH key, n WHERE n IS NULL RETURN key"
            )
            result = await tx.run(query, keys=keys)
            missing += [f"{label}:{record['key']}" async for record in result]
        if missing:
            missing.sort()
            raise DataError(f"relationships point to {len(missing)} unknown nodes, e.g. {', '.join(missing[:5])}")

    async def _write(
        self,
        tx: AsyncTransaction | AsyncSession,
        query: LiteralString,
        name: str,
        rows: list[dict[str, Any]],
        summary: LoadSummary,
        progress: Progress | None,
    ) -> None:
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            result = await tx.run(query, rows=batch)
            async for record in result:
                summary.add(name, record["change"], record["count"])
            if progress is not None:
                progress(len(batch))

    async def get_many(self, refs: Sequence[NodeRef]) -> list[Node | None]:
        found: dict[NodeRef, Node] = {}
        for label, keys in _by_label(refs).items():
            query = _cypher(f"MATCH (n:{label}) WHERE n.key IN $keys RETURN properties(n) AS node")
            for record in await self._read(query, keys=keys):
                node = _node(label, record["node"])
                found[NodeRef(label, node.key)] = node
        return [found.get(ref) for ref in refs]

    async def traverse_many(self, refs: Sequence[NodeRef], path: Sequence[Hop]) -> list[list[Link]]:
        found: dict[NodeRef, list[Link]] = defaultdict(list)
        for label, keys in _by_label(refs).items():
            query = _traversal(label, path)
            seen: set[tuple[str, str, str]] = set()
            (record,) = await self._read(query, keys=keys)
            for start, end_label, node, rel in record["links"]:
                end = (start, end_label, node["key"])
                if end not in seen:
                    seen.add(end)
                    found[NodeRef(label, start)].append(Link(_node(end_label, node), _native(rel or {})))
        return [sorted(found.get(ref, []), key=lambda link: link.node.key) for ref in refs]

    async def find(self, label: str, query: NodeQuery) -> Page[Node]:
        if query.places.restricts and label != "MeetingPlace":
            return Page(items=[], total_count=0, has_next_page=False)
        # Opening hours are checked here, not in Cypher: with `open_at` Cypher returns every match to page here.
        paged = query.places.open_at is None
        parameters = _place_parameters(query.places)
        # Only the conditions asked: planning the offers' subqueries for every read (the cost limit's measure reads
        # every label at once) made the first request on a fresh Neo4j twice as slow, and a read without them
        # plans as it did before there were any.
        kept = "".join(f"AND {PLACE_CONDITIONS[name]} " for name, values in parameters.items() if values is not None)
        cypher = _cypher(
            f"MATCH (n:{_label(label)}) WHERE ($keys IS NULL OR n.key IN $keys) {kept}"
            "AND ($source IS NULL OR n.source = $source) AND ($withdrawn OR n.withdrawn_at IS NULL) "
            "AND ($search IS NULL OR any(name IN n.search_names WHERE name CONTAINS $search)) "
            "WITH n ORDER BY n.key WITH collect(n) AS matches "
            "WITH size(matches) AS total, [m IN matches WHERE $after IS NULL OR m.key > $after] AS rest "
            "WITH total, rest, CASE WHEN $take IS NULL THEN rest ELSE rest[0..$take] END AS page "
            "RETURN total, [m IN page | properties(m)] AS nodes, size(rest) AS remaining"
        )
        (record,) = await self._read(
            cypher,
            keys=None if query.keys is None else sorted(query.keys),
            **parameters,
            search=fold(query.search) if query.search else None,
            source=query.source,
            withdrawn=query.include_withdrawn,
            after=query.after if paged else None,
            take=query.first if paged else None,
        )
        items = [_node(label, props) for props in record["nodes"]]
        if not paged:
            return page_of([node for node in items if is_open_at(node, query.places.open_at)], query)
        has_next = query.first is not None and record["remaining"] > query.first
        return Page(items=items, total_count=record["total"], has_next_page=has_next)

    async def nearby(
        self,
        center: Point,
        radius_km: float,
        limit: int,
        places: PlaceFilter = EVERY_PLACE,
    ) -> list[NearbyHit]:
        # Opening hours are checked here, not in Cypher: with `open_at` Cypher returns every place in the radius.
        (record,) = await self._read(
            NEARBY_QUERY,
            center=_point(center),
            meters=radius_km * MARGIN * 1000,
            take=limit if places.open_at is None else None,
            margin=MARGIN * MARGIN,
            **_place_parameters(places),
        )
        found = [(meters / 1000, cast(MeetingPlace, _node("MeetingPlace", node))) for node, meters in record["places"]]
        candidates = [(km, place) for km, place in found if is_open_at(place, places.open_at)]
        hits = await in_worker_if_large(len(candidates), nearest, center, candidates, location_of, radius_km, limit)
        return [NearbyHit(distance_km=km, place=place) for km, place in hits]

    async def place_spread(self, places: PlaceFilter) -> PlaceSpread:
        if places.open_at is not None:
            raise ValueError("a place spread is asked by kinds and offers, not by opening hours")
        parameters = _place_parameters(places)
        (spread,), located = await asyncio.gather(
            self._read(PLACE_SPREAD_QUERY, demo=DEMO_SOURCE, **parameters),
            self._read(PLACES_LOCATED_QUERY, **parameters),
        )
        lats, lons = np.array(spread["lats"], dtype=float), np.array(spread["lons"], dtype=float)
        return PlaceSpread(lats, lons, spread["demo"], {row["key"]: row["places"] for row in located})

    async def in_bounds(
        self,
        bounds: Bounds,
        limit: int,
        places: PlaceFilter = EVERY_PLACE,
    ) -> PlacesInBounds:
        (record,) = await self._read(
            IN_BOUNDS_QUERY,
            south_west=_point(Point(bounds.south, bounds.west)),
            north_east=_point(Point(bounds.north, bounds.east)),
            **_place_parameters(places),
            limit=limit if places.open_at is None else None,
        )
        inside = [cast(MeetingPlace, _node("MeetingPlace", props)) for props in record["nodes"]]
        if places.open_at is None:
            return PlacesInBounds(total_count=record["total"], places=inside)
        open_places = [place for place in inside if is_open_at(place, places.open_at)]
        return PlacesInBounds(total_count=len(open_places), places=open_places[:limit])

    async def agreements(self, year: int | None, involving: Sequence[NodeRef] | None = None) -> list[Agreement]:
        records = await self._read(
            "MATCH (d:District)-[r:HAS_AGREEMENT]->(p) "
            "WHERE ($year IS NULL OR (r.since.year <= $year AND (r.until IS NULL OR r.until.year >= $year))) "
            "AND ($involving IS NULL OR 'District:' + d.key IN $involving OR labels(p)[0] + ':' + p.key IN $involving) "
            "RETURN properties(d) AS district, labels(p)[0] AS label, properties(p) AS party, properties(r) AS rel",
            year=year,
            involving=None if involving is None else [str(ref) for ref in involving],
        )
        found = [
            Agreement.of_relationship(
                _node("District", r["district"]), _node(r["label"], r["party"]), _native(r["rel"])
            )
            for r in records
        ]
        return sorted(found, key=lambda agreement: agreement.order)

    async def relationships_of(self, refs: Sequence[NodeRef], types: frozenset[str] | None = None) -> list[Edge]:
        by_label = _by_label(refs)
        if not by_label:
            return []
        (record,) = await self._read(
            _relationships_query(),
            keys=[by_label.get(label, []) for label in NODE_TYPES],
            types=None if types is None else sorted(types),
        )
        nodes = {element_id: _node(label, properties) for element_id, label, properties in record["nodes"]}
        edges = [
            Edge.of(type_, nodes[start], nodes[end], _native(properties))
            for type_, start, end, properties in record["rels"]
        ]
        return sorted(edges, key=lambda edge: edge.order)


@contextlib.asynccontextmanager
async def _transaction(session: AsyncSession) -> AsyncIterator[AsyncTransaction]:
    """An explicit transaction, rolled back unless committed; an error of the rollback does not hide the one that
    stopped the work."""
    tx = await session.begin_transaction()
    try:
        yield tx
    finally:
        if not tx.closed():
            with contextlib.suppress(DriverError, OSError):
                await tx.rollback()


def _change_row(change: Change) -> dict[str, Any]:
    return {
        "at": change.at.astimezone(datetime.UTC),
        "actor": change.actor,
        "organisation": change.organisation,
        "operation": change.operation,
        "node": change.node,
        "fields": fields_to_json(change.fields),
        "request_id": change.request_id,
        "version": change.version,
    }


def _change(properties: dict[str, Any]) -> Change:
    native = _native(properties)
    return Change(
        at=native["at"],  # type: ignore[arg-type]
        actor=properties["actor"],
        organisation=properties.get("organisation"),
        operation=properties["operation"],
        node=properties["node"],
        fields=fields_from_json(properties["fields"]),
        request_id=properties.get("request_id"),
        version=properties.get("version"),
        number=properties["number"],
    )


def _key_row(key: ApiKey) -> dict[str, Any]:
    row = {name: getattr(key, name) for name in ApiKey.__dataclass_fields__}
    return {**{name: value for name, value in row.items() if value is not None}, "scopes": list(key.scopes)}


def _api_key(properties: dict[str, Any]) -> ApiKey:
    native = _native(properties)
    values = {name: native.get(name) for name in ApiKey.__dataclass_fields__}
    return ApiKey(**{**values, "scopes": tuple(properties["scopes"])})  # type: ignore[arg-type]


def _cypher(text: str) -> LiteralString:
    """Mark Cypher assembled from allowlisted labels and types (`_label`, `_type`) as safe to send."""
    return cast(LiteralString, text)


def _label(name: str) -> str:
    """A node label from the allowlist, the only kind of text put into Cypher besides `_type`'s."""
    if name not in NODE_TYPES:
        raise DataError(f"{name!r} is not a node type of this graph")
    return name


def _type(name: str) -> str:
    if name not in RELATIONSHIP_TYPES:
        raise DataError(f"{name!r} is not a relationship type of this graph")
    return name


def _by_label(refs: Iterable[NodeRef]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for ref in refs:
        grouped[_label(ref.label)].append(ref.key)
    return {label: sorted(set(keys)) for label, keys in sorted(grouped.items())}


def _group(
    items: Iterable[T], key: Callable[[T], Any], row: Callable[[T], dict[str, Any]]
) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        grouped[key(item)].append(row(item))
    return grouped


def _merge_nodes(label: str) -> LiteralString:
    """Upsert a label's rows; a row without provenance (the seeds) never overwrites a node an import wrote, so
    loading the seeds again keeps what partners brought in and what their imports withdrew."""
    return _cypher(
        f"UNWIND $rows AS row OPTIONAL MATCH (old:{_label(label)} {{key: row.key}}) "
        "WITH row, old, old IS NOT NULL AND old.updated_at IS NOT NULL AND row.updated_at IS NULL AS kept "
        "WITH row, kept, CASE WHEN old IS NULL THEN 'created' WHEN kept OR properties(old) = row THEN 'unchanged' "
        "ELSE 'updated' END AS change "
        f"MERGE (n:{label} {{key: row.key}}) FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END | SET n = row) "
        "RETURN change, count(*) AS count"
    )


def _rel_group(rel: Relationship) -> tuple[str, str, str]:
    return (_type(rel.type), _label(rel.start.label), _label(rel.end.label))


def _merge_relationships(type_: str, start: str, end: str) -> LiteralString:
    """Upsert a type's rows; a row without provenance (the seeds) is left out where an import wrote its start
    node, whose relationships are then the import's (as in `_merge_nodes`)."""
    identity = ", ".join(f"{name}: row.properties.{name}" for name in IDENTIFYING_PROPERTIES.get(type_, ()))
    return _cypher(
        f"UNWIND $rows AS row MATCH (a:{start} {{key: row.start}}) MATCH (b:{end} {{key: row.end}}) "
        f"OPTIONAL MATCH (a)-[old:{type_} {{{identity}}}]->(b) "
        "WITH row, a, b, old, a.updated_at IS NOT NULL AND row.properties.updated_at IS NULL AS kept "
        "WITH row, a, b, kept, CASE WHEN kept OR properties(old) = row.properties THEN 'unchanged' "
        "WHEN old IS NULL THEN 'created' ELSE 'updated' END AS change "
        f"FOREACH (_ IN CASE WHEN kept THEN [] ELSE [1] END | MERGE (a)-[r:{type_} {{{identity}}}]->(b) "
        "SET r = row.properties) RETURN change, count(*) AS count"
    )


def _node_row(node: Node) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, hint in field_types(type(node)).items():
        value = getattr(node, name)
        if isinstance(value, Point):
            value = _point(value)
        elif isinstance(value, enum.Enum):
            value = value.value
        elif hint == SCHEDULES:
            value = [json.dumps(schedule.to_hsds(), sort_keys=True) for schedule in value] or None
        elif hint == CLOSURES:
            value = [json.dumps(closure.to_json(), sort_keys=True) for closure in value] or None
        if value is not None:
            row[name] = value
    row["search_names"] = [fold(name) for name in node.search_names]
    return row


def _rel_row(rel: Relationship) -> dict[str, Any]:
    properties = {name: value for name, value in rel.properties.items() if value is not None}
    return {"start": rel.start.key, "end": rel.end.key, "properties": {**properties, "source": rel.source}}


def _node(label: str, properties: dict[str, Any]) -> Node:
    cls = NODE_TYPES[label]
    values: dict[str, Any] = {}
    for name, read, defaulted in _readers(cls):
        value = properties.get(name)
        if value is None:
            if defaulted:
                continue  # a property written before the field existed (a node's `version`), or an empty list
        elif read is not None:
            value = read(value)
        values[name] = value
    return cls(**values)


Reader = Callable[[Any], Any]


@functools.cache
def _readers(cls: type[Node]) -> tuple[tuple[str, Reader | None, bool], ...]:
    """Each field of a node type with how to read its stored value (None: as it is) and whether it has a default.

    Worked out once a type: comparing every field's type hint for every node read took half of `_node`'s time
    (12 µs a meeting place against 6 µs; a `nearby` answer reads up to `limit` of them, with its margin more)."""
    defaults = defaulted_fields(cls)
    return tuple((name, _reader(hint), name in defaults) for name, hint in field_types(cls).items())


def _reader(hint: object) -> Reader | None:
    if hint == SCHEDULES:
        return lambda texts: tuple(_schedule(text) for text in texts)
    if hint == CLOSURES:
        return lambda texts: tuple(_closure(text) for text in texts)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    kinds = typing.get_args(hint) or (hint,)
    if Point in kinds:
        return lambda point: Point(lat=point.latitude, lon=point.longitude)
    if any(isinstance(kind, type) and issubclass(kind, datetime.date) for kind in kinds):
        return lambda moment: _moment(moment.to_native())
    return None


@functools.lru_cache(maxsize=SCHEDULE_CACHE_SIZE)
def _schedule(text: str) -> Schedule:
    """Parsed once per distinct text (schedules are immutable): parsing cost more than the rest of a node."""
    return Schedule.from_hsds(json.loads(text))


@functools.lru_cache(maxsize=SCHEDULE_CACHE_SIZE)
def _closure(text: str) -> Closure:
    """Parsed once per distinct text, as schedules are."""
    return Closure.from_json(json.loads(text))


def _native(properties: dict[str, Any]) -> dict[str, object]:
    """Neo4j's temporal values as Python's (`neo4j.time.Date` → `datetime.date`)."""
    return {
        name: _moment(value.to_native()) if hasattr(value, "to_native") else value for name, value in properties.items()
    }


def _moment(value: T) -> T:
    """A date as it is; a moment in UTC, as every store gives it (Neo4j hands back its own offset type)."""
    return value.astimezone(datetime.UTC) if isinstance(value, datetime.datetime) else value  # type: ignore[return-value]


def _place_parameters(places: PlaceFilter) -> dict[str, list[str] | None]:
    """`PLACE_CONDITIONS`' parameters, sorted so that the same question sends the same parameters."""
    kinds = None if places.kinds is None else {kind.value for kind in places.kinds}
    chosen = {"kinds": kinds, "activities": places.activities, "tasks": places.tasks}
    return {name: None if values is None else sorted(values) for name, values in chosen.items()}


def _point(point: Point) -> WGS84Point:
    return WGS84Point((point.lon, point.lat))


def _traversal(label: str, path: Sequence[Hop]) -> LiteralString:
    """`MATCH (s:Label {key: key})-[..]-(..)` along the path; the start itself for an empty path.

    Every link comes back in one record: a record per link took three times as long to decode (the 575 links from
    the municipalities to their meeting places, which national coverage reads, 100 ms against 35 ms).
    """
    pattern, end, rel = "(s)", "s", "null"
    for i, hop in enumerate(path):
        target = f"n{i}:{_label(hop.label)}" if hop.label else f"n{i}"
        arrow = f"-[r{i}:{_type(hop.type)}]->" if hop.direction is Direction.OUT else f"<-[r{i}:{_type(hop.type)}]-"
        pattern, end, rel = f"{pattern}{arrow}({target})", f"n{i}", f"r{i}"
    return _cypher(
        f"UNWIND $keys AS key MATCH (s:{_label(label)} {{key: key}}) MATCH {pattern} "
        f"RETURN collect([key, labels({end})[0], properties({end}), "
        f"CASE WHEN {rel} IS NULL THEN null ELSE properties({rel}) END]) AS links"
    )


@functools.cache
def _schema_statements() -> tuple[LiteralString, ...]:
    """What `ensure_schema` makes, each statement idempotent; the point index's box is `$min` and `$max`."""
    unique = [(label, "key") for label in NODE_TYPES]
    unique += [("Import", "number"), ("Change", "number"), ("Sequence", "name"), ("ApiKey", "id")]
    return (
        *(
            _cypher(f"CREATE CONSTRAINT {label}_{name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{name} IS UNIQUE")
            for label, name in unique
        ),
        *(
            _cypher(f"CREATE INDEX Change_{name} IF NOT EXISTS FOR (c:Change) ON (c.{name})")
            for name in ("node", "organisation")
        ),
        "CREATE POINT INDEX MeetingPlace_location IF NOT EXISTS FOR (n:MeetingPlace) ON (n.location) "
        "OPTIONS {indexConfig: {`spatial.wgs-84.min`: $min, `spatial.wgs-84.max`: $max}}",
    )


@functools.cache
def _label_counts() -> LiteralString:
    """How many nodes each label in `NODE_TYPES` has, from the count store: one fixed text."""
    return _cypher("RETURN [" + ", ".join(f"COUNT {{ (:{label}) }}" for label in NODE_TYPES) + "] AS counts")


@functools.cache
def _relationships_query() -> LiteralString:
    """The relationships of the nodes whose keys `$keys` lists, a list for each label in `NODE_TYPES`' order.

    Each label has its own branch, so that every start node is found through its label's key index, and the
    text is always the same, so that Neo4j plans it once. One record comes back, with each end node once: a
    record per relationship, each repeating its end nodes, took two to three times as long to decode.
    """
    starts = " UNION ".join(
        f"UNWIND $keys[{i}] AS key MATCH (n:{label} {{key: key}}) RETURN n" for i, label in enumerate(NODE_TYPES)
    )
    return _cypher(
        f"CALL () {{ {starts} }} MATCH (n)-[r]-() WHERE $types IS NULL OR type(r) IN $types "
        "WITH collect(DISTINCT r) AS rels "
        "CALL (rels) { UNWIND rels AS r UNWIND [startNode(r), endNode(r)] AS n RETURN collect(DISTINCT n) AS nodes } "
        "RETURN [n IN nodes | [elementId(n), labels(n)[0], properties(n)]] AS nodes, "
        "[r IN rels | [type(r), elementId(startNode(r)), elementId(endNode(r)), properties(r)]] AS rels"
    )
