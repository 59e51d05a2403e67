"""Online geocoding against a local HTTP server speaking Nominatim's and Pelias's JSON: rate limiting,
the disk cache, timeouts and the fall back to the offline gazetteer. No test here touches the network."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from graph_api.geo.geocoding import Geocoder, Precision, Provider
from graph_api.settings import Settings
from tests.fake_geocoder import ROVANIEMI, FakeProvider, nominatim_place, pelias_feature
from tests.neo4j_server import free_port

pytestmark = pytest.mark.anyio


def geocoder(kind: str, url: str, cache: Path, **settings: Any) -> Geocoder:
    options = {"GEOCODER_MIN_DELAY": 0, "GEOCODER_TIMEOUT": 2, **settings}
    return Settings(_env_file=None, GEOCODER=kind, GEOCODER_URL=url, GEOCODER_CACHE=cache, **options).create_geocoder()


async def test_nominatim_results_are_read_with_their_precision_and_municipality(
    provider: FakeProvider, tmp_path: Path
) -> None:
    provider.answer = lambda query: (
        200,
        [
            nominatim_place(*ROVANIEMI, "Pirkkakatu 2", "house"),
            nominatim_place(66.4989, 25.7300, "Pirkkakatu", "road"),
            nominatim_place(66.50, 25.73, "96100", "postcode"),
            nominatim_place(66.50, 25.72, "Rovaniemi", "city"),
            nominatim_place(66.52, 25.80, "Ounasrinne", "suburb"),
        ],
    )
    found = await geocoder("nominatim", provider.url, tmp_path).geocode("Pirkkakatu 2, Rovaniemi")
    assert [result.precision for result in found.results] == [
        Precision.ADDRESS,
        Precision.STREET,
        Precision.POSTAL_CODE,
        Precision.MUNICIPALITY,
        Precision.LOCALITY,
    ]
    first = found.results[0]
    assert (first.location.lat, first.location.lon) == ROVANIEMI
    assert first.label == "Pirkkakatu 2, Suomi / Finland"
    assert first.municipality == "698"
    assert first.provider is Provider.NOMINATIM and found.reason is None
    (request,) = provider.requests
    assert request.path == "/search"
    assert request.query["q"] == ["Pirkkakatu 2, Rovaniemi"]
    assert request.query["countrycodes"] == ["fi"]
    assert request.headers["user-agent"].startswith("graph-api/")


async def test_pelias_results_carry_its_label_and_layer_and_are_restricted_to_finland(
    provider: FakeProvider, tmp_path: Path
) -> None:
    provider.answer = lambda query: (
        200,
        {"type": "FeatureCollection", "features": [pelias_feature(*ROVANIEMI, "Pirkkakatu 2, Rovaniemi", "address")]},
    )
    found = await geocoder("pelias", provider.url, tmp_path, GEOCODER_API_KEY="k3y").geocode("Pirkkakatu 2")
    (result,) = found.results
    assert (result.label, result.precision, result.provider) == (
        "Pirkkakatu 2, Rovaniemi",
        Precision.ADDRESS,
        Provider.PELIAS,
    )
    (request,) = provider.requests
    assert request.path == "/v1/search"
    assert request.query["boundary.country"] == ["FIN"]
    assert request.query["api_key"] == ["k3y"]


async def test_a_digitransit_key_goes_in_its_header(provider: FakeProvider, tmp_path: Path) -> None:
    provider.answer = lambda query: (200, {"type": "FeatureCollection", "features": []})
    header = "digitransit-subscription-key"
    await geocoder("pelias", provider.url, tmp_path, GEOCODER_API_KEY="k3y", GEOCODER_API_KEY_HEADER=header).geocode(
        "Oulu"
    )
    (request,) = provider.requests
    assert request.headers[header] == "k3y"
    assert "api_key" not in request.query


async def test_the_same_address_is_asked_once_even_after_a_restart(provider: FakeProvider, tmp_path: Path) -> None:
    provider.answer = lambda query: (200, [nominatim_place(*ROVANIEMI, "Rovaniemi", "city")])
    first = await geocoder("nominatim", provider.url, tmp_path).geocode("Rovaniemi")
    again = await geocoder("nominatim", provider.url, tmp_path).geocode("ROVANIEMI")
    assert again == first
    assert len(provider.requests) == 1


async def test_an_empty_answer_is_kept_too_and_says_why(provider: FakeProvider, tmp_path: Path) -> None:
    coder = geocoder("nominatim", provider.url, tmp_path)
    for _ in range(2):
        found = await coder.geocode("Xyzzyplugh")
        assert found.results == () and "nominatim found nothing" in (found.reason or "")
    assert len(provider.requests) == 1


async def test_requests_are_spaced_by_the_rate_limiter(provider: FakeProvider, tmp_path: Path) -> None:
    coder = geocoder("nominatim", provider.url, tmp_path, GEOCODER_MIN_DELAY=0.3)
    async with anyio.create_task_group() as group:
        for town in ("Oulu", "Kemi", "Salla", "Inari"):
            group.start_soon(coder.geocode, town)
    times = sorted(request.at for request in provider.requests)
    assert len(times) == 4
    assert all(later - earlier >= 0.28 for earlier, later in itertools.pairwise(times))


async def test_a_provider_that_times_out_gives_the_offline_answer_within_the_timeout(
    provider: FakeProvider, tmp_path: Path
) -> None:
    provider.delay_s = 3.0
    coder = geocoder("nominatim", provider.url, tmp_path, GEOCODER_TIMEOUT=0.5)
    started = time.monotonic()
    found = await coder.geocode("Åbo")
    assert time.monotonic() - started < 1.5
    assert found.results[0].provider is Provider.OFFLINE
    assert found.results[0].municipality == "853"
    assert "nominatim did not answer within 0.5 s; answered by the offline gazetteer" in (found.reason or "")


async def test_a_queue_at_the_rate_limiter_counts_against_the_timeout(provider: FakeProvider, tmp_path: Path) -> None:
    coder = geocoder("nominatim", provider.url, tmp_path, GEOCODER_MIN_DELAY=5, GEOCODER_TIMEOUT=0.5)
    await coder.geocode("Oulu")
    started = time.monotonic()
    found = await coder.geocode("Kemi")
    assert time.monotonic() - started < 1.5
    assert found.results[0].provider is Provider.OFFLINE


@pytest.mark.parametrize("status", [500, 503, 403])
async def test_a_provider_error_falls_back_and_is_asked_again_next_time(
    provider: FakeProvider, tmp_path: Path, status: int
) -> None:
    provider.answer = lambda query: (status, {"error": "no"})
    coder = geocoder("nominatim", provider.url, tmp_path, GEOCODER_TIMEOUT=1)
    for _ in range(2):
        found = await coder.geocode("96100 Rovaniemi")
        assert found.results[0].provider is Provider.OFFLINE
        assert found.results[0].postal_code == "96100"
        assert "answered by the offline gazetteer" in (found.reason or "")
    assert len(provider.requests) == 2


async def test_an_unreachable_provider_falls_back(tmp_path: Path) -> None:
    coder = geocoder("pelias", f"http://127.0.0.1:{free_port()}", tmp_path)
    found = await coder.geocode("Vasa")
    assert found.results[0].municipality == "905"
    assert "pelias failed" in (found.reason or "")


async def test_the_fallback_says_when_the_gazetteer_finds_nothing_either(tmp_path: Path) -> None:
    found = await geocoder("nominatim", f"http://127.0.0.1:{free_port()}", tmp_path).geocode("Xyzzyplugh")
    assert found.results == ()
    assert "nominatim failed" in (found.reason or "") and "found nothing" in (found.reason or "")


@pytest.mark.parametrize(
    ("kind", "answer"),
    [
        pytest.param("nominatim", [{"lat": "abc", "lon": "25.7", "display_name": "x"}], id="nominatim-bad-number"),
        pytest.param("nominatim", {"unexpected": "object"}, id="nominatim-not-a-list"),
        pytest.param("pelias", {"features": [{"geometry": None}]}, id="pelias-no-geometry"),
        pytest.param("pelias", [1, 2], id="pelias-not-a-collection"),
    ],
)
async def test_a_malformed_answer_falls_back(provider: FakeProvider, tmp_path: Path, kind: str, answer: Any) -> None:
    provider.answer = lambda query: (200, answer)
    found = await geocoder(kind, provider.url, tmp_path).geocode("Åbo")
    assert found.results[0].provider is Provider.OFFLINE and found.results[0].municipality == "853"
    assert f"{kind} failed" in (found.reason or "")


async def test_an_answer_that_comes_after_the_timeout_is_kept_for_next_time(
    provider: FakeProvider, tmp_path: Path
) -> None:
    """Kemi waits its turn at the rate limiter past the timeout; the provider's answer is still kept."""
    provider.answer = lambda query: (200, [nominatim_place(65.7364, 24.5637, query["q"][0], "city")])
    coder = geocoder("nominatim", provider.url, tmp_path, GEOCODER_MIN_DELAY=1.0, GEOCODER_TIMEOUT=0.5)
    await coder.geocode("Oulu")
    assert (await coder.geocode("Kemi")).results[0].provider is Provider.OFFLINE
    await anyio.sleep(1.0)
    assert (await coder.geocode("Kemi")).results[0].provider is Provider.NOMINATIM
    assert len(provider.requests) == 2


async def test_no_more_requests_wait_than_the_rate_limit_serves_within_the_timeout(
    provider: FakeProvider, tmp_path: Path
) -> None:
    """With one request per 1.5 s and 0.5 s to answer, one may wait; the next is answered offline at once."""
    coder = geocoder("nominatim", provider.url, tmp_path, GEOCODER_MIN_DELAY=1.5, GEOCODER_TIMEOUT=0.5)
    await coder.geocode("Oulu")
    assert "did not answer within 0.5 s" in ((await coder.geocode("Kemi")).reason or "")
    started = time.monotonic()
    busy = await coder.geocode("Salla")
    assert time.monotonic() - started < 0.3
    assert "nominatim is busy" in (busy.reason or "") and busy.results[0].municipality == "732"
    await anyio.sleep(1.5)
    assert [request.query["q"] for request in provider.requests] == [["Oulu"], ["Kemi"]]
