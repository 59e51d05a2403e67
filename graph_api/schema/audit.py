"""The audit: every change an edit or an import made, newest first, with who made it and each field before and
after. It is not public: an organisation sees the changes made for it, `admin` all of them."""

from __future__ import annotations

import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph_api import models
from graph_api.auth.permissions import require_audit
from graph_api.schema.context import Context
from graph_api.schema.ids import parse_global_id
from graph_api.schema.inputs import check_moment
from graph_api.schema.pagination import (
    DEFAULT_PAGE_SIZE,
    Connection,
    check_first,
    connection,
    number_after,
    number_cursor,
)
from graph_api.schema.types import Node
from graph_api.store.base import ChangeQuery

LABEL = "Change"
"""What its cursors name, so that another list's cursor is refused."""


@strawberry.type(description="One field of a node as a change found it and left it; null: not set.")
class FieldChange:
    name: str = strawberry.field(description="As the API names it (`name`, `openingHours`, `organisers`, ...).")
    before: JSON | None
    after: JSON | None


@strawberry.type(description="One change to one node, kept in the same transaction as the change itself.")
class Change:
    number: int = strawberry.field(description="1 for the first change kept, then 2, 3, ... in commit order.")
    at: datetime.datetime
    actor: str = strawberry.field(
        description="Who made it: `key:ID` for an API key, `oidc:SUBJECT` for a token, an import's `by`."
    )
    operation: str = strawberry.field(description="The mutation (`updateMeetingPlace`, ...), or `import`.")
    request_id: str | None = strawberry.field(description="The X-Request-ID of the request that made it.")
    version: int | None = strawberry.field(description="The node's version after the change.")
    fields: list[FieldChange]

    @strawberry.field(description="The organisation it was made for; null for an import.")
    def organisation_id(self, root: strawberry.Parent[models.Change]) -> strawberry.ID | None:
        return None if root.organisation is None else strawberry.ID(root.organisation)

    @strawberry.field
    def node_id(self, root: strawberry.Parent[models.Change]) -> strawberry.ID:
        return strawberry.ID(root.node)

    @strawberry.field(description="The node as it is now.")
    async def node(self, root: strawberry.Parent[models.Change], info: Info[Context, None]) -> Node | None:
        ref = models.NodeRef.parse(root.node)
        return None if ref is None else await info.context.node(ref)


@strawberry.field(
    description="The audit, newest first: changes to `nodeId`, made for `organisationId`, at or after `since`. "
    "Needs a token: an organisation sees the changes made for it, `admin` anyone's."
)
async def changes(
    info: Info[Context, None],
    node_id: strawberry.ID | None = None,
    organisation_id: strawberry.ID | None = None,
    since: datetime.datetime | None = None,
    first: int = DEFAULT_PAGE_SIZE,
    after: str | None = None,
) -> Connection[Change]:
    caller = await info.context.caller()
    node = None if node_id is None else str(parse_global_id(node_id, "nodeId"))
    organisation = None if organisation_id is None else str(parse_global_id(organisation_id, "organisationId"))
    query = ChangeQuery(
        first=check_first(first, info.context.max_page_size),
        after=number_after(after, LABEL),
        node=node,
        organisation=require_audit(caller, organisation),
        since=check_moment(since, "since"),
    )
    return connection(await info.context.store.changes(query), number_cursor(LABEL))
