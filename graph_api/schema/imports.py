"""The imports applied to the store (`graph-api import ... --apply`), newest first: the record of where its data
came from, next to each node's own provenance (`Node.sourceId`, `importedAt`, `updatedAt`, `withdrawnAt`)."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from graph_api import models
from graph_api.response_cache import not_cacheable
from graph_api.schema.context import Context
from graph_api.schema.pagination import (
    DEFAULT_PAGE_SIZE,
    Connection,
    check_first,
    connection,
    number_after,
    number_cursor,
)

LABEL = "Import"
"""What its cursors name, so that another list's cursor is refused."""


def _count(name: str, description: str) -> Any:
    """A field with one of the counts of the record's summary (`models.IMPORT_COUNTS`)."""

    def resolve(root: strawberry.Parent[models.ImportRecord]) -> int:
        return root.summary.get(name, 0)

    return strawberry.field(resolver=resolve, description=description)


@strawberry.type(description="One applied import: when, from which source, who ran it, and what it did.")
class Import:
    number: int = strawberry.field(description="1 for the store's first import, then 2, 3, ...")
    at: datetime.datetime = strawberry.field(description="When it was applied.")
    source: str = strawberry.field(
        description="The source it read, as nodes' `source` names it (`ptv:GUID`, `hsds:NAME`, "
        "`spreadsheet:FILE`; several joined by `, ` when one run read several PTV organizations)."
    )
    by: str = strawberry.field(description="Who ran it, as they said (`graph-api import --by`).")
    created: int = _count("created", "Nodes it brought in for the first time.")
    updated: int = _count("updated", "Nodes whose data it changed.")
    unchanged: int = _count("unchanged", "Nodes the source listed as they were.")
    withdrawn: int = _count("withdrawn", "Nodes the source no longer listed: kept, with `withdrawnAt` set.")
    rejected: int = _count("rejected", "Things in the input it could not take, each left out.")
    warnings: int = _count("warnings", "Things it took with a warning (e.g. a point just outside its municipality).")


@strawberry.field(description="The imports applied to the store, newest first, a page at a time.")
async def imports(
    info: Info[Context, None], first: int = DEFAULT_PAGE_SIZE, after: str | None = None
) -> Connection[Import]:
    first = check_first(first, info.context.max_page_size)
    not_cacheable()  # read from the data folder as it is now, ahead of what the store has taken in of it
    page = await info.context.store.imports(first, number_after(after, LABEL))
    return connection(page, number_cursor(LABEL))
