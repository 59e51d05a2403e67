"""Reads a freshly started Neo4j serves before the benchmarks time its reads, until they stop getting faster.

A fresh Neo4j compiles its hot paths as it serves: its first few hundred reads after the loads took two to three
times as long as the steady state a running server gives (one node 5.1 ms against 1.9 ms, `nearby` 6.9 ms against
2.4 ms, on a busy machine), and its JIT compiler goes on compiling for a minute or more, on the cores the client
shares (`RETURN 1` through the driver fell from 1.27 to 0.6-0.8 ms over the minute after one run's loads).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Sequence

FIRST_READS = 2000
ROUND_READS = 500
"""Reads a round after the first `FIRST_READS`, until a round's median first kind falls by less than `STEADY_FALL`."""
STEADY_FALL = 0.03
LEAST_S = 45.0
"""The shortest a warm-up goes on: on a shared machine one round can be slower than the one before while the JIT
compiler is still at work (a run stopped after 3,500 reads, with `RETURN 1` at 1.21 ms)."""
MOST_S = 90.0
"""The longest a warm-up goes on, its first reads included."""

Read = Callable[[int], Awaitable[object]]
"""One read, given its number (to vary its point)."""


async def warmed_up(reads: Sequence[Read], most_s: float = MOST_S) -> list[list[float]]:
    """The seconds each read took, by kind, the kinds in turns: `FIRST_READS` reads, then rounds of `ROUND_READS`
    until `LEAST_S` seconds have passed and the first kind's median no longer falls by `STEADY_FALL`, or until
    `most_s` seconds have passed."""
    times: list[list[float]] = [[] for _ in reads]
    started = time.perf_counter()
    deadline = started + most_s
    reads_left, before = FIRST_READS, float("inf")
    while True:
        first = len(times[0])
        for n in range(first, first + reads_left // len(reads)):
            for read, taken in zip(reads, times, strict=True):
                begun = time.perf_counter()
                await read(n)
                taken.append(time.perf_counter() - begun)
            if time.perf_counter() > deadline:
                return times
        median = statistics.median(times[0][first:])
        if median > before * (1 - STEADY_FALL) and time.perf_counter() - started > LEAST_S:
            return times
        reads_left, before = ROUND_READS, median
