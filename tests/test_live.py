"""The broker of place changes: which views a change concerns, and the bounds on subscriptions."""

from __future__ import annotations

import dataclasses
import gc

import pytest

from graph_api.errors import SubscriberTooSlow, SubscriptionLimit
from graph_api.live import Change, PlaceChanged, PlaceEvents, View
from graph_api.models import Bounds, MeetingPlace, MeetingPlaceKind, Point

pytestmark = pytest.mark.anyio

HELSINKI = Bounds(south=60.1, west=24.8, north=60.3, east=25.2)
CAFE = MeetingPlace("mp-1", "test", "Café", MeetingPlaceKind.FAMILY_CAFE, Point(60.17, 24.94))
IN_TAMPERE = Point(61.4978, 23.7610)


def moved(place: MeetingPlace, **fields: object) -> MeetingPlace:
    return dataclasses.replace(place, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("before", "after", "concerns"),
    [
        pytest.param(None, CAFE, True, id="created inside"),
        pytest.param(None, moved(CAFE, location=IN_TAMPERE), False, id="created outside"),
        pytest.param(CAFE, moved(CAFE, location=IN_TAMPERE), True, id="moved out"),
        pytest.param(moved(CAFE, location=IN_TAMPERE), CAFE, True, id="moved in"),
        pytest.param(moved(CAFE, location=IN_TAMPERE), moved(CAFE, location=Point(61.5, 23.8)), False, id="elsewhere"),
        pytest.param(None, moved(CAFE, location=Point(60.3, 25.2)), True, id="on the corner"),
    ],
)
def test_a_view_is_concerned_by_a_place_it_showed_or_shows(
    before: MeetingPlace | None, after: MeetingPlace, concerns: bool
) -> None:
    assert View(HELSINKI).concerns(PlaceChanged(Change.UPDATED, after, before)) is concerns


@pytest.mark.parametrize(
    ("before_kind", "after_kind", "concerns"),
    [
        pytest.param(None, MeetingPlaceKind.FAMILY_HOUSE, True, id="created of the kind"),
        pytest.param(None, MeetingPlaceKind.FAMILY_CAFE, False, id="created of another kind"),
        pytest.param(MeetingPlaceKind.FAMILY_HOUSE, MeetingPlaceKind.FAMILY_CAFE, True, id="left the kinds"),
        pytest.param(MeetingPlaceKind.FAMILY_CAFE, MeetingPlaceKind.FAMILY_HOUSE, True, id="joined the kinds"),
    ],
)
def test_a_view_of_kinds_is_concerned_by_places_of_those_kinds_before_or_after(
    before_kind: MeetingPlaceKind | None, after_kind: MeetingPlaceKind, concerns: bool
) -> None:
    view = View(HELSINKI, frozenset({MeetingPlaceKind.FAMILY_HOUSE}))
    before = None if before_kind is None else moved(CAFE, kind=before_kind)
    assert view.concerns(PlaceChanged(Change.UPDATED, moved(CAFE, kind=after_kind), before)) is concerns


def test_a_view_across_the_antimeridian_holds_both_sides() -> None:
    pacific = View(Bounds(south=-20, west=170, north=20, east=-170))
    assert pacific.shows(moved(CAFE, location=Point(0, 179.5)))
    assert pacific.shows(moved(CAFE, location=Point(0, -179.5)))
    assert not pacific.shows(moved(CAFE, location=Point(0, 0)))


async def test_subscription_gets_the_changes_of_its_view_in_order() -> None:
    events = PlaceEvents()
    subscription = events.subscribe(View(HELSINKI))
    events.publish(PlaceChanged(Change.CREATED, CAFE))
    events.publish(PlaceChanged(Change.CREATED, moved(CAFE, location=IN_TAMPERE)))
    events.publish(PlaceChanged(Change.WITHDRAWN, CAFE, CAFE))
    assert [(await anext(subscription)).change for _ in range(2)] == [Change.CREATED, Change.WITHDRAWN]


async def test_subscriptions_past_the_maximum_are_refused_until_one_closes() -> None:
    events = PlaceEvents(max_subscriptions=2)
    first, second = events.subscribe(View(HELSINKI)), events.subscribe(View(HELSINKI))
    with pytest.raises(SubscriptionLimit, match="2 subscriptions are open"):
        events.subscribe(View(HELSINKI))
    await first.aclose()
    third = events.subscribe(View(HELSINKI))
    assert len(events) == 2 and second is not third


async def test_a_subscription_too_far_behind_is_ended_and_others_keep_theirs() -> None:
    events = PlaceEvents(queue_size=2)
    slow = events.subscribe(View(HELSINKI))
    fast = events.subscribe(View(HELSINKI))
    for name in ("a", "b"):
        events.publish(PlaceChanged(Change.UPDATED, moved(CAFE, name=name)))
        assert (await anext(fast)).place.name == name
    events.publish(PlaceChanged(Change.UPDATED, moved(CAFE, name="c")))  # the third: slow has two waiting
    with pytest.raises(SubscriberTooSlow, match="fell 2 changes behind"):
        await anext(slow)
    assert (await anext(fast)).place.name == "c"
    assert len(events) == 1


def test_publish_with_no_subscriptions_costs_nothing_and_never_waits() -> None:
    PlaceEvents().publish(PlaceChanged(Change.CREATED, CAFE))


async def test_closing_the_broker_ends_every_subscription() -> None:
    events = PlaceEvents()
    subscription = events.subscribe(View(HELSINKI))
    events.close()
    with pytest.raises(StopAsyncIteration):
        await anext(subscription)
    assert len(events) == 0


def test_a_subscription_dropped_without_closing_frees_its_slot() -> None:
    events = PlaceEvents(max_subscriptions=1)
    events.subscribe(View(HELSINKI))
    gc.collect()
    events.subscribe(View(HELSINKI))
