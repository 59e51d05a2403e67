"""PTV's Open API (v11) as the PTV reader asks it: JSON answers, each bounded in size and time, retried when
the failure may pass.

Every way an answer can fail (no connection, a timeout, an HTTP error, an answer too large, not JSON) comes
out as a `ValueError` whose message says why, which the reader turns into a rejection: it never raises
anything else, and never waits longer than `(retries + 1) * timeout_s` plus the pauses between attempts.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import anyio
import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt, wait_exponential

from graph_api.settings import Settings
from loaders.importing import Rejection

VERSION_PATH = "/api/v11"
MAX_PAUSE_S = 60.0
"""The longest pause between two attempts, whatever a `Retry-After` header asks for."""
PASSING_STATUSES = frozenset({429, 500, 502, 503, 504})
ERROR_BYTES = 4096


class _Passing(ValueError):
    """A failure that may pass (a timeout, no connection, 429, 5xx): worth another attempt."""

    def __init__(self, reason: str, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paged PTV answer: its items, and how many pages there are in all."""

    url: str
    items: list[object]
    page_count: int


@dataclass(frozen=True, slots=True)
class PtvApi:
    """Where PTV is (`url`, without `/api/v11`), and how long, how large and how often to ask it."""

    url: str
    timeout_s: float = 10.0
    retries: int = 3
    max_bytes: int = 20_000_000
    backoff_s: float = 0.5
    """The pause before the first retry; each later one doubles it (up to `MAX_PAUSE_S`)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> PtvApi:
        return cls(
            settings.ptv_url,
            settings.ptv_timeout_s,
            settings.ptv_retries,
            settings.import_max_bytes,
        )

    def address(self, path: str, params: Mapping[str, str | int] | None = None) -> str:
        return str(httpx.URL(self.url.rstrip("/") + VERSION_PATH + path, params=params))

    async def get(self, client: httpx.AsyncClient, url: str) -> object:
        """The JSON answer at `url`; a ValueError says why there is none."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=self._pause,
            retry=retry_if_exception_type(_Passing),
            reraise=True,
        )
        try:
            return await retrying(self._get_once, client, url)
        except _Passing as exc:
            tries = "once" if self.retries == 0 else f"{self.retries + 1} times"
            raise ValueError(f"{exc} (asked {tries})") from None

    async def pages(
        self, client: httpx.AsyncClient, path: str, params: Mapping[str, str]
    ) -> AsyncIterator[Page | Rejection]:
        """Each page of a paged answer in turn; a page that fails comes as a rejection naming its URL, and the
        pages after it are still asked for (when the first fails, nothing more is known)."""
        number, count = 1, 1
        while number <= count:
            url = self.address(path, {**params, "page": number})
            try:
                page = _page(url, await self.get(client, url))
            except ValueError as exc:
                yield Rejection(url, str(exc))
                if number == 1:
                    return
            else:
                count = page.page_count
                yield page
            number += 1

    async def _get_once(self, client: httpx.AsyncClient, url: str) -> object:
        try:
            with anyio.fail_after(self.timeout_s):
                async with client.stream("GET", url, headers={"Accept": "application/json"}) as response:
                    body = await self._body(response)
        except TimeoutError:
            raise _Passing(f"PTV did not answer within {self.timeout_s:g} s") from None
        except httpx.TransportError as exc:
            raise _Passing(f"PTV could not be reached ({type(exc).__name__}: {exc})") from None
        try:
            return json.loads(body)
        except ValueError as exc:
            raise ValueError(f"PTV's answer is not JSON in UTF-8 ({exc})") from None

    async def _body(self, response: httpx.Response) -> bytes:
        if response.status_code != 200:
            reason = f"PTV answered {response.status_code} {response.reason_phrase}{_said(await _start(response))}"
            if response.status_code in PASSING_STATUSES:
                raise _Passing(reason, _retry_after(response))
            raise ValueError(reason)
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise ValueError(self._too_large(int(declared)))
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise ValueError(self._too_large(size, at_least=True))
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, size: int, at_least: bool = False) -> str:
        more = "at least " if at_least else ""
        return f"PTV's answer is {more}{size:,} bytes, more than the {self.max_bytes:,} an import may read"

    def _pause(self, state: RetryCallState) -> float:
        """What the server asked for in `Retry-After`, else a doubling pause."""
        failure = state.outcome.exception() if state.outcome is not None else None
        if isinstance(failure, _Passing) and failure.retry_after_s is not None:
            return min(failure.retry_after_s, MAX_PAUSE_S)
        return wait_exponential(multiplier=self.backoff_s, max=MAX_PAUSE_S)(state)


def _page(url: str, answer: object) -> Page:
    """A page of PTV's `...WithPaging` form: `pageNumber`, `pageSize`, `pageCount`, `itemList`."""
    if not isinstance(answer, dict):
        raise ValueError(f"PTV's answer is a JSON {type(answer).__name__}, not an object with an itemList")
    count, items = answer.get("pageCount"), answer.get("itemList")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValueError(f"PTV's answer has no pageCount (a whole number), but {count!r}")
    if items is None and count == 0:
        items = []
    if not isinstance(items, list):
        raise ValueError(f"PTV's answer has no itemList (a list), but {type(items).__name__}")
    return Page(url, items, count)


async def _start(response: httpx.Response) -> bytes:
    """The first few kilobytes of the body: enough to say what an error is, however much is sent."""
    start = b""
    async for chunk in response.aiter_bytes():
        start += chunk
        if len(start) >= ERROR_BYTES:
            break
    return start[:ERROR_BYTES]


def _said(body: bytes) -> str:
    """What PTV said about an error, briefly: its `errorMessage`, or the start of the body."""
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    text = str(answer.get("errorMessage") or "") if isinstance(answer, dict) else body.decode("utf-8", "replace")
    text = " ".join(text.split())[:200]
    return f": {text}" if text else ""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None
