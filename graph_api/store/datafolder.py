"""The embedded store's data folder: a SQLite database that keeps every write, applied over the seeds at start,
with the audit of the edits and imports and the partners' API keys.

The database is a log: each write (an import, or a partner's edit through the API) is one row of `imports`
(`kind` says which) with the dataset it wrote, and the embedded store replays them in order over the shipped
seeds. A log rather than a table of current nodes keeps what a dataset removes (`Dataset.replaces`) as exactly
as what it adds, and keeps each import's data beside its record. The price: start-up replays everything ever
written, so a folder of many large imports starts more slowly (a snapshot of the log would fix that when it
matters). Import numbers are the log's, so edits between two imports leave gaps in them.

A write is appended only after the writer's view of the log (`after`, the last number it took in): if another
process wrote meanwhile, `Stale` is raised and nothing written, and the writer takes the new rows in and
checks its versions again. So a compare-and-set on versions (`GraphStore.load`'s `expected`) holds between
processes sharing the folder.

SQLite runs in WAL mode with `synchronous=FULL`, so a commit is on disk when `append` returns: a write
acknowledged is never lost, even if the process is killed right after. Readers in other processes (a running
`graph-api serve`) see each committed write whole, never half of one.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from graph_api.errors import DataError
from graph_api.models import ApiKey, Change, Dataset, ImportRecord, Node, NodeRef, Relationship
from graph_api.store.base import ChangeQuery, Page
from graph_api.store.encoding import (
    fields_from_json,
    fields_to_json,
    node_from_json,
    node_to_json,
    relationship_from_json,
    relationship_to_json,
)

DATABASE = "graph-api.sqlite3"
MIGRATIONS = (
    (
        "CREATE TABLE IF NOT EXISTS imports ("
        " number INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, source TEXT NOT NULL, by TEXT NOT NULL,"
        " summary TEXT NOT NULL, dataset TEXT NOT NULL)",
    ),
    (
        "ALTER TABLE imports ADD COLUMN kind TEXT NOT NULL DEFAULT 'import'",
        "CREATE TABLE changes ("
        " number INTEGER PRIMARY KEY AUTOINCREMENT, write INTEGER NOT NULL REFERENCES imports (number),"
        " at TEXT NOT NULL, actor TEXT NOT NULL, organisation TEXT, operation TEXT NOT NULL, node TEXT NOT NULL,"
        " fields TEXT NOT NULL, request_id TEXT, version INTEGER)",
        "CREATE INDEX changes_node ON changes (node, number)",
        "CREATE INDEX changes_organisation ON changes (organisation, number)",
        "CREATE TABLE api_keys ("
        " id TEXT PRIMARY KEY, organisation TEXT NOT NULL, scopes TEXT NOT NULL, name TEXT,"
        " secret_hash TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT)",
    ),
)
"""The schema, one step per version (`PRAGMA user_version`): a folder written by an older version is brought up
to date when it is opened, its rows kept."""
KEY_COLUMNS = "id, organisation, scopes, name, secret_hash, created_at, expires_at, revoked_at"
CHANGE_COLUMNS = "number, at, actor, organisation, operation, node, fields, request_id, version"


class Stale(Exception):
    """Another process wrote to the folder since the writer last took its rows in: nothing was written."""


class DataFolder:
    """A folder holding the SQLite database of what was imported into the embedded store."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def database(self) -> Path:
        return self.path / DATABASE

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.database, timeout=30, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise DataError(f"cannot open the data folder's database {self.database}: {exc}") from exc
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            _migrate(connection)
            yield connection
        except sqlite3.Error as exc:
            raise DataError(f"the data folder's database {self.database}: {exc}") from exc
        finally:
            connection.close()

    def append(self, dataset: Dataset, record: ImportRecord | None, changes: Sequence[Change], after: int) -> int:
        """Keep a write (an import's `record`, or an edit) with its dataset and its audit `changes`, unless the
        log has grown past `after` (`Stale`); returns the write's number once the commit is on disk."""
        data = json.dumps(_dataset_to_json(dataset), ensure_ascii=False, separators=(",", ":"))
        kind, at, source, by, summary = (
            ("edit", changes[0].at, "api", changes[0].actor, {})
            if record is None
            else ("import", record.at, record.source, record.by, record.summary)
        )
        with self._transaction() as connection:
            (last,) = connection.execute("SELECT coalesce(max(number), 0) FROM imports").fetchone()
            if last != after:
                raise Stale
            cursor = connection.execute(
                "INSERT INTO imports (kind, at, source, by, summary, dataset) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, at.isoformat(), source, by, json.dumps(summary), data),
            )
            number = cursor.lastrowid
            connection.executemany(
                "INSERT INTO changes (write, at, actor, organisation, operation, node, fields, request_id, version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        number,
                        change.at.astimezone(datetime.UTC).isoformat(),
                        change.actor,
                        change.organisation,
                        change.operation,
                        change.node,
                        fields_to_json(change.fields),
                        change.request_id,
                        change.version,
                    )
                    for change in changes
                ],
            )
        assert number is not None
        return number

    def changes(self, query: ChangeQuery) -> Page[Change]:
        """A page of the audit, newest first, filtered in SQL."""
        where = " WHERE (? IS NULL OR node = ?) AND (? IS NULL OR organisation = ?) AND (? IS NULL OR at >= ?)"
        since = None if query.since is None else query.since.astimezone(datetime.UTC).isoformat()
        filters = (query.node, query.node, query.organisation, query.organisation, since, since)
        with self._connect() as connection:
            (total,) = connection.execute(f"SELECT count(*) FROM changes{where}", filters).fetchone()
            rows = connection.execute(
                f"SELECT {CHANGE_COLUMNS} FROM changes{where} AND (? IS NULL OR number < ?)"
                " ORDER BY number DESC LIMIT ?",
                (*filters, query.after, query.after, -1 if query.first is None else query.first + 1),
            ).fetchall()
        items = [_change(row) for row in rows]
        has_next = query.first is not None and len(items) > query.first
        return Page(items=items[: query.first], total_count=int(total), has_next_page=has_next)

    def add_key(self, key: ApiKey) -> None:
        with self._transaction() as connection:
            try:
                connection.execute(
                    f"INSERT INTO api_keys ({KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _key_row(key)
                )
            except sqlite3.IntegrityError as exc:
                raise DataError(f"an API key with the id {key.id!r} exists already") from exc

    def api_key(self, key_id: str) -> ApiKey | None:
        with self._connect() as connection:
            row = connection.execute(f"SELECT {KEY_COLUMNS} FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        return None if row is None else _key(row)

    def api_keys(self) -> list[ApiKey]:
        with self._connect() as connection:
            rows = connection.execute(f"SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at, id").fetchall()
        return [_key(row) for row in rows]

    def revoke_key(self, key_id: str, at: datetime.datetime) -> ApiKey | None:
        with self._transaction() as connection:
            connection.execute(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?", (at.isoformat(), key_id)
            )
        return self.api_key(key_id)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, committed (on disk) when the block ends, rolled back if it raises."""
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    def since(self, number: int) -> list[tuple[int, Dataset]]:
        """The writes after `number`, in order: each one's number and dataset."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT number, dataset FROM imports WHERE number > ? ORDER BY number", (number,)
            ).fetchall()
        return [(int(row[0]), _dataset_from_json(json.loads(row[1]))) for row in rows]

    def records(self) -> list[ImportRecord]:
        """The imports (not the edits) kept."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT number, at, source, by, summary FROM imports WHERE kind = 'import'"
            ).fetchall()
        return [_record(row) for row in rows]

    def last_number(self) -> int:
        """The number of the latest write, 0 before the first: cheap enough to poll every second."""
        with self._connect() as connection:
            (number,) = connection.execute("SELECT coalesce(max(number), 0) FROM imports").fetchone()
        return int(number)


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring the schema up to date, each step in its own transaction (another process may be doing the same)."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    while version < len(MIGRATIONS):
        connection.execute("BEGIN IMMEDIATE")
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        if version < len(MIGRATIONS):
            for statement in MIGRATIONS[version]:
                connection.execute(statement)
            version += 1
            connection.execute(f"PRAGMA user_version = {version:d}")
        connection.execute("COMMIT")


def _change(row: tuple[object, ...]) -> Change:
    number, at, actor, organisation, operation, node, fields, request_id, version = row
    return Change(
        at=datetime.datetime.fromisoformat(str(at)),
        actor=str(actor),
        organisation=None if organisation is None else str(organisation),
        operation=str(operation),
        node=str(node),
        fields=fields_from_json(str(fields)),
        request_id=None if request_id is None else str(request_id),
        version=None if version is None else int(version),  # type: ignore[call-overload]
        number=int(number),  # type: ignore[call-overload]
    )


def _key_row(key: ApiKey) -> tuple[object, ...]:
    return (
        key.id,
        key.organisation,
        json.dumps(list(key.scopes)),
        key.name,
        key.secret_hash,
        key.created_at.isoformat(),
        None if key.expires_at is None else key.expires_at.isoformat(),
        None if key.revoked_at is None else key.revoked_at.isoformat(),
    )


def _key(row: tuple[object, ...]) -> ApiKey:
    id_, organisation, scopes, name, secret_hash, created_at, expires_at, revoked_at = row
    return ApiKey(
        id=str(id_),
        organisation=str(organisation),
        scopes=tuple(json.loads(str(scopes))),
        name=None if name is None else str(name),
        secret_hash=str(secret_hash),
        created_at=datetime.datetime.fromisoformat(str(created_at)),
        expires_at=None if expires_at is None else datetime.datetime.fromisoformat(str(expires_at)),
        revoked_at=None if revoked_at is None else datetime.datetime.fromisoformat(str(revoked_at)),
    )


def _record(row: tuple[object, ...]) -> ImportRecord:
    number, at, source, by, summary = row
    return ImportRecord(
        at=datetime.datetime.fromisoformat(str(at)),
        source=str(source),
        by=str(by),
        summary=json.loads(str(summary)),
        number=int(number),  # type: ignore[call-overload]
    )


def _dataset_to_json(dataset: Dataset) -> dict[str, object]:
    return {
        "nodes": [node_to_json(node) for node in dataset.nodes],
        "relationships": [relationship_to_json(rel) for rel in dataset.relationships],
        "replaces": sorted([str(ref), type_] for ref, type_ in dataset.replaces),
    }


def _dataset_from_json(data: dict[str, list[object]]) -> Dataset:
    nodes: list[Node] = [node_from_json(item) for item in data["nodes"]]  # type: ignore[arg-type]
    relationships: list[Relationship] = [relationship_from_json(item) for item in data["relationships"]]  # type: ignore[arg-type]
    replaces = frozenset((_ref(str(ref)), str(type_)) for ref, type_ in data["replaces"])  # type: ignore[misc]
    return Dataset(nodes=nodes, relationships=relationships, replaces=replaces)


def _ref(text: str) -> NodeRef:
    ref = NodeRef.parse(text)
    if ref is None:
        raise DataError(f"the data folder names {text!r}, which is no node reference")
    return ref
