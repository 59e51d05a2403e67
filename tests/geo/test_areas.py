"""MunicipalityLocator finds the municipality a point lies in."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import shapely

from graph_api.errors import DataError
from graph_api.geo.areas import MunicipalityLocator
from graph_api.models import Dataset, Municipality, Point
from tests.conftest import SEEDS


def test_every_municipality_contains_its_own_location(dataset: Dataset) -> None:
    locator = MunicipalityLocator.from_seeds(SEEDS)
    for municipality in (n for n in dataset.nodes if isinstance(n, Municipality)):
        assert locator.locate(municipality.location) == municipality.key


def test_the_locator_agrees_with_a_loop_over_every_polygon() -> None:
    locator = MunicipalityLocator.from_seeds(SEEDS)
    rng = random.Random(3)
    for _ in range(300):
        point = Point(rng.uniform(59.7, 70.1), rng.uniform(19.4, 31.6))
        inside = sorted(
            code
            for code, shape in zip(locator.codes, locator.shapes, strict=True)
            if shape.intersects(shapely.Point(point.lon, point.lat))
        )
        assert locator.locate(point) == (inside[0] if inside else None)


def test_a_folder_without_boundaries_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is not a seed folder"):
        MunicipalityLocator.from_seeds(tmp_path)
