"""`place_spread`: the meeting places a filter keeps as arrays, on both backends the same as reading them one by one
(`find`) and where each is located (`traverse_many`), as coverage once did."""

from __future__ import annotations

import datetime

import pytest

from graph_api.models import MeetingPlace, MeetingPlaceKind, NodeRef
from graph_api.relations import MUNICIPALITY_MEETING_PLACES
from graph_api.store.base import EVERY_PLACE, GraphStore, NodeQuery, PlaceFilter

pytestmark = pytest.mark.anyio

FILTERS = [
    pytest.param(EVERY_PLACE, id="every-place"),
    pytest.param(PlaceFilter(kinds=frozenset({MeetingPlaceKind.FAMILY_CAFE})), id="family-cafes"),
    pytest.param(
        PlaceFilter(kinds=frozenset({MeetingPlaceKind.OPEN_DAYCARE, MeetingPlaceKind.FAMILY_HOUSE})), id="two-kinds"
    ),
    pytest.param(PlaceFilter(kinds=frozenset()), id="no-kind"),
]


async def one_by_one(store: GraphStore, places: PlaceFilter) -> tuple[list[MeetingPlace], dict[str, int]]:
    found = (await store.find("MeetingPlace", NodeQuery(first=None, places=places))).items
    kept = [place for place in found if isinstance(place, MeetingPlace)]
    keys = {place.key for place in kept}
    municipalities = await store.every("Municipality")
    located = await store.traverse_many([NodeRef.of(m) for m in municipalities], MUNICIPALITY_MEETING_PLACES)
    counts = {
        m.key: sum(link.node.key in keys for link in links) for m, links in zip(municipalities, located, strict=True)
    }
    return kept, {key: count for key, count in counts.items() if count}


@pytest.mark.parametrize("places", FILTERS)
async def test_place_spread_is_what_find_and_traverse_give_one_by_one(store: GraphStore, places: PlaceFilter) -> None:
    spread = await store.place_spread(places)
    kept, located = await one_by_one(store, places)
    assert spread.lats.tolist() == [place.location.lat for place in kept]
    assert spread.lons.tolist() == [place.location.lon for place in kept]
    assert spread.is_demo == any(place.is_demo for place in kept)
    assert dict(spread.located) == located


async def test_place_spread_by_offers_is_what_find_gives(store: GraphStore) -> None:
    activities = [a.key for a in await store.every("Activity")][:2]
    tasks = [t.key for t in await store.every("FamilyCentreTask")][:1]
    for places in (PlaceFilter(activities=frozenset(activities)), PlaceFilter(tasks=frozenset(tasks))):
        spread = await store.place_spread(places)
        kept, located = await one_by_one(store, places)
        assert (spread.lats.tolist(), dict(spread.located)) == ([p.location.lat for p in kept], located)


async def test_place_spread_refuses_opening_hours(store: GraphStore) -> None:
    with pytest.raises(ValueError, match="opening hours"):
        await store.place_spread(PlaceFilter(open_at=datetime.datetime(2026, 11, 30, 10, tzinfo=datetime.UTC)))
