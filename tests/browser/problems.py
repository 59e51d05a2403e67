"""What went wrong in a test's pages, as a person at the browser's developer tools would see it: console errors,
uncaught errors, failed requests, HTTP errors, and requests that left the server (the page must work offline)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.async_api import ConsoleMessage, Error, Page, Request, Response

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
"""Where the test's servers listen: requests elsewhere left the server."""
NETWORK_SCHEMES = {"http", "https", "ws", "wss"}
ABORTED = "net::ERR_ABORTED"
"""A request the page itself cancelled (a search overtaken by the next one, a navigation): not a failure."""


@dataclass
class Problems:
    """Every problem seen on the watched pages, in order; `allow` declares those a test expects."""

    seen: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", self._uncaught)
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def allow(self, pattern: str) -> None:
        """Expect the problems in whose text the regular expression `pattern` is found."""
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [problem for problem in self.seen if not any(allowed.search(problem) for allowed in self.allowed)]

    def check(self) -> None:
        """Fail now if the pages had any unexpected problem (the browser tests also check after each test)."""
        unexpected = self.unexpected()
        assert not unexpected, described(unexpected)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location
            self.seen.append(f"console error: {message.text} ({where['url']}:{where['lineNumber']})")

    def _uncaught(self, error: Error) -> None:
        self.seen.append(f"uncaught error: {error.stack or error.message}")

    def _request(self, request: Request) -> None:
        url = urlsplit(request.url)
        if url.scheme in NETWORK_SCHEMES and url.hostname not in LOOPBACK:
            self.seen.append(f"request left the server: {request.method} {request.url}")

    def _failed(self, request: Request) -> None:
        if request.failure != ABORTED:
            self.seen.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.seen.append(f"HTTP {response.status}: {response.request.method} {response.url}")


def described(problems: list[str]) -> str:
    return "the page had problems:\n" + "\n".join(f"  {problem}" for problem in problems)
