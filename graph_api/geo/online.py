"""Geocoding through an online provider (Nominatim or Pelias, by geopy), kept polite and never a hang.

geopy's `RateLimiter` spaces the provider's requests (Nominatim's policy allows one a second); a
`diskcache` cache on disk keeps every answer for `CACHE_DAYS`, so the same address is not asked twice,
even across restarts. Whatever fails (the network, a timeout, the provider's error or a malformed answer)
the offline gazetteer answers instead, and `Geocoding.reason` says so.

A request waits at most `timeout` seconds in all, rate-limiter queue included: geopy is synchronous, so it
runs in a worker thread that is abandoned when the time is up. The thread still finishes, and caches what
the provider answers, so the next request for that address gets it. No more requests wait than the rate
limiter can serve within the timeout (at most `MAX_WAITING`); beyond that the gazetteer answers at once, so
a burst neither piles up threads nor spends the provider's quota on answers nobody waits for.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import diskcache
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim, Pelias
from geopy.location import Location

from graph_api.geo.areas import MunicipalityLocator
from graph_api.geo.geocoding import MAX_RESULTS, Answer, Geocoder, GeocodeResult, Geocoding, Precision, Provider
from graph_api.models import Point
from graph_api.observability.caches import register_cache

CACHE_DAYS = 30
FINLAND = "fi"
MAX_WAITING = 8
PROVIDER_ERRORS = (GeopyError, ValueError, TypeError, KeyError, AttributeError, IndexError)
"""geopy's own errors, and what reading a malformed answer raises."""

NOMINATIM_PRECISION = {
    "house": Precision.ADDRESS,
    "building": Precision.ADDRESS,
    "amenity": Precision.ADDRESS,
    "road": Precision.STREET,
    "postcode": Precision.POSTAL_CODE,
    "municipality": Precision.MUNICIPALITY,
    "city": Precision.MUNICIPALITY,
}
"""Nominatim's `addresstype`; anything else (town, village, suburb, hamlet, ...) is a locality."""

PELIAS_PRECISION = {
    "address": Precision.ADDRESS,
    "venue": Precision.ADDRESS,
    "street": Precision.STREET,
    "postalcode": Precision.POSTAL_CODE,
    "localadmin": Precision.MUNICIPALITY,
    "county": Precision.MUNICIPALITY,
}
"""Pelias's `layer` (in Finland, Digitransit's `localadmin` is the municipality); anything else is a locality."""


def nominatim_result(location: Location) -> tuple[str, Precision]:
    raw: Mapping[str, Any] = location.raw
    kind = raw.get("addresstype") or raw.get("type", "")
    return location.address, NOMINATIM_PRECISION.get(kind, Precision.LOCALITY)


def pelias_result(location: Location) -> tuple[str, Precision]:
    properties: Mapping[str, Any] = location.raw.get("properties", {})
    label = properties.get("label") or location.address
    return label, PELIAS_PRECISION.get(properties.get("layer", ""), Precision.LOCALITY)


class OnlineGeocoder:
    """One provider behind a rate limiter and a disk cache, with the offline gazetteer to fall back on."""

    def __init__(
        self,
        name: Provider,
        search: Callable[[str], list[Location] | None],
        interpret: Callable[[Location], tuple[str, Precision]],
        *,
        fallback: Geocoder,
        locator: MunicipalityLocator,
        cache_dir: Path,
        cache_mb: int,
        min_delay_s: float,
        timeout_s: float,
    ) -> None:
        self.name = name
        self._search = RateLimiter(search, min_delay_seconds=min_delay_s, max_retries=0, swallow_exceptions=False)
        self._interpret = interpret
        self._fallback = fallback
        self._locator = locator
        self._cache = diskcache.Cache(
            str(cache_dir), size_limit=cache_mb * 2**20, eviction_policy="least-recently-used"
        )
        register_cache("geocodings", self._cache)
        self._timeout_s = timeout_s
        waiting = min(MAX_WAITING, max(1, math.floor(timeout_s / min_delay_s))) if min_delay_s else MAX_WAITING
        self._waiting = threading.BoundedSemaphore(waiting)
        self._threads = anyio.CapacityLimiter(waiting)

    async def geocode(self, address: str) -> Geocoding:
        key = (self.name.value, address.casefold())
        cached = self._cache.get(key)
        if isinstance(cached, Geocoding):
            return Geocoding(cached.results, cached.reason, Answer.CACHE_HIT)
        if not self._waiting.acquire(blocking=False):
            return await self._instead(address, "is busy: its rate limit lets no more requests wait")
        try:
            with anyio.fail_after(self._timeout_s):
                return await anyio.to_thread.run_sync(
                    self._ask, address, key, abandon_on_cancel=True, limiter=self._threads
                )
        except TimeoutError:
            return await self._instead(address, f"did not answer within {self._timeout_s:g} s")
        except PROVIDER_ERRORS as error:
            return await self._instead(address, f"failed ({type(error).__name__}: {error})")

    def _ask(self, address: str, key: tuple[str, str]) -> Geocoding:
        """The provider's answer, cached; runs in a worker thread holding a waiting slot until it is done."""
        try:
            locations = self._search(address)
            found = Geocoding(
                tuple(self._result(location) for location in (locations or [])[:MAX_RESULTS]),
                None if locations else f"{self.name.value} found nothing for {address!r}",
            )
        finally:
            self._waiting.release()
        self._cache.set(key, found, expire=CACHE_DAYS * 86400)
        return found

    async def _instead(self, address: str, failure: str) -> Geocoding:
        """The offline answer, saying why the provider gave none; not cached, so the provider is asked again."""
        offline = await self._fallback.geocode(address)
        why = f"{self.name.value} {failure}; answered by the offline gazetteer"
        return Geocoding(offline.results, f"{why}: {offline.reason}" if offline.reason else why, Answer.FALLBACK)

    def _result(self, location: Location) -> GeocodeResult:
        label, precision = self._interpret(location)
        point = Point(location.latitude, location.longitude)
        return GeocodeResult(point, label, precision, self._locator.locate(point), self.name)


def nominatim(url: str, user_agent: str, timeout_s: float) -> Callable[[str], list[Location] | None]:
    """Nominatim's search, restricted to Finland."""
    scheme, domain = url.split("://", 1)
    client = Nominatim(domain=domain.rstrip("/"), scheme=scheme, user_agent=user_agent, timeout=timeout_s)

    def search(address: str) -> list[Location] | None:
        return client.geocode(address, exactly_one=False, limit=MAX_RESULTS, country_codes=FINLAND)

    return search


def pelias(
    url: str, api_key: str | None, api_key_header: str | None, user_agent: str, timeout_s: float
) -> Callable[[str], list[Location] | None]:
    """Pelias's search, restricted to Finland; the key goes in `api_key_header` when set (Digitransit's way)."""
    scheme, domain = url.split("://", 1)
    client = Pelias(
        domain=domain.rstrip("/"),
        api_key=None if api_key_header else api_key,
        scheme=scheme,
        user_agent=user_agent,
        timeout=timeout_s,
    )
    if api_key and api_key_header:
        client.headers[api_key_header] = api_key

    def search(address: str) -> list[Location] | None:
        locations = client.geocode(address, exactly_one=False, countries=["FIN"])
        return None if locations is None else locations[:MAX_RESULTS]

    return search
