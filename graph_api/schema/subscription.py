"""Subscriptions: `placesChanged` pushes each change to a meeting place in a map view (see `graph_api.live`).

They run over a websocket at /graphql (graphql-transport-ws), and only there; queries and mutations run over
HTTP, where the request's limits (time budget, body size) bound them. `Transport` holds that rule.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import AsyncIterator, Iterator

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import Info
from strawberry.types.graphql import OperationType

from graph_api import live
from graph_api.response_cache import not_cacheable
from graph_api.schema.context import Context
from graph_api.schema.enums import MeetingPlaceKind
from graph_api.schema.inputs import BoundsInput, bounds_of, kinds_of
from graph_api.schema.types import MeetingPlace

PlaceChangeKind = strawberry.enum(live.Change, name="PlaceChangeKind", description="What happened to the place.")


@strawberry.type(description="A meeting place created, updated or withdrawn, as it is after the change.")
class PlaceChange:
    change: PlaceChangeKind
    place: MeetingPlace = strawberry.field(
        description="The place now. Moved out of the view, or no longer of its kinds, it is still sent once: "
        "remove it from the map then, as when it is withdrawn (`withdrawnAt` set)."
    )
    at: datetime.datetime = strawberry.field(description="When the change was made.")


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each change to a meeting place in the map view, as it is made through this API: a place "
        "created, updated or withdrawn in `bounds` (of `kinds`), or moved out of them. Over a websocket at "
        "/graphql (graphql-transport-ws). A client that falls behind by more changes than the server keeps per "
        "subscription is ended with SUBSCRIBER_TOO_SLOW; past the most subscriptions the server keeps open, a new "
        "one gets SUBSCRIPTION_LIMIT."
    )
    async def places_changed(
        self, info: Info[Context, None], bounds: BoundsInput, kinds: list[MeetingPlaceKind] | None = None
    ) -> AsyncIterator[PlaceChange]:
        # Checked and counted here, before the first change: a refusal is the operation's `error` message.
        view = live.View(bounds_of(bounds), kinds_of(kinds))
        return _pushed(info.context.events.subscribe(view), info.context)  # type: ignore[return-value]


async def _pushed(subscription: live.Subscription, context: Context) -> AsyncIterator[live.PlaceChanged]:
    async with contextlib.aclosing(subscription):
        async for event in subscription:
            context.forget_loaded()  # the connection's loaders would otherwise answer with what they read before
            yield event


class Transport(SchemaExtension):
    """Subscriptions over a websocket only, queries and mutations over HTTP only (see the module's docstring)."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        if isinstance(context, Context):
            subscribing = execution.operation_type is OperationType.SUBSCRIPTION
            if subscribing and not context.websocket:
                raise _refusal("subscriptions run over a websocket at /graphql, with graphql-transport-ws")
            if context.websocket and not subscribing:
                raise _refusal("over a websocket only subscriptions run: send queries and mutations over HTTP")
        if execution.operation_type is not OperationType.QUERY:
            not_cacheable()  # only a query's answer is kept (graph_api.response_cache)
        yield


def _refusal(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_REQUEST"})
