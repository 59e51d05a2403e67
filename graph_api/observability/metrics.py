"""The app's Prometheus metrics, in a registry of its own so that several apps in one process never clash."""

from __future__ import annotations

import re
import threading
from typing import Generic, TypeVar

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics import MetricWrapperBase

from graph_api.observability.caches import CacheSizes
from graph_api.observability.outcomes import Outcome

MAX_OPERATION_NAMES = 100
OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
ANONYMOUS = "anonymous"
OTHER = "other"

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
STORE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


M = TypeVar("M", bound=MetricWrapperBase)


class Children(Generic[M]):
    """A labelled metric's children, each looked up once: `labels()` checks and locks on every call (~3 µs, a
    few a request). For labels whose values are bounded (routes, methods, statuses, operations, outcomes)."""

    def __init__(self, metric: M) -> None:
        self._metric = metric
        self._made: dict[tuple[str, ...], M] = {}

    def __call__(self, *labels: str) -> M:
        child = self._made.get(labels)
        if child is None:
            child = self._made[labels] = self._metric.labels(*labels)
        return child


def operation_name(name: object) -> str:
    """The name as logs and labels show it: `anonymous` when none, `other` when it is no plain GraphQL name
    (clients send anything, a number or a list too)."""
    if not name:
        return ANONYMOUS
    return name if isinstance(name, str) and OPERATION_NAME.fullmatch(name) else OTHER


class OperationNames:
    """Clients name their operations, so the label is bounded: the first `limit` valid names, then `other`."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self._limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None) -> str:
        if name in self._seen:  # a name labelled before, as most are: neither checked nor locked again
            return name  # type: ignore[return-value]
        name = operation_name(name)
        if name in (ANONYMOUS, OTHER):
            return name
        with self._lock:
            if name not in self._seen and len(self._seen) >= self._limit:
                return OTHER
            self._seen.add(name)
        return name


class Metrics:
    """Every metric the app exposes on `/metrics`; the parts of the app record through these."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.operation_names = OperationNames()
        self.http_seconds = Histogram(
            "graph_api_http_request_duration_seconds",
            "HTTP requests by route, method and status: how long each took to answer.",
            ["route", "method", "status"],
            registry=self.registry,
            buckets=LATENCY_BUCKETS,
        )
        self.graphql_requests = Counter(
            "graph_api_graphql_requests",
            "GraphQL operations executed, by operation name and outcome.",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.graphql_seconds = Histogram(
            "graph_api_graphql_request_duration_seconds",
            "GraphQL requests by operation name and outcome: how long each took to answer.",
            ["operation", "outcome"],
            registry=self.registry,
            buckets=LATENCY_BUCKETS,
        )
        self.store_seconds = Histogram(
            "graph_api_store_call_duration_seconds",
            "Calls to the graph store by backend and operation: how long each took.",
            ["backend", "operation"],
            registry=self.registry,
            buckets=STORE_BUCKETS,
        )
        self.geocodings = Counter(
            "graph_api_geocodings",
            "Geocoder calls by provider and outcome (found, nothing, cache_hit, fallback).",
            ["provider", "outcome"],
            registry=self.registry,
        )
        self.response_cache = Counter(
            "graph_api_response_cache",
            "Queries looked up in the response cache: answered from it (hit) or not (miss); answers kept (kept).",
            ["result"],
            registry=self.registry,
        )
        self.registry.register(CacheSizes())
        self.http = Children(self.http_seconds)
        self._graphql_requests = Children(self.graphql_requests)
        self._graphql_seconds = Children(self.graphql_seconds)

    def observe_graphql(self, operation: str | None, outcome: Outcome, seconds: float) -> None:
        labels = (self.operation_names.label(operation), outcome.value)
        self._graphql_requests(*labels).inc()
        self._graphql_seconds(*labels).observe(seconds)

    def exposition(self) -> tuple[bytes, str]:
        """The metrics in Prometheus' text format, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
