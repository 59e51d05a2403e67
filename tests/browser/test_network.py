"""The explorer's network mode in a real browser, on both backends: it offers the API's counties and districts,
draws exactly the members and relationships `network` returns for the area chosen, lists its unconnected places,
sizes members in the order of the API's degree or betweenness, shows a meeting place selected in its list on the
map, a shared URL restores it all, and it is usable at a phone's width."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage, Screenshot
from tests.browser.harness import PHONE
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

AREA = "WelfareArea:VS"
"""Varsinais-Suomi: 112 members, more than the 100 that `byDegree` and `byBetweenness` rank, 20 unconnected."""
NETWORK = """
query ($id: ID!) {
  network(areaId: $id) {
    nodes { id type }
    edges { source target type }
    unconnected { id }
    byDegree(top: 100) { node { id } degree }
    byBetweenness(top: 100) { node { id } betweenness }
  }
}
"""
CHOICES = "{ welfareAreas { id } districts { id } }"
LOCATION = "query ($id: ID!) { node(id: $id) { ... on MeetingPlace { location { lat lon } } } }"
DRAWN = """() => {
  const cy = window.explorerNetwork.cy;
  return {
    nodes: cy.nodes().map((node) => node.id()),
    edges: cy.edges().map((edge) => [edge.data("source"), edge.data("target"), edge.data("type")]),
    widths: Object.fromEntries(cy.nodes().map((node) => [node.id(), node.width()])),
  };
}"""
CYTOSCAPE = "/static/vendor/cytoscape/cytoscape.min.js"


@pytest.fixture
async def api(live_url: str) -> AsyncIterator[GraphQLClient]:
    """The API the page talks to, over HTTP, with the live server's settings (the in-process `gql`'s 5 s budget
    is too short for a loaded machine's first `network` on a fresh Neo4j)."""
    async with httpx.AsyncClient(base_url=live_url) as http:
        yield GraphQLClient(http)


async def ids(page: Page, selector: str) -> list[str]:
    return await page.locator(selector).evaluate_all("(items) => items.map((item) => item.dataset.nodeId)")


async def offered(page: Page, group: int) -> set[str]:
    """The ids the `group`th group of the area choice offers (1: counties, 2: districts)."""
    options = page.locator(f"#network-node optgroup:nth-of-type({group}) option")
    return set(await options.evaluate_all("(options) => options.map((option) => option.value)"))


async def drawing(page: Page, area: str) -> dict[str, Any]:
    """What the page drew once it says it has drawn `area`: node ids, edges and each node's width."""
    await expect(page.locator("#network")).to_have_attribute("data-drawn", area)
    return await page.evaluate(DRAWN)  # type: ignore[no-any-return]


def ranking(members: list[dict[str, Any]], figure: str) -> list[tuple[str, float]]:
    return [(member["node"]["id"], member[figure]) for member in members]


def sized_in_order(ranked: list[tuple[str, float]], widths: dict[str, float]) -> bool:
    """Whether, down the API's ranking, each member is drawn smaller than the one before exactly when its figure
    is smaller, and as large when it is equal."""
    pairs = itertools.pairwise(ranked)
    return all((widths[a] > widths[b]) == (x > y) and (widths[a] == widths[b]) == (x == y) for (a, x), (b, y) in pairs)


async def shows_on_the_map(page: Page, place: str, api: GraphQLClient) -> None:
    """The page says it shows `place`, with a marker at the API's location, inside the map."""
    await expect(page.locator("#network")).to_have_attribute("data-shown", place)
    location = (await api.data(LOCATION, id=place))["node"]["location"]
    assert await page.evaluate("window.explorerNetwork.markerAt()") == location
    marker = await page.locator("#map .leaflet-marker-icon").bounding_box()
    box = await page.locator("#map").bounding_box()
    assert marker is not None and box is not None
    assert box["x"] <= marker["x"] + marker["width"] / 2 <= box["x"] + box["width"]
    assert box["y"] <= marker["y"] + marker["height"] <= box["y"] + box["height"]


async def test_network_draws_the_members_relationships_and_unconnected_places_of_the_apis_network(
    page: Page, live_url: str, api: GraphQLClient, screenshot: Screenshot
) -> None:
    network = (await api.data(NETWORK, id=AREA))["network"]
    choices = await api.data(CHOICES)
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url) if CYTOSCAPE in request.url else None)
    await page.goto(f"{live_url}/?lang=en")
    await expect(page.locator("#find")).to_be_visible()
    await page.get_by_role("button", name="Network").click()
    await expect(page.locator("#network-node optgroup")).to_have_count(4)
    assert await offered(page, 1) == {county["id"] for county in choices["welfareAreas"]}
    assert await offered(page, 2) == {district["id"] for district in choices["districts"]}

    await page.select_option("#network-node", AREA)
    drawn = await drawing(page, AREA)
    members = sorted(node["id"] for node in network["nodes"])
    edges = sorted((edge["source"], edge["target"], edge["type"]) for edge in network["edges"])
    assert sorted(await ids(page, ".network-members li")) == members
    assert sorted(drawn["nodes"]) == members
    assert sorted(map(tuple, drawn["edges"])) == edges
    await expect(page.locator(".network-summary")).to_have_text(f"{len(members)} members, {len(edges)} relationships")
    assert await ids(page, ".network-unconnected li") == [node["id"] for node in network["unconnected"]]
    assert len(scripts) == 1, "Cytoscape.js is loaded once, when the network mode is first shown"
    await screenshot(page, "network")

    await page.select_option("#language", "sv")
    await expect(page.locator("#network h2")).to_have_text("Partnernätverk")
    await expect(page.locator(".network-summary")).to_have_text(f"{len(members)} medlemmar, {len(edges)} relationer")
    counties = page.locator("#network-node optgroup").first
    await expect(counties).to_have_attribute("label", "Välfärdsområden och Helsingfors")
    await expect(page.locator('.network-members li[data-node-id^="MeetingPlace:"]').first).to_contain_text("Mötesplats")


async def test_network_sizes_members_in_the_order_of_the_apis_degree_or_betweenness(
    page: Page, live_url: str, api: GraphQLClient
) -> None:
    network = (await api.data(NETWORK, id=AREA))["network"]
    by_degree, by_betweenness = ranking(network["byDegree"], "degree"), ranking(network["byBetweenness"], "betweenness")
    await page.goto(f"{live_url}/?lang=en&mode=network&node={AREA}")
    by_degree_drawn = (await drawing(page, AREA))["widths"]
    assert sized_in_order(by_degree, by_degree_drawn)
    assert (await ids(page, ".network-members li"))[:100] == [id for id, _ in by_degree]

    await page.get_by_label("Betweenness").check()
    await expect(page.locator(".network-members li").first).to_have_attribute("data-node-id", by_betweenness[0][0])
    by_betweenness_drawn = (await page.evaluate(DRAWN))["widths"]
    assert sized_in_order(by_betweenness, by_betweenness_drawn)
    assert by_betweenness_drawn != by_degree_drawn
    assert (await ids(page, ".network-members li"))[:100] == [id for id, _ in by_betweenness]
    assert "size=betweenness" in page.url


async def test_network_shows_a_meeting_place_chosen_in_its_list_on_the_map_and_a_shared_url_restores_it(
    page: Page, new_page: NewPage, live_url: str, api: GraphQLClient
) -> None:
    await page.goto(f"{live_url}/?lang=en&mode=network&node={AREA}&size=betweenness")
    await drawing(page, AREA)
    place = page.locator('.network-members li[data-node-id^="MeetingPlace:"]').first
    place_id = await place.get_attribute("data-node-id")
    assert place_id is not None
    await place.get_by_role("button").focus()
    await page.keyboard.press("Enter")
    await shows_on_the_map(page, place_id, api)
    await expect(place.get_by_role("button")).to_have_attribute("aria-current", "true")
    await expect(page.locator(".network-details h3")).not_to_be_empty()

    shared = await new_page()
    await shared.goto(page.url)
    await drawing(shared, AREA)
    await expect(shared.locator("#network-node")).to_have_value(AREA)
    await expect(shared.get_by_label("Betweenness")).to_be_checked()
    await shows_on_the_map(shared, place_id, api)
    selected = shared.locator(f'.network-members li[data-node-id="{place_id}"] button')
    await expect(selected).to_have_attribute("aria-current", "true")


async def test_network_is_usable_at_a_phones_width(
    new_page: NewPage, live_url: str, api: GraphQLClient, screenshot: Screenshot
) -> None:
    page = await new_page(PHONE, is_mobile=True, has_touch=True)
    await page.goto(f"{live_url}/?lang=fi&mode=network&node={AREA}")
    drawn = await drawing(page, AREA)
    assert len(drawn["nodes"]) == len((await api.data(NETWORK, id=AREA))["network"]["nodes"])
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    canvas = await page.locator(".network-canvas").bounding_box()
    assert canvas is not None and canvas["width"] >= PHONE["width"] - 40
    place = page.locator('.network-members li[data-node-id^="MeetingPlace:"]').first
    place_id = await place.get_attribute("data-node-id")
    assert place_id is not None
    await place.get_by_role("button").tap()
    await shows_on_the_map(page, place_id, api)
    await page.locator(".network-figure").scroll_into_view_if_needed()
    await screenshot(page, "network-phone")
