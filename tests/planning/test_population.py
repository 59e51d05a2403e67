"""Where a municipality's people live: at its GeoNames places, and the rest at its location."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph_api.errors import DataError
from graph_api.geo.places import Settlement
from graph_api.models import Dataset, Municipality, Point
from graph_api.planning.population import Residents, Settlements
from tests.conftest import SEEDS

HERE = Point(61.0, 25.0)


def municipality(population: int) -> Municipality:
    return Municipality("999", "test", "Testby", None, population, 100.0, HERE)


def test_residents_are_the_places_and_the_rest_at_the_municipality_location() -> None:
    a, b = Point(61.1, 25.1), Point(61.2, 25.2)
    settlements = Settlements({"999": [Settlement("A", a, 600), Settlement("B", b, 300)]})
    assert settlements.residents(municipality(1000)) == [Residents(a, 600), Residents(b, 300), Residents(HERE, 100)]


def test_places_listing_more_people_than_live_there_are_scaled_down_to_the_population() -> None:
    a, b = Point(61.1, 25.1), Point(61.2, 25.2)
    settlements = Settlements({"999": [Settlement("A", a, 1500), Settlement("B", b, 500)]})
    assert settlements.residents(municipality(1000)) == [Residents(a, 750), Residents(b, 250)]


def test_a_municipality_without_places_lives_at_its_location() -> None:
    assert Settlements({}).residents(municipality(1000)) == [Residents(HERE, 1000)]


def test_every_municipality_s_residents_add_up_to_its_population(dataset: Dataset) -> None:
    settlements = Settlements.from_seeds(SEEDS)
    for m in (node for node in dataset.nodes if isinstance(node, Municipality)):
        assert sum(r.people for r in settlements.residents(m)) == pytest.approx(m.population, rel=1e-12), m.key


def test_every_geonames_place_belongs_to_the_municipality_it_lies_in() -> None:
    settlements = Settlements.from_seeds(SEEDS)
    with (SEEDS / "reference/gazetteer/places.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    kemi = [s for s in settlements.of("240") if s.name == "Kemi"]
    assert kemi == [Settlement("Kemi", Point(65.73641, 24.56371), 19332)]
    assert sum(len(settlements.of(code)) for code in {f"{n:03}" for n in range(1000)}) == len(rows)


def test_a_folder_without_geonames_places_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="is not a seed folder"):
        Settlements.from_seeds(tmp_path)
