"""The find mode in a real browser, on both backends: what the page lists, draws and shows on a card is what the API
answers for the same question (asked over HTTP): `geocode`'s point, `nearby`'s places and distances with the same
filters and moment, `clusters`' counts for the same view; and the state lives in the URL.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.async_api import Page, Request, expect

from tests.browser.conftest import NewPage, Screenshot
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

RADIUS_KM = 10
LIMIT = 20
"""The page's defaults (find.js)."""
GEOCODE = "query ($address: String!) { geocode(address: $address) { results { label lat lon } } }"
NOWHERE = "query ($address: String!) { geocode(address: $address, limit: 1) { results { label } reason } }"
NEARBY = """
query ($lat: Float!, $lon: Float!, $kinds: [MeetingPlaceKind!], $activityIds: [ID!], $openAt: DateTime) {
  nearby(near: {lat: $lat, lon: $lon}, radiusKm: 10, limit: 20, kinds: $kinds, activityIds: $activityIds,
         openAt: $openAt) {
    distanceKm
    place { id kind activities { id } }
  }
}
"""
PLACE = """
query ($id: ID!, $now: DateTime!) {
  node(id: $id) {
    ... on MeetingPlace {
      isDemo
      runBy { organiser { ... on Named { nameFi } } }
      activities { nameFi }
      openingHours { weekdays }
      nextOpening(after: $now) { opens closes }
    }
  }
}
"""
MOMENTS = ["2026-11-30T10:00:00+02:00", "2026-12-02T10:30:00+02:00", "2026-12-03T18:00:00+02:00"]
"""Weekday mornings and an evening, Helsinki time: the tests use the first at which some but not all places are open."""
HITS = ".find-hits > li"
CENTRED_WITHIN_3_KM = """([lat, lon]) => window.explorer.map.getCenter().distanceTo([lat, lon]) < 3000"""
"""Whether the map's centre is within 3 km of the point."""


async def turku(gql: GraphQLClient) -> dict[str, Any]:
    return (await gql.data(GEOCODE, address="Åbo"))["geocode"]["results"][0]  # type: ignore[no-any-return]


async def nearby(gql: GraphQLClient, point: dict[str, Any], **filters: Any) -> list[dict[str, Any]]:
    return (await gql.data(NEARBY, lat=point["lat"], lon=point["lon"], **filters))["nearby"]  # type: ignore[no-any-return]


def ids(hits: list[dict[str, Any]]) -> list[str]:
    return [hit["place"]["id"] for hit in hits]


def shown_km(distance_km: float) -> str:
    """A distance as the Finnish page shows it: one decimal, rounded half away from zero, decimal comma."""
    return f"{Decimal(distance_km).quantize(Decimal('0.1'), ROUND_HALF_UP)} km".replace(".", ",")


async def listed(page: Page) -> list[str]:
    """The ids of the places listed, once the search under way has answered."""
    await expect(page.locator(".find-hits")).not_to_have_attribute("aria-busy", "true")
    return await page.locator(HITS).evaluate_all("items => items.map((item) => item.dataset.placeId)")


def url_state(page: Page) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()}


async def search(page: Page, text: str) -> None:
    await page.get_by_role("searchbox").fill(text)
    await page.get_by_role("searchbox").press("Enter")
    await expect(page.locator(".find-summary")).not_to_be_empty()


async def test_find_searching_abo_centres_on_turku_and_lists_nearbys_places_and_distances(
    page: Page, live_url: str, gql: GraphQLClient, screenshot: Screenshot
) -> None:
    point = await turku(gql)
    expected = await nearby(gql, point)
    assert 0 < len(expected) <= LIMIT

    await page.goto(f"{live_url}/?lang=fi")
    await search(page, "Åbo")

    assert await listed(page) == ids(expected)
    assert await page.locator(f"{HITS} .find-distance").all_inner_texts() == [
        shown_km(hit["distanceKm"]) for hit in expected
    ]
    await expect(page.locator("#map .leaflet-marker-icon [data-place-id]")).to_have_count(len(expected))
    await page.wait_for_function(CENTRED_WITHIN_3_KM, arg=[point["lat"], point["lon"]])
    assert url_state(page)["q"] == "Åbo"
    await expect(page.locator(".find-summary")).to_contain_text(f"{len(expected)} paikkaa 10 km")
    await screenshot(page, "find")

    await page.select_option("#language", "sv")
    await expect(page.get_by_role("searchbox")).to_have_accessible_name("Adress, postnummer eller ort")
    await expect(page.locator(".find-summary")).to_contain_text(f"{len(expected)} platser inom 10 km")
    assert await page.locator(f"{HITS} .find-distance").all_inner_texts() == [
        shown_km(hit["distanceKm"]) for hit in expected
    ]

    nowhere = (await gql.data(NOWHERE, address="Xyzzyplugh"))["geocode"]
    assert not nowhere["results"]
    await search(page, "Xyzzyplugh")
    await expect(page.locator(".find-summary")).to_have_text(
        f"”Xyzzyplugh” hittades inte på kartan. {nowhere['reason']}"
    )
    await expect(page.locator(HITS)).to_have_count(0)
    await expect(page.locator("#map [data-place-id]")).to_have_count(0)


async def test_find_filters_keep_exactly_the_places_nearby_keeps(
    new_page: NewPage, live_url: str, gql: GraphQLClient
) -> None:
    point = await turku(gql)
    every = await nearby(gql, point)
    moment, open_then = await some_but_not_all_open(gql, point, every)
    kind = most_common_but_not_all(hit["place"]["kind"] for hit in every)
    activity = most_common_but_not_all(activity["id"] for hit in every for activity in hit["place"]["activities"])
    page = await new_page()
    await page.clock.set_fixed_time(moment)
    await page.goto(f"{live_url}/?lang=en&q=%C3%85bo")
    assert await listed(page) == ids(every)

    await page.get_by_label("Open now").check()
    assert await listed(page) == ids(open_then)
    assert url_state(page)["open"] == "1"
    await page.get_by_label("Open now").uncheck()
    assert await listed(page) == ids(every)

    await page.locator(f"input[name=kind][value={kind}]").check()
    assert await listed(page) == ids(await nearby(gql, point, kinds=[kind]))
    assert url_state(page)["kinds"] == kind
    await page.get_by_label("Open now").check()
    assert await listed(page) == ids(await nearby(gql, point, kinds=[kind], openAt=moment))
    await page.get_by_label("Open now").uncheck()
    await page.locator(f"input[name=kind][value={kind}]").uncheck()

    await page.locator(".find-activities-filter summary").click()
    await page.locator(f"input[name=activity][value='{activity}']").check()
    assert await listed(page) == ids(await nearby(gql, point, activityIds=[activity]))
    assert url_state(page)["activities"] == activity
    assert "kinds" not in url_state(page) and "open" not in url_state(page)


async def some_but_not_all_open(
    gql: GraphQLClient, point: dict[str, Any], every: list[dict[str, Any]]
) -> tuple[str, list[dict[str, Any]]]:
    for moment in MOMENTS:
        open_then = await nearby(gql, point, openAt=moment)
        if 0 < len(open_then) < len(every):
            return moment, open_then
    raise AssertionError(f"at each of {MOMENTS} all or none of the places near Turku are open: choose another")


def most_common_but_not_all(values: Any) -> str:
    seen = list(values)
    counts = {value: seen.count(value) for value in seen}
    return max((value for value in counts if counts[value] < len(seen)), key=lambda value: (counts[value], value))


async def test_find_card_by_keyboard_shows_what_the_api_says_and_a_shared_url_restores_it(
    new_page: NewPage, live_url: str, gql: GraphQLClient
) -> None:
    point = await turku(gql)
    moment, open_then = await some_but_not_all_open(gql, point, await nearby(gql, point))
    page = await new_page()
    await page.clock.set_fixed_time(moment)
    await page.goto(f"{live_url}/?lang=fi")

    await tab_to(page, "#find-q")
    await page.keyboard.type("Åbo")
    await page.keyboard.press("Enter")
    await listed(page)
    await tab_to(page, "#find-open")
    await page.keyboard.press("Space")
    assert await listed(page) == ids(open_then)
    await tab_to(page, f"{HITS} button")
    chosen = await page.evaluate("document.activeElement.closest('li').dataset.placeId")
    await page.keyboard.press("Enter")

    card = page.locator(".find-card")
    await expect(card).to_have_attribute("data-place-id", chosen)
    await expect(card.get_by_role("heading", level=3)).to_be_focused()
    await expect(page.locator(f"{HITS}[data-place-id='{chosen}']")).to_have_class(re.compile("is-chosen"))
    place = (await gql.data(PLACE, id=chosen, now=moment))["node"]
    for run in place["runBy"]:
        await expect(card.locator(".find-organisers")).to_contain_text(run["organiser"]["nameFi"])
    assert await card.locator(".find-activities li").all_inner_texts() == [a["nameFi"] for a in place["activities"]]
    weekdays = {day for hours in place["openingHours"] for day in hours["weekdays"]}
    await expect(card.locator(".find-hours tbody tr")).to_have_count(len(weekdays))
    await expect(card.locator(".find-next time").first).to_have_attribute("datetime", place["nextOpening"]["opens"])
    await expect(card.locator(".find-open")).to_have_text("Auki nyt")
    await expect(card.locator(".demo-badge")).to_have_count(1 if place["isDemo"] else 0)

    state = url_state(page)
    assert (state["q"], state["open"], state["place"]) == ("Åbo", "1", chosen)
    shared = await new_page()
    await shared.clock.set_fixed_time(moment)
    await shared.goto(page.url)
    assert await listed(shared) == ids(open_then)
    await expect(shared.locator(".find-card")).to_have_attribute("data-place-id", chosen)
    await expect(shared.get_by_label("Auki nyt")).to_be_checked()

    await page.keyboard.press("Escape")
    await expect(card).to_be_hidden()
    await expect(page.locator(f"{HITS}[data-place-id='{chosen}'] button")).to_be_focused()
    assert "place" not in url_state(page)

    other = next(place_id for place_id in await listed(page) if place_id != chosen)
    await page.locator(f"#map [data-place-id='{other}']").click()
    await expect(card).to_have_attribute("data-place-id", other)
    await expect(page.locator(f"{HITS}[data-place-id='{other}']")).to_have_class(re.compile("is-chosen"))


async def tab_to(page: Page, selector: str, most: int = 30) -> None:
    """Presses Tab until the focus is on an element matching `selector`."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        if await page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{most} Tabs did not reach {selector}")


async def test_find_without_a_search_draws_the_counts_clusters_gives_for_the_view_and_the_places_zoomed_in(
    page: Page, live_url: str, gql: GraphQLClient
) -> None:
    asked: list[Request] = []
    page.on("request", lambda request: asked.append(request) if "query Clusters" in (request.post_data or "") else None)
    await page.goto(f"{live_url}/?lang=en&view=64.9,26,5")
    await expect(page.locator(".find-summary")).to_contain_text("in the map view")
    await page.wait_for_load_state("networkidle")

    last = json.loads(asked[-1].post_data or "{}")
    answer = (await gql.data(last["query"], **last["variables"]))["clusters"]
    counts = await page.locator("#map .find-cluster").evaluate_all("cells => cells.map((cell) => +cell.dataset.count)")
    singles = await page.locator("#map .find-place-marker").count()
    assert sum(counts) + singles == answer["totalCount"] > 0
    assert sorted(counts + [1] * singles) == sorted(cell["count"] for cell in answer["clusters"])

    biggest = page.locator("#map .find-cluster", has_text=str(max(counts)))
    await biggest.first.click()
    await page.wait_for_function("() => window.explorer.map.getZoom() > 5")

    await page.goto(f"{live_url}/?lang=en&view=60.45,22.27,12")
    await expect(page.locator(".find-summary")).to_contain_text("in the map view")
    await page.wait_for_load_state("networkidle")
    await expect(page.locator("#map .find-cluster")).to_have_count(0)
    assert await page.locator("#map .find-place-marker").count() > 0


async def test_find_at_a_phones_width_lists_and_opens_a_card(
    phone_page: Page, live_url: str, gql: GraphQLClient, screenshot: Screenshot
) -> None:
    expected = await nearby(gql, await turku(gql))
    page = phone_page
    await page.goto(f"{live_url}/?lang=fi&q={quote('Åbo')}")
    assert await listed(page) == ids(expected)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.locator(f"{HITS} button").first.tap()
    await expect(page.locator(".find-card")).to_be_visible()
    await screenshot(page, "find-phone")
