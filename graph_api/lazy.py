"""A value made on its first use rather than at start-up, once however many ask for it at the same time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

import anyio.to_thread

from graph_api import heap

T = TypeVar("T")


class Lazy(Generic[T]):
    """`make()`'s value, made on the first `get` (or `now`) and kept.

    From the event loop, `get` makes it in a worker thread, so the requests that come meanwhile are served (they
    share the interpreter with it, so they run slower while it is made, but none waits for it to finish); one asked
    for by a request that is over (timed out, its client gone) is still made, and kept for the next.
    """

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._made: list[T] = []
        self._lock = threading.Lock()

    async def get(self) -> T:
        if self._made:
            return self._made[0]
        return await anyio.to_thread.run_sync(self.now, abandon_on_cancel=True)

    def now(self) -> T:
        """The value, made here if it is not yet: for worker threads (and code off the event loop)."""
        with self._lock:
            if not self._made:
                self._made.append(self._make())
                heap.settle()
            return self._made[0]
