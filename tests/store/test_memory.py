"""The embedded store's own guarantee: a write goes into a copy that shares what it does not touch with the graph
readers hold, and that graph never changes (`graph_api.store.memory._copy_for`)."""

from __future__ import annotations

import dataclasses
import datetime

import networkx as nx
import pytest

from graph_api.errors import DataError
from graph_api.models import Dataset, MeetingPlace, NodeRef, Relationship
from graph_api.store.base import LoadSummary
from graph_api.store.memory import MemoryStore, _apply, _copy_for

pytestmark = pytest.mark.anyio

PLACE = NodeRef("MeetingPlace", "mp-005-1")
"""Run by FamilyCentre:fc-ep and District:pohjanmaa, located in Municipality:005."""
NOW = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)


def snapshot(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    return graph.copy()  # networkx copies every node's and edge's attribute dict


async def seeded(dataset: Dataset) -> tuple[MemoryStore, MeetingPlace]:
    store = MemoryStore()
    await store.load(dataset)
    (place,) = await store.get_many([PLACE])
    assert isinstance(place, MeetingPlace)
    return store, place


def an_edit(place: MeetingPlace) -> Dataset:
    """A renamed place run by another organiser alone, and a new place beside it: nodes changed and added,
    relationships replaced, removed and added, at a node that others point to (its municipality)."""
    renamed = dataclasses.replace(place, name="Renamed", updated_at=NOW, version=place.version + 1)
    new = dataclasses.replace(place, key="mp-new", name="New", updated_at=NOW, version=1)
    new_ref = NodeRef("MeetingPlace", "mp-new")
    relationships = [
        Relationship("RUN_BY", PLACE, NodeRef("District", "uusimaa"), "api", {"role": "C", "updated_at": NOW}),
        Relationship("RUN_BY", new_ref, NodeRef("District", "uusimaa"), "api", {"role": "C", "updated_at": NOW}),
        Relationship("LOCATED_IN", new_ref, NodeRef("Municipality", "005"), "api", {"updated_at": NOW}),
    ]
    return Dataset([renamed, new], relationships, frozenset({(PLACE, "RUN_BY")}))


async def test_a_write_leaves_the_graph_it_replaces_as_it_was(dataset: Dataset) -> None:
    store, place = await seeded(dataset)
    before, kept = store._graph, snapshot(store._graph)
    await store.load(an_edit(place))
    assert nx.utils.graphs_equal(before, kept)
    assert not nx.utils.graphs_equal(store._graph, kept)


async def test_the_copy_with_a_write_equals_a_whole_copy_with_it(dataset: Dataset) -> None:
    store, place = await seeded(dataset)
    edit, whole = an_edit(place), snapshot(store._graph)
    _apply(whole, edit, LoadSummary(), None)
    shared = _copy_for(store._graph, edit)
    _apply(shared, edit, LoadSummary(), None)
    assert nx.utils.graphs_equal(shared, whole)
    assert sorted(shared.in_edges("Municipality:005", keys=True)) == sorted(
        whole.in_edges("Municipality:005", keys=True)
    )


async def test_a_failed_write_leaves_the_graph_and_its_indexes_as_they_were(dataset: Dataset) -> None:
    store, place = await seeded(dataset)
    kept = snapshot(store._graph)
    nowhere = Relationship("RUN_BY", PLACE, NodeRef("District", "nowhere"), "api", {"updated_at": NOW})
    renamed = dataclasses.replace(place, name="Lost", updated_at=NOW)
    with pytest.raises(DataError):
        await store.load(Dataset([renamed], [nowhere], frozenset({(PLACE, "RUN_BY")})))
    assert nx.utils.graphs_equal(store._graph, kept)
    assert await store.get_many([PLACE]) == [place]
