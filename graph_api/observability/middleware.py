"""A pure ASGI middleware that gives each request an id, measures it, and logs it (at WARNING when slow).

Pure ASGI rather than Starlette's `BaseHTTPMiddleware`: it shares the request's `scope`, so what the GraphQL
view leaves in `request.state` (the cost estimate) is there to read afterwards, and it streams untouched.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_api.observability.logs import FieldLogger
from graph_api.observability.metrics import Metrics, operation_name
from graph_api.observability.requests import CURRENT, RequestRecord

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_NAME = REQUEST_ID_HEADER.lower().encode("latin-1")
"""As ASGI gives header names: lower case bytes."""
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
"""An incoming id is kept when it is short and plain, so it can go into logs and headers as it is."""
UNMATCHED_ROUTE = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods labelled as they are; clients may send any token, so the rest are `other`."""
CLIENT_CLOSED = 499
"""The status of a request cancelled before it was answered (the client went away), as nginx logs it."""

logger = FieldLogger("graph_api.requests")


class RequestObserver:
    """Wraps the whole app: request id in a contextvar and the response header, metrics and one log line. Every
    answer also gets `headers` (unless the app set them), added in the same pass as the request id's."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        slow_request_ms: float,
        log_requests: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.app = app
        self.headers = dict(headers or {})
        self.metrics = metrics
        self.slow_request_ms = slow_request_ms
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord(request_id_of(scope))
        scope.setdefault("state", {})
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                headers.append(REQUEST_ID_HEADER, record.request_id)
            await send(message)

        token = CURRENT.set(record)
        started = time.perf_counter()
        cancelled = False
        try:
            await self.app(scope, receive, send_with_id)
        except asyncio.CancelledError:
            cancelled = True
            raise
        finally:
            # no answer yet: Starlette's error middleware, outside this one, answers an exception with 500
            answered = status or (CLIENT_CLOSED if cancelled else 500)
            self._observe(scope, record, answered, time.perf_counter() - started)
            CURRENT.reset(token)

    def _observe(self, scope: Scope, record: RequestRecord, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", UNMATCHED_ROUTE)
        method = scope["method"] if scope["method"] in METHODS else "other"
        self.metrics.http(route, method, str(status)).observe(seconds)
        if record.outcome is not None:
            self.metrics.observe_graphql(record.operation, record.outcome, seconds)
        slow = seconds * 1000 > self.slow_request_ms
        level, what = (logging.WARNING, "slow request") if slow else (logging.INFO, "request")
        if not (slow or self.log_requests):
            return
        fields = {
            "route": route,
            "method": method,
            "status": status,
            "operation": None if record.outcome is None else operation_name(record.operation),
            "outcome": None if record.outcome is None else record.outcome.value,
            "duration_ms": round(seconds * 1000, 1),
            "cost_estimate": scope["state"].get("cost_estimate"),
        }
        logger.log(level, what, fields)


def request_id_of(scope: Scope) -> str:
    """The client's `X-Request-ID` when it is sane, so a request can be followed across services; else a new one,
    32 random hex digits. (The raw headers scanned and `os.urandom` rather than `Headers` and `uuid4`: ~3 µs less.)"""
    incoming = next((value.decode("latin-1") for name, value in scope["headers"] if name == REQUEST_ID_NAME), None)
    return incoming if incoming is not None and SANE_REQUEST_ID.fullmatch(incoming) else os.urandom(16).hex()
