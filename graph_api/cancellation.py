"""Stopping a request's work in worker threads once the request is over.

A thread cannot be killed, so CPU-heavy work runs in a worker thread (off the event loop) and calls
`checkpoint()` in its loops: once the request it serves has timed out or lost its client, the next
checkpoint raises `RequestCancelled` and the thread ends. The request is found through a context variable,
which `asyncio.to_thread` copies into the thread; outside a request (the command line) checkpoints do nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from graph_api.errors import RequestCancelled

P = ParamSpec("P")
T = TypeVar("T")

CPU_WORKERS = 2
"""Python holds one lock to run (the GIL): every CPU-bound thread more is one more the event loop waits behind
for its turn, and none adds speed. Two let a small job run beside a long one; the rest wait in line."""
_workers = ThreadPoolExecutor(max_workers=CPU_WORKERS, thread_name_prefix="graph-api-cpu")


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

    When the awaiting request is cancelled the await ends at once: work still waiting for a worker never starts,
    and work under way stops at its next `checkpoint`.
    """
    job = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_workers, job)


SMALL_WORK = 1000
"""Items (e.g. a search's candidates, ~0.6 µs each) below which work runs on the event loop: handing it to a thread
costs more, as the loop then waits for the GIL behind the worker (up to the 5 ms switch interval on a busy
machine: two thirds of a small `nearby`'s time under load)."""


async def in_worker_if_large(items: int, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`in_worker` for work over `items` items of at least `SMALL_WORK`; smaller work runs at once."""
    if items < SMALL_WORK:
        return function(*args, **kwargs)
    return await in_worker(function, *args, **kwargs)
