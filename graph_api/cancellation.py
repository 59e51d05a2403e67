"""Stopping a request's work in worker threads once the request is over.

A thread cannot be killed, so CPU-heavy work runs in a worker thread (off the event loop) and calls
`checkpoint()` in its loops: once the request it serves has timed out or lost its client, the next
checkpoint raises `RequestCancelled` and the thread ends. The request is found through a context variable,
which `asyncio.to_thread` copies into the thread; outside a request (the command line) checkpoints do nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from graph_api.errors import RequestCancelled

P = ParamSpec("P")
T = TypeVar("T")


class Cancellation:
    """One per request; set once the request is over, read by its worker threads."""

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


_current: ContextVar[Cancellation | None] = ContextVar("graph_api_cancellation", default=None)


@contextlib.contextmanager
def cancellable() -> Iterator[Cancellation]:
    """Work started inside (threads included) belongs to a new request, which is over when the block ends."""
    cancellation = Cancellation()
    token = _current.set(cancellation)
    try:
        yield cancellation
    finally:
        cancellation.cancel()
        _current.reset(token)


def checkpoint() -> None:
    """Raise `RequestCancelled` when the request this work is for is over; cheap enough for inner loops."""
    cancellation = _current.get()
    if cancellation is not None and cancellation.cancelled:
        raise RequestCancelled("the request this work was for is over")


async def in_worker(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run CPU-heavy work in a worker thread, so the event loop keeps serving other requests.

    When the awaiting request is cancelled the await ends at once; the thread stops at its next `checkpoint`.
    """
    return await asyncio.to_thread(function, *args, **kwargs)
