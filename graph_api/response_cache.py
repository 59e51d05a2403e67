"""Answers to repeated queries, kept while the store's data stays as it was.

The data changes only by loads, imports, edits and what the store takes in from other processes, and the store's
`data_version` counts each: a query's answer is a function of its document, operation name, variables and
extensions, that version and the cost limit's figures, unless it depends on who asks (the caller's token is
verified: `Context.caller`), on the clock (a default of "now"), or on an online geocoder. Those say so while they run
(`not_cacheable`), and their answers are not kept. Only successful queries are kept: no mutation,
subscription, error, refusal or partial answer. The cache is an LRU bounded in entries and in bytes.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter
from strawberry.types import ExecutionResult


@dataclass(slots=True)
class Reads:
    """Whether the running operation read more than its request and the store's data (`not_cacheable`)."""

    depends_on_more: bool = False


_READS: contextvars.ContextVar[Reads | None] = contextvars.ContextVar("graph_api_reads", default=None)


def not_cacheable() -> None:
    """The running operation's answer depends on more than its request and the store's data (who asks, the clock,
    an online geocoder, the data folder's log read directly): it must not be kept."""
    reads = _READS.get()
    if reads is not None:
        reads.depends_on_more = True


@contextlib.contextmanager
def watching() -> Iterator[Reads]:
    """What the operation run in the block reads (the tasks it starts see the same record)."""
    reads = Reads()
    token = _READS.set(reads)
    try:
        yield reads
    finally:
        _READS.reset(token)


KEYED_HEADERS = (b"accept", b"content-type")
"""The headers an answer depends on: its media type, and how its body is read."""


def request_key(
    method: str, query_string: bytes, body: bytes, headers: Sequence[tuple[bytes, bytes]], version: Hashable
) -> tuple[Any, ...]:
    """The request as sent (what the answer and its media type are a function of: `KEYED_HEADERS` among the raw
    ASGI headers, as sent, each time they are), and the data's version. Two requests differing in a byte are two
    entries: a frontend repeats its requests byte for byte."""
    keyed = b"\n".join(name + b":" + value for name, value in headers if name in KEYED_HEADERS)
    return (method, query_string, body, keyed, version)


def is_complete(result: ExecutionResult) -> bool:
    """A whole answer: data and no error of any kind (refusals, time-outs and partial answers have some)."""
    return result.data is not None and not result.errors


@dataclass(frozen=True, slots=True)
class Entry:
    """A kept answer's bytes and media type, the name of the operation it answered (for the logs and metrics),
    and its size with its key's."""

    body: bytes
    media_type: str
    operation: str | None
    size: int


class ResponseCache:
    """Least recently used answers, at most `max_entries` of them and `max_bytes` of their JSON; 0 entries
    keeps none. `outcomes` counts hits, misses and answers kept."""

    def __init__(self, max_entries: int, max_bytes: int, outcomes: Counter) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._hits, self._misses, self._kept = (outcomes.labels(result) for result in ("hit", "miss", "kept"))

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.max_bytes > 0

    def get(self, key: tuple[Any, ...]) -> Entry | None:
        found = self._entries.get(key)
        if found is None:
            self._misses.inc()
            return None
        self._entries.move_to_end(key)
        self._hits.inc()
        return found

    def put(self, key: tuple[Any, ...], body: bytes, media_type: str, operation: str | None) -> None:
        size = len(body) + sum(len(part) for part in key if isinstance(part, str | bytes))
        if size > self.max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size
        self._entries[key] = Entry(body, media_type, operation, size)
        self.bytes += size
        self._kept.inc()
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self.bytes -= dropped.size
