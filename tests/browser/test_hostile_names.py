"""A partner's text is shown as text: a place named with markup appears in the explorer's lists, cards and map
tooltips exactly as written, and nothing in it becomes an element of the page (Leaflet reads a tooltip's string
as HTML, so the page never hands it one). On both backends, with the place written through the API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Page, expect

from graph_api.app import create_app
from graph_api.store.base import GraphStore
from tests.api.edits import ESPOO, Editor, bearer, token_for
from tests.browser.harness import SETTINGS
from tests.conftest import client_for
from tests.live_ws import listening

pytestmark = pytest.mark.anyio

HOSTILE = """<img src="x" onerror="window.injected = true"><b>Perhekahvila</b> "Kallio" & 'Co' </div>"""
OPEN_TOOLTIPS = """() => {
  const texts = [];
  explorer.map.eachLayer((layer) => {
    if (layer.getTooltip?.()) {
      layer.openTooltip();
      texts.push(layer.getTooltip().getElement().textContent);
    }
  });
  return texts;
}"""


@pytest.fixture(scope="module")
async def hostile_place(editable_store: GraphStore) -> str:
    token = await token_for(editable_store, "Organization:mll", "admin")
    async with client_for(editable_store, SETTINGS) as http:
        place = await Editor(http, bearer(token)).place(name=HOSTILE, location=ESPOO)
    return str(place["id"])


@pytest.fixture
async def url(editable_store: GraphStore) -> AsyncIterator[str]:
    async with listening(create_app(editable_store, SETTINGS)) as served:
        yield served


async def nothing_injected(page: Page) -> None:
    assert await page.evaluate("window.injected") is None
    assert await page.locator("#map img[src='x'], #panel img[src='x'], b").count() == 0


async def test_a_place_named_with_markup_is_listed_and_carded_as_written(
    page: Page, url: str, hostile_place: str
) -> None:
    await page.goto(f"{url}/?q=Espoo&lang=en")
    item = page.locator(f"#find li[data-place-id='{hostile_place}']")
    await expect(item).to_contain_text(HOSTILE.strip())
    await item.get_by_role("button").first.click()
    await expect(page.locator("#find h3").filter(has_text="Kallio")).to_have_text(HOSTILE.strip())
    await nothing_injected(page)


async def test_a_place_named_with_markup_is_a_tooltip_of_text_on_the_find_and_network_maps(
    page: Page, url: str, hostile_place: str
) -> None:
    await page.goto(f"{url}/?view={ESPOO['lat']},{ESPOO['lon']},15&lang=en")
    await expect(page.locator(".find-place-marker").first).to_be_attached()
    assert HOSTILE.strip() in await page.evaluate(OPEN_TOOLTIPS)
    await nothing_injected(page)
    await page.goto(f"{url}/?mode=network&node=District:uusimaa&lang=en")
    await expect(page.locator("#network")).to_have_attribute("data-drawn", "District:uusimaa")
    await expect(page.locator(f"#network [data-node-id='{hostile_place}']")).to_contain_text(HOSTILE.strip())
    assert HOSTILE.strip() in await page.evaluate(OPEN_TOOLTIPS)
    await nothing_injected(page)
