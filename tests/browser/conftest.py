"""Fixtures of the tests in a real browser: one headless Chromium for the session, a fresh watched page per test, the
app under a real uvicorn on each backend, and screenshots.

When there is no Chromium or no Playwright, or Chromium does not start, the browser tests fail under `CI=true` and
are skipped elsewhere, saying how to enable them (as the Neo4j tests do). A test fails on any problem its pages had
(`tests.browser.problems`) unless it declared it with `page_problems.allow(...)`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from graph_api.app import create_app
from graph_api.store.base import GraphStore
from tests.browser.harness import (
    DESKTOP,
    HOW_TO_ENABLE,
    PHONE,
    SETTINGS,
    WAIT_S,
    BrowserUnavailable,
    chromium,
    screenshot_dir,
)
from tests.browser.problems import Problems, described
from tests.live_ws import listening

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page, ViewportSize

PROBLEMS = pytest.StashKey[Problems]()
SCREENSHOTS = pytest.StashKey[list[Path]]()
NewPage = Callable[..., Awaitable["Page"]]
Screenshot = Callable[["Page", str], Awaitable[Path]]


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI needs a browser for the browser tests: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped ({reason}); to run them, {HOW_TO_ENABLE}")


class WithoutPlaywright(pytest.Module):
    """A browser test module where Playwright is not installed: it cannot be imported, so it is reported instead."""

    def collect(self) -> NoReturn:
        unavailable("Playwright for Python is not installed")


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    if importlib.util.find_spec("playwright") is None:
        return WithoutPlaywright.from_parent(parent, path=module_path)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test whose pages had an unexpected problem fails with the list; a test failing anyway shows it too."""
    problems = item.stash.get(PROBLEMS, None)
    try:
        yield
    except BaseException:
        if problems is not None and problems.seen:
            item.add_report_section("call", "browser problems", "\n".join(problems.seen))
        raise
    if problems is not None and (unexpected := problems.unexpected()):
        pytest.fail(described(unexpected), pytrace=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    shots = config.stash.get(SCREENSHOTS, [])
    if shots:
        terminalreporter.write_line(f"browser screenshots: {len(shots)} in {screenshot_dir()}")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    from playwright.async_api import expect

    async with contextlib.AsyncExitStack() as stack:
        try:
            launched = await stack.enter_async_context(chromium())
        except BrowserUnavailable as exc:
            unavailable(str(exc))
        expect.set_options(timeout=WAIT_S * 1000)
        yield launched


@pytest.fixture
def page_problems(request: pytest.FixtureRequest) -> Problems:
    """The problems of the test's pages; `page_problems.allow(pattern)` declares the expected ones."""
    problems = Problems()
    request.node.stash[PROBLEMS] = problems
    return problems


@pytest.fixture
async def new_page(browser: Browser, page_problems: Problems) -> AsyncIterator[NewPage]:
    """`await new_page(viewport=PHONE, **context_options)`: a watched page in a fresh browser context (no cookies,
    storage or cache), in Finnish and in Helsinki's time unless told otherwise; closed after the test."""
    contexts = []

    async def open_page(viewport: ViewportSize = DESKTOP, **options: Any) -> Page:
        options = {"locale": "fi-FI", "timezone_id": "Europe/Helsinki"} | options
        context = await browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        context.set_default_timeout(WAIT_S * 1000)
        page = await context.new_page()
        page_problems.watch(page)
        return page

    yield open_page
    for context in contexts:
        await context.close()


@pytest.fixture
async def page(new_page: NewPage) -> Page:
    """A watched page at a desktop's size (1280 x 800)."""
    return await new_page()


@pytest.fixture
async def phone_page(new_page: NewPage) -> Page:
    """A watched page at a phone's size (390 x 844), as a phone shows it."""
    return await new_page(PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
async def live_url(store: GraphStore) -> AsyncIterator[str]:
    """The base URL of the app on `store` (each backend) under a real uvicorn on 127.0.0.1, in the test's event loop."""
    async with listening(create_app(store, SETTINGS)) as url:
        yield url


@pytest.fixture
def screenshot(store: GraphStore, request: pytest.FixtureRequest) -> Screenshot:
    """`await screenshot(page, "find")` writes the whole page to `<screenshots>/find-<backend>.png`."""
    shots = request.config.stash.setdefault(SCREENSHOTS, [])

    async def take(page: Page, name: str) -> Path:
        path = screenshot_dir() / f"{name}-{store.name}.png"
        await page.screenshot(path=path, full_page=True)
        shots.append(path)
        return path

    return take
