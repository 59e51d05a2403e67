"""The request middleware on its own: what it records of a request that is never answered."""

from __future__ import annotations

import anyio
import pytest
from starlette.types import Receive, Scope, Send

from graph_api.observability.metrics import Metrics
from graph_api.observability.middleware import CLIENT_CLOSED, RequestObserver

pytestmark = pytest.mark.anyio


async def never_answers(scope: Scope, receive: Receive, send: Send) -> None:
    await anyio.sleep_forever()


async def nothing_to_send(message: object) -> None:
    raise AssertionError("a cancelled request sends nothing")


async def test_a_request_cancelled_before_its_answer_is_counted_as_client_closed() -> None:
    metrics = Metrics()
    observer = RequestObserver(never_answers, metrics, slow_request_ms=60_000)
    scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": []}
    with anyio.move_on_after(0.05):
        await observer(scope, anyio.sleep_forever, nothing_to_send)  # type: ignore[arg-type]
    count = metrics.registry.get_sample_value(
        "graph_api_http_request_duration_seconds_count",
        {"route": "unmatched", "method": "POST", "status": str(CLIENT_CLOSED)},
    )
    assert count == 1
