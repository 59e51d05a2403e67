"""Live updates end to end: a mutation made over HTTP (new opening hours too) reaches an open `placesChanged`
subscription whose view holds the place, and not one of other kinds, on a real uvicorn with a real websocket
client, on both backends (`editable_store`). The place pushed is read afresh: its new version, its new organiser."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_api.app import create_app
from graph_api.models import Bounds
from graph_api.store.base import GraphStore
from graph_api.store.datafolder import DATABASE
from graph_api.store.memory import MemoryStore
from graph_api.store.neo4j import Neo4jStore
from tests.api.edits import (
    BUDGET_S,
    CREATE_PLACE,
    ESPOO,
    HELSINKI,
    PLACE,
    SET_OPENING_HOURS,
    SETTINGS,
    UPDATE_PLACE,
    WITHDRAW_PLACE,
    new_place,
    post,
    sent_alone,
    token_for,
)
from tests.live_ws import WAIT_S, Client, events_of, serving, subscribed, vars_of

pytestmark = pytest.mark.anyio

VIEW = Bounds(
    south=HELSINKI["lat"] - 0.01, west=HELSINKI["lon"] - 0.02, north=HELSINKI["lat"] + 0.01, east=HELSINKI["lon"] + 0.02
)
ORGANISER = "District:uusimaa"
ASSOCIATION = "LocalAssociation:la-091-27"
SUBSCRIPTION = f"""
subscription Changes($bounds: BoundsInput!, $kinds: [MeetingPlaceKind!]) {{
    placesChanged(bounds: $bounds, kinds: $kinds) {{ change place {{ {PLACE} }} }} }}
"""


@dataclass
class Live:
    """The app under uvicorn, a client of its HTTP side holding an admin token, and a websocket subscribed to the
    view."""

    http: httpx.AsyncClient
    token: str
    subscriber: Client

    async def write(self, query: str, **fields: Any) -> dict[str, Any]:
        answer = await post(self.http, self.token, query, input=fields)
        assert answer.data is not None, answer
        return answer.place

    async def pushed(self) -> dict[str, Any]:
        message = await self.subscriber.message()
        assert message["type"] == "next" and message["id"] == "1" and "errors" not in message["payload"], message
        return message["payload"]["data"]["placesChanged"]  # type: ignore[no-any-return]


@contextlib.asynccontextmanager
async def live_on(store: GraphStore, kinds: list[str] | None = None) -> AsyncIterator[Live]:
    """The view subscribed to, of `kinds` (None: of every kind)."""
    app = create_app(store, SETTINGS)
    token = await token_for(store, ORGANISER, "admin")
    async with serving(app) as url, Client.connected(url) as subscriber:
        payload = {"query": SUBSCRIPTION, "variables": {"bounds": vars_of(VIEW), "kinds": kinds}}
        await subscriber.send({"id": "1", "type": "subscribe", "payload": payload})
        await subscribed(events_of(app), 1)
        base_url = url.replace("ws://", "http://").removesuffix("/graphql")
        async with httpx.AsyncClient(base_url=base_url, timeout=BUDGET_S) as http:
            yield Live(http, token, subscriber)


@pytest.fixture
async def live(editable_store: GraphStore) -> AsyncIterator[Live]:
    async with live_on(editable_store) as served:
        yield served


def place_in_view(name: str) -> dict[str, Any]:
    """The input of a new place in the view (`ESPOO` is outside it, in another municipality)."""
    return new_place(name=name, organiserId=ORGANISER, location=HELSINKI)


def organisers(place: dict[str, Any]) -> list[str]:
    return [run_by["organiser"]["id"] for run_by in place["runBy"]]


async def test_a_place_created_over_http_in_the_view_is_pushed_and_one_outside_is_not(live: Live) -> None:
    await live.write(CREATE_PLACE, **new_place(name="Live outside", organiserId=ORGANISER, location=ESPOO))
    created = await live.write(CREATE_PLACE, **place_in_view("Live inside"))
    pushed = await live.pushed()  # the first message: the place outside was never pushed
    assert pushed["change"] == "CREATED"
    assert pushed["place"] == created
    assert (pushed["place"]["version"], organisers(pushed["place"])) == (1, [ORGANISER])


async def test_an_update_is_pushed_with_its_new_version_and_its_new_organiser(live: Live) -> None:
    place = await live.write(CREATE_PLACE, **place_in_view("Live reorganised"))
    assert (await live.pushed())["change"] == "CREATED"
    await live.write(
        UPDATE_PLACE, id=place["id"], expectedVersion=1, name="Live reorganised 2", organiserId=ASSOCIATION
    )
    pushed = await live.pushed()
    assert pushed["change"] == "UPDATED"
    assert (pushed["place"]["version"], pushed["place"]["name"]) == (2, "Live reorganised 2")
    assert organisers(pushed["place"]) == [ASSOCIATION], "the organiser read afresh, not the one loaded before"


async def test_a_place_moved_out_of_the_view_is_pushed_once_and_then_no_more(live: Live) -> None:
    place = await live.write(CREATE_PLACE, **place_in_view("Live moved"))
    assert (await live.pushed())["change"] == "CREATED"
    await live.write(UPDATE_PLACE, id=place["id"], expectedVersion=1, location=ESPOO)
    pushed = await live.pushed()
    assert pushed["change"] == "UPDATED" and pushed["place"]["version"] == 2
    assert pushed["place"]["location"] == ESPOO, "sent as it is now: out of the view, to be taken off the map"
    await live.write(UPDATE_PLACE, id=place["id"], expectedVersion=2, name="Live moved, renamed in Espoo")
    marker = await live.write(CREATE_PLACE, **place_in_view("Live marker"))
    assert (await live.pushed())["place"]["id"] == marker["id"], "the change outside the view was not pushed"


async def test_new_opening_hours_are_pushed_as_an_update(live: Live) -> None:
    place = await live.write(CREATE_PLACE, **place_in_view("Live hours"))
    assert (await live.pushed())["change"] == "CREATED"
    hours = [{"weekdays": ["MO"], "opensAt": "09:00:00", "closesAt": "11:00:00", "validFrom": None, "validTo": None}]
    await live.write(SET_OPENING_HOURS, placeId=place["id"], expectedVersion=1, hours=hours)
    pushed = await live.pushed()
    assert (pushed["change"], pushed["place"]["version"], pushed["place"]["openingHours"]) == ("UPDATED", 2, hours)


async def test_a_view_of_some_kinds_hears_nothing_of_a_place_of_another_kind(editable_store: GraphStore) -> None:
    async with live_on(editable_store, kinds=["FAMILY_CAFE"]) as live:
        club = await live.write(CREATE_PLACE, **place_in_view("Live club") | {"kind": "MEETING_PLACE"})
        await live.write(UPDATE_PLACE, id=club["id"], expectedVersion=1, name="Live club, renamed")
        cafe = await live.write(CREATE_PLACE, **place_in_view("Live café"))
        pushed = await live.pushed()  # the first message: the meeting place was never pushed
        assert (pushed["change"], pushed["place"]["id"]) == ("CREATED", cafe["id"])


async def test_a_withdrawn_place_is_pushed(live: Live) -> None:
    place = await live.write(CREATE_PLACE, **place_in_view("Live withdrawn"))
    assert (await live.pushed())["change"] == "CREATED"
    await live.write(WITHDRAW_PLACE, id=place["id"], expectedVersion=1)
    pushed = await live.pushed()
    assert pushed["change"] == "WITHDRAWN"
    assert pushed["place"]["version"] == 2 and pushed["place"]["withdrawnAt"] is not None


# --- a write kept after its client left is pushed too -----------------------------------------------------------


@contextlib.contextmanager
def sqlite_held(folder: Path) -> Iterator[None]:
    """Another writer holding the data folder's database: a write waits until the block ends."""
    connection = sqlite3.connect(folder / DATABASE, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


@contextlib.asynccontextmanager
async def neo4j_held(store: Neo4jStore, place_id: str) -> AsyncIterator[None]:
    """Another transaction holding the place's node: a write to it waits until the block ends."""
    async with store.driver.session(database=store.database) as session:
        tx = await session.begin_transaction()
        key = place_id.split(":", 1)[1]
        await tx.run("MATCH (n:MeetingPlace {key: $key}) SET n._held = true REMOVE n._held", key=key)
        try:
            yield
        finally:
            await tx.rollback()


async def writing_started() -> None:
    """Until a write has been handed to the store: the `Writer` runs it, shielded, in a task of its own."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_S
    while not any(_writes(task) for task in asyncio.all_tasks()):
        assert loop.time() < deadline, "the write never reached the store"
        await asyncio.sleep(0.005)


def _writes(task: asyncio.Task[Any]) -> bool:
    name: str = task.get_coro().__qualname__  # type: ignore[union-attr]
    return name.startswith("Writer.") or name.endswith("Store.load")


async def test_a_write_kept_after_its_client_left_is_pushed(
    editable_store: GraphStore, editable_folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with live_on(editable_store) as live:
        place = await live.write(CREATE_PLACE, **place_in_view("Live left"))
        assert (await live.pushed())["change"] == "CREATED"
        held = (
            sqlite_held(editable_folder)  # another writer holds the data folder's database
            if isinstance(editable_store, MemoryStore)
            else neo4j_held(editable_store, place["id"])  # type: ignore[arg-type]
        )
        variables = {"input": {"id": place["id"], "expectedVersion": 1, "name": "Live left, renamed"}}
        with caplog.at_level(logging.INFO, logger="graph_api.budget"):
            async with _entered(held):
                async with _sent(live.http, live.token, UPDATE_PLACE, variables):
                    await writing_started()
                await logged(caplog, "request stopped: CLIENT_DISCONNECTED")  # while the write still waits
        pushed = await live.pushed()
        assert (pushed["change"], pushed["place"]["name"], pushed["place"]["version"]) == (
            "UPDATED",
            "Live left, renamed",
            2,
        )


@contextlib.asynccontextmanager
async def _entered(held: Any) -> AsyncIterator[None]:
    """Enter a lock holder, sync or async alike."""
    if hasattr(held, "__aenter__"):
        async with held:
            yield
    else:
        with held:
            yield


@contextlib.asynccontextmanager
async def _sent(http: httpx.AsyncClient, token: str, query: str, variables: dict[str, Any]) -> AsyncIterator[None]:
    """A request sent over a connection of its own, which is closed, unanswered, when the block ends."""
    port = http.base_url.port
    assert port is not None
    writer = await sent_alone(port, token, query, **variables)
    try:
        yield
    finally:
        writer.close()
        await writer.wait_closed()


async def logged(caplog: pytest.LogCaptureFixture, message: str) -> None:
    """Until the message has been logged."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_S
    while message not in caplog.messages:
        assert loop.time() < deadline, f"never logged: {message}"
        await asyncio.sleep(0.005)
