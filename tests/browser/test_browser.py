"""The browser tests' machinery, on both backends: the page's JavaScript talks to the app under a real server, a
test sees every problem its pages had, pages open at a phone's width, and screenshots are written."""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Screenshot
from tests.browser.problems import Problems
from tests.conftest import GraphQLClient, run_pytest_alone

pytestmark = pytest.mark.anyio

NEARBY = """
query ($lat: Float!, $lon: Float!) {
  nearby(near: {lat: $lat, lon: $lon}, radiusKm: 10, limit: 10) { distanceKm place { id name kind } }
}
"""
TURKU = {"lat": 60.4518, "lon": 22.2666}
FETCH_GRAPHQL = """
async ([query, variables]) => {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({query, variables}),
  });
  return response.json();
}
"""
PHONE_PAGE = '<meta name="viewport" content="width=device-width, initial-scale=1"><p>Kumppanuuskartta</p>'
"""A phone lays out a page without this `viewport` as 980 pixels wide, shrunk to fit."""


async def open_healthz(page: Page, page_problems: Problems, live_url: str) -> None:
    """A page of the app's origin. Chromium asks for /favicon.ico for a JSON document, which has no icon of its own."""
    page_problems.allow("/favicon.ico")
    await page.goto(f"{live_url}/healthz")


async def test_page_script_gets_from_the_live_server_what_any_client_gets(
    page: Page, page_problems: Problems, live_url: str, gql: GraphQLClient
) -> None:
    await open_healthz(page, page_problems, live_url)
    answer = await page.evaluate(FETCH_GRAPHQL, [NEARBY, TURKU])
    expected = await gql.data(NEARBY, **TURKU)
    assert expected["nearby"]
    assert answer["data"] == expected


async def test_page_problems_lists_console_errors_uncaught_errors_failed_and_leaving_requests(
    page: Page, page_problems: Problems, live_url: str
) -> None:
    await open_healthz(page, page_problems, live_url)
    async with (
        page.expect_console_message(lambda message: message.type == "error"),
        page.expect_event("pageerror"),
        page.expect_response(f"{live_url}/nowhere"),
        page.expect_event("requestfailed"),
    ):
        await page.evaluate("""() => {
          console.error("logged on purpose");
          setTimeout(() => { throw new Error("thrown on purpose"); });
          fetch("/nowhere");
          fetch("http://example.invalid/tiles/1/2/3.png").catch(() => {});
        }""")
    page_problems.allow("on purpose|/nowhere|example.invalid")
    seen = "\n".join(page_problems.seen)
    for problem in [
        "console error: logged on purpose",
        "uncaught error: Error: thrown on purpose",
        f"HTTP 404: GET {live_url}/nowhere",
        "request left the server: GET http://example.invalid/tiles/1/2/3.png",
        "request failed: GET http://example.invalid/tiles/1/2/3.png",
    ]:
        assert problem in seen
    assert not page_problems.unexpected()


async def test_phone_page_lays_out_a_page_made_for_phones_at_a_phones_width(
    phone_page: Page, screenshot: Screenshot
) -> None:
    await phone_page.set_content(PHONE_PAGE)
    assert await phone_page.evaluate("[innerWidth, innerHeight]") == [390, 844]
    png = (await screenshot(phone_page, "phone")).read_bytes()
    assert png.startswith(b"\x89PNG") and struct.unpack(">II", png[16:24])[0] == 390


async def test_graphiql_renders_its_editor_without_any_request_leaving_the_server(
    page: Page, page_problems: Problems, live_url: str, screenshot: Screenshot
) -> None:
    await page.goto(f"{live_url}/graphql", wait_until="networkidle")
    page_problems.check()
    await expect(page.locator(".graphiql-container .graphiql-query-editor")).to_be_visible()
    await screenshot(page, "graphiql")


@pytest.mark.parametrize("ci", [True, False], ids=["ci-fails", "elsewhere-skips"])
def test_a_missing_chromium_fails_ci_and_is_skipped_elsewhere_saying_how_to_enable_it(ci: bool) -> None:
    env = {name: value for name, value in os.environ.items() if name not in {"CI", "GRAPH_API_CHROMIUM"}}
    env["PATH"] = str(Path(sys.executable).parent)  # the interpreter, and no chromium
    if ci:
        env["CI"] = "true"
    test = "tests/browser/test_explorer.py::test_without_tiles_the_municipality_boundaries_are_the_map[memory]"
    result = run_pytest_alone(test, env)
    output = result.stdout + result.stderr
    assert "`chromium` is not on the PATH" in output
    if ci:
        assert result.returncode != 0 and "CI needs a browser for the browser tests" in output
    else:
        assert result.returncode == 0 and "1 skipped" in output
        assert "apt-get install chromium" in output
