"""Cache sizes for `/metrics`: a cache registers itself once, by name, and is measured at each scrape.

The caches are process-wide (strawberry's parser and validation caches, coverage distances) or live as long
as the app (the geocoder's disk cache), so the register is one per process; a name registered again names
the newer cache (a process serves one app; the tests build many).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sized
from typing import Protocol, runtime_checkable

from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector


class CacheInfo(Protocol):
    @property
    def currsize(self) -> int: ...


@runtime_checkable
class LruCached(Protocol):
    """A `functools.lru_cache` wrapper: callable, so its size is asked through `cache_info`."""

    def cache_info(self) -> CacheInfo: ...


Measurable = Sized | LruCached | Callable[[], int]

_SIZES: dict[str, Callable[[], int]] = {}


def register_cache(name: str, cache: Measurable) -> None:
    """Report `cache`'s entries as `graph_api_cache_entries{cache=name}`: its `len`, or what it answers."""
    if isinstance(cache, LruCached):
        _SIZES[name] = lambda: cache.cache_info().currsize
    elif isinstance(cache, Sized):
        _SIZES[name] = cache.__len__
    else:
        _SIZES[name] = cache


class CacheSizes(Collector):
    """Reads every registered cache's size when Prometheus scrapes, so caches need not report changes."""

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily("graph_api_cache_entries", "Entries held by each cache.", labels=["cache"])
        for name, size in sorted(_SIZES.items()):
            gauge.add_metric([name], size())
        yield gauge
