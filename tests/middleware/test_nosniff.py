"""Every answer says `X-Content-Type-Options: nosniff`, refusals included."""

from __future__ import annotations

import httpx
import pytest

from graph_api.app import create_app
from graph_api.settings import Settings
from graph_api.store.memory import MemoryStore

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
    app = create_app(MemoryStore(), Settings(_env_file=None))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.request(method, path, headers={"accept": "text/html"})
    assert response.headers["x-content-type-options"] == "nosniff"
