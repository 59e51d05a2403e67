"""The locators find the municipality and the postal code area a point lies in."""

from __future__ import annotations

import random
from pathlib import Path

import numpy
import pytest
import shapely

from graph_api.errors import DataError
from graph_api.geo.areas import AreaLocator, MunicipalityLocator, PostalCodeArea, PostalCodeAreaLocator
from graph_api.models import Dataset, Municipality, Point
from tests.conftest import SEEDS

LOCATORS = [pytest.param(MunicipalityLocator, id="municipalities"), pytest.param(PostalCodeAreaLocator, id="postal")]


def test_every_municipality_contains_its_own_location(dataset: Dataset) -> None:
    locator = MunicipalityLocator.from_seeds(SEEDS)
    for municipality in (n for n in dataset.nodes if isinstance(n, Municipality)):
        assert locator.locate(municipality.location) == municipality.key


@pytest.mark.parametrize("kind", LOCATORS)
def test_the_locator_agrees_with_a_loop_over_every_polygon(kind: type[AreaLocator]) -> None:
    locator = kind.from_seeds(SEEDS)
    shapes = numpy.array(locator.shapes)
    rng = random.Random(3)
    for _ in range(300):
        point = Point(rng.uniform(59.7, 70.1), rng.uniform(19.4, 31.6))
        hits = shapely.intersects(shapes, shapely.Point(point.lon, point.lat))  # every polygon, in one call
        inside = sorted(code for code, hit in zip(locator.codes, hits, strict=True) if hit)
        assert locator.locate(point) == (inside[0] if inside else None)


@pytest.mark.parametrize("kind", LOCATORS)
def test_a_folder_without_boundaries_is_refused(kind: type[AreaLocator], tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is not a seed folder"):
        kind.from_seeds(tmp_path)


@pytest.mark.parametrize(
    ("lat", "lon", "area"),
    [
        pytest.param(60.1699, 24.9384, PostalCodeArea("00100", "091"), id="helsinki-centre"),
        pytest.param(60.0973, 19.9348, PostalCodeArea("22100", "478"), id="mariehamn"),
        pytest.param(60.1705, 24.9522, PostalCodeArea("00170", "091"), id="helsinki-cathedral-in-kruununhaka"),
        pytest.param(61.4978, 23.7610, PostalCodeArea("33100", "837"), id="tampere"),
        pytest.param(69.9079, 27.0265, PostalCodeArea("99980", "890"), id="utsjoki"),
        pytest.param(60.5, 21.0, None, id="baltic-sea"),
        pytest.param(48.8566, 2.3522, None, id="paris"),
    ],
)
def test_a_point_is_in_one_postal_code_area_or_none(lat: float, lon: float, area: PostalCodeArea | None) -> None:
    assert PostalCodeAreaLocator.from_seeds(SEEDS).area_at(Point(lat, lon)) == area


def test_a_point_for_a_postal_code_lies_in_its_area_and_where_asked_if_they_meet() -> None:
    locator, helsinki = PostalCodeAreaLocator.from_seeds(SEEDS), MunicipalityLocator.from_seeds(SEEDS).boundaries["091"]
    for code in ("00100", "00990", "96100"):
        assert locator.locate(locator.point_in(code) or Point(0, 0)) == code
    point = locator.point_in("00100", within=helsinki)
    assert point is not None and helsinki.contains(shapely.Point(point.lon, point.lat))
    assert locator.point_in("96101") is None  # a PO box: no area


@pytest.mark.parametrize("kind", LOCATORS)
def test_nearest_each_is_the_area_a_point_lies_in_or_else_the_closest(kind: type[AreaLocator]) -> None:
    """Asked for many points at once, as for one: inland, at sea off the coast and across the border."""
    locator = kind.from_seeds(SEEDS)
    shapes = numpy.array(locator.shapes)
    rng = random.Random(4)
    points = [Point(rng.uniform(59.5, 70.3), rng.uniform(19.0, 32.0)) for _ in range(300)]
    allowed, outside = [], 0
    for point in points:
        target = shapely.Point(point.lon, point.lat)
        inside = sorted(c for c, hit in zip(locator.codes, shapely.intersects(shapes, target), strict=True) if hit)
        gaps = shapely.distance(shapes, target)
        allowed.append(inside[:1] or [c for c, gap in zip(locator.codes, gaps, strict=True) if gap == gaps.min()])
        outside += not inside
    assert outside > 10
    for point, code, codes in zip(points, locator.nearest_each(points), allowed, strict=True):
        assert code in codes
        assert locator.nearest(point) == code
