"""The coverage figures on small made-up inputs, measured by hand with geopy's geodesic."""

from __future__ import annotations

import dataclasses
import datetime
import math
import random

import pytest
from geopy.distance import geodesic

from graph_api.geo.distance import geodesic_km
from graph_api.geo.index import PointIndex
from graph_api.geo.places import Settlement
from graph_api.models import Agreement, District, MeetingPlace, MeetingPlaceKind, Municipality, Point, WelfareArea
from graph_api.models import WelfareAreaKind as Kind
from graph_api.planning import coverage
from graph_api.planning.coverage import (
    FIRST_CANDIDATES,
    AreaCoverage,
    CoverageInputs,
    CoverageTerms,
    MunicipalityCoverage,
    PlaceSets,
    coordinates,
    measure,
    nearest_place,
    ranked_gaps,
)
from graph_api.planning.population import Settlements
from graph_api.store.base import EVERY_PLACE, PlaceSpread
from tests.geo.sphere import MEAN_EARTH_RADIUS_KM, great_circle_km

CAFE = MeetingPlaceKind.FAMILY_CAFE
TERMS = CoverageTerms(10.0, EVERY_PLACE, 2023)
OULU, KEMI = Point(65.0124, 25.4682), Point(65.7364, 24.5637)
DISTRICT = District("lappi", "demo", "Lapin piiri", None, None)
COUNTY = WelfareArea("LA", "yle", "Lapin hyvinvointialue", None, Kind.WELLBEING_SERVICES_COUNTY)


def km(a: Point, b: Point) -> float:
    return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).km)


def town(key: str, population: int, location: Point) -> Municipality:
    return Municipality(key, "yle", f"Town {key}", None, population, 100.0, location)


def place(key: str, location: Point, source: str = "demo") -> MeetingPlace:
    return MeetingPlace(key, source, f"Place {key}", CAFE, location)


def agreement(party: WelfareArea | Municipality, source: str = "demo") -> Agreement:
    return Agreement(DISTRICT, party, datetime.date(2023, 1, 1), None, "COOPERATION", source)


def inputs(
    municipalities: list[Municipality],
    places: list[MeetingPlace],
    counties: dict[str, str | None] | None = None,
    agreements: list[Agreement] | None = None,
) -> CoverageInputs:
    return CoverageInputs(tuple(municipalities), counties or {}, PlaceSpread.of(places, {}), tuple(agreements or []))


def in_finland(rng: random.Random) -> Point:
    """A random point in Finland's box."""
    return Point(rng.uniform(59.8, 70), rng.uniform(20, 31))


def test_nearest_place_is_the_geodesic_minimum_however_far_it_is() -> None:
    rng = random.Random(5)
    places = [in_finland(rng) for _ in range(40)]
    far_away = [Point(-33.87, 151.21), Point(-60.0, -160.0), Point(90.0, 0.0)]
    points = [*(in_finland(rng) for _ in range(60)), *far_away, places[3]]
    expected = [min(km(point, p) for p in places) for point in points]
    assert nearest_place(*coordinates(places)).km(points).tolist() == pytest.approx(expected, abs=1e-9)


def test_nearest_place_is_the_geodesic_one_where_the_great_circle_ranks_others_first() -> None:
    """North of Oulu's latitude the ellipsoid stretches east-west distances more than north-south ones: ten places
    due east are nearer on the sphere, the one due north is nearer on the ellipsoid; more than the first
    candidates asked, so the search asks for more."""
    resident, north = Point(60.0, 25.0), Point(60.1, 25.0)
    sphere_km = great_circle_km(resident, north) * (1 - 0.0005)
    east_lon = math.degrees(2 * math.asin(math.sin(sphere_km / 2 / MEAN_EARTH_RADIUS_KM) / math.cos(math.radians(60))))
    east = Point(60.0, 25.0 + east_lon)
    assert great_circle_km(resident, east) < great_circle_km(resident, north)
    assert km(resident, east) > km(resident, north)
    places = [east] * (FIRST_CANDIDATES * 2 + 2) + [north]
    assert nearest_place(*coordinates(places)).km([resident]).tolist() == pytest.approx([km(resident, north)], abs=1e-9)


def test_without_places_every_point_is_infinitely_far() -> None:
    assert nearest_place(*coordinates([])).km([OULU, KEMI]).tolist() == [math.inf, math.inf]


def test_place_sets_keep_one_tree_per_set_of_coordinates_and_a_moved_place_makes_another() -> None:
    places = [Point(65.0, 25.0), KEMI]
    kept = nearest_place(*coordinates(places))
    assert nearest_place(*coordinates([Point(65.0, 25.0), Point(KEMI.lat, KEMI.lon)])) is kept
    moved = nearest_place(*coordinates([Point(65.0, 25.0), OULU]))
    assert moved is not kept
    assert moved.km([OULU]).tolist() == [0.0]


def test_place_sets_hold_at_most_max_indexed_places_the_latest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coverage, "MAX_INDEXED_PLACES", 5)
    sets = PlaceSets()
    first = sets(*coordinates([OULU, KEMI, Point(60, 25)]))
    assert sets(*coordinates([OULU, KEMI, Point(60, 25)])) is first
    second = sets(*coordinates([OULU, KEMI, Point(61, 25)]))
    assert len(sets) == 1
    assert sets(*coordinates([OULU, KEMI, Point(61, 25)])) is second
    assert sets(*coordinates([Point(60 + i / 10, 25) for i in range(9)])) is not None
    assert len(sets) == 1, "a set larger than the budget is still kept, alone"


@pytest.mark.parametrize("within_km", [2.0, 10.0, 40.0])
def test_figures_of_many_towns_match_geopy_by_brute_force(within_km: float) -> None:
    """Thirty made-up towns across Finland, each with a few villages (scaled down or not), twenty places and two
    clusters of them: each town's distance and people within, measured to every place with geopy."""
    rng = random.Random(within_km)
    towns = [town(f"{i:03d}", rng.randint(1, 50_000), in_finland(rng)) for i in range(30)]
    villages = {
        t.key: [
            Settlement(f"v{j}", Point(t.location.lat + rng.gauss(0, 0.1), t.location.lon + rng.gauss(0, 0.2)), p)
            for j, p in enumerate(rng.randint(0, 30_000) for _ in range(rng.randint(0, 4)))
        ]
        for t in towns
    }
    spots = [in_finland(rng) for _ in range(20)] + [OULU] * 6 + [KEMI] * 6
    figures = measure(inputs(towns, [place(f"p{i}", p) for i, p in enumerate(spots)]), Settlements(villages), within_km)
    for t, got in zip(towns, figures, strict=True):
        listed = sum(v.population for v in villages[t.key])
        scale = min(1.0, t.population / listed) if listed else 1.0
        people = [(v.population * scale, v.location) for v in villages[t.key]]
        people += [(float(t.population - listed), t.location)] if t.population > listed else []
        distances = [(n, min(km(at, spot) for spot in spots)) for n, at in people]
        weighted = sum(n * d for n, d in distances) / t.population
        assert got.weighted_distance_km == pytest.approx(weighted, abs=1e-6), t.key
        assert got.population_within == round(sum(n for n, d in distances if d <= within_km)), t.key


def test_without_places_nobody_is_within_reach_and_there_is_no_distance() -> None:
    (figures,) = measure(inputs([town("001", 5000, OULU)], []), Settlements({}), 10.0)
    assert (figures.weighted_distance_km, figures.share_within, figures.population_beyond) == (None, 0.0, 5000)
    assert AreaCoverage(COUNTY, TERMS, (figures,)).weighted_distance_km is None


def test_figures_weigh_each_point_by_its_residents() -> None:
    """Oulu's 1,000 people: 600 at a village within 10 km of the only café, 400 at its location beyond that."""
    village = Point(65.0124 + 3 / 111.3, 25.4682)
    cafe = Point(65.0124 + 6 / 111.3, 25.4682 + 0.2)
    to_village, to_centre = km(village, cafe), km(OULU, cafe)
    assert to_village <= 10 < to_centre
    settlements = Settlements({"564": [Settlement("Village", village, 600)]})
    (figures,) = measure(inputs([town("564", 1000, OULU)], [place("p", cafe)]), settlements, 10.0)
    assert figures.weighted_distance_km == pytest.approx((600 * to_village + 400 * to_centre) / 1000)
    assert (figures.share_within, figures.population_beyond) == (0.6, 400)


def test_scaled_down_places_that_add_up_past_the_population_still_make_a_share_of_one() -> None:
    """Two places of 594 scaled to 1,000 people add up to 1000.0000000000001 in floating point."""
    village = Point(65.0124 + 3 / 111.3, 25.4682)
    settlements = Settlements({"564": [Settlement("A", OULU, 594), Settlement("B", village, 594)]})
    assert sum(r.people for r in settlements.residents(town("564", 1000, OULU))) > 1000
    (figures,) = measure(inputs([town("564", 1000, OULU)], [place("p", OULU)]), settlements, 10.0)
    assert (figures.population_within, figures.share_within, figures.population_beyond) == (1000, 1.0, 0)


def test_people_within_are_rounded_once_and_the_other_figures_follow_exactly() -> None:
    """594 * 1000/1188 = 500 people at each place; a share of whole people, and the rest beyond."""
    far = Point(65.0124 + 30 / 111.3, 25.4682)
    settlements = Settlements({"564": [Settlement("A", OULU, 594), Settlement("B", far, 595)]})
    (figures,) = measure(inputs([town("564", 1000, OULU)], [place("p", OULU)]), settlements, 10.0)
    assert figures.population_within == round(594 * 1000 / 1189) == 500
    assert (figures.share_within, figures.population_beyond, figures.share_beyond) == (0.5, 500, 0.5)


def test_a_resident_exactly_at_the_distance_is_within_reach() -> None:
    """Exactly as the service measures it: geopy may differ from it in the last bit."""
    oulu = town("564", 100, OULU)
    (figures,) = measure(inputs([oulu], [place("p", KEMI)]), Settlements({}), geodesic_km(OULU, KEMI))
    assert figures.share_within == 1.0


def test_places_are_counted_where_the_store_locates_them() -> None:
    oulu, kemi = town("564", 20_000, OULU), town("240", 5_000, KEMI)
    found = CoverageInputs((oulu, kemi), {}, PlaceSpread.of([place("p", OULU)], {"564": 3}), ())
    figures = measure(found, Settlements({}), 10.0)
    assert [(f.places, f.places_per_10k) for f in figures] == [(3, 1.5), (0, 0.0)]


@pytest.mark.parametrize(
    ("party", "county", "covered"),
    [
        pytest.param(COUNTY, "LA", True, id="its-county"),
        pytest.param(town("240", 1, KEMI), None, True, id="itself"),
        pytest.param(COUNTY, None, False, id="no-county"),
        pytest.param(town("564", 1, OULU), "LA", False, id="another-municipality"),
    ],
)
def test_an_agreement_covers_a_municipality_through_itself_or_its_county(
    party: WelfareArea | Municipality, county: str | None, covered: bool
) -> None:
    kemi = town("240", 5000, KEMI)
    found = inputs([kemi], [place("p", KEMI)], {"240": county}, [agreement(party)])
    assert measure(found, Settlements({}), 10.0)[0].under_agreement is covered


@pytest.mark.parametrize(
    ("place_source", "agreement_source", "is_demo"),
    [("demo", "demo", True), ("partner", "demo", True), ("demo", "partner", True), ("partner", "partner", False)],
)
def test_figures_are_demo_when_the_places_or_agreements_are(
    place_source: str, agreement_source: str, is_demo: bool
) -> None:
    kemi = town("240", 5000, KEMI)
    found = inputs([kemi], [place("p", KEMI, place_source)], {}, [agreement(COUNTY, agreement_source)])
    assert measure(found, Settlements({}), 10.0)[0].is_demo is is_demo


def figures(key: str, population: int, within: int, places: int = 0, km: float = 1.0) -> MunicipalityCoverage:
    return MunicipalityCoverage(town(key, population, OULU), places, km, within, key < "500", True)


def test_an_area_adds_up_its_municipalities_and_weighs_their_averages_by_population() -> None:
    area = AreaCoverage(COUNTY, TERMS, (figures("100", 1000, 900, 2, 2.0), figures("600", 3000, 1500, 1, 6.0)))
    assert (area.population, area.places, area.places_per_10k) == (4000, 3, 7.5)
    assert area.weighted_distance_km == pytest.approx((1000 * 2.0 + 3000 * 6.0) / 4000)
    assert area.share_within == (900 + 1500) / 4000
    assert area.population_beyond == 100 + 1500
    assert area.municipality_count == 2
    assert (area.municipalities_under_agreement, area.population_under_agreement) == (1, 1000)


def test_gaps_rank_by_population_beyond_then_code_and_keep_shares_from_the_minimum() -> None:
    many = [figures("300", 1000, 0), figures("200", 1000, 0), figures("100", 4000, 2000), figures("400", 500, 400)]
    assert [f.municipality.key for f in ranked_gaps(many, None)] == ["100", "200", "300", "400"]
    assert [f.municipality.key for f in ranked_gaps(many, 0.5)] == ["100", "200", "300"]
    assert [f.municipality.key for f in ranked_gaps(many, 0.51)] == ["200", "300"]


def test_places_with_the_stores_kd_tree_measure_as_those_without_and_build_none() -> None:
    """The embedded store hands every place with the kd-tree it keeps for `nearby`: the same figures, no tree built."""
    rng = random.Random(14)
    towns = [town(f"{i:03d}", rng.randint(1, 50_000), in_finland(rng)) for i in range(10)]
    places = [place(f"p{i}", in_finland(rng)) for i in range(30)]
    settlements = Settlements({t.key: [Settlement(t.key, t.location, t.population)] for t in towns})
    spread = PlaceSpread.of(places, {})
    with_tree = dataclasses.replace(spread, index=PointIndex(spread.lats, spread.lons))
    nearest_place.cache_clear()
    given = measure(CoverageInputs(tuple(towns), {}, with_tree, ()), settlements, 10.0)
    assert len(nearest_place) == 0
    assert given == measure(CoverageInputs(tuple(towns), {}, spread, ()), settlements, 10.0)
