"""A geocoder that counts the calls of the geocoder it wraps, by provider and outcome."""

from __future__ import annotations

from prometheus_client import Counter

from graph_api.geo.geocoding import Answer, Geocoder, Geocoding
from graph_api.observability.metrics import Children


class InstrumentedGeocoder:
    """Delegates to `inner`; `calls` gets one per address: `found`, `nothing`, `cache_hit` or `fallback`."""

    def __init__(self, inner: Geocoder, calls: Counter) -> None:
        self.inner = inner
        self.name = inner.name
        self._calls = Children(calls)

    async def geocode(self, address: str) -> Geocoding:
        found = await self.inner.geocode(address)
        self._calls(self.name.value, outcome_of(found)).inc()
        return found


def outcome_of(geocoding: Geocoding) -> str:
    if geocoding.answer is Answer.ASKED:
        return "found" if geocoding.results else "nothing"
    return geocoding.answer.value
