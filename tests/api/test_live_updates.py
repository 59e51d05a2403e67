"""Live updates: `placesChanged` over graphql-transport-ws, on a real uvicorn with a real websocket client, on
both backends. Changes are published into the app's broker, as a write through the API publishes them."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin, Subprotocol

from graph_api.app import create_app
from graph_api.live import Change, PlaceChanged, PlaceEvents
from graph_api.models import Bounds, MeetingPlace, MeetingPlaceKind, Point
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from tests.live_ws import PROTOCOL, Client, events_of, publish_to_message_seconds, serving, subscribed, summary_ms

pytestmark = pytest.mark.anyio

HELSINKI = Bounds(south=60.1, west=24.8, north=60.3, east=25.2)
IN_HELSINKI = Point(60.17, 24.94)
IN_TAMPERE = Point(61.4978, 23.7610)
FINLAND = Bounds(59.0, 19.0, 70.5, 32.0)


@dataclasses.dataclass
class Live:
    url: str
    events: PlaceEvents
    place: MeetingPlace
    """A seeded place, put in Helsinki's view as a family café: each test changes it as a write would."""

    def publish(self, change: Change = Change.UPDATED, *, before: MeetingPlace | None = None, **fields: object) -> None:
        self.events.publish(PlaceChanged(change, dataclasses.replace(self.place, **fields), before))  # type: ignore[arg-type]


async def live_app(store: GraphStore, **settings: object) -> AsyncIterator[Live]:
    app = create_app(store, Settings(_env_file=None, **settings))  # type: ignore[arg-type]
    place = (await store.in_bounds(FINLAND, 1)).places[0]
    place = dataclasses.replace(place, location=IN_HELSINKI, kind=MeetingPlaceKind.FAMILY_CAFE)
    async with serving(app) as url:
        yield Live(url, events_of(app), place)


@pytest.fixture
async def live(store: GraphStore) -> AsyncIterator[Live]:
    async for served_app in live_app(store):
        yield served_app


@pytest.fixture
async def client(live: Live) -> AsyncIterator[Client]:
    async with Client.connected(live.url) as connected:
        yield connected


async def test_subscription_pushes_a_place_created_in_view_with_what_the_client_selected(
    live: Live, client: Client
) -> None:
    await client.subscribe("1", HELSINKI)
    await subscribed(live.events, 1)
    live.publish(Change.CREATED)
    pushed = await client.change("1")
    assert pushed["change"] == "CREATED"
    assert pushed["place"] == {
        "id": f"MeetingPlace:{live.place.key}",
        "name": live.place.name,
        "kind": "FAMILY_CAFE",
        "location": {"lat": IN_HELSINKI.lat, "lon": IN_HELSINKI.lon},
        "withdrawnAt": None,
    }
    assert datetime.datetime.fromisoformat(pushed["at"]).tzinfo is not None


async def test_subscription_leaves_out_a_change_outside_its_view(live: Live, client: Client) -> None:
    await client.subscribe("1", HELSINKI)
    await subscribed(live.events, 1)
    live.publish(Change.CREATED, location=IN_TAMPERE, name="far away")
    live.publish(Change.CREATED, name="near")
    assert (await client.change("1"))["place"]["name"] == "near"  # the first message: Tampere's never came


async def test_subscription_pushes_a_place_moved_out_of_view_as_it_is_now(live: Live, client: Client) -> None:
    await client.subscribe("1", HELSINKI)
    await subscribed(live.events, 1)
    live.publish(before=live.place, location=IN_TAMPERE)
    pushed = await client.change("1")
    assert pushed["change"] == "UPDATED"
    assert pushed["place"]["location"] == {"lat": IN_TAMPERE.lat, "lon": IN_TAMPERE.lon}


async def test_subscription_pushes_a_place_moved_into_view(live: Live, client: Client) -> None:
    await client.subscribe("1", HELSINKI)
    await subscribed(live.events, 1)
    live.publish(before=dataclasses.replace(live.place, location=IN_TAMPERE))
    assert (await client.change("1"))["place"]["location"]["lat"] == IN_HELSINKI.lat


async def test_subscription_with_kinds_gets_only_changes_to_places_of_those_kinds(live: Live, client: Client) -> None:
    await client.subscribe("1", HELSINKI, kinds=["FAMILY_HOUSE"])
    await subscribed(live.events, 1)
    live.publish(name="a café")
    live.publish(name="a house", kind=MeetingPlaceKind.FAMILY_HOUSE)
    live.publish(name="a house no more", before=dataclasses.replace(live.place, kind=MeetingPlaceKind.FAMILY_HOUSE))
    assert (await client.change("1"))["place"]["name"] == "a house"
    no_more = await client.change("1")  # it left the kinds: pushed, so that the map removes it
    assert no_more["place"]["name"] == "a house no more" and no_more["place"]["kind"] == "FAMILY_CAFE"


async def test_subscription_pushes_a_withdrawn_place(live: Live, client: Client) -> None:
    await client.subscribe("1", HELSINKI)
    await subscribed(live.events, 1)
    withdrawn_at = datetime.datetime(2026, 5, 4, 12, 0, tzinfo=datetime.UTC)
    live.publish(Change.WITHDRAWN, before=live.place, withdrawn_at=withdrawn_at)
    pushed = await client.change("1")
    assert pushed["change"] == "WITHDRAWN"
    assert datetime.datetime.fromisoformat(pushed["place"]["withdrawnAt"]) == withdrawn_at


async def test_every_subscriber_of_a_view_gets_the_change(live: Live, client: Client) -> None:
    async with Client.connected(live.url) as other:
        await client.subscribe("1", HELSINKI)
        await other.subscribe("a", HELSINKI)
        await client.subscribe("2", Bounds(59.0, 19.0, 70.5, 32.0))  # a second view on the same connection
        await subscribed(live.events, 3)
        live.publish(name="seen thrice")
        pushed = [await client.message(), await client.message()]  # in either order: two operations
        assert {message["id"] for message in pushed} == {"1", "2"}
        assert {message["payload"]["data"]["placesChanged"]["place"]["name"] for message in pushed} == {"seen thrice"}
        assert (await other.change("a"))["place"]["name"] == "seen thrice"


async def test_subscription_rejects_bad_bounds_before_it_starts(live: Live, client: Client) -> None:
    await client.subscribe("1", Bounds(south=61.0, west=24.8, north=60.0, east=25.2))
    message = await client.message()
    assert message["type"] == "error" and message["id"] == "1"
    assert message["payload"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "bounds"}
    assert len(live.events) == 0


async def test_subscriptions_past_the_maximum_are_refused_until_one_ends(store: GraphStore) -> None:
    async for live in live_app(store, GRAPH_API_MAX_SUBSCRIPTIONS=2):
        async with Client.connected(live.url) as client:
            await client.subscribe("1", HELSINKI)
            await client.subscribe("2", HELSINKI)
            await subscribed(live.events, 2)
            await client.subscribe("3", HELSINKI)
            refused = await client.message()
            assert refused["type"] == "error" and refused["id"] == "3"
            assert refused["payload"][0]["extensions"] == {"code": "SUBSCRIPTION_LIMIT"}
            assert "2 subscriptions are open" in refused["payload"][0]["message"]

            await client.send({"id": "1", "type": "complete"})
            await subscribed(live.events, 1)
            await client.subscribe("3", HELSINKI)
            await subscribed(live.events, 2)
            live.publish(name="after the refusal")
            pushed = [await client.message(), await client.message()]
            assert {message["id"] for message in pushed} == {"2", "3"}


async def test_a_subscriber_too_slow_is_ended_and_the_others_keep_theirs(store: GraphStore) -> None:
    """The slow client stops reading: its socket backs up, the server stops sending to it, and once it falls
    GRAPH_API_SUBSCRIPTION_QUEUE changes behind it is ended, while the fast one gets every change."""
    async for live in live_app(store, GRAPH_API_SUBSCRIPTION_QUEUE=4):
        async with Client.connected(live.url) as fast, Client.connected(live.url, receive_buffer=4096) as slow:
            await fast.subscribe("fast", HELSINKI)
            await slow.subscribe("slow", HELSINKI)
            await subscribed(live.events, 2)
            big = "x" * 100_000  # fills the slow client's socket in a few dozen changes
            sent = 0
            while len(live.events) == 2:
                assert sent < 2000, "the slow subscriber was never ended"
                live.publish(name=f"{sent} {big}")
                assert (await fast.change("fast"))["place"]["name"].startswith(f"{sent} ")
                sent += 1
            live.publish(name="after")
            assert (await fast.change("fast"))["place"]["name"] == "after"

            # The slow client reads at last: what was on the way, then the reason it was ended, then `complete`.
            message = await slow.message()
            while message["type"] == "next" and "errors" not in message["payload"]:
                message = await slow.message()
            error = message["payload"]["errors"][0]
            assert error["extensions"] == {"code": "SUBSCRIBER_TOO_SLOW"}
            assert "fell 4 changes behind" in error["message"]
            assert await slow.message() == {"id": "slow", "type": "complete"}
            assert len(live.events) == 1


async def test_complete_and_disconnect_free_the_subscription(live: Live) -> None:
    async with Client.connected(live.url) as client:
        await client.subscribe("1", HELSINKI)
        await client.subscribe("2", HELSINKI)
        await subscribed(live.events, 2)
        await client.send({"id": "1", "type": "complete"})
        await subscribed(live.events, 1)
    await subscribed(live.events, 0)  # the connection closed: its other subscription is gone too
    assert client.connection.close_code == 1000


async def test_server_stopping_completes_every_subscription(store: GraphStore) -> None:
    app = create_app(store, Settings(_env_file=None))
    async with serving(app) as url, Client.connected(url) as client:
        await client.subscribe("1", HELSINKI)
        await subscribed(events_of(app), 1)
        events_of(app).close()  # what the app's lifespan does when it stops
        assert await client.message() == {"id": "1", "type": "complete"}


async def test_websocket_runs_subscriptions_only(live: Live, client: Client) -> None:
    """Queries and mutations go over HTTP, where the request's time budget and body limit hold."""
    await client.send({"id": "q", "type": "subscribe", "payload": {"query": "{ districts { id } }"}})
    message = await client.message()
    assert message["type"] == "error" and message["id"] == "q"
    assert message["payload"][0]["extensions"] == {"code": "BAD_REQUEST"}
    assert "only subscriptions" in message["payload"][0]["message"]


async def test_websocket_speaks_graphql_transport_ws_only(live: Live) -> None:
    async with connect(live.url, subprotocols=[Subprotocol("graphql-ws")]) as legacy:
        with pytest.raises(ConnectionClosed) as closed:
            await legacy.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4406


async def test_websocket_opens_to_pages_of_the_origins_cors_allows(store: GraphStore) -> None:
    async for live in live_app(store, GRAPH_API_CORS_ORIGINS="https://map.example.fi"):
        async with connect(live.url, subprotocols=[PROTOCOL], origin=Origin("https://map.example.fi")):
            pass
        with pytest.raises(InvalidStatus) as refused:
            async with connect(live.url, subprotocols=[PROTOCOL], origin=Origin("https://elsewhere.example")):
                pass
        assert refused.value.response.status_code == 403


async def test_publish_reaches_the_client_within_milliseconds(store: GraphStore) -> None:
    place = (await store.in_bounds(FINLAND, 1)).places[0]
    figures = summary_ms(await publish_to_message_seconds(store, place, rounds=50))
    assert figures["median_ms"] < 50, figures


async def test_subscription_is_costed_per_change_and_refused_over_the_maximum(store: GraphStore) -> None:
    async for live in live_app(store, GRAPH_API_MAX_COST=10):
        async with Client.connected(live.url) as client:
            await client.subscribe("1", HELSINKI)  # 11: the change, its time and the place's 8 fields, each once
            message = await client.message()
    assert message["type"] == "next" and message["id"] == "1"
    assert message["payload"]["errors"][0]["extensions"] == {"code": "COST_LIMIT", "cost": 11, "maxCost": 10}
    assert len(live.events) == 0
