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
import functools
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path

from graph_api.derived_cache import derived
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
    refs: dict[str, NodeRef] = {}
    for part in SEED_PARTS:
        for path in sorted((seeds_dir / part / "nodes").glob("*.csv")):
            nodes.extend(_read_nodes(path))
        for path in sorted((seeds_dir / part / "relationships").glob("*.csv")):
            relationships.extend(_read_relationships(path, refs))
    places = {str(NodeRef.of(n)): n.source for n in nodes if isinstance(n, MeetingPlace)}
    schedules = _schedules_by_place(seeds_dir, places)
    return Dataset(nodes=[_with_schedules(node, schedules) for node in nodes], relationships=relationships)


def read_dataset_cached(seeds_dir: Path, cache_dir: Path | None) -> Dataset:
    """`read_dataset`, or what it read before from the same seed files, kept in `cache_dir` (`derived`): the pickle
    loads in half the time the files take to read, which every start of the embedded store waits for."""
    files = sorted(path.relative_to(seeds_dir) for part in SEED_PARTS for path in (seeds_dir / part).rglob("*.csv"))
    return derived("seeds", seeds_dir, files, lambda: read_dataset(seeds_dir), cache_dir)


def parse_ref(text: str) -> NodeRef:
    ref = NodeRef.parse(text)
    if ref is None:
        raise DataError(f"{text!r} is not a node reference of the form Type:key")
    return ref


def _read_nodes(path: Path) -> list[Node]:
    cls = NODE_TYPES.get(path.stem)
    if cls is None:
        raise DataError(f"{path}: no node type is called {path.stem!r}")
    fields = _fields(cls)
    return [_node(cls, fields, row, path, line) for line, row in enumerate(read_rows(path), start=2)]


@dataclass(frozen=True, slots=True)
class _Field:
    """How a node type's field is read from a row: from which columns, whether it may be left out (it has a
    default), and into what: `hint` is None for a location (`lat`, `lon`); a `nullable` one is None when empty."""

    name: str
    columns: tuple[str, ...]
    optional: bool
    hint: object
    nullable: bool


@functools.cache
def _fields(cls: type[Node]) -> tuple[_Field, ...]:
    """The fields of a node type read from its rows, worked out once a type rather than once a row (a third of the
    time reading the seeds took, with the type hints looked into for every cell)."""
    optional = {f.name for f in dataclasses.fields(cls) if f.default is not dataclasses.MISSING}
    fields = []
    for name, hint in field_types(cls).items():
        if hint == tuple[Schedule, ...]:
            continue  # from schedules.csv, attached once every node is read
        point = hint is Point or Point in typing.get_args(hint)
        nullable = isinstance(hint, types.UnionType)
        if nullable and not point:
            (hint,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
        columns = ("lat", "lon") if point else (name,)
        fields.append(_Field(name, columns, name in optional, None if point else hint, nullable))
    return tuple(fields)


def _node(cls: type[Node], fields: tuple[_Field, ...], row: dict[str, str], path: Path, line: int) -> Node:
    """A node from its row; a field with a default (provenance, an optional address) may have no column."""
    values: dict[str, object] = {}
    for field in fields:
        if field.optional and not all(row.get(column) for column in field.columns):
            continue
        try:
            values[field.name] = _convert(field, row)
        except (KeyError, ValueError) as exc:
            raise DataError(f"{path}:{line}: field {field.name!r}: {exc}") from exc
    return cls(**values)


def _convert(field: _Field, row: dict[str, str]) -> object:
    hint = field.hint
    if hint is None:
        return Point(lat=float(row["lat"]), lon=float(row["lon"]))
    text = row[field.name]
    if field.nullable and not text:
        return None
    if hint in (int, float):
        return hint(text)  # type: ignore[operator]
    if hint is datetime.datetime:
        return datetime.datetime.fromisoformat(text)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(text)
    if not text:
        raise ValueError("is empty")
    return sys.intern(text) if field.name == "source" else text


def _read_relationships(path: Path, refs: dict[str, NodeRef]) -> list[Relationship]:
    """The file's relationships; `refs` are the references read so far by their text, so that the relationships of a
    node share one, and those without properties share one empty dict (never changed): a dataset of a million places
    took 1.5 KB a place, most of it in each row's own references, labels and dicts."""
    if path.stem not in RELATIONSHIP_TYPES:
        raise DataError(f"{path}: no relationship type is called {path.stem!r}")
    rows = []
    type_ = path.stem  # one string for every row (as the sources, interned): each row's own would stay in the store
    no_properties: dict[str, object] = {}
    for line, row in enumerate(read_rows(path), start=2):
        try:
            start, end = (_ref(row.pop(column), refs) for column in ("from", "to"))
            source = sys.intern(row.pop("source"))
            properties = {name: _property(name, text) for name, text in row.items() if text} or no_properties
            rows.append(Relationship(type=type_, start=start, end=end, source=source, properties=properties))
        except (KeyError, ValueError) as exc:
            raise DataError(f"{path}:{line}: {exc}") from exc
    return rows


def _ref(text: str, refs: dict[str, NodeRef]) -> NodeRef:
    ref = refs.get(text)
    if ref is None:
        parsed = parse_ref(text)
        ref = refs[text] = NodeRef(sys.intern(parsed.label), parsed.key)
    return ref


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
