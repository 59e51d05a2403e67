"""The explorer's page as a whole, on both backends: its languages, a shared link, the keyboard, a phone's width
and the tile setting. Each mode has its own tests (test_find.py, test_coverage.py, test_network.py)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, expect

from graph_api.app import create_app
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from tests.browser.conftest import NewPage, Screenshot
from tests.browser.harness import PHONE
from tests.live_ws import listening
from tests.local_http import serving

pytestmark = pytest.mark.anyio

LABELS = {
    "fi": ["Kumppanuuskartta", "Etsi", "Kattavuus", "Verkosto", "Kieli"],
    "sv": ["Partnerskapskartan", "Sök", "Täckning", "Nätverk", "Språk"],
    "en": ["Partnership map", "Find", "Coverage", "Network", "Language"],
}
MODES = ["find", "coverage", "network"]
FRONTEND_PATHS = ("/static/", "/geojson/")
"""Besides the page and /graphql: its own files, and the GeoJSON layers any frontend may ask for."""
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f5a3d10000000049454e44ae426082"
)
"""A 1 x 1 pixel PNG: every tile of the local tile server."""


async def labels(page: Page) -> list[str]:
    texts = [page.locator("h1"), *(page.locator(f"[data-mode={mode}]") for mode in MODES)]
    return [*[await text.inner_text() for text in texts], await page.locator(".language span").inner_text()]


async def map_view(page: Page) -> tuple[float, float, float]:
    return tuple(
        await page.evaluate(
            "(() => { const c = explorer.map.getCenter(); return [c.lat, c.lng, explorer.map.getZoom()] })()"
        )
    )


async def test_language_switch_changes_the_labels_and_is_remembered(page: Page, live_url: str) -> None:
    await page.goto(f"{live_url}/")
    assert await labels(page) == LABELS["fi"]
    for language in ("sv", "en"):
        await page.get_by_label(LABELS["fi" if language == "sv" else "sv"][-1]).select_option(language)
        assert await labels(page) == LABELS[language]
        assert await page.evaluate("document.documentElement.lang") == language
        assert f"lang={language}" in page.url
    await page.goto(f"{live_url}/")  # the same browser, no language in the link
    assert await labels(page) == LABELS["en"]


async def test_a_browser_in_swedish_gets_swedish_until_it_chooses(new_page: NewPage, live_url: str) -> None:
    page = await new_page(locale="sv-FI")
    await page.goto(f"{live_url}/")
    assert await labels(page) == LABELS["sv"]


async def test_a_shared_link_restores_the_mode_language_and_map_view(page: Page, live_url: str) -> None:
    await page.goto(f"{live_url}/?mode=coverage&lang=en&view=60.45,22.27,9")
    await expect(page.locator("[data-mode=coverage]")).to_have_attribute("aria-pressed", "true")
    await expect(page.locator("#coverage")).to_be_visible()
    await expect(page.locator("#find")).to_be_hidden()
    assert await labels(page) == LABELS["en"]
    lat, lon, zoom = await map_view(page)
    assert (round(lat, 2), round(lon, 2), zoom) == (60.45, 22.27, 9)


async def test_switching_modes_keeps_them_in_the_link_and_asks_only_what_any_frontend_may(
    page: Page, live_url: str
) -> None:
    asked: set[str] = set()
    page.on("request", lambda request: asked.add(urlsplit(request.url).path))
    await page.goto(f"{live_url}/")
    for mode in [*MODES[1:], MODES[0]]:
        await page.locator(f"[data-mode={mode}]").click()
        await expect(page.locator(f"#{mode}")).to_be_visible()
        assert f"mode={mode}" in page.url
        assert [await page.locator(f"#{other}").is_hidden() for other in MODES if other != mode] == [True, True]
    await page.wait_for_load_state("networkidle")
    assert {"/", "/graphql", "/geojson/municipalities"} <= asked
    assert [path for path in asked if path not in {"/", "/graphql"} and not path.startswith(FRONTEND_PATHS)] == []


async def test_the_page_is_usable_with_the_keyboard(page: Page, live_url: str) -> None:
    await page.goto(f"{live_url}/?lang=en")
    await page.keyboard.press("Tab")
    await expect(page.locator(".skip-link")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("#panel")).to_be_focused()
    await page.locator("[data-mode=network]").focus()
    await page.keyboard.press("Enter")
    await expect(page.locator("[data-mode=network]")).to_have_attribute("aria-pressed", "true")
    for control in await page.locator("select, input, button").all():
        if await control.is_visible():
            assert await control.evaluate(
                "(c) => c.labels?.length > 0 || !!c.getAttribute('aria-label') || !!c.innerText"
            )


async def test_every_mode_fits_a_phones_width(new_page: NewPage, live_url: str, screenshot: Screenshot) -> None:
    page = await new_page(PHONE, is_mobile=True, has_touch=True)
    for mode in MODES:
        await page.goto(f"{live_url}/?mode={mode}&lang=en")
        await expect(page.locator(f"#{mode}")).to_be_visible()
        await expect(page.locator(".leaflet-base-pane path")).to_have_count(309)
        assert await page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
        await screenshot(page, f"phone-{mode}")


async def test_without_tiles_the_municipality_boundaries_are_the_map(page: Page, live_url: str) -> None:
    await page.goto(f"{live_url}/")
    await expect(page.locator(".leaflet-base-pane path")).to_have_count(309)
    assert await page.locator(".leaflet-tile").count() == 0


class TileServer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, format: str, *args: object) -> None:
        pass


async def test_a_tile_server_in_the_settings_draws_tiles_with_its_attribution(store: GraphStore, page: Page) -> None:
    with serving(TileServer) as tiles:
        settings = Settings(
            _env_file=None,
            GRAPH_API_TILE_URL=f"{tiles}/{{z}}/{{x}}/{{y}}.png",
            GRAPH_API_TILE_ATTRIBUTION="© Local tiles",
        )
        async with listening(create_app(store, settings)) as url:
            await page.goto(f"{url}/?view=60.17,24.94,10")
            await expect(page.locator("img.leaflet-tile-loaded").first).to_be_attached()
            assert all(
                src.startswith(tiles)
                for src in await page.locator("img.leaflet-tile").evaluate_all(
                    "(tiles) => tiles.map((tile) => tile.src)"
                )
            )
            await expect(page.locator(".leaflet-control-attribution")).to_contain_text("© Local tiles")
            await expect(page.locator(".leaflet-base-pane path")).to_have_count(309)
