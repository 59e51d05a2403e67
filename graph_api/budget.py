"""A GraphQL request's time budget: its operation is stopped past the budget, or as soon as its client
disconnects, and the worker threads under it stop at their next checkpoint (`graph_api.cancellation`).

A stopped operation is answered like any GraphQL error, `{"data": null, "errors": [...]}`, with
`extensions.code` TIMEOUT (a client that left never reads its answer, CLIENT_DISCONNECTED).

Stopping an operation the moment graphql-core gathers sibling fields cancels their tasks before they start, so the
resolvers they were given never run, and Python reports each as "never awaited" (graphql-core issues 217 and 269).
Not running them is what stopping means, so that one warning is silenced, for strawberry's resolver wrapper only:
a coroutine of this project's own left unawaited is still reported.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import warnings
from collections.abc import Awaitable
from typing import TypeVar

import anyio
from graphql import GraphQLError
from starlette.types import Receive
from strawberry.types import ExecutionResult

from graph_api.cancellation import cancellable

T = TypeVar("T")

logger = logging.getLogger(__name__)

UNSTARTED_RESOLVER = r"coroutine 'GraphQLCoreConverter\.from_resolver\.<locals>\._async_resolver' was never awaited"
"""What Python says of a resolver whose operation was stopped before graphql-core started it."""
warnings.filterwarnings("ignore", UNSTARTED_RESOLVER, RuntimeWarning)


class Stopped(enum.Enum):
    """Why an operation was stopped; the value is the error's `extensions.code`."""

    TIMEOUT = "TIMEOUT"
    CLIENT_DISCONNECTED = "CLIENT_DISCONNECTED"


async def within_budget(operation: Awaitable[T], seconds: float, receive: Receive) -> T | Stopped:
    """The operation's result, or why it was stopped: past `seconds`, or its client gone (`receive` says)."""
    with cancellable():
        client_left = asyncio.create_task(_disconnect(receive))
        try:
            with anyio.move_on_after(seconds) as budget:
                client_left.add_done_callback(lambda task: task.cancelled() or budget.cancel())
                return await operation
            return Stopped.CLIENT_DISCONNECTED if client_left.done() else Stopped.TIMEOUT
        finally:
            client_left.cancel()


async def _disconnect(receive: Receive) -> None:
    """Returns when the client disconnects; the request's body has been read, so nothing else is coming."""
    while (await receive())["type"] != "http.disconnect":
        pass


def stopped_message(stopped: Stopped, seconds: float) -> str:
    """Why the request was stopped, for its answer."""
    logger.info("request stopped: %s", stopped.value)
    if stopped is Stopped.TIMEOUT:
        return (
            f"The request ran past its time budget of {seconds:g} s and was stopped: "
            "ask for less (a smaller area, fewer fields, a smaller limit)"
        )
    return "The client disconnected, so the request was stopped"


def stopped_result(stopped: Stopped, seconds: float) -> ExecutionResult:
    """The GraphQL answer to a stopped operation."""
    message = stopped_message(stopped, seconds)
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": stopped.value})])
