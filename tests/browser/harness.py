"""What the browser tests and the browser benchmark share: Debian's Chromium under Playwright, the settings of the
served app, the viewports and the screenshots' folder.

Playwright is imported only where a browser is launched, so that the fixtures load (and the tests can say why they
skip) where it is not installed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

from graph_api.settings import Settings
from tests.conftest import ROOT

if TYPE_CHECKING:
    from playwright.async_api import Browser, ViewportSize

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Chromium's own connections to Google's hosts, refused on a closed network, would log errors.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOW_TO_ENABLE = (
    "install Debian's Chromium (apt-get install chromium) or set GRAPH_API_CHROMIUM to a Chromium executable, "
    'and Playwright for Python (pip install -e ".[test]")'
)
WAIT_S = 20.0
"""How long a page may take to show what a test waits for: generous, for a loaded CI machine."""
SETTINGS = Settings(_env_file=None, GRAPH_API_TILE_URL="", GRAPH_API_REQUEST_TIMEOUT=60)
"""The served app's: no tile layer (the page may not leave the server, and this machine has no internet), and a
request budget a loaded machine cannot run out of."""
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
"""A phone's width in CSS pixels (an iPhone 12 to 15)."""


class BrowserUnavailable(RuntimeError):
    """No Chromium (or no Playwright) to drive, or it did not start; the message says which."""


def chromium_path() -> str | None:
    """GRAPH_API_CHROMIUM, else `chromium` on the PATH."""
    return os.environ.get("GRAPH_API_CHROMIUM") or shutil.which("chromium")


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, under Playwright (which cannot download its own browsers here)."""
    path = chromium_path()
    if path is None:
        raise BrowserUnavailable("no Chromium: `chromium` is not on the PATH and GRAPH_API_CHROMIUM is not set")
    try:
        from playwright.async_api import Error, async_playwright
    except ImportError as exc:
        raise BrowserUnavailable(f"Playwright for Python is not installed ({exc})") from exc
    async with async_playwright() as playwright:
        try:
            browser = await playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        except Error as exc:
            raise BrowserUnavailable(f"Chromium at {path} did not start: {exc.message.splitlines()[0]}") from exc
        try:
            yield browser
        finally:
            await browser.close()


def screenshot_dir() -> Path:
    """GRAPH_API_SCREENSHOTS, else build/screenshots at the repository's root (not committed)."""
    return Path(os.environ.get("GRAPH_API_SCREENSHOTS") or ROOT / "build" / "screenshots")
