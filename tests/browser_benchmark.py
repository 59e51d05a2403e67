"""The map explorer's figures in headless Chromium, on the embedded store: `python -m tests.browser_benchmark
[--rounds N] [--search TEXT]`.

Bytes transferred on the first load of `/` (a fresh browser context: nothing cached), and the time from submitting a
search to its first markers on the map. The page loads from the app under a real uvicorn on 127.0.0.1 with the tile
layer off, as in the browser tests: tiles come from elsewhere, and this measures what the service sends.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph_api.app import create_app
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore
from loaders.seeds import read_dataset
from tests.browser.harness import DESKTOP, HOW_TO_ENABLE, SETTINGS, WAIT_S, BrowserUnavailable, chromium
from tests.browser.problems import Problems
from tests.conftest import SEEDS
from tests.live_ws import listening

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, Request

SEARCH = "Åbo"
ROUNDS = 5
LARGEST = 5
SEARCH_BOX = "input[type=search]"
MARKERS = "#map [data-place-id]"
"""The Find mode's numbered markers of a search's hits (not the clusters drawn before it, nor the boundaries)."""
WATCH_SEARCH = """
([markers, box]) => {
  const watch = (window.graphApiBenchmark = {started: null, shown: null});
  document.querySelectorAll(markers).forEach((element) => (element.dataset.graphApiBefore = ""));
  const start = () => (watch.started ??= performance.now());
  const input = document.querySelector(box);
  input.addEventListener("input", start, {capture: true});
  input.addEventListener("keydown", (event) => event.key === "Enter" && start(), {capture: true});
  new MutationObserver((changes, observer) => {
    if ([...document.querySelectorAll(markers)].some((element) => !("graphApiBefore" in element.dataset))) {
      watch.shown = performance.now();
      observer.disconnect();
    }
  }).observe(document.querySelector("#map"), {childList: true, subtree: true});
}
"""
"""Times the search in the page: from its first keystroke's `input` event (a page may search as one types) or Enter,
to the first marker element added to the map that was not there before (markers already shown, and the boundaries,
do not count)."""


BARE_GEOCODE = "query ($address: String!) { geocode(address: $address, limit: 1) { results { lat lon } } }"
BARE_NEARBY = """query ($lat: Float!, $lon: Float!) {
  nearby(near: {lat: $lat, lon: $lon}, radiusKm: 10, limit: 20) { distanceKm place { id name kind } }
}"""
ASK_THE_API = """
async ([address, geocode, nearby]) => {
  const ask = async (query, variables) => {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({query, variables}),
    });
    return (await response.json()).data;
  };
  const started = performance.now();
  const [point] = (await ask(geocode, {address})).geocode.results;
  await ask(nearby, {lat: point.lat, lon: point.lon});
  return performance.now() - started;
}
"""


@dataclass(frozen=True)
class Loaded:
    """One response of a first load: its URL, the bytes of its body as sent (compressed, if it was) and of its head."""

    url: str
    body: int
    headers: int
    decoded: int
    """The body's bytes once uncompressed: what it would have cost without gzip."""


async def first_load(page: Page, url: str) -> list[Loaded]:
    """Every response `page` loads from `url` until the network is idle (500 ms without a request), in order."""
    finished: list[Request] = []

    def listener(request: Request) -> None:
        finished.append(request)

    page.on("requestfinished", listener)
    try:
        response = await page.goto(url, wait_until="networkidle")
    finally:
        page.remove_listener("requestfinished", listener)
    if response is None or not response.ok:
        raise RuntimeError(f"{url} answered {'nothing' if response is None else response.status}")
    loaded = []
    for request in finished:
        sizes = await request.sizes()
        answer = await request.response()
        decoded = len(await answer.body()) if answer is not None else 0
        loaded.append(Loaded(request.url, sizes["responseBodySize"], sizes["responseHeadersSize"], decoded))
    return loaded


async def seconds_to_markers(page: Page, query: str) -> float:
    """Seconds from submitting `query` in the search box to the first of its markers on the map."""
    await page.evaluate(WATCH_SEARCH, [MARKERS, SEARCH_BOX])
    box = page.locator(SEARCH_BOX)
    await box.fill(query)
    await box.press("Enter")
    await page.wait_for_function("() => window.graphApiBenchmark.shown !== null")
    watch = await page.evaluate("window.graphApiBenchmark")
    return (watch["shown"] - watch["started"]) / 1000  # type: ignore[no-any-return]


async def seconds_of_the_api(page: Page, query: str) -> float:
    """The baseline: seconds for the page's two questions of a search asked by a bare `fetch` from the same page,
    one after the other (the first result of `geocode`, then `nearby` it), with fewer fields than the list shows."""
    return await page.evaluate(ASK_THE_API, [query, BARE_GEOCODE, BARE_NEARBY]) / 1000  # type: ignore[no-any-return]


def kilobytes(count: int) -> str:
    return f"{count / 1000:.1f} kB"


async def browser_lines(browser: Browser, store: GraphStore, rounds: int = ROUNDS, query: str = SEARCH) -> list[str]:
    """The figures, each round in a fresh browser context: the first load of `/`, then a search."""
    seconds: list[float] = []
    baseline: list[float] = []
    async with listening(create_app(store, SETTINGS)) as url:
        for _ in range(rounds):
            context = await browser.new_context(viewport=DESKTOP, locale="fi-FI", timezone_id="Europe/Helsinki")
            context.set_default_timeout(WAIT_S * 1000)
            try:
                page = await context.new_page()
                problems = Problems()
                problems.watch(page)
                loaded = await first_load(page, f"{url}/")
                seconds.append(await seconds_to_markers(page, query))
                baseline.append(await seconds_of_the_api(page, query))
                problems.check()
            finally:
                await context.close()
    bodies, heads = sum(item.body for item in loaded), sum(item.headers for item in loaded)
    largest = sorted(loaded, key=lambda item: item.body, reverse=True)[:LARGEST]
    return [
        f"explorer, first load of /:        {kilobytes(bodies + heads):>9} in {len(loaded)} responses (bodies "
        f"{kilobytes(bodies)} as sent, headers {kilobytes(heads)}; headless Chromium, nothing cached)",
        f"baseline, the same uncompressed:  {kilobytes(sum(item.decoded for item in loaded) + heads):>9} "
        f"(gzip sends {bodies / sum(item.decoded for item in loaded):.2f} x the bodies' bytes)",
        "explorer, largest on first load:  "
        + ", ".join(f"{item.url.removeprefix(url)} {kilobytes(item.body)}" for item in largest),
        f"explorer, search to first markers: {statistics.median(seconds) * 1000:8.1f} ms median of {rounds} "
        f"({query!r}, {store.name} store, headless Chromium)",
        f"baseline, its two questions by fetch: {statistics.median(baseline) * 1000:6.1f} ms median "
        f"(the page: {statistics.median(seconds) / statistics.median(baseline):.1f} x)",
    ]


async def run(rounds: int, query: str) -> None:
    store = MemoryStore()
    await store.load(read_dataset(SEEDS))
    try:
        async with chromium() as browser:
            print("\n".join(await browser_lines(browser, store, rounds, query)))
    except BrowserUnavailable as exc:
        raise SystemExit(f"{exc}; to measure, {HOW_TO_ENABLE}") from exc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"first loads and searches (default {ROUNDS})")
    parser.add_argument("--search", default=SEARCH, help=f"what is searched (default {SEARCH})")
    args = parser.parse_args()
    asyncio.run(run(args.rounds, args.search))


if __name__ == "__main__":
    main()
