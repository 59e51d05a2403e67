"""Data built to last is out of the garbage collector's walks, and what it replaces is still freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from graph_api.app import create_app
from graph_api.lazy import Lazy
from graph_api.models import Dataset
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore

pytestmark = pytest.mark.anyio


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """What earlier tests froze back in the walks, so that each test sees what it freezes itself."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def is_frozen(value: object) -> bool:
    """Out of every generation the collector walks (`gc.get_objects` lists the walked ones)."""
    return all(item is not value for generation in range(3) for item in gc.get_objects(generation))


async def test_what_the_app_builds_at_start_up_is_out_of_the_walks(unfrozen: None) -> None:
    built: list[dict[str, object]] = []

    async def build(store: GraphStore) -> None:
        built.append({"built at start-up": ["to serve every request"]})

    app = create_app(MemoryStore(), Settings(_env_file=None), on_startup=build)
    async with app.router.lifespan_context(app):
        assert is_frozen(built[0])


def test_a_value_made_on_first_use_is_out_of_the_walks(unfrozen: None) -> None:
    lazy = Lazy(lambda: {"gazetteer": ["built on first use"]})
    assert is_frozen(lazy.now())


async def test_the_embedded_graph_is_out_of_the_walks_and_freed_once_replaced(unfrozen: None, dataset: Dataset) -> None:
    store = MemoryStore()
    await store.load(dataset)
    graph = store._graph
    assert is_frozen(graph)
    replaced = weakref.ref(graph)
    del graph
    await store.load(dataset)
    assert replaced() is None, "the graph a load replaced is kept: frozen objects in a cycle are never freed"
