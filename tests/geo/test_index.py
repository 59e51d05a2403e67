"""PointIndex answers radius searches as a geodesic scan does: the same points in the same order, to a micrometre
(points whose distances agree to that in either order); its k-nearest search misses no point that the radius
search, or measuring every point, would find."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from geopy.distance import geodesic

from graph_api.geo.distance import geodesic_km, geodesic_km_from
from graph_api.geo.index import SERIES_KM, PointIndex, nearest
from graph_api.models import Point
from tests.conftest import ROOT
from tests.geo.sphere import great_circle_km


def within(index: PointIndex, center: Point, radius_km: float, limit: int) -> list[tuple[float, int]]:
    """Neo4j's way: candidates with their great-circle distance (here every point), ranked by geodesic."""
    points = [Point(lat, lon) for lat, lon in zip(index.lats.tolist(), index.lons.tolist(), strict=True)]
    candidates = [(great_circle_km(center, point), i) for i, point in enumerate(points)]
    return nearest(center, candidates, points.__getitem__, radius_km, limit)


def scan(points: list[Point], center: Point, radius_km: float) -> list[tuple[float, int]]:
    hits = ((geodesic((center.lat, center.lon), (p.lat, p.lon)).km, i) for i, p in enumerate(points))
    return sorted(hit for hit in hits if hit[0] <= radius_km)


@pytest.mark.parametrize("radius_km", [0.5, 10, 150, 2000, 20100])
def test_within_matches_a_geodesic_scan(radius_km: float) -> None:
    rng = random.Random(radius_km)
    points = [Point(rng.uniform(-89, 89), rng.uniform(-180, 180)) for _ in range(150)]
    points += [Point(60 + rng.gauss(0, 0.05), 25 + rng.gauss(0, 0.1)) for _ in range(150)]
    index = PointIndex.of(points)
    for _ in range(8):
        center = Point(60 + rng.gauss(0, 0.05), 25 + rng.gauss(0, 0.1))
        expected = scan(points, center, radius_km)
        for limit in (1, 7, 1000):
            found = within(index, center, radius_km, limit)
            assert [i for _, i in found] == [i for _, i in expected[:limit]]
            assert [km for km, _ in found] == pytest.approx([km for km, _ in expected[:limit]], abs=1e-9)


def test_duplicates_tie_by_position() -> None:
    index = PointIndex.of([Point(60, 25), Point(61, 25), Point(60, 25)])
    assert within(index, Point(60, 25), 1, 10) == [(0.0, 0), (0.0, 2)]
    assert within(index, Point(60, 25), 1, 1) == [(0.0, 0)]


def test_empty_index_finds_nothing() -> None:
    assert within(PointIndex.of([]), Point(0, 0), 100, 10) == []


def brute_force(
    points: list[Point], center: Point, radius_km: float, keep: set[int] | None = None
) -> list[tuple[float, int]]:
    """Every point measured: (km, position) within the radius, nearest first, ties by position."""
    km = geodesic_km_from(center, np.array([p.lat for p in points]), np.array([p.lon for p in points]))
    hits = [(float(d), i) for i, d in enumerate(km) if d <= radius_km and (keep is None or i in keep)]
    return sorted(hits)


def assert_same_hits(found: list[tuple[float, int]], expected: list[tuple[float, int]]) -> None:
    """The same km to a micrometre and the same positions in the same order, but for points whose distances agree to
    a micrometre: the index measures distances under `SERIES_KM` by a series within 0.2 µm of Karney's."""
    assert [km for km, _ in found] == pytest.approx([km for km, _ in expected], abs=1e-9)
    assert ties(found) == ties(expected)


def ties(hits: list[tuple[float, int]]) -> list[set[int]]:
    """The positions in runs of distances each within a micrometre of the run's first."""
    runs: list[tuple[float, set[int]]] = []
    for km, position in hits:
        if runs and km - runs[-1][0] <= 1e-9:
            runs[-1][1].add(position)
        else:
            runs.append((km, {position}))
    return [positions for _, positions in runs]


def awkward(rng: random.Random, center: Point) -> list[Point]:
    """Points anywhere, crowds near the center, duplicates, and mirror images at equal distances from it (none past a
    pole: a latitude over 90° is no point, which pyproj measures as none and the tree as one across the pole)."""
    points = [Point(rng.uniform(-90, 90), rng.uniform(-180, 180)) for _ in range(200)]
    points += [Point(center.lat + rng.gauss(0, 0.02), center.lon + rng.gauss(0, 0.04)) for _ in range(300)]
    points += [Point(center.lat + rng.gauss(0, 2), center.lon + rng.gauss(0, 4)) for _ in range(200)]
    points += [points[rng.randrange(len(points))] for _ in range(60)]
    for _ in range(40):
        lat, dlon = center.lat + rng.uniform(-0.5, 0.5), rng.uniform(0, 1)
        points += [Point(lat, center.lon + dlon), Point(lat, center.lon - dlon)]
    points += [center, center, Point(90, 0), Point(-90, 0), Point(0, 180), Point(0, -180)]
    return [
        Point(min(max(p.lat, -90.0), 90.0), (p.lon + 180) % 360 - 180 if abs(p.lon) > 180 else p.lon) for p in points
    ]


CENTERS = [Point(60.17, 24.94), Point(69.9, 27.0), Point(0.0, 179.99), Point(-10.0, -179.999), Point(89.99, 45.0)]
NAMES = ["helsinki", "lapland", "antimeridian-east", "antimeridian-west", "pole"]


@pytest.mark.parametrize(
    "center", CENTERS, ids=["helsinki", "lapland", "antimeridian-east", "antimeridian-west", "pole"]
)
def test_nearest_in_radius_finds_what_a_geodesic_scan_finds(center: Point) -> None:
    rng = random.Random(str(center))
    points = awkward(rng, center)
    index = PointIndex.of(points)
    for radius_km in (0.0, 1, 5, 10, 100, 1000, 5000, 20_000):
        expected = brute_force(points, center, radius_km)
        for limit in (1, 2, 7, 20, 100, 1000):
            assert_same_hits(index.nearest_in_radius(center, radius_km, limit), expected[:limit])


@pytest.mark.parametrize("center", CENTERS[:3], ids=NAMES[:3])
def test_nearest_in_radius_keeps_a_point_exactly_at_the_radius(center: Point) -> None:
    rng = random.Random(f"edge {center}")
    points = awkward(rng, center)
    index = PointIndex.of(points)
    distances = index.nearest_in_radius(center, 20_100, len(points))
    assert_same_hits(distances, brute_force(points, center, 20_100))
    for km, position in rng.sample(distances, 40):
        found = index.nearest_in_radius(center, km, len(points))
        assert found == [hit for hit in distances if hit[0] <= km] and (km, position) in found


def test_nearest_in_radius_asks_for_more_while_the_filter_leaves_too_few() -> None:
    rng = random.Random(5)
    center = CENTERS[0]
    points = awkward(rng, center)
    rare = set(rng.sample(range(len(points)), 12))
    index = PointIndex.of(points)
    keep = lambda positions: np.isin(positions, list(rare))  # noqa: E731
    for radius_km in (1, 50, 3000, 20_000):
        for limit in (1, 5, 20):
            found = index.nearest_in_radius(center, radius_km, limit, keep)
            assert_same_hits(found, brute_force(points, center, radius_km, rare)[:limit])


def test_nearest_in_radius_of_an_empty_index_or_no_limit_finds_nothing() -> None:
    assert PointIndex.of([]).nearest_in_radius(Point(0, 0), 100, 10) == []
    assert PointIndex.of([Point(0, 0)]).nearest_in_radius(Point(0, 0), 100, 0) == []


def test_nearest_in_radius_looks_past_points_nearer_on_the_sphere_but_farther_on_the_ellipsoid() -> None:
    """At the equator a degree of latitude is shorter than a degree of longitude: the place due north is the
    nearest, though the sphere puts forty places due east before it."""
    center, north = Point(0, 0), Point(0.903, 0)
    east = [Point(0, 0.898 + i * 1e-5) for i in range(40)]
    points = [*east, north]
    sphere = [geodesic((0, 0), (p.lat, p.lon), ellipsoid=(6371.0088, 6371.0088, 0)).km for p in points]
    assert sphere[-1] > max(sphere[:-1]) and geodesic_km(center, north) < min(geodesic_km(center, p) for p in east)
    assert_same_hits(PointIndex.of(points).nearest_in_radius(center, 500, 1), brute_force(points, center, 500)[:1])


@pytest.mark.parametrize("lat", [-89.0, -45.0, 0.0, 30.0, 60.0, 70.0, 89.9])
def test_distances_under_the_series_chord_are_karneys_to_a_fifth_of_a_micrometre(lat: float) -> None:
    rng = random.Random(lat)
    center = Point(lat, rng.uniform(-180, 180))
    points = [
        Point(
            min(90.0, center.lat + rng.uniform(-0.03, 0.03)), (center.lon + rng.uniform(-0.05, 0.05) + 180) % 360 - 180
        )
        for _ in range(2000)
    ]
    found = PointIndex.of(points).nearest_in_radius(center, 1.2 * SERIES_KM, len(points))
    assert len(found) > 1000
    km = geodesic_km_from(
        center, np.array([points[i].lat for _, i in found]), np.array([points[i].lon for _, i in found])
    )
    assert max(abs(float(karney) - series) for karney, (series, _) in zip(km, found, strict=True)) < 2e-10


QUERIES_ON_ONE_THREAD = textwrap.dedent(
    """
    import os
    from graph_api.geo.index import PointIndex
    from graph_api.models import Point

    index = PointIndex.of([Point(60 + i / 100, 25 + i / 50) for i in range(500)])
    threads = len(os.listdir("/proc/self/task"))
    index.nearest_in_radius(Point(60.5, 26), 100, 5)
    index.nearest_candidates([Point(60 + i / 10, 25) for i in range(200)], 4)
    print(threads, len(os.listdir("/proc/self/task")), os.environ.get("OMP_NUM_THREADS"))
    """
)


def test_the_tree_answers_on_the_calling_thread_alone() -> None:
    """pykdtree queries on OpenMP threads: a second one only made a single point's query wait for it to wake, then
    spin on the other core. The index loads the tree with one, and leaves the environment as it found it: in a fresh
    process, its queries start no thread (as the OS counts them) and `OMP_NUM_THREADS` is unset again."""
    env = {name: value for name, value in os.environ.items() if name != "OMP_NUM_THREADS"}
    command = [sys.executable, "-c", QUERIES_ON_ONE_THREAD]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    before, after, variable = run.stdout.split()
    assert (after, variable) == (before, "None"), run.stderr
