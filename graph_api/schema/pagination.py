"""Relay-style connections: `edges { cursor node }`, `pageInfo`, `totalCount`, in the store's order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from graph_api.errors import InputError
from graph_api.models import Node, NodeRef
from graph_api.schema.ids import decode_cursor, encode_cursor
from graph_api.store.base import NodeQuery, Page

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="How many match the filter, on all pages together.")


def check_first(first: int, max_page_size: int) -> int:
    if not 0 <= first <= max_page_size:
        raise InputError("first", f"{first} is outside [0, {max_page_size}], the maximum page size")
    return first


def page_query(label: str, first: int, after: str | None, max_page_size: int, **filters: object) -> NodeQuery:
    key = None if after is None else decode_cursor(after, label)
    return NodeQuery(first=check_first(first, max_page_size), after=key, **filters)  # type: ignore[arg-type]


def node_cursor(node: Node) -> str:
    ref = NodeRef.of(node)
    return encode_cursor(ref.label, ref.key)


def connection(page: Page[Any], cursor: Callable[[Any], str] = node_cursor) -> Connection[Any]:
    """The page as a connection; `cursor` gives each item's, nodes' by default."""
    edges = [Edge(cursor=cursor(item), node=item) for item in page.items]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=edges[-1].cursor if edges else None),
        total_count=page.total_count,
    )


def number_cursor(label: str) -> Callable[[Any], str]:
    """The cursor of an item of a numbered list (imports, changes): its `number`, under the list's label."""
    return lambda item: encode_cursor(label, str(item.number))


def number_after(cursor: str | None, label: str) -> int | None:
    """The number a numbered list's cursor points after."""
    if cursor is None:
        return None
    number = decode_cursor(cursor, label)
    if not number.isdecimal():
        raise InputError("after", f"{cursor!r} is not a cursor of this list")
    return int(number)
