"""The million-places seed folder is demo data the real loaders read, spread like people; its benchmark prints
every figure it promises (its numbers are not asserted)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from graph_api.geo.areas import MunicipalityLocator
from graph_api.models import MeetingPlace, Municipality
from graph_api.store.neo4j import Neo4jStore
from loaders.seeds import read_dataset
from tests import million_benchmark
from tests.conftest import SEEDS, Neo4jDatabase
from tests.million_places import write_million


def test_million_places_writes_demo_places_that_the_seed_loader_reads(tmp_path: Path) -> None:
    generated = write_million(tmp_path / "seeds", 3000)
    dataset = read_dataset(tmp_path / "seeds")
    shipped = read_dataset(SEEDS)
    places = [n for n in dataset.nodes if isinstance(n, MeetingPlace)]
    assert len(places) == 3000 and generated == 3000 - sum(isinstance(n, MeetingPlace) for n in shipped.nodes)
    assert all(place.is_demo for place in places)
    assert set(shipped.nodes) <= set(dataset.nodes)
    new = {f"MeetingPlace:{p.key}": p for p in places if p.key.startswith("mp-million-")}
    located = {str(r.start): r.end.key for r in dataset.relationships if r.type == "LOCATED_IN" and str(r.start) in new}
    offered = Counter(str(r.start) for r in dataset.relationships if r.type == "OFFERS" and str(r.start) in new)
    assert located.keys() == new.keys() and set(offered.values()) == {1} and offered.keys() == new.keys()
    assert all(r.source == "demo" for r in dataset.relationships if str(r.start) in new)
    locator = MunicipalityLocator.from_seeds(SEEDS)
    assert all(locator.locate(new[ref].location) == code for ref, code in located.items())


def test_million_places_are_spread_by_population_and_the_same_from_the_same_seed(tmp_path: Path) -> None:
    write_million(tmp_path / "a", 20_000)
    write_million(tmp_path / "b", 20_000)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.csv"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    dataset = read_dataset(tmp_path / "a")
    people = {m.key: m.population for m in dataset.nodes if isinstance(m, Municipality)}
    counts = Counter(r.end.key for r in dataset.relationships if r.type == "LOCATED_IN")
    share = {code: counts[code] / sum(counts.values()) for code in ("091", "049", "837")}  # Helsinki, Espoo, Tampere
    assert all(share[code] == pytest.approx(people[code] / sum(people.values()), rel=0.1) for code in share)


@pytest.mark.anyio
async def test_million_benchmark_prints_each_figure_for_both_backends(
    neo4j_store: Neo4jStore, neo4j_database: Neo4jDatabase
) -> None:
    """At 2,000 places (200 for the scaling); it wipes Neo4j, so the next test asking for the seeds reloads them."""
    try:
        lines = await million_benchmark.million_lines(2000, neo4j_store.uri, 700, warm_up_s=1)
    finally:
        neo4j_database.seeded = False
    output = "\n".join(lines)
    labels = ["read the seed folder", "load the embedded store", "peak memory", "k-nearest"]
    labels += ["the kd-tree's query alone", "scipy's cKDTree.query alone"]
    labels += [f"nearby {radius:6.0f} km" for radius in million_benchmark.RADII_KM]
    labels += ["the radius search it replaced", "inBounds of Finland", "clusters of Finland", "national coverage"]
    labels += ["neo4j, load 700 places", "rows/s", "neo4j, nearby      1 km", "neo4j, nearby   1000 km", "at 10 x"]
    labels += ["neo4j, one place by key", "x; embedded, same places"]
    for label in labels:
        assert label in output
