"""Every answer says `X-Content-Type-Options: nosniff`, refusals included."""

from __future__ import annotations

import pytest

from graph_api.store.memory import MemoryStore
from tests.conftest import client_for

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/healthz"),
        ("POST", "/graphql"),
        ("GET", "/graphql"),
        ("GET", "/geojson/welfare-areas"),
        ("GET", "/nowhere"),
    ],
)
async def test_nosniff_on_every_answer(method: str, path: str) -> None:
    async with client_for(MemoryStore()) as client:
        response = await client.request(method, path, headers={"accept": "text/html"})
    assert response.headers["x-content-type-options"] == "nosniff"
