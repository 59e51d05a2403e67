"""`whereIs`: the areas a point lies in, by point-in-polygon on the municipality boundaries."""

from __future__ import annotations

import pytest

from graph_api.models import Dataset, Municipality
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

WHERE_IS = """query ($lat: Float!, $lon: Float!) { whereIs(lat: $lat, lon: $lon) {
  location { lat lon } municipality { id nameFi } welfareArea { id } region { id } districts { id } reason } }"""


async def test_helsinki_cathedral(gql: GraphQLClient) -> None:
    answer = (await gql.data(WHERE_IS, lat=60.1705, lon=24.9522))["whereIs"]
    assert answer == {
        "location": {"lat": 60.1705, "lon": 24.9522},
        "municipality": {"id": "Municipality:091", "nameFi": "Helsinki"},
        "welfareArea": {"id": "WelfareArea:HKI"},
        "region": {"id": "Region:FI1B1"},
        "districts": [{"id": "District:uusimaa"}],
        "reason": None,
    }


async def test_mariehamn_is_on_aland_with_no_county_and_no_district(gql: GraphQLClient) -> None:
    answer = (await gql.data(WHERE_IS, lat=60.0973, lon=19.9348))["whereIs"]
    assert answer["municipality"] == {"id": "Municipality:478", "nameFi": "Maarianhamina"}
    assert answer["welfareArea"] is None and answer["districts"] == []
    assert answer["region"] == {"id": "Region:FI200"}
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
    assert answer["districts"] == []
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
