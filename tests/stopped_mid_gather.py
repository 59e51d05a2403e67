"""An operation stopped the moment graphql-core gathers two sibling fields, run as a fresh process would run it
(`python -W error -m tests.stopped_mid_gather`): it prints why it was stopped, and Python's warnings, if any, go to
stderr.

The parent's resolver lets the client leave, then yields once: the stop arrives in the very loop turn that the
children's tasks are created in, before either has started.
"""

from __future__ import annotations

import asyncio

import strawberry
from starlette.types import Message

from graph_api.budget import within_budget

client_left: asyncio.Future[Message]


@strawberry.type
class Child:
    @strawberry.field
    async def first(self) -> int:
        return 1

    @strawberry.field
    async def second(self) -> int:
        return 2


@strawberry.type
class Query:
    @strawberry.field
    async def child(self) -> Child:
        client_left.set_result({"type": "http.disconnect"})
        await asyncio.sleep(0)
        return Child()


async def main() -> None:
    global client_left
    client_left = asyncio.get_running_loop().create_future()

    async def receive() -> Message:
        return await client_left

    stopped = await within_budget(strawberry.Schema(Query).execute("{ child { first second } }"), 60, receive)
    print(stopped.name)  # type: ignore[union-attr]


if __name__ == "__main__":
    asyncio.run(main())
