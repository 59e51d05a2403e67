"""The coverage mode in a real browser, on both backends: what the page shows is what the API answers over HTTP for
the same terms (`coverageGaps`, `coverage`, `taskCoverage`), the map draws the area's municipalities coloured by
their share within reach, the CSV file is the table, a municipality's figures show when it is chosen with the mouse
or the keyboard, and a shared URL restores it all."""

from __future__ import annotations

import csv
import math
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import NewPage, Screenshot
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

FIGURES = "population shareWithin populationBeyond weightedDistanceKm places placesPer10k underAgreement"
TERMS = "withinKm: $withinKm, kinds: $kinds, activityIds: $activityIds, taskIds: $taskIds"
DECLARED = "$withinKm: Float!, $kinds: [MeetingPlaceKind!], $activityIds: [ID!], $taskIds: [ID!]"
GAPS = f"""
query ($areaId: ID, {DECLARED}) {{
  coverageGaps(areaId: $areaId, {TERMS}, limit: 500) {{
    totalCount populationYear municipalities {{ municipality {{ code nameFi }} {FIGURES} }}
  }}
}}
"""
COVERAGE = f"""
query ($areaId: ID!, {DECLARED}) {{
  coverage(areaId: $areaId, {TERMS}) {{
    population shareWithin populationBeyond weightedDistanceKm places placesPer10k municipalityCount
    municipalitiesUnderAgreement
  }}
}}
"""
TASK_COVERAGE = """
query ($areaId: ID!, $withinKm: Float!) {
  taskCoverage(areaId: $areaId, withinKm: $withinKm) {
    weakest { task { id } } tasks { task { id } shareWithin populationWithin places weightedDistanceKm }
  }
}
"""
TASKS = [f"FamilyCentreTask:{number}" for number in range(1, 5)]
"""THL's four family-centre tasks, in key order."""
REACH = ["shareWithin", "populationWithin", "places", "weightedDistanceKm"]
COLOURS = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
"""ColorBrewer's YlGnBu in five classes of the share within: 0-20 %, ..., 80-100 %."""

CELLS = """(root, what) => Object.fromEntries(
  [...root.querySelectorAll("td[data-figure]")].map((cell) => [cell.dataset.figure, what(cell)])
)"""
ROWS = f"""() => [...document.querySelectorAll("#coverage tr[data-municipality-code]")].map((row) => ({{
  code: row.dataset.municipalityCode,
  name: row.querySelector("th").textContent,
  values: ({CELLS})(row, (cell) => cell.dataset.value),
  texts: ({CELLS})(row, (cell) => cell.textContent),
}}))"""
FIGURE_VALUES = """(root) => Object.fromEntries(
  [...root.querySelectorAll("[data-figure]")].map((figure) => [figure.dataset.figure, figure.dataset.value])
)"""
TASK_ROWS = f"""() => [...document.querySelectorAll("#coverage tr[data-task-id]")].map((row) => ({{
  id: row.dataset.taskId,
  weakest: row.classList.contains("weakest") && !row.querySelector(".coverage-weakest").hidden,
  values: ({CELLS})(row, (cell) => cell.dataset.value),
}}))"""
FILLS = """() => Object.fromEntries([...document.querySelectorAll("#map path[data-municipality-code]")].map(
  (path) => [path.dataset.municipalityCode, path.getAttribute("fill")]
))"""


async def open_coverage(page: Page, live_url: str, query: str = "") -> None:
    await page.goto(f"{live_url}/?lang=en&mode=coverage{query}")
    await expect(page.locator("#coverage .coverage-results")).to_be_visible()
    await settled(page)


async def settled(page: Page) -> None:
    """The answer to the last change is shown: the results are busy from the change until it is drawn."""
    await expect(page.locator("#coverage .coverage-results")).to_have_attribute("aria-busy", "false")


async def gaps(gql: GraphQLClient, area_id: str | None = None, within_km: float = 10, **terms: Any) -> dict[str, Any]:
    answer = await gql.data(GAPS, areaId=area_id, withinKm=within_km, **terms)
    return answer["coverageGaps"]  # type: ignore[no-any-return]


def number(text: str) -> float | None:
    """A figure's `data-value`: the API's number as JavaScript writes it, empty for null."""
    return float(text) if text else None


def shown_values(rows: list[dict[str, Any]]) -> list[tuple[str, dict[str, float | None]]]:
    return [(row["code"], {name: number(value) for name, value in row["values"].items()}) for row in rows]


def ranked(answer: dict[str, Any]) -> list[tuple[str, dict[str, float | None]]]:
    """The table `coverageGaps`' answer makes: its municipalities in order with their rank and figures."""
    names = ["populationBeyond", "shareWithin", "weightedDistanceKm", "places", "population"]
    return [
        (m["municipality"]["code"], {"rank": rank, **{name: m[name] for name in names}})
        for rank, m in enumerate(answer["municipalities"], start=1)
    ]


def assert_shown_in_english(row: dict[str, Any], figures: dict[str, Any]) -> None:
    """The figures as an English reader sees them: whole numbers grouped, a share in per cent, km to 0.1."""
    texts = row["texts"]
    for name in ["populationBeyond", "population", "places"]:
        assert texts[name] == f"{figures[name]:,}"
    assert float(texts["shareWithin"].rstrip("%").replace(",", "")) == pytest.approx(
        100 * figures["shareWithin"], abs=0.05
    )
    distance = figures["weightedDistanceKm"]
    if distance is None:
        assert texts["weightedDistanceKm"] == "no place"
    else:
        assert float(texts["weightedDistanceKm"].replace(",", "")) == pytest.approx(distance, abs=0.05)


def added_up(answer: dict[str, Any]) -> dict[str, float | None]:
    """The whole country's totals, as `coverage` adds up an area's: sums, and shares over the whole population."""
    rows = answer["municipalities"]
    population = sum(m["population"] for m in rows)
    beyond = sum(m["populationBeyond"] for m in rows)
    places = sum(m["places"] for m in rows)
    distances = [m["weightedDistanceKm"] for m in rows]
    return {
        "population": population,
        "populationBeyond": beyond,
        "populationWithin": population - beyond,
        "shareWithin": (population - beyond) / population,
        "places": places,
        "placesPer10k": places * 10000 / population,
        "weightedDistanceKm": (
            None if None in distances else sum(m["population"] * m["weightedDistanceKm"] for m in rows) / population
        ),
        "municipalityCount": len(rows),
        "municipalitiesUnderAgreement": sum(1 for m in rows if m["underAgreement"]),
    }


async def shown_totals(page: Page) -> dict[str, float | None]:
    values = await page.locator("#coverage .coverage-totals").evaluate(FIGURE_VALUES)
    return {name: number(value) for name, value in values.items()}


def assert_figures(shown: dict[str, float | None], expected: dict[str, Any]) -> None:
    """Each figure expected is shown (sums added up in another order may differ in the last digits)."""
    for name, value in expected.items():
        assert shown[name] == (None if value is None else pytest.approx(value)), name


async def test_coverage_of_the_whole_country_draws_309_municipalities_coloured_and_ranked_as_coverage_gaps(
    page: Page, live_url: str, gql: GraphQLClient, screenshot: Screenshot
) -> None:
    await open_coverage(page, live_url)
    expected = await gaps(gql)

    await expect(page.locator("#map path[data-municipality-code]")).to_have_count(309)
    rows = await page.evaluate(ROWS)
    assert expected["totalCount"] == 309
    assert shown_values(rows) == ranked(expected)
    for row, figures in zip(rows, expected["municipalities"], strict=True):
        assert row["name"] == figures["municipality"]["nameFi"]
        assert_shown_in_english(row, figures)
    assert_figures(await shown_totals(page), added_up(expected))
    fills = await page.evaluate(FILLS)
    assert fills == {
        m["municipality"]["code"]: COLOURS[min(4, math.floor(m["shareWithin"] * 5))] for m in expected["municipalities"]
    }
    await page.locator("#coverage .coverage-totals").evaluate("(totals) => totals.scrollIntoView()")
    await screenshot(page, "coverage")

    await page.select_option("#language", "fi")
    headers = await page.locator("#coverage .coverage-gaps thead th").all_text_contents()
    assert headers == ["#", "Kunta", "Asukkaita > 10 km", "Osuus ≤ 10 km", "Matka (km)", "Paikkoja", "Asukkaita"]
    await expect(page.locator(".coverage-legend strong")).to_have_text("Osuus asukkaista 10 km:n säteellä")
    first = (await page.evaluate(ROWS))[0]
    assert first["texts"]["population"] == f"{expected['municipalities'][0]['population']:,}".replace(",", "\u00a0")


async def test_coverage_of_a_county_within_a_distance_is_coverage_and_coverage_gaps_and_its_csv_is_the_table(
    page: Page, live_url: str, gql: GraphQLClient
) -> None:
    await open_coverage(page, live_url)
    await page.select_option("#coverage-area", "WelfareArea:KY")
    await settled(page)
    await page.fill("#coverage-km", "5")
    await page.press("#coverage-km", "Enter")
    await settled(page)

    expected = await gaps(gql, "WelfareArea:KY", 5)
    await expect(page.locator("#map path[data-municipality-code]")).to_have_count(6)
    rows = await page.evaluate(ROWS)
    assert shown_values(rows) == ranked(expected)
    coverage = (await gql.data(COVERAGE, areaId="WelfareArea:KY", withinKm=5))["coverage"]
    assert_figures(await shown_totals(page), coverage)
    assert {"area": ["WelfareArea:KY"], "km": ["5"]}.items() <= parse_qs(urlsplit(page.url).query).items()

    async with page.expect_download() as download_info:
        await page.get_by_role("button", name="Download CSV").click()
    download = await download_info.value
    assert download.suggested_filename == "coverage-gaps-welfarearea-ky-5km.csv"
    with open(await download.path(), encoding="utf-8-sig", newline="") as file:
        lines = list(csv.DictReader(file))
    assert [line["code"] for line in lines] == [row["code"] for row in rows]
    assert [line["name"] for line in lines] == [row["name"] for row in rows]
    assert [{name: line[name] for name in row["values"]} for line, row in zip(lines, rows, strict=True)] == [
        row["values"] for row in rows
    ]


async def test_coverage_shows_a_municipalitys_figures_when_chosen_on_the_map_or_with_the_keyboard_in_the_table(
    page: Page, live_url: str, gql: GraphQLClient
) -> None:
    await open_coverage(page, live_url, "&area=WelfareArea:KY&km=5")
    expected = dict(ranked(await gaps(gql, "WelfareArea:KY", 5)))
    first, second = list(expected)[:2]

    await page.locator(f'#map path[data-municipality-code="{first}"]').click()
    chosen = page.locator("#coverage .coverage-chosen")
    await expect(page.locator("#coverage tr[aria-current=true]")).to_have_attribute("data-municipality-code", first)
    figures = await chosen.evaluate(FIGURE_VALUES)
    assert {name: number(figures[name]) for name in expected[first]} == expected[first]
    assert parse_qs(urlsplit(page.url).query)["municipality"] == [first]

    await page.locator(f'#coverage tr[data-municipality-code="{first}"] button').focus()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.locator("#coverage tr[aria-current=true]")).to_have_attribute("data-municipality-code", second)
    figures = await chosen.evaluate(FIGURE_VALUES)
    assert {name: number(figures[name]) for name in expected[second]} == expected[second]
    assert parse_qs(urlsplit(page.url).query)["municipality"] == [second]


async def test_coverage_url_carries_the_area_distance_kinds_activities_and_municipality_and_restores_them(
    new_page: NewPage, live_url: str, gql: GraphQLClient
) -> None:
    page = await new_page()
    await open_coverage(page, live_url, "&area=Region:FI1B1")
    await page.fill("#coverage-km", "15")
    await page.press("#coverage-km", "Enter")
    await settled(page)
    for kind in ["MEETING_PLACE", "FAMILY_HOUSE", "OPEN_DAYCARE"]:
        await page.locator(f'#coverage input[name="coverage-kind"][value="{kind}"]').uncheck()
        await settled(page)
    await page.locator("#coverage summary#coverage-offered").click()
    await page.locator('#coverage input[value="Activity:parents-groups"]').check()
    await settled(page)
    expected = await gaps(gql, "Region:FI1B1", 15, kinds=["FAMILY_CAFE"], activityIds=["Activity:parents-groups"])
    chosen = expected["municipalities"][1]["municipality"]["code"]
    await page.locator(f'#coverage tr[data-municipality-code="{chosen}"] button').click()
    await expect(page.locator("#coverage .coverage-chosen")).to_be_visible()
    rows = await page.evaluate(ROWS)
    assert shown_values(rows) == ranked(expected)
    query = parse_qs(urlsplit(page.url).query)
    assert {
        "area": ["Region:FI1B1"],
        "km": ["15"],
        "kinds": ["FAMILY_CAFE"],
        "activities": ["Activity:parents-groups"],
        "municipality": [chosen],
    }.items() <= query.items()

    shared = await new_page()
    await shared.goto(page.url)
    await expect(shared.locator("#coverage .coverage-results")).to_be_visible()
    await settled(shared)
    assert await shared.evaluate(ROWS) == rows
    await expect(shared.locator("#coverage-area")).to_have_value("Region:FI1B1")
    await expect(shared.locator("#coverage-km")).to_have_value("15")
    await expect(shared.locator('#coverage input[name="coverage-kind"]:checked')).to_have_count(1)
    await expect(shared.locator('#coverage input[value="Activity:parents-groups"]')).to_be_checked()
    await expect(shared.locator("#coverage tr[aria-current=true]")).to_have_attribute("data-municipality-code", chosen)
    shown = await shared.locator("#coverage .coverage-chosen").evaluate(FIGURE_VALUES)
    assert await page.locator("#coverage .coverage-chosen").evaluate(FIGURE_VALUES) == shown


async def test_coverage_by_task_is_task_coverage_side_by_side_and_colours_the_map_by_the_task_chosen(
    page: Page, live_url: str, gql: GraphQLClient, screenshot: Screenshot
) -> None:
    await open_coverage(page, live_url, "&area=WelfareArea:KY")
    await page.get_by_label("By THL family-centre task").check()
    await settled(page)
    assert {"by": ["task"], "tasks": ["1"]}.items() <= parse_qs(urlsplit(page.url).query).items()
    by_task = (await gql.data(TASK_COVERAGE, areaId="WelfareArea:KY", withinKm=10))["taskCoverage"]
    shown = await page.evaluate(TASK_ROWS)
    assert [row["id"] for row in shown] == [reach["task"]["id"] for reach in by_task["tasks"]] == TASKS
    for row, reach in zip(shown, by_task["tasks"], strict=True):
        assert {name: number(value) for name, value in row["values"].items()} == {name: reach[name] for name in REACH}
    assert [row["id"] for row in shown if row["weakest"]] == [by_task["weakest"]["task"]["id"]]
    for task in TASKS[:2]:
        await page.locator(f'#coverage input[name="coverage-task"][value="{task}"]').check()
        await settled(page)
        expected = await gaps(gql, "WelfareArea:KY", taskIds=[task])
        assert shown_values(await page.evaluate(ROWS)) == ranked(expected)
        coverage = (await gql.data(COVERAGE, areaId="WelfareArea:KY", withinKm=10, taskIds=[task]))["coverage"]
        assert_figures(await shown_totals(page), coverage)
        await expect(page.locator(".coverage-legend strong")).to_have_text(
            f"Share of people within 10 km, task {task[-1]}"
        )
    await page.locator("#coverage .coverage-by-task").evaluate("(tasks) => tasks.scrollIntoView()")
    await screenshot(page, "coverage-tasks")

    await page.select_option("#coverage-area", "")
    await settled(page)
    national = await gaps(gql, taskIds=["FamilyCentreTask:2"])
    assert shown_values(await page.evaluate(ROWS)) == ranked(national)
    assert_figures(await shown_totals(page), added_up(national))
    await expect(page.get_by_text("The tasks' figures side by side show once you choose an area")).to_be_visible()
    assert [row["values"] for row in await page.evaluate(TASK_ROWS)] == [{}] * 4


async def test_coverage_at_a_phones_width_keeps_the_page_within_the_screen_and_the_table_scrolls(
    phone_page: Page, live_url: str, screenshot: Screenshot
) -> None:
    await open_coverage(phone_page, live_url, "&area=WelfareArea:KY&municipality=286")
    assert await phone_page.evaluate("() => document.documentElement.scrollWidth") <= 390
    table = phone_page.locator("#coverage .coverage-ranked .coverage-scroll")
    assert await table.evaluate("(box) => box.clientWidth <= 390 && getComputedStyle(box).overflowX === 'auto'")
    button = phone_page.locator('#coverage tr[data-municipality-code="286"] button')
    await button.scroll_into_view_if_needed()
    await expect(button).to_be_in_viewport()
    await expect(phone_page.locator("#coverage .coverage-chosen")).to_be_in_viewport()
    assert re.fullmatch(r"[\d,]+", await phone_page.locator("#coverage .coverage-chosen dd").nth(1).inner_text())
    await screenshot(phone_page, "coverage-phone")
