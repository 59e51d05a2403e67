"""The embedded store's data folder: an import acknowledged is kept, survives SIGKILL, and reaches every process."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import anyio
import httpx
import pytest

from graph_api.cli import load_seeds
from graph_api.hours import Closure
from graph_api.models import MeetingPlace, MeetingPlaceKind, NodeRef, Point, Relationship
from graph_api.store.base import NodeQuery
from graph_api.store.datafolder import DataFolder
from graph_api.store.memory import MemoryStore
from loaders.importing import Found, Reading, apply, plan
from tests.neo4j_server import free_port

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
NOW = datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC)


def reading(key: str, name: str, closures: tuple[Closure, ...] = ()) -> Reading:
    """A family café in Helsinki run by a local association of the seeds, as a spreadsheet would give it."""
    source = "spreadsheet:test.csv"
    node = MeetingPlace(
        key, source, name, MeetingPlaceKind.FAMILY_CAFE, Point(60.1841, 24.952), source_id=key, closures=closures
    )
    rels = (
        Relationship("LOCATED_IN", NodeRef.of(node), NodeRef("Municipality", "091"), source, {}),
        Relationship(
            "RUN_BY", NodeRef.of(node), NodeRef("LocalAssociation", "la-091-27"), source, {"role": "COORDINATOR"}
        ),
    )
    return Reading(source, frozenset({"MeetingPlace"}), [Found(f"test.csv:{key}", node, rels, frozenset())])


async def seeded(folder: Path) -> MemoryStore:
    """A store as `graph-api serve` starts it: the seeds, then what the data folder holds."""
    store = MemoryStore(DataFolder(folder), poll_s=0.1)
    await load_seeds(store, SEEDS)
    return store


async def test_an_import_is_kept_and_taken_in_by_the_next_store_over_the_seeds(tmp_path: Path) -> None:
    first = await seeded(tmp_path)
    record = await apply(first, await plan(first, reading("s-1", "Perhekahvila Kaiku"), NOW), "tester", NOW)
    assert record.number == 1

    later = await seeded(tmp_path)
    (place,) = await later.get_many([NodeRef("MeetingPlace", "s-1")])
    assert place is not None and place.name == "Perhekahvila Kaiku" and place.imported_at == NOW
    assert [r.number for r in (await later.imports(first=None)).items] == [1]
    assert len((await later.find("MeetingPlace", NodeQuery(first=None))).items) == 576, "the 575 seeded and it"


async def test_an_imported_place_s_closures_are_kept(tmp_path: Path) -> None:
    closures = (Closure(datetime.date(2026, 12, 21), datetime.date(2027, 1, 6), "Joulutauko"),)
    first = await seeded(tmp_path)
    await apply(first, await plan(first, reading("s-1", "Perhekahvila Kaiku", closures), NOW), "tester", NOW)
    (place,) = await (await seeded(tmp_path)).get_many([NodeRef("MeetingPlace", "s-1")])
    assert isinstance(place, MeetingPlace) and place.closures == closures


async def test_imports_from_two_processes_land_in_the_order_they_committed(tmp_path: Path) -> None:
    one, other = await seeded(tmp_path), await seeded(tmp_path)
    await apply(one, await plan(one, reading("s-1", "Kaiku"), NOW), "one", NOW)
    await apply(other, await plan(other, reading("s-2", "Lotta"), NOW), "other", NOW)
    found = await other.get_many([NodeRef("MeetingPlace", "s-1"), NodeRef("MeetingPlace", "s-2")])
    assert [place.name for place in found if place] == ["Kaiku", "Lotta"]


async def test_a_store_that_is_open_takes_in_other_processes_imports_by_itself(tmp_path: Path) -> None:
    watcher = await seeded(tmp_path)
    await watcher.open()
    try:
        writer = await seeded(tmp_path)
        await apply(writer, await plan(writer, reading("s-1", "Kaiku"), NOW), "writer", NOW)
        deadline = time.monotonic() + 10
        while (await watcher.get_many([NodeRef("MeetingPlace", "s-1")])) == [None]:
            assert time.monotonic() < deadline, "the open store never took the import in"
            await anyio.sleep(0.05)
    finally:
        await watcher.close()


APPLY_AND_WAIT = textwrap.dedent(
    """
    import asyncio, sys, time
    from pathlib import Path
    from tests.store.test_datafolder import NOW, apply, plan, reading, seeded

    async def main() -> None:
        store = await seeded(Path(sys.argv[1]))
        record = await apply(store, await plan(store, reading("s-1", "Kaiku"), NOW), "killed", NOW)
        print("applied", record.number, flush=True)
        time.sleep(60)

    asyncio.run(main())
    """
)


async def test_an_import_acknowledged_survives_sigkill_right_after(tmp_path: Path) -> None:
    command = [sys.executable, "-c", APPLY_AND_WAIT, str(tmp_path)]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        try:
            assert process.stdout.readline() == "applied 1\n"
        finally:
            os.kill(process.pid, signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    store = await seeded(tmp_path)
    (place,) = await store.get_many([NodeRef("MeetingPlace", "s-1")])
    assert place is not None and place.name == "Kaiku"


async def test_a_running_server_shows_an_import_within_seconds(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "GRAPH_API_DATA": str(tmp_path), "GRAPH_API_DATA_POLL": "0.2", "GRAPH_API_PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "graph_api.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    query = {"query": '{ node(id: "MeetingPlace:s-1") { ... on MeetingPlace { name } } }'}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    assert (await client.post("/graphql", json=query)).json()["data"]["node"] is None
                    break
                except httpx.TransportError:
                    assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                    await anyio.sleep(0.2)
            writer = await seeded(tmp_path)
            await apply(writer, await plan(writer, reading("s-1", "Kaiku"), NOW), "writer", NOW)
            applied = time.monotonic()
            while (await client.post("/graphql", json=query)).json()["data"]["node"] is None:
                assert time.monotonic() - applied < 10, "the server did not show the import"
                await anyio.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
