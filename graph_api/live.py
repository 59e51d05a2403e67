"""Live updates: an in-process broker of meeting-place changes, from the writes made through this API to the map
views subscribed to them (`placesChanged` over graphql-transport-ws).

Whoever changes a place publishes a `PlaceChanged` once the change is durable:

    events.publish(PlaceChanged(Change.UPDATED, place=after, before=before))

`publish` never waits: it hands the event to each subscription whose view it concerns and returns. Every
bound is explicit, so no client can make the server hold more than it allows:
- at most `max_subscriptions` are open at once in the process; one more is refused (`SubscriptionLimit`);
- each keeps at most `queue_size` changes its client has not taken yet; a client that falls that far behind is
  ended (`SubscriberTooSlow`) rather than buffered without bound: it has missed changes anyway, so it
  reloads its view and subscribes again.

The broker lives in one process: changes made by another API process, or by `graph-api import` into the
store, are not pushed (a map reloads to see those). Publish from the event loop's thread, where resolvers run.
"""

from __future__ import annotations

import asyncio
import datetime
import enum
import weakref
from collections import deque
from dataclasses import dataclass, field

from graph_api.errors import SubscriberTooSlow, SubscriptionLimit
from graph_api.geo.boxes import contains
from graph_api.models import Bounds, MeetingPlace, MeetingPlaceKind

DEFAULT_MAX_SUBSCRIPTIONS = 1000
DEFAULT_QUEUE_SIZE = 100


class Change(enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    WITHDRAWN = "WITHDRAWN"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True, slots=True)
class PlaceChanged:
    """A place as it is after the change, and as it was before (None when it was created)."""

    change: Change
    place: MeetingPlace
    before: MeetingPlace | None = None
    at: datetime.datetime = field(default_factory=_now)


@dataclass(frozen=True, slots=True)
class View:
    """What a map shows: the places in `bounds`, of `kinds` (None: of every kind)."""

    bounds: Bounds
    kinds: frozenset[MeetingPlaceKind] | None = None

    def shows(self, place: MeetingPlace) -> bool:
        return contains(self.bounds, place.location) and (self.kinds is None or place.kind in self.kinds)

    def concerns(self, event: PlaceChanged) -> bool:
        """The view showed the place before the change or shows it after: a place moved (or re-kinded) out of
        the view is pushed too, so that the map removes it."""
        return self.shows(event.place) or (event.before is not None and self.shows(event.before))


class Subscription:
    """One view's changes, in the order published; iterate it, and `close` it when done (its slot is freed)."""

    def __init__(self, events: PlaceEvents, view: View, queue_size: int) -> None:
        self.view = view
        self._events = events
        self._queue_size = queue_size
        self._pending: deque[PlaceChanged] = deque()
        self._ready = asyncio.Event()
        self._ended: Exception | None = None

    def offer(self, event: PlaceChanged) -> None:
        if len(self._pending) >= self._queue_size:
            self.end(
                SubscriberTooSlow(
                    f"the subscription fell {self._queue_size} changes behind and was ended: reload the view and "
                    "subscribe again"
                )
            )
            return
        self._pending.append(event)
        self._ready.set()

    def end(self, reason: Exception | None = None) -> None:
        """Ends it at its next read: with `reason` raised there, or as a plain end; what is pending is dropped."""
        if self._ended is None:
            self._ended = reason or StopAsyncIteration()
            self._pending.clear()
            self._ready.set()
            self._events.forget(self)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> PlaceChanged:
        while True:
            if self._ended is not None:
                raise self._ended
            if self._pending:
                return self._pending.popleft()
            self._ready.clear()
            await self._ready.wait()

    async def aclose(self) -> None:
        self.end()


class PlaceEvents:
    """The broker: subscriptions by view, and `publish` to reach them.

    `max_subscriptions` bounds the subscriptions open at once, `queue_size` the changes each may fall behind.
    """

    def __init__(self, max_subscriptions: int = DEFAULT_MAX_SUBSCRIPTIONS, queue_size: int = DEFAULT_QUEUE_SIZE):
        self.max_subscriptions = max_subscriptions
        self.queue_size = queue_size
        # Weakly held: a subscription its consumer dropped without closing still frees its slot.
        self._subscriptions: weakref.WeakSet[Subscription] = weakref.WeakSet()

    def __len__(self) -> int:
        return len(self._subscriptions)

    def subscribe(self, view: View) -> Subscription:
        """A new subscription to `view`, or `SubscriptionLimit` when as many are open as allowed."""
        if len(self._subscriptions) >= self.max_subscriptions:
            raise SubscriptionLimit(
                f"{self.max_subscriptions} subscriptions are open, the most this server keeps: try again later"
            )
        subscription = Subscription(self, view, self.queue_size)
        self._subscriptions.add(subscription)
        return subscription

    def publish(self, event: PlaceChanged) -> None:
        """Hands the change to every subscription whose view it concerns; never waits."""
        for subscription in list(self._subscriptions):
            if subscription.view.concerns(event):
                subscription.offer(event)

    def forget(self, subscription: Subscription) -> None:
        self._subscriptions.discard(subscription)

    def close(self) -> None:
        """Ends every subscription (the server is stopping): each client gets `complete`."""
        for subscription in list(self._subscriptions):
            subscription.end()
