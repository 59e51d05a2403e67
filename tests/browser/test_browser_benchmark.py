"""The browser benchmark: a first load counts every response the page loads, byte for byte, and the command prints
each figure it promises (its numbers are not asserted)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from graph_api.store.memory import MemoryStore
from tests.browser_benchmark import browser_lines, first_load
from tests.live_ws import listening

pytestmark = pytest.mark.anyio

SCRIPT = b"document.body.dataset.loaded = 'yes';\n" + b"// padding\n" * 500
STYLE = b"body { margin: 0; }\n" * 300
HTML = (
    '<!doctype html><link rel="icon" href="data:,"><link rel="stylesheet" href="/page.css">'
    '<script defer src="/page.js"></script><p>A page of known sizes</p>'
)


def page_of_known_sizes() -> Starlette:
    async def script(request: object) -> Response:
        return Response(SCRIPT, media_type="text/javascript")

    async def style(request: object) -> Response:
        return Response(STYLE, media_type="text/css")

    async def index(request: object) -> Response:
        return HTMLResponse(HTML)

    return Starlette(routes=[Route("/", index), Route("/page.js", script), Route("/page.css", style)])


async def test_first_load_counts_the_body_and_head_of_every_response_until_the_network_is_idle(page: Page) -> None:
    async with listening(page_of_known_sizes()) as url:
        loaded = await first_load(page, f"{url}/")
    assert await page.evaluate("document.body.dataset.loaded") == "yes"
    bodies = {item.url.removeprefix(url): item.body for item in loaded}
    assert bodies == {"/": len(HTML.encode()), "/page.js": len(SCRIPT), "/page.css": len(STYLE)}
    assert all(item.headers > 0 for item in loaded)
    assert {item.url.removeprefix(url): item.decoded for item in loaded} == bodies  # nothing here is compressed


async def test_browser_benchmark_prints_each_figure(browser: Browser, memory_store: MemoryStore) -> None:
    output = "\n".join(await browser_lines(browser, memory_store, rounds=1))
    labels = [
        "first load of /",
        "the same uncompressed",
        "largest on first load",
        "to first markers",
        "its two questions",
    ]
    for label in labels:
        assert label in output
