"""Data built to last, kept out of the cyclic garbage collector's walks.

Now and then Python's collector walks every object that has lived long (a generation-2 collection), holding the
interpreter lock throughout, on whichever thread happens to allocate: with the seeds, their derived data and (in a
test process) the test session in memory, a walk took 120 to 160 ms, 400 ms on a busy machine, and on the event loop
every request waited for it. Once such data is built, `settle` moves everything alive out of the walks' reach
(`gc.freeze`): the walks then cover only what came after, and take a few milliseconds.

Frozen objects are still freed when their last reference goes; only garbage in reference cycles among them stays,
so data that is replaced (the embedded store's graph) must not be held in a cycle (see `MemoryStore._swap`).
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Leave what is alive now out of the collector's walks: for data that will serve many requests."""
    gc.freeze()
