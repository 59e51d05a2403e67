"""PointIndex's nearest candidates for many points at once: the k nearest by chord through the Earth, as a scan
finds them; no geodesic is shorter than its chord or longer than `longest_geodesic_km` of it, which is what
national coverage relies on."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from graph_api.geo.distance import geodesic_km_pairs
from graph_api.geo.index import PointIndex, earth_centred, earth_centred_point, longest_geodesic_km
from graph_api.models import Point


def anywhere(rng: random.Random, count: int) -> list[Point]:
    return [Point(math.degrees(math.asin(rng.uniform(-1, 1))), rng.uniform(-180, 180)) for _ in range(count)]


@pytest.mark.parametrize("k", [1, 4, 30])
def test_nearest_candidates_are_the_k_nearest_by_chord_through_the_earth(k: int) -> None:
    rng = random.Random(k)
    points = [Point(rng.uniform(59.8, 70), rng.uniform(20, 31)) for _ in range(200)] + anywhere(rng, 100)
    centers = [Point(rng.uniform(59.8, 70), rng.uniform(20, 31)) for _ in range(20)] + anywhere(rng, 5)
    index = PointIndex.of(points)
    chords, found = index.nearest_candidates(centers, k)
    assert chords.shape == found.shape == (len(centers), k)
    for center, row_chords, row in zip(centers, chords, found, strict=True):
        scanned = np.linalg.norm(earth_centred(index.lats, index.lons) - earth_centred_point(center), axis=1)
        assert row.tolist() == np.argsort(scanned, kind="stable")[:k].tolist()
        assert row_chords == pytest.approx(scanned[row], abs=1e-9)


def test_no_geodesic_is_shorter_than_its_chord_or_longer_than_its_longest() -> None:
    rng = np.random.default_rng(14)
    count = 200_000
    lats, lons = np.degrees(np.arcsin(rng.uniform(-1, 1, count))), rng.uniform(-180, 180, count)
    other_lats = np.where(np.arange(count) % 2, np.degrees(np.arcsin(rng.uniform(-1, 1, count))), -lats)
    other_lons = np.where(np.arange(count) % 2, rng.uniform(-180, 180, count), lons + 180 + rng.normal(0, 1, count))
    other_lats = np.clip(other_lats + rng.normal(0, 1e-3, count), -90, 90)  # every other one near the antipode
    other_lons = (other_lons + 180) % 360 - 180
    chords = np.linalg.norm(earth_centred(lats, lons) - earth_centred(other_lats, other_lons), axis=1)
    km = geodesic_km_pairs(lats, lons, other_lats, other_lons)
    assert np.all(chords <= km + 1e-9) and np.all(km <= longest_geodesic_km(chords))
    assert np.isinf(longest_geodesic_km(chords)).any()  # past the most curved circle's diameter
    assert np.all(longest_geodesic_km(np.array([0.0, 10.0])) - [0.0, 10.0] < 1e-5)


def test_past_the_last_point_the_candidates_are_infinitely_far() -> None:
    chords, found = PointIndex.of([Point(60, 25), Point(61, 25)]).nearest_candidates([Point(60, 25)], 3)
    assert found.tolist() == [[0, 1, 2]]
    assert chords[0, 0] == 0.0 and math.isfinite(chords[0, 1]) and np.isinf(chords[0, 2])
