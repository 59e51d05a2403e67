"""`geocode` and `nearby(near: {address})`: what a map frontend sends when a person types a place."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from graph_api.app import create_app
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from tests.conftest import GraphQLClient
from tests.fake_geocoder import FakeProvider, nominatim_place

pytestmark = pytest.mark.anyio

GEOCODE = """query ($address: String!, $limit: Int) { geocode(address: $address, limit: $limit) {
  address reason results { lat lon label precision provider postalCode note municipality { id nameFi } } } }"""
NEARBY = """query ($near: NearInput!) { nearby(near: $near, radiusKm: 25, limit: 5) {
  distanceKm place { id isDemo } } }"""
BOTH = """query ($address: String!) {
  geocode(address: $address, limit: 1) { results { lat lon provider } }
  nearby(near: {address: $address}, limit: 3) { distanceKm place { id } } }"""


@pytest.mark.parametrize(
    ("address", "municipality", "precision"),
    [
        ("Pirkkakatu 2, Rovaniemi", "Municipality:698", "LOCALITY"),
        ("00100", "Municipality:091", "POSTAL_CODE"),
        ("Mannerheimintie 5, 00100 Helsinki", "Municipality:091", "POSTAL_CODE"),
        ("Mannerheimvägen 5, 00100 Helsingfors", "Municipality:091", "POSTAL_CODE"),
        ("96101", "Municipality:698", "LOCALITY"),
        ("Åbo", "Municipality:853", "MUNICIPALITY"),
        ("Helsingfors", "Municipality:091", "MUNICIPALITY"),
        ("Vasa", "Municipality:905", "MUNICIPALITY"),
        ("Borgå", "Municipality:638", "MUNICIPALITY"),
        ("jyvaskyla", "Municipality:179", "LOCALITY"),
        ("Mariehamn", "Municipality:478", "MUNICIPALITY"),
    ],
)
async def test_geocode_finds_the_municipality(
    gql: GraphQLClient, address: str, municipality: str, precision: str
) -> None:
    answer = (await gql.data(GEOCODE, address=address))["geocode"]
    first = answer["results"][0]
    assert (first["municipality"]["id"], first["precision"], first["provider"]) == (municipality, precision, "OFFLINE")
    assert answer["reason"] is None


async def test_every_result_says_where_how_precise_and_who_answered(gql: GraphQLClient) -> None:
    answer = (await gql.data(GEOCODE, address="  Mannerheimintie 5,\n 00100   Helsinki ", limit=3))["geocode"]
    assert answer["address"] == "Mannerheimintie 5, 00100 Helsinki"
    first = answer["results"][0]
    assert first["label"] == "00100 Helsinki" and first["postalCode"] == "00100"
    assert 60.16 < first["lat"] < 60.18 and 24.91 < first["lon"] < 24.96  # inside 00100's area
    assert first["note"] == "'Mannerheimintie' is not in the offline gazetteer, which knows no streets"


async def test_a_po_box_has_no_area_and_is_placed_at_its_post_offices_town(gql: GraphQLClient) -> None:
    po_box = (await gql.data(GEOCODE, address="96101"))["geocode"]["results"][0]
    town = (await gql.data(GEOCODE, address="Rovaniemi"))["geocode"]["results"][0]
    assert (po_box["lat"], po_box["lon"], po_box["postalCode"]) == (town["lat"], town["lon"], "96101")
    assert "Posti's file has no coordinates" in po_box["note"]


async def test_limit_takes_the_best_results(gql: GraphQLClient) -> None:
    many = (await gql.data(GEOCODE, address="Peltola", limit=10))["geocode"]["results"]
    few = (await gql.data(GEOCODE, address="Peltola", limit=1))["geocode"]["results"]
    assert len(many) > 1 and few == many[:1]


async def test_nothing_found_is_an_empty_answer_with_a_reason(gql: GraphQLClient) -> None:
    answer = (await gql.data(GEOCODE, address="Xyzzyplugh"))["geocode"]
    assert answer["results"] == []
    assert "found nothing for 'Xyzzyplugh'" in answer["reason"]


@pytest.mark.parametrize("address", ["Pirkkakatu 2, Rovaniemi", "00100", "Åbo", "Linnanmaa"])
async def test_nearby_an_address_searches_from_geocodes_first_result(gql: GraphQLClient, address: str) -> None:
    first = (await gql.data(GEOCODE, address=address, limit=1))["geocode"]["results"][0]
    by_address = await gql.data(NEARBY, near={"address": address})
    by_point = await gql.data(NEARBY, near={"lat": first["lat"], "lon": first["lon"]})
    assert by_address == by_point
    assert by_address["nearby"] and all(hit["place"]["isDemo"] for hit in by_address["nearby"])


async def test_a_frontend_gets_the_point_and_the_places_in_one_request(gql: GraphQLClient) -> None:
    answer = await gql.data(BOTH, address="Pirkkakatu 2, Rovaniemi")
    assert answer["geocode"]["results"][0]["provider"] == "OFFLINE"
    assert len(answer["nearby"]) == 3


async def test_the_online_provider_is_asked_once_for_both_fields(
    store: GraphStore,
    provider: FakeProvider,
    tmp_path: Path,
) -> None:
    provider.answer = lambda query: (200, [nominatim_place(66.5008, 25.7215, "Pirkkakatu 2", "house")])
    settings = Settings(
        _env_file=None,
        GEOCODER="nominatim",
        GEOCODER_URL=provider.url,
        GEOCODER_CACHE=tmp_path,
        GEOCODER_MIN_DELAY=0,
    )
    transport = httpx.ASGITransport(app=create_app(store, settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        answer = await GraphQLClient(http).data(BOTH, address="Pirkkakatu 2, Rovaniemi")
    assert answer["geocode"]["results"] == [{"lat": 66.5008, "lon": 25.7215, "provider": "NOMINATIM"}]
    assert answer["nearby"][0]["distanceKm"] < 1
    assert len(provider.requests) == 1
