"""The derived cache: what is built from seed files is read back while they are unchanged, built anew when one
changes or the cached file is damaged, and the API answers the same from it as without it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph_api.derived_cache import derived
from graph_api.geo import gazetteer, places
from graph_api.settings import Settings
from graph_api.store.memory import MemoryStore
from loaders.seeds import read_dataset, read_dataset_cached
from tests.conftest import SEEDS, GraphQLClient, client_for

SOURCE = Path("reference/gazetteer/places.csv")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A seed folder of one file, which the tests may change."""
    folder = tmp_path / "seeds"
    (folder / SOURCE).parent.mkdir(parents=True)
    shutil.copy(SEEDS / SOURCE, folder / SOURCE)
    return folder


class Counted:
    """A build that counts its runs and answers the size of the source it reads."""

    def __init__(self, seeds: Path) -> None:
        self.seeds = seeds
        self.runs = 0

    def __call__(self) -> dict[str, int]:
        self.runs += 1
        return {"bytes": len((self.seeds / SOURCE).read_bytes())}


def cached(seeds: Path, cache: Path, build: Callable[[], dict[str, int]]) -> dict[str, int]:
    return derived("places", seeds, [SOURCE], build, cache)


def test_derived_is_built_once_and_read_back_while_the_seeds_are_unchanged(seeds: Path, tmp_path: Path) -> None:
    build = Counted(seeds)
    first = cached(seeds, tmp_path / "cache", build)
    assert cached(seeds, tmp_path / "cache", build) == first
    assert build.runs == 1
    assert len(list((tmp_path / "cache").glob("places-*.pickle"))) == 1


def test_derived_is_built_anew_when_a_seed_file_changes_and_the_stale_one_goes(seeds: Path, tmp_path: Path) -> None:
    build = Counted(seeds)
    before = cached(seeds, tmp_path / "cache", build)
    with (seeds / SOURCE).open("a", encoding="utf-8") as file:
        file.write("\n")
    after = cached(seeds, tmp_path / "cache", build)
    assert (build.runs, after["bytes"]) == (2, before["bytes"] + 1)
    assert len(list((tmp_path / "cache").glob("places-*.pickle"))) == 1


def test_the_seeds_serve_loads_are_read_back_from_the_cache_as_from_their_files(tmp_path: Path) -> None:
    """`serve` reads the seed folder through the cache: a relationship file changed makes it read them anew."""
    folder, cache = tmp_path / "seeds", tmp_path / "cache"
    shutil.copytree(SEEDS, folder)
    first = read_dataset_cached(folder, cache)
    assert read_dataset_cached(folder, cache) == first == read_dataset(folder)
    assert len(list(cache.glob("seeds-*.pickle"))) == 1
    covers = folder / "reference" / "relationships" / "COVERS.csv"
    covers.write_text("".join(covers.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]), encoding="utf-8")
    changed = read_dataset_cached(folder, cache)
    assert changed == read_dataset(folder) and len(changed.relationships) == len(first.relationships) - 1


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="cut-short"),
        pytest.param(lambda data: data[:-1] + bytes([data[-1] ^ 1]), id="one-bit-flipped"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"not ours" + data, id="another-format"),
    ],
)
def test_derived_is_built_anew_when_the_cached_file_is_damaged(
    seeds: Path, tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    build = Counted(seeds)
    expected = cached(seeds, tmp_path / "cache", build)
    (path,) = (tmp_path / "cache").glob("places-*.pickle")
    path.write_bytes(damage(path.read_bytes()))
    assert cached(seeds, tmp_path / "cache", build) == expected
    assert build.runs == 2
    assert cached(seeds, tmp_path / "cache", build) == expected  # written whole again, and read back
    assert build.runs == 2


def test_derived_is_built_when_the_cache_folder_cannot_be_written(seeds: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    build = Counted(seeds)
    assert cached(seeds, tmp_path / "a-file" / "cache", build) == build()


GEOCODE = """query ($address: String!) { geocode(address: $address) {
  reason results { lat lon label precision provider postalCode note municipality { id } } } }"""
WHERE_IS = """query ($lat: Float!, $lon: Float!) { whereIs(lat: $lat, lon: $lon) {
  municipality { id } welfareArea { id } postalCodeArea { postalCode } reason } }"""
COVERAGE = """query ($area: ID!) { coverage(areaId: $area, withinKm: 5) { population weightedDistanceKm shareWithin
  populationBeyond municipalities { municipality { id } population weightedDistanceKm shareWithin } } }"""
ASKED: list[tuple[str, dict[str, Any]]] = [
    *((GEOCODE, {"address": a}) for a in ["Koulukatu 12, Borgå", "00100", "Rovanimi", "Linnanmaa", "PL 1, 00099"]),
    *((WHERE_IS, {"lat": lat, "lon": lon}) for lat, lon in [(60.1705, 24.9522), (65.0593, 25.4663), (59.5, 20.0)]),
    *((COVERAGE, {"area": area}) for area in ["WelfareArea:KY", "Municipality:564", "Region:FI1B1"]),
]


async def answers(store: MemoryStore, cache: Path) -> list[dict[str, Any]]:
    settings = Settings(_env_file=None, GRAPH_API_CACHE=cache, GRAPH_API_REQUEST_TIMEOUT=60)
    async with client_for(store, settings) as http:
        gql = GraphQLClient(http)
        return [await gql.data(query, **variables) for query, variables in ASKED]


@pytest.mark.anyio
async def test_geocode_where_is_and_coverage_answer_the_same_from_the_cache(
    memory_store: MemoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first app builds the gazetteer and the populated places and keeps them; the second (another cache
    folder holding a copy, so this process has not read it yet) answers from the copy, building nothing."""
    built = await answers(memory_store, tmp_path / "first")
    assert sorted(path.name.split("-")[0] for path in (tmp_path / "first").iterdir()) == ["gazetteer", "settlements"]
    shutil.copytree(tmp_path / "first", tmp_path / "copy")

    def never() -> None:
        raise AssertionError("built although the cache holds it")

    monkeypatch.setattr(gazetteer._Builder, "build", lambda self: never())
    monkeypatch.setattr(places, "_settlements", lambda seeds_dir: never())
    assert await answers(memory_store, tmp_path / "copy") == built
