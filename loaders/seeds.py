"""Read the seed folder (`seeds/`) into a `Dataset` that any `GraphStore` can load.

Layout: `<part>/nodes/<Label>.csv` (one row a node, columns named as the model's fields; a location as
`lat`, `lon`), `<part>/relationships/<TYPE>.csv` (`from`, `to`, `source`, then properties) and
`<part>/schedules.csv` (meeting places' opening hours in the columns `SCHEDULE_COLUMNS`, named as in Open
Referral HSDS; `location_id` is the place's global id), for the parts `reference` (real data) and `demo`
(generated, `source = demo`).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import sys
import types
import typing
from pathlib import Path

from graph_api.errors import DataError
from graph_api.hours import Schedule
from graph_api.models import (
    NODE_TYPES,
    RELATIONSHIP_TYPES,
    Dataset,
    MeetingPlace,
    Node,
    NodeRef,
    Point,
    Relationship,
    field_types,
)
from loaders.csvfiles import read_rows

SEED_PARTS = ("reference", "demo")
DATE_PROPERTIES = frozenset({"since", "until"})
SCHEDULES_FILE = "schedules.csv"
SCHEDULE_COLUMNS = (
    "location_id",
    "freq",
    "byday",
    "opens_at",
    "closes_at",
    "valid_from",
    "valid_to",
    "timezone",
    "source",
)


def read_dataset(seeds_dir: Path) -> Dataset:
    if not (seeds_dir / "reference" / "nodes").is_dir():
        raise DataError(f"{seeds_dir} is not a seed folder: it has no reference/nodes/")
    nodes: list[Node] = []
    relationships: list[Relationship] = []
    for part in SEED_PARTS:
        for path in sorted((seeds_dir / part / "nodes").glob("*.csv")):
            nodes.extend(_read_nodes(path))
        for path in sorted((seeds_dir / part / "relationships").glob("*.csv")):
            relationships.extend(_read_relationships(path))
    places = {str(NodeRef.of(n)): n.source for n in nodes if isinstance(n, MeetingPlace)}
    schedules = _schedules_by_place(seeds_dir, places)
    return Dataset(nodes=[_with_schedules(node, schedules) for node in nodes], relationships=relationships)


def parse_ref(text: str) -> NodeRef:
    ref = NodeRef.parse(text)
    if ref is None:
        raise DataError(f"{text!r} is not a node reference of the form Type:key")
    return ref


def _read_nodes(path: Path) -> list[Node]:
    cls = NODE_TYPES.get(path.stem)
    if cls is None:
        raise DataError(f"{path}: no node type is called {path.stem!r}")
    return [_node(cls, row, f"{path}:{line}") for line, row in enumerate(read_rows(path), start=2)]


def _node(cls: type[Node], row: dict[str, str], where: str) -> Node:
    """A node from its row; a field with a default (provenance, an optional address) may have no column."""
    values: dict[str, object] = {}
    optional = {f.name for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}
    for name, hint in field_types(cls).items():
        if hint == tuple[Schedule, ...]:
            continue  # from schedules.csv, attached once every node is read
        columns = ("lat", "lon") if _is_point(hint) else (name,)
        if name in optional and not all(row.get(column) for column in columns):
            continue
        try:
            values[name] = _convert(hint, row, name)
        except (KeyError, ValueError) as exc:
            raise DataError(f"{where}: field {name!r}: {exc}") from exc
    return cls(**values)


def _is_point(hint: object) -> bool:
    return hint is Point or Point in typing.get_args(hint)


def _convert(hint: object, row: dict[str, str], name: str) -> object:
    if _is_point(hint):
        return Point(lat=float(row["lat"]), lon=float(row["lon"]))
    text = row[name]
    if isinstance(hint, types.UnionType):
        if not text:
            return None
        (hint,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
    if hint in (int, float):
        return hint(text)  # type: ignore[operator]
    if hint is datetime.datetime:
        return datetime.datetime.fromisoformat(text)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(text)
    if not text:
        raise ValueError("is empty")
    return text


def _read_relationships(path: Path) -> list[Relationship]:
    if path.stem not in RELATIONSHIP_TYPES:
        raise DataError(f"{path}: no relationship type is called {path.stem!r}")
    rows = []
    type_ = path.stem  # one string for every row (as the sources, interned): each row's own would stay in the store
    for line, row in enumerate(read_rows(path), start=2):
        try:
            rows.append(
                Relationship(
                    type=type_,
                    start=parse_ref(row.pop("from")),
                    end=parse_ref(row.pop("to")),
                    source=sys.intern(row.pop("source")),
                    properties={name: _property(name, text) for name, text in row.items() if text},
                )
            )
        except (KeyError, ValueError) as exc:
            raise DataError(f"{path}:{line}: {exc}") from exc
    return rows


def _property(name: str, text: str) -> object:
    return datetime.date.fromisoformat(text) if name in DATE_PROPERTIES else text


def _schedules_by_place(seeds_dir: Path, places: dict[str, str]) -> dict[str, list[Schedule]]:
    """The rows of every part's schedules file by meeting place; a bad row is refused naming its line and column.

    `places` gives each meeting place's source: its opening hours must come from the same dataset, so that
    the place's `isDemo` tells for them too (no generated hours on a real place).
    """
    found: dict[str, list[Schedule]] = {}
    for path in (seeds_dir / part / SCHEDULES_FILE for part in SEED_PARTS):
        for line, row in enumerate(read_rows(path) if path.is_file() else (), start=2):
            ref = row.get("location_id") or ""
            if ref not in places:
                raise DataError(f"{path}:{line}: column 'location_id': {ref!r} is no meeting place of the seeds")
            if row.get("source") != places[ref]:
                source, wanted = row.get("source"), places[ref]
                raise DataError(f"{path}:{line}: column 'source': {source!r} is not {ref}'s source {wanted!r}")
            try:
                found.setdefault(ref, []).append(Schedule.from_hsds(row))
            except ValueError as exc:
                raise DataError(f"{path}:{line}: {exc}") from exc
    return found


def _with_schedules(node: Node, schedules: dict[str, list[Schedule]]) -> Node:
    ref = str(NodeRef.of(node))
    return dataclasses.replace(node, schedules=tuple(schedules[ref])) if ref in schedules else node
