"""Nodes and relationships as JSON and back, exactly: what the data folder keeps (and what tests compare).

Each field by its type hint: a point as `[lat, lon]`, an enum by its value, dates and times in ISO 8601,
opening hours as their HSDS columns, closures in their JSON form (`Closure.to_json`); a node also names its
label, so that a list of mixed nodes reads back.
"""

from __future__ import annotations

import datetime
import enum
import json
import types
import typing
from collections.abc import Sequence
from typing import Any

from graph_api.errors import DataError
from graph_api.hours import Closure, Schedule
from graph_api.models import NODE_TYPES, FieldChange, Node, NodeRef, Point, Relationship, field_types, label_of

SCHEDULES = tuple[Schedule, ...]
CLOSURES = tuple[Closure, ...]
TEMPORAL: tuple[type, ...] = (datetime.datetime, datetime.date)


def node_to_json(node: Node) -> dict[str, Any]:
    """Every field, an unset one as null: a field without a default (a Swedish name) must read back."""
    data: dict[str, Any] = {"label": label_of(node)}
    for name, hint in field_types(type(node)).items():
        data[name] = _to_json(hint, getattr(node, name))
    return data


def node_from_json(data: dict[str, Any]) -> Node:
    label = data.get("label")
    cls = NODE_TYPES.get(str(label))
    if cls is None:
        raise DataError(f"{label!r} is not a node type of this graph")
    values = {name: _from_json(hint, data[name]) for name, hint in field_types(cls).items() if name in data}
    return cls(**values)


def relationship_to_json(rel: Relationship) -> dict[str, Any]:
    properties = {name: _value_to_json(value) for name, value in rel.properties.items() if value is not None}
    return {"type": rel.type, "start": str(rel.start), "end": str(rel.end), "source": rel.source, **properties}


def relationship_from_json(data: dict[str, Any]) -> Relationship:
    data = dict(data)
    type_, start, end, source = (data.pop(name) for name in ("type", "start", "end", "source"))
    refs = [NodeRef.parse(start), NodeRef.parse(end)]
    if refs[0] is None or refs[1] is None:
        raise DataError(f"a {type_} relationship from {start!r} to {end!r} names no node")
    properties = {name: _value_from_json(value) for name, value in data.items()}
    return Relationship(type=type_, start=refs[0], end=refs[1], source=source, properties=properties)


def _to_json(hint: object, value: Any) -> Any:
    if isinstance(value, Point):
        return [value.lat, value.lon]
    if hint == SCHEDULES:
        return [schedule.to_hsds() for schedule in value]
    if hint == CLOSURES:
        return [closure.to_json() for closure in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, TEMPORAL):
        return value.isoformat()
    return value


def _from_json(hint: object, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(hint, types.UnionType):
        (hint,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
    if hint is Point:
        return Point(lat=value[0], lon=value[1])
    if hint == SCHEDULES:
        return tuple(Schedule.from_hsds(row) for row in value)
    if hint == CLOSURES:
        return tuple(Closure.from_json(data) for data in value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(value)
    if hint is datetime.datetime:
        return datetime.datetime.fromisoformat(value)
    if hint is datetime.date:
        return datetime.date.fromisoformat(value)
    return value


def _value_to_json(value: object) -> object:
    """A relationship property: dates are tagged, so that they read back as dates."""
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    return value


def _value_from_json(value: object) -> object:
    if isinstance(value, dict):
        ((kind, text),) = value.items()
        return datetime.datetime.fromisoformat(text) if kind == "datetime" else datetime.date.fromisoformat(text)
    return value


def fields_to_json(fields: Sequence[FieldChange]) -> str:
    """An audit entry's fields as one JSON text, `[[name, before, after], ...]`: how both stores keep them."""
    return json.dumps([[f.name, f.before, f.after] for f in fields], ensure_ascii=False, separators=(",", ":"))


def fields_from_json(text: str) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(*item) for item in json.loads(text))
