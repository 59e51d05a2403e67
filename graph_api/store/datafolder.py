"""The embedded store's data folder: a SQLite database that keeps every import, applied over the seeds at start.

The database is a log: each import is one row of `imports` with the dataset it wrote, and the embedded store
replays them in order over the shipped seeds. A log rather than a table of current nodes keeps what a dataset
removes (`Dataset.replaces`) as exactly as what it adds, and keeps each import's data beside its record.
The price: start-up replays everything ever imported, so a folder of many large imports starts more slowly
(a snapshot of the log would fix that when it matters).

SQLite runs in WAL mode with `synchronous=FULL`, so a commit is on disk when `append` returns: an import
acknowledged is never lost, even if the process is killed right after. Readers in other processes (a running
`graph-api serve`) see each committed import whole, never half of one.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from graph_api.errors import DataError
from graph_api.models import Dataset, ImportRecord, Node, NodeRef, Relationship
from graph_api.store.encoding import node_from_json, node_to_json, relationship_from_json, relationship_to_json

DATABASE = "graph-api.sqlite3"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS imports ("
    " number INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, source TEXT NOT NULL, by TEXT NOT NULL,"
    " summary TEXT NOT NULL, dataset TEXT NOT NULL)"
)


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
            connection.execute(SCHEMA)
            yield connection
        except sqlite3.Error as exc:
            raise DataError(f"the data folder's database {self.database}: {exc}") from exc
        finally:
            connection.close()

    def append(self, dataset: Dataset, record: ImportRecord) -> ImportRecord:
        """Keep the import and its dataset; returns the record with its number once the commit is on disk."""
        data = json.dumps(_dataset_to_json(dataset), ensure_ascii=False, separators=(",", ":"))
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                cursor = connection.execute(
                    "INSERT INTO imports (at, source, by, summary, dataset) VALUES (?, ?, ?, ?, ?)",
                    (record.at.isoformat(), record.source, record.by, json.dumps(record.summary), data),
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        number = cursor.lastrowid
        assert number is not None
        return ImportRecord(record.at, record.source, record.by, record.summary, number)

    def since(self, number: int) -> list[tuple[ImportRecord, Dataset]]:
        """The imports after `number`, in order, with their datasets."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT number, at, source, by, summary, dataset FROM imports WHERE number > ? ORDER BY number",
                (number,),
            ).fetchall()
        return [(_record(row[:5]), _dataset_from_json(json.loads(row[5]))) for row in rows]

    def records(self) -> list[ImportRecord]:
        with self._connect() as connection:
            rows = connection.execute("SELECT number, at, source, by, summary FROM imports").fetchall()
        return [_record(row) for row in rows]

    def last_number(self) -> int:
        """The number of the latest import, 0 before the first: cheap enough to poll every second."""
        with self._connect() as connection:
            (number,) = connection.execute("SELECT coalesce(max(number), 0) FROM imports").fetchone()
        return int(number)


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
