"""`whereIs`: the areas a point lies in, by point-in-polygon on the municipality and postal code area boundaries."""

from __future__ import annotations

import pytest

from graph_api.models import Dataset, Municipality
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

WHERE_IS = """query ($lat: Float!, $lon: Float!) { whereIs(lat: $lat, lon: $lon) {
  location { lat lon } municipality { id nameFi } welfareArea { id } region { id } districts { id }
  postalCodeArea { postalCode municipality { id } } reason } }"""
GEOCODE = """query ($address: String!) { geocode(address: $address, limit: 1) { results { lat lon postalCode } } }"""


async def test_helsinki_cathedral(gql: GraphQLClient) -> None:
    answer = (await gql.data(WHERE_IS, lat=60.1705, lon=24.9522))["whereIs"]
    assert answer == {
        "location": {"lat": 60.1705, "lon": 24.9522},
        "municipality": {"id": "Municipality:091", "nameFi": "Helsinki"},
        "welfareArea": {"id": "WelfareArea:HKI"},
        "region": {"id": "Region:FI1B1"},
        "districts": [{"id": "District:uusimaa"}],
        "postalCodeArea": {"postalCode": "00170", "municipality": {"id": "Municipality:091"}},
        "reason": None,
    }


@pytest.mark.parametrize(
    ("lat", "lon", "postal_code"),
    [
        pytest.param(60.1710, 24.9414, "00100", id="helsinki-railway-station"),
        pytest.param(60.1686, 24.9316, "00100", id="kamppi"),
        pytest.param(60.2052, 25.1429, "00980", id="vuosaari"),
        pytest.param(61.4978, 23.7610, "33100", id="tampere-centre"),
    ],
)
async def test_a_point_names_the_postal_code_area_it_lies_in(
    gql: GraphQLClient, lat: float, lon: float, postal_code: str
) -> None:
    answer = (await gql.data(WHERE_IS, lat=lat, lon=lon))["whereIs"]
    assert answer["postalCodeArea"]["postalCode"] == postal_code


@pytest.mark.parametrize("address", ["00100", "Mannerheimintie 1, 00100 Helsinki", "96100", "22120 Mariehamn"])
async def test_a_geocoded_postal_code_lies_in_its_own_area(gql: GraphQLClient, address: str) -> None:
    found = (await gql.data(GEOCODE, address=address))["geocode"]["results"][0]
    answer = (await gql.data(WHERE_IS, lat=found["lat"], lon=found["lon"]))["whereIs"]
    assert answer["postalCodeArea"]["postalCode"] == found["postalCode"]


async def test_mariehamn_is_on_aland_with_no_county_and_no_district(gql: GraphQLClient) -> None:
    answer = (await gql.data(WHERE_IS, lat=60.0973, lon=19.9348))["whereIs"]
    assert answer["municipality"] == {"id": "Municipality:478", "nameFi": "Maarianhamina"}
    assert answer["welfareArea"] is None and answer["districts"] == []
    assert answer["region"] == {"id": "Region:FI200"}
    assert answer["postalCodeArea"] == {"postalCode": "22100", "municipality": {"id": "Municipality:478"}}
    assert "Åland" in answer["reason"]


@pytest.mark.parametrize(
    ("lat", "lon", "reason"),
    [
        pytest.param(60.5, 21.0, "at sea", id="baltic-sea"),
        pytest.param(64.5, 22.0, "at sea", id="gulf-of-bothnia"),
        pytest.param(48.8566, 2.3522, "outside Finland", id="paris"),
        pytest.param(-33.9, 18.4, "outside Finland", id="cape-town"),
    ],
)
async def test_points_outside_every_municipality_say_why(
    gql: GraphQLClient, lat: float, lon: float, reason: str
) -> None:
    answer = (await gql.data(WHERE_IS, lat=lat, lon=lon))["whereIs"]
    assert answer["municipality"] is None and answer["welfareArea"] is None and answer["region"] is None
    assert answer["districts"] == [] and answer["postalCodeArea"] is None
    assert reason in answer["reason"]


@pytest.mark.parametrize(
    ("lat", "lon", "municipality", "district"),
    [
        pytest.param(61.4978, 23.7610, "Municipality:837", "District:hame", id="tampere"),
        pytest.param(66.5039, 25.7294, "Municipality:698", "District:lappi", id="rovaniemi"),
        pytest.param(69.9079, 27.0265, "Municipality:890", "District:lappi", id="utsjoki"),
        pytest.param(62.6010, 29.7636, "Municipality:167", "District:jarvi-suomi", id="joensuu"),
    ],
)
async def test_known_towns(gql: GraphQLClient, lat: float, lon: float, municipality: str, district: str) -> None:
    answer = (await gql.data(WHERE_IS, lat=lat, lon=lon))["whereIs"]
    assert answer["municipality"]["id"] == municipality
    assert answer["districts"] == [{"id": district}] and answer["reason"] is None


async def test_every_municipality_contains_its_own_location(gql: GraphQLClient, dataset: Dataset) -> None:
    for municipality in [n for n in dataset.nodes if isinstance(n, Municipality)][::10]:
        answer = (await gql.data(WHERE_IS, lat=municipality.location.lat, lon=municipality.location.lon))["whereIs"]
        assert answer["municipality"]["id"] == f"Municipality:{municipality.key}"


@pytest.mark.parametrize(
    ("lat", "lon", "argument"), [(91, 25, "lat"), (-90.5, 25, "lat"), (60, 181, "lon"), (60, -180.5, "lon")]
)
async def test_bad_coordinates_name_the_argument(gql: GraphQLClient, lat: float, lon: float, argument: str) -> None:
    error = await gql.error(WHERE_IS, lat=lat, lon=lon)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
