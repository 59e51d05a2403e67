"""What the embedded store costs in memory a meeting place: the promise that a million places fit in 2 GB.

Measured with tracemalloc, whose peak counts what Python allocated while the seed folder was read and loaded (the
dataset and the graph at once), beside the shipped seeds alone, so that only the generated places' share counts.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from pathlib import Path

import pytest

from graph_api.models import MeetingPlace
from graph_api.store.memory import MemoryStore
from loaders.seeds import read_dataset
from tests.conftest import SEEDS
from tests.million_places import write_million

PLACES = 10_000
PEAK_BYTES_A_PLACE = 2_400
"""Measured 1,640 (1,770 resident at 100,000 places); the graph of one networkx dict an edge took 4,000."""
HELD_BYTES_A_PLACE = 2_000
"""Measured 1,310 once the dataset is gone; 2,800 before equal edges shared their dicts."""


def held(folder: Path) -> tuple[int, int, int]:
    """The places loaded from the folder, the peak bytes of reading and loading it, and the bytes the store holds."""
    gc.collect()
    tracemalloc.start()
    try:
        dataset = read_dataset(folder)
        places = sum(isinstance(node, MeetingPlace) for node in dataset.nodes)
        store = MemoryStore()
        asyncio.run(store.load(dataset))
        del dataset
        gc.collect()
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(store._placed.places) == places
    return places, peak, kept


@pytest.fixture(scope="module")
def footprint(tmp_path_factory: pytest.TempPathFactory) -> tuple[float, float]:
    folder = tmp_path_factory.mktemp("places") / "seeds"
    write_million(folder, PLACES)
    seeds, seeds_peak, seeds_kept = held(SEEDS)
    places, peak, kept = held(folder)
    return (peak - seeds_peak) / (places - seeds), (kept - seeds_kept) / (places - seeds)


def test_memory_store_load_peaks_under_its_bytes_a_place(footprint: tuple[float, float]) -> None:
    assert footprint[0] < PEAK_BYTES_A_PLACE


def test_memory_store_holds_a_place_in_under_its_bytes(footprint: tuple[float, float]) -> None:
    assert footprint[1] < HELD_BYTES_A_PLACE
