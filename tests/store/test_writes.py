"""A kept write: versions compared and set in the transaction, the audit written with it, API keys kept.

Every test runs on both backends (`new_store`: the memory store with its data folder, as shipped), the audit's
listing on a memory store without one too (it keeps the audit itself), and the data folder's own rules on SQLite
files.
"""

from __future__ import annotations

import dataclasses
import datetime
import sqlite3
from pathlib import Path

import anyio
import pytest

from graph_api.errors import DataError, VersionConflict
from graph_api.models import (
    ApiKey,
    Change,
    Dataset,
    FieldChange,
    ImportRecord,
    MeetingPlace,
    MeetingPlaceKind,
    NodeRef,
    Point,
)
from graph_api.store.base import ChangeQuery, GraphStore
from graph_api.store.datafolder import MIGRATIONS, DataFolder
from graph_api.store.memory import MemoryStore
from tests.conftest import BARE_MEMORY, STORE_BACKENDS

pytestmark = pytest.mark.anyio

EVERY_AUDIT = pytest.mark.parametrize("empty_backend", [*STORE_BACKENDS, BARE_MEMORY], indirect=True)
"""The audit's listing is filtered by each store itself: Neo4j, the data folder's SQL, and the process's list."""
NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)
CAFE = MeetingPlace("cafe-1", "api", "Perhekahvila", MeetingPlaceKind.FAMILY_CAFE, Point(60.17, 24.94), updated_at=NOW)
REF = NodeRef.of(CAFE)


def change(operation: str, version: int, at: datetime.datetime = NOW, organisation: str = "District:uusimaa") -> Change:
    return Change(
        at=at,
        actor="key:k1",
        organisation=organisation,
        operation=operation,
        node=str(REF),
        fields=(FieldChange("name", None, CAFE.name),),
        request_id="req-1",
        version=version,
    )


async def create(store: GraphStore) -> None:
    await store.load(Dataset([CAFE], []), expected={REF: 0}, changes=[change("createMeetingPlace", 1)])


async def test_a_write_expecting_the_current_version_is_applied_with_its_audit(new_store: GraphStore) -> None:
    await create(new_store)
    renamed = dataclasses.replace(CAFE, name="Perhekahvila Onni", version=2)
    await new_store.load(Dataset([renamed], []), expected={REF: 1}, changes=[change("updateMeetingPlace", 2)])
    assert await new_store.get_many([REF]) == [renamed]
    page = await new_store.changes(ChangeQuery(first=10))
    assert [(c.operation, c.version, c.number) for c in page.items] == [
        ("updateMeetingPlace", 2, 2),
        ("createMeetingPlace", 1, 1),
    ]
    assert page.items[1] == dataclasses.replace(change("createMeetingPlace", 1), number=1)


async def test_a_stale_expected_version_writes_nothing_and_names_the_current_one(new_store: GraphStore) -> None:
    await create(new_store)
    stale = dataclasses.replace(CAFE, name="Lost", version=2)
    with pytest.raises(VersionConflict) as raised:
        await new_store.load(Dataset([stale], []), expected={REF: 0}, changes=[change("createMeetingPlace", 1)])
    assert raised.value.extensions == {"code": "CONFLICT", "node": str(REF), "currentVersion": 1}
    assert await new_store.get_many([REF]) == [CAFE]
    assert (await new_store.changes(ChangeQuery(first=10))).total_count == 1


async def test_expecting_a_node_that_does_not_exist_is_a_conflict_at_version_0(new_store: GraphStore) -> None:
    with pytest.raises(VersionConflict) as raised:
        await new_store.load(Dataset([CAFE], []), expected={REF: 3}, changes=[change("updateMeetingPlace", 4)])
    assert raised.value.current == 0
    assert await new_store.get_many([REF]) == [None]


async def test_concurrent_writers_expecting_one_version_apply_exactly_one(new_store: GraphStore) -> None:
    await create(new_store)
    outcomes: list[str] = []

    async def write(n: int) -> None:
        node = dataclasses.replace(CAFE, name=f"Writer {n}", version=2)
        try:
            await new_store.load(Dataset([node], []), expected={REF: 1}, changes=[change("updateMeetingPlace", 2)])
            outcomes.append(node.name)
        except VersionConflict:
            outcomes.append("conflict")

    async with anyio.create_task_group() as group:
        for n in range(8):
            group.start_soon(write, n)
    applied = [name for name in outcomes if name != "conflict"]
    assert len(applied) == 1
    (stored,) = await new_store.get_many([REF])
    assert stored is not None and stored.name == applied[0] and stored.version == 2
    assert (await new_store.changes(ChangeQuery(first=None))).total_count == 2


@EVERY_AUDIT
async def test_the_audit_lists_newest_first_filtered_and_a_page_at_a_time(new_store: GraphStore) -> None:
    await create(new_store)
    for version in range(2, 6):
        node = dataclasses.replace(CAFE, name=f"Name {version}", version=version)
        later = NOW + datetime.timedelta(minutes=version)
        organisation = "District:uusimaa" if version % 2 else "FamilyCentre:fc-091"
        await new_store.load(
            Dataset([node], []),
            expected={REF: version - 1},
            changes=[change("updateMeetingPlace", version, later, organisation)],
        )
    first = await new_store.changes(ChangeQuery(first=2))
    assert ([c.version for c in first.items], first.total_count, first.has_next_page) == ([5, 4], 5, True)
    rest = await new_store.changes(ChangeQuery(first=10, after=first.items[-1].number))
    assert ([c.version for c in rest.items], rest.has_next_page) == ([3, 2, 1], False)
    centre = await new_store.changes(ChangeQuery(first=10, organisation="FamilyCentre:fc-091"))
    assert [c.version for c in centre.items] == [4, 2]
    since = await new_store.changes(ChangeQuery(first=10, since=NOW + datetime.timedelta(minutes=4)))
    assert [c.version for c in since.items] == [5, 4]
    assert (await new_store.changes(ChangeQuery(first=10, node="MeetingPlace:other"))).items == []


async def test_imports_written_at_once_get_numbers_of_their_own(new_store: GraphStore) -> None:
    async def load(n: int) -> None:
        place = dataclasses.replace(CAFE, key=f"cafe-{n}")
        await new_store.load(Dataset([place], []), record=ImportRecord(NOW, f"test:{n}", "tests", {}))

    async with anyio.create_task_group() as group:
        for n in range(4):
            group.start_soon(load, n)
    numbers = [record.number for record in (await new_store.imports(first=None)).items]
    assert sorted(numbers) == [1, 2, 3, 4]


KEY = ApiKey("k1", "District:uusimaa", ("places:write",), "café editor", "ab" * 32, NOW, NOW + datetime.timedelta(90))


async def test_api_keys_are_kept_listed_and_revoked_once(new_store: GraphStore) -> None:
    await new_store.add_key(KEY)
    later = dataclasses.replace(KEY, id="k2", name=None, expires_at=None, created_at=NOW + datetime.timedelta(1))
    await new_store.add_key(later)
    assert await new_store.api_key("k1") == KEY
    assert await new_store.api_keys() == [KEY, later]
    with pytest.raises(DataError, match="k1"):
        await new_store.add_key(KEY)
    revoked = await new_store.revoke_key("k1", NOW + datetime.timedelta(2))
    assert revoked == dataclasses.replace(KEY, revoked_at=NOW + datetime.timedelta(2))
    assert await new_store.revoke_key("k1", NOW + datetime.timedelta(3)) == revoked
    assert await new_store.api_key("k1") == revoked
    assert await new_store.revoke_key("nope", NOW) is None
    assert await new_store.api_key("nope") is None


async def test_a_process_writing_after_another_sees_its_version_first(tmp_path: Path) -> None:
    """Two servers sharing a data folder: the second's write, planned on what it had, is checked against the
    first's, which it takes in before it writes."""
    first, second = MemoryStore(DataFolder(tmp_path)), MemoryStore(DataFolder(tmp_path))
    for store in (first, second):
        await store.refresh()
    await create(first)
    await second.refresh()
    await first.load(
        Dataset([dataclasses.replace(CAFE, name="First", version=2)], []),
        expected={REF: 1},
        changes=[change("updateMeetingPlace", 2)],
    )
    with pytest.raises(VersionConflict):
        await second.load(
            Dataset([dataclasses.replace(CAFE, name="Second", version=2)], []),
            expected={REF: 1},
            changes=[change("updateMeetingPlace", 2)],
        )
    (stored,) = await second.get_many([REF])
    assert stored is not None and stored.name == "First"
    assert [c.version for c in (await second.changes(ChangeQuery(first=None))).items] == [2, 1]


async def test_keys_and_the_audit_outlive_the_process(tmp_path: Path) -> None:
    await create(MemoryStore(DataFolder(tmp_path)))
    await MemoryStore(DataFolder(tmp_path)).add_key(KEY)
    again = MemoryStore(DataFolder(tmp_path))
    await again.refresh()
    assert await again.get_many([REF]) == [CAFE]
    assert await again.api_key("k1") == KEY
    assert (await again.changes(ChangeQuery(first=1))).items[0].operation == "createMeetingPlace"


def test_a_data_folder_of_an_older_version_is_brought_up_to_date_with_its_imports(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "graph-api.sqlite3") as old:
        for statement in MIGRATIONS[0]:
            old.execute(statement)
        old.execute(
            "INSERT INTO imports (at, source, by, summary, dataset) VALUES (?, 'test', 'tests', '{}', ?)",
            (NOW.isoformat(), '{"nodes": [], "relationships": [], "replaces": []}'),
        )
        old.execute("PRAGMA user_version = 1")
    folder = DataFolder(tmp_path)
    assert [(r.number, r.source) for r in folder.records()] == [(1, "test")]
    assert folder.api_keys() == []


async def test_an_edit_is_no_new_generation_so_the_next_request_does_not_wait_to_measure(new_store: GraphStore) -> None:
    """The cost limit measures the graph again for a new generation: after a load or an import, not an edit."""
    before = new_store.generation
    await create(new_store)
    assert new_store.generation == before
    await new_store.load(Dataset([dataclasses.replace(CAFE, key="cafe-2")], []))
    assert new_store.generation == before + 1
    await new_store.load(Dataset([], []), record=ImportRecord(NOW, "test", "tests", {}))
    assert new_store.generation == before + 2


@EVERY_AUDIT
async def test_the_audit_since_a_moment_is_the_same_at_any_utc_offset(new_store: GraphStore) -> None:
    await create(new_store)
    helsinki = NOW.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert (await new_store.changes(ChangeQuery(first=None, since=helsinki))).total_count == 1
    later = (NOW + datetime.timedelta(seconds=1)).astimezone(datetime.timezone(datetime.timedelta(hours=3)))
    assert (await new_store.changes(ChangeQuery(first=None, since=later))).total_count == 0
