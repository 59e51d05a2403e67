"""coverage and coverageGaps: figures against hand computations from the seed files, totals, ranking, errors.

The hand computations read the seed CSVs and the boundaries themselves and measure every resident to every
family café with geopy's geodesic, knowing nothing of `graph_api.planning`.
"""

from __future__ import annotations

import csv
import datetime
import functools
import json
import math
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import shapely
from geopy.distance import geodesic

from tests.conftest import SEEDS, GraphQLClient

pytestmark = pytest.mark.anyio

FIGURES = """fragment Figures on MunicipalityCoverage { municipality { id code } population populationYear places
  placesPer10k weightedDistanceKm shareWithin populationBeyond underAgreement isDemo }"""
COVERAGE = (
    """query ($area: ID!, $km: Float, $kinds: [MeetingPlaceKind!], $year: Int) {
  coverage(areaId: $area, withinKm: $km, kinds: $kinds, year: $year) { area { id } terms { withinKm kinds year }
    population populationYear places placesPer10k weightedDistanceKm shareWithin populationBeyond municipalityCount
    municipalitiesUnderAgreement populationUnderAgreement isDemo municipalities { ...Figures } } }"""
    + FIGURES
)
GAPS = (
    """query ($km: Float, $kinds: [MeetingPlaceKind!], $area: ID, $year: Int, $share: Float, $limit: Int) {
  coverageGaps(withinKm: $km, kinds: $kinds, areaId: $area, year: $year, minShareBeyond: $share, limit: $limit) {
    terms { withinKm kinds year } minShareBeyond totalCount populationYear isDemo municipalities { ...Figures } } }"""
    + FIGURES
)
MOST_PEOPLE_FAR_FROM_A_FAMILY_CAFE = """{
  coverageGaps(withinKm: 10, kinds: [FAMILY_CAFE], minShareBeyond: 0.5, limit: 500) {
    totalCount populationYear isDemo
    municipalities {
      municipality { code nameFi welfareArea { nameFi } }
      population shareWithin populationBeyond weightedDistanceKm places underAgreement
    }
  }
}"""
"""The README's query: where most people live farther than 10 km from a family café."""

KYMENLAAKSO = "WelfareArea:KY"


def rows(path: str) -> list[dict[str, str]]:
    with (SEEDS / path).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@functools.cache
def boundaries() -> tuple[list[str], np.ndarray]:
    features = json.loads((SEEDS / "reference/boundaries/municipalities.geojson").read_text(encoding="utf-8"))
    shapes = np.array([shapely.geometry.shape(f["geometry"]) for f in features["features"]])
    return [f["id"] for f in features["features"]], shapes


def municipality_of(lat: float, lon: float) -> str:
    """The lowest code whose boundary holds the point, else the closest boundary."""
    codes, shapes = boundaries()
    point = shapely.Point(lon, lat)
    inside = [code for code, hit in zip(codes, shapely.intersects(shapes, point), strict=True) if hit]
    return min(inside) if inside else codes[int(np.argmin(shapely.distance(shapes, point)))]


@functools.cache
def settled() -> dict[str, list[tuple[float, float, int]]]:
    """(lat, lon, population) of each GeoNames place, by the code of its municipality."""
    by_code: dict[str, list[tuple[float, float, int]]] = {}
    for r in rows("reference/gazetteer/places.csv"):
        lat, lon = float(r["latitude"]), float(r["longitude"])
        by_code.setdefault(municipality_of(lat, lon), []).append((lat, lon, int(r["population"])))
    return by_code


def members(county: str | None) -> list[dict[str, str]]:
    """The municipalities of the county; all of them for None."""
    municipalities = rows("reference/nodes/Municipality.csv")
    if county is None:
        return municipalities
    codes = {r["from"] for r in rows("reference/relationships/IN_WELFARE_AREA.csv") if r["to"] == county}
    return [m for m in municipalities if f"Municipality:{m['key']}" in codes]


def places_of_kind(kind: str | None) -> frozenset[str]:
    """The keys of the meeting places of the kind; of all of them for None."""
    return frozenset(r["key"] for r in rows("demo/nodes/MeetingPlace.csv") if kind is None or r["kind"] == kind)


def nearest_km(lat: float, lon: float, points: np.ndarray) -> float:
    """geopy's geodesic to the nearest of the points (rows of lat, lon), infinite when there are none.

    Measured to every point within 2% of the nearest by haversine: sphere and ellipsoid differ by under 0.6%, so
    no other can be nearest, and a national reference takes seconds, not the minutes of every resident to every
    place.
    """
    if not len(points):
        return math.inf
    lat1, lon1, lats, lons = np.radians(lat), np.radians(lon), np.radians(points[:, 0]), np.radians(points[:, 1])
    h = np.sin((lats - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lats) * np.sin((lons - lon1) / 2) ** 2
    haversine = 2 * np.arcsin(np.sqrt(h))
    near = points[haversine <= haversine.min() * 1.02]
    return min(geodesic((lat, lon), (float(p_lat), float(p_lon))).km for p_lat, p_lon in near)


@functools.cache
def residents_and_distances(county: str | None, places: frozenset[str]) -> dict[str, list[tuple[float, float]]]:
    """(people, km to the nearest of the places, infinite when there are none) of every resident point of the
    county's municipalities (of all for None); `places` are meeting place keys."""
    listed = rows("demo/nodes/MeetingPlace.csv")
    points = np.array([(float(r["lat"]), float(r["lon"])) for r in listed if r["key"] in places]).reshape(-1, 2)
    measured = {}
    for m in members(county):
        population, listed = int(m["population"]), settled().get(m["key"], [])
        people = sum(p for _, _, p in listed)
        if people > population:
            residents = [(lat, lon, p * population / people) for lat, lon, p in listed]
        else:
            residents = [*listed, (float(m["lat"]), float(m["lon"]), population - people)]
        measured[m["key"]] = [(people, nearest_km(lat, lon, points)) for lat, lon, people in residents]
    return measured


def hand_figures(county: str | None, places: frozenset[str], within_km: float) -> dict[str, dict[str, Any]]:
    """Each municipality's figures, by its code, counting the meeting places with these keys."""
    population = {m["key"]: int(m["population"]) for m in rows("reference/nodes/Municipality.csv")}
    located = Counter(
        r["to"].removeprefix("Municipality:")
        for r in rows("demo/relationships/LOCATED_IN.csv")
        if r["from"].removeprefix("MeetingPlace:") in places
    )
    figures = {}
    for code, measured in residents_and_distances(county, places).items():
        people = population[code]
        within = round(sum(p for p, km in measured if km <= within_km))
        figures[code] = {
            "population": people,
            "populationYear": 2020,
            "places": located[code],
            "placesPer10k": located[code] * 10_000 / people,
            "weightedDistanceKm": sum(p * km for p, km in measured) / people if places else None,
            "shareWithin": within / people,
            "populationBeyond": people - within,
        }
    return figures


@pytest.mark.parametrize("within_km", [5.0, 10.0])
async def test_a_county_s_figures_match_a_hand_computation(gql: GraphQLClient, within_km: float) -> None:
    answer = (await gql.data(COVERAGE, area=KYMENLAAKSO, km=within_km, kinds=["FAMILY_CAFE"], year=2023))["coverage"]
    expected = hand_figures(KYMENLAAKSO, places_of_kind("FAMILY_CAFE"), within_km)
    got = {m["municipality"]["code"]: m for m in answer["municipalities"]}
    assert sorted(got) == sorted(expected) == [m["municipality"]["code"] for m in answer["municipalities"]]
    for code, figures in expected.items():
        for name, value in figures.items():
            assert got[code][name] == pytest.approx(value, rel=1e-9), f"{code} {name}"


@pytest.mark.parametrize("kind", [None, "FAMILY_CAFE"])
async def test_the_national_figures_match_a_hand_computation_to_the_metre(gql: GraphQLClient, kind: str | None) -> None:
    """Every municipality's distance (a weighted mean of each resident's nearest place) and people within."""
    kinds = None if kind is None else [kind]
    answer = (await gql.data(GAPS, km=10.0, kinds=kinds, year=2023, limit=500))["coverageGaps"]
    expected = hand_figures(None, places_of_kind(kind), 10.0)
    got = {m["municipality"]["code"]: m for m in answer["municipalities"]}
    assert len(got) == len(expected) == 309
    for code, figures in expected.items():
        assert got[code]["weightedDistanceKm"] == pytest.approx(figures["weightedDistanceKm"], abs=1e-6), code
        for name in ("populationBeyond", "shareWithin", "places"):
            assert got[code][name] == pytest.approx(figures[name], rel=1e-12), f"{code} {name}"


def test_the_hand_computed_county_has_every_kind_of_case() -> None:
    """Places scaled down and places with the rest at the location; none, some or all people within 5 km."""
    listed = {
        m["key"]: (sum(p for *_, p in settled().get(m["key"], [])), int(m["population"])) for m in members(KYMENLAAKSO)
    }
    assert {people > population for people, population in listed.values()} == {True, False}
    shares = {f["shareWithin"] for f in hand_figures(KYMENLAAKSO, places_of_kind("FAMILY_CAFE"), 5.0).values()}
    assert 0.0 in shares and 1.0 in shares and any(0 < share < 1 for share in shares)


@pytest.mark.parametrize(
    ("area", "year", "covered"),
    [
        pytest.param("WelfareArea:KA", 2023, "all", id="county-agreement-from-2023"),
        pytest.param("WelfareArea:KA", 2022, "none", id="county-before-its-agreement"),
        pytest.param("WelfareArea:LA", 2022, {"047"}, id="enontekio-own-agreement-until-2022"),
        pytest.param("WelfareArea:LA", 2023, "none", id="lapland-uncovered-2023"),
        pytest.param("WelfareArea:KY", 2025, "none", id="kymenlaakso-never"),
        pytest.param("Municipality:091", 2023, "none", id="helsinki-before-2024"),
        pytest.param("Municipality:091", 2024, "all", id="helsinki-from-2024"),
    ],
)
async def test_under_agreement_follows_the_agreements_of_the_municipality_or_its_county(
    gql: GraphQLClient, area: str, year: int, covered: str | set[str]
) -> None:
    answer = (await gql.data(COVERAGE, area=area, year=year))["coverage"]
    codes = [m["municipality"]["code"] for m in answer["municipalities"]]
    expected = set(codes) if covered == "all" else set() if covered == "none" else covered
    assert {m["municipality"]["code"] for m in answer["municipalities"] if m["underAgreement"]} == expected
    assert answer["terms"]["year"] == year


async def test_in_2023_agreements_cover_243_municipalities(gql: GraphQLClient) -> None:
    """As MLL reports, and as `agreements(year: 2023)` lists them."""
    gaps = (await gql.data(GAPS, year=2023, limit=500))["coverageGaps"]
    assert gaps["totalCount"] == len(gaps["municipalities"]) == 309
    assert sum(m["underAgreement"] for m in gaps["municipalities"]) == 243


async def test_without_a_year_agreements_in_force_this_year_in_finland_count(gql: GraphQLClient) -> None:
    year = datetime.datetime.now(ZoneInfo("Europe/Helsinki")).year
    default = (await gql.data(COVERAGE, area="Region:FI1B1"))["coverage"]
    explicit = (await gql.data(COVERAGE, area="Region:FI1B1", year=year))["coverage"]
    assert default == explicit
    kinds = ["FAMILY_CAFE", "MEETING_PLACE", "FAMILY_HOUSE", "OPEN_DAYCARE"]
    assert default["terms"] == {"withinKm": 10.0, "kinds": kinds, "year": year}


@pytest.mark.parametrize(
    "area", ["WelfareArea:PI", "Region:FI1B1", "District:hame", "WelfareArea:HKI", "Municipality:091"]
)
async def test_an_area_s_totals_combine_its_municipalities(gql: GraphQLClient, area: str) -> None:
    answer = (await gql.data(COVERAGE, area=area, kinds=["FAMILY_CAFE", "OPEN_DAYCARE"], year=2023))["coverage"]
    municipalities = answer["municipalities"]
    population = sum(m["population"] for m in municipalities)
    assert answer["area"]["id"] == area
    assert answer["population"] == population
    assert answer["populationYear"] == 2020
    assert answer["places"] == sum(m["places"] for m in municipalities)
    assert answer["placesPer10k"] == pytest.approx(answer["places"] * 10_000 / population)
    weighted = sum(m["population"] * m["weightedDistanceKm"] for m in municipalities) / population
    assert answer["weightedDistanceKm"] == pytest.approx(weighted)
    within = sum(m["population"] * m["shareWithin"] for m in municipalities)
    assert answer["shareWithin"] == pytest.approx(within / population)
    assert answer["populationBeyond"] == sum(m["populationBeyond"] for m in municipalities)
    assert answer["municipalityCount"] == len(municipalities)
    assert answer["municipalitiesUnderAgreement"] == sum(m["underAgreement"] for m in municipalities)
    under = sum(m["population"] for m in municipalities if m["underAgreement"])
    assert answer["populationUnderAgreement"] == under


@pytest.mark.parametrize("area", ["District:hame", "Region:FI1B1", "WelfareArea:PI", "Municipality:091"])
async def test_an_area_s_municipalities_are_those_it_lists(gql: GraphQLClient, area: str) -> None:
    """A district's are those of the regions it covers."""
    query = """query ($id: ID!) { node(id: $id) { id ... on District { municipalities { id } }
      ... on Region { municipalities { id } } ... on WelfareArea { municipalities { id } } } }"""
    listed = (await gql.data(query, id=area))["node"].get("municipalities", [{"id": area}])
    answer = (await gql.data(COVERAGE, area=area))["coverage"]
    assert [m["municipality"]["id"] for m in answer["municipalities"]] == [m["id"] for m in listed]


async def test_every_answer_resting_on_demo_data_says_so(gql: GraphQLClient) -> None:
    area = (await gql.data(COVERAGE, area="District:hame"))["coverage"]
    gaps = (await gql.data(GAPS))["coverageGaps"]
    assert area["isDemo"] is gaps["isDemo"] is True
    assert all(m["isDemo"] for m in area["municipalities"] + gaps["municipalities"])


async def test_gaps_rank_by_population_beyond_then_code(gql: GraphQLClient) -> None:
    area = (await gql.data(COVERAGE, area="District:hame", kinds=["FAMILY_CAFE"], year=2023))["coverage"]
    gaps = (await gql.data(GAPS, area="District:hame", kinds=["FAMILY_CAFE"], year=2023, limit=500))["coverageGaps"]
    expected = sorted(area["municipalities"], key=lambda m: (-m["populationBeyond"], m["municipality"]["code"]))
    assert gaps["municipalities"] == expected
    assert gaps["totalCount"] == len(expected)
    assert len({m["populationBeyond"] for m in expected}) < len(expected), "ties must occur, to be broken by code"


async def test_gaps_keep_limit_and_minimum_share_beyond(gql: GraphQLClient) -> None:
    everything = (await gql.data(GAPS, kinds=["FAMILY_CAFE"], year=2023, limit=500))["coverageGaps"]
    top = (await gql.data(GAPS, kinds=["FAMILY_CAFE"], year=2023, limit=3))["coverageGaps"]
    assert top["municipalities"] == everything["municipalities"][:3]
    assert top["totalCount"] == everything["totalCount"] == 309
    half = (await gql.data(GAPS, kinds=["FAMILY_CAFE"], year=2023, share=0.25, limit=500))["coverageGaps"]
    assert half["municipalities"] == [m for m in everything["municipalities"] if 1 - m["shareWithin"] >= 0.25]
    assert half["minShareBeyond"] == 0.25


async def test_one_query_finds_where_most_people_live_farther_than_10_km_from_a_family_cafe(gql: GraphQLClient) -> None:
    gaps = (await gql.data(MOST_PEOPLE_FAR_FROM_A_FAMILY_CAFE))["coverageGaps"]
    everything = (await gql.data(GAPS, kinds=["FAMILY_CAFE"], limit=500))["coverageGaps"]
    most_far = [m["municipality"]["code"] for m in everything["municipalities"] if m["shareWithin"] <= 0.5]
    assert [m["municipality"]["code"] for m in gaps["municipalities"]] == most_far
    assert gaps["totalCount"] == len(most_far) > 0
    assert (gaps["populationYear"], gaps["isDemo"]) == (2020, True)
    beyond = [m["populationBeyond"] for m in gaps["municipalities"]]
    assert beyond == sorted(beyond, reverse=True)
    assert all(m["populationBeyond"] >= m["population"] / 2 for m in gaps["municipalities"])


SHARES = """query ($area: ID!, $km: Float, $kinds: [MeetingPlaceKind!]) {
  coverage(areaId: $area, withinKm: $km, kinds: $kinds) { population shareWithin populationBeyond
    municipalities { population shareWithin populationBeyond } } }"""


def whole_people_within(figures: dict[str, Any]) -> int:
    """The people within, as the share gives them back: `shareWithin * population`, to the nearest person."""
    return round(figures["shareWithin"] * figures["population"])


@pytest.mark.parametrize("within_km", [1.0, 10.0, 50.0])
@pytest.mark.parametrize("kinds", [None, ["FAMILY_CAFE"], ["OPEN_DAYCARE", "FAMILY_HOUSE"]])
async def test_shares_stay_in_0_to_1_and_population_beyond_is_the_rest_exactly(
    gql: GraphQLClient, within_km: float, kinds: list[str] | None
) -> None:
    """Helsinki's places add up past its population in floating point; its share once came out 1.0000000000000004."""
    regions = [r["id"] for r in (await gql.data("{ regions { id } }"))["regions"]]
    areas = [(await gql.data(SHARES, area=region, km=within_km, kinds=kinds))["coverage"] for region in regions]
    municipalities = [m for area in areas for m in area["municipalities"]]
    assert len(municipalities) == 309
    for figures in [*areas, *municipalities]:
        assert 0 <= figures["shareWithin"] <= 1, figures
        assert figures["populationBeyond"] == figures["population"] - whole_people_within(figures), figures


COVERAGE_ONLY = """query ($area: ID!, $km: Float, $kinds: [MeetingPlaceKind!], $year: Int) {
  coverage(areaId: $area, withinKm: $km, kinds: $kinds, year: $year) { population } }"""
GAPS_ONLY = """query ($km: Float, $area: ID, $share: Float, $limit: Int) {
  coverageGaps(withinKm: $km, areaId: $area, minShareBeyond: $share, limit: $limit) { totalCount } }"""


@pytest.mark.parametrize(
    ("query", "variables", "argument", "reason"),
    [
        pytest.param(COVERAGE_ONLY, {"area": "Region:FI1B1", "km": 0}, "withinKm", "outside (0, 1000]", id="zero-km"),
        pytest.param(COVERAGE_ONLY, {"area": "Region:FI1B1", "km": -3}, "withinKm", "outside (0, 1000]", id="negative"),
        pytest.param(GAPS_ONLY, {"km": 1000.5}, "withinKm", "outside (0, 1000]", id="too-far"),
        pytest.param(COVERAGE_ONLY, {"area": "Region:XX"}, "areaId", "no Region has the id Region:XX", id="unknown"),
        pytest.param(GAPS_ONLY, {"area": "District:nowhere"}, "areaId", "no District has the id", id="unknown-gaps"),
        pytest.param(
            COVERAGE_ONLY,
            {"area": "MeetingPlace:mp-091-1"},
            "areaId",
            "expected the id of a District or Municipality or Region or WelfareArea",
            id="wrong-type",
        ),
        pytest.param(COVERAGE_ONLY, {"area": "Uusimaa"}, "areaId", "not a global id", id="malformed"),
        pytest.param(COVERAGE_ONLY, {"area": "Region:FI1B1", "kinds": []}, "kinds", "is empty", id="no-kinds"),
        pytest.param(COVERAGE_ONLY, {"area": "Region:FI1B1", "year": 1800}, "year", "outside [1900, 2100]", id="year"),
        pytest.param(GAPS_ONLY, {"limit": 0}, "limit", "outside [1, 500]", id="limit-zero"),
        pytest.param(GAPS_ONLY, {"limit": 501}, "limit", "outside [1, 500]", id="limit-large"),
        pytest.param(GAPS_ONLY, {"share": 1.5}, "minShareBeyond", "outside [0, 1]", id="share-large"),
        pytest.param(GAPS_ONLY, {"share": -0.1}, "minShareBeyond", "outside [0, 1]", id="share-negative"),
    ],
)
async def test_bad_input_names_the_argument_and_the_reason(
    gql: GraphQLClient, query: str, variables: dict[str, Any], argument: str, reason: str
) -> None:
    error = await gql.error(query, **variables)
    assert error["message"].startswith(f"{argument}: ")
    assert reason in error["message"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}


def test_the_readme_shows_the_family_cafe_query() -> None:
    assert MOST_PEOPLE_FAR_FROM_A_FAMILY_CAFE in (SEEDS.parent / "README.md").read_text(encoding="utf-8")
