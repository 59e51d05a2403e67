"""What every GraphStore must do with writes and edge cases, on a fresh store of each backend."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

import pytest

from graph_api.errors import DataError
from graph_api.hours import Closure, Schedule, Weekday
from graph_api.models import (
    Activity,
    ActivityChannel,
    Bounds,
    Dataset,
    Direction,
    District,
    FamilyCentreTask,
    Hop,
    MeetingPlace,
    MeetingPlaceKind,
    Municipality,
    NodeRef,
    Point,
    Relationship,
    WelfareArea,
    WelfareAreaKind,
)
from graph_api.store.base import EVERY_PLACE, GraphStore, NodeQuery, PlaceFilter
from graph_api.store.memory import MemoryStore

pytestmark = pytest.mark.anyio

HELSINKI = Municipality("091", "test", "Helsinki", "Helsingfors", 656920, 715.5, Point(60.17, 24.94))
ESPOO = Municipality("049", "test", "Espoo", "Esbo", 292796, 312.3, Point(60.21, 24.66))
CITY = WelfareArea("HKI", "test", "Helsingin kaupunki", "Helsingfors stad", WelfareAreaKind.CITY)
UUSIMAA = District("uusimaa", "test", "MLL:n Uudenmaan piiri", None, None)
CAFE = MeetingPlace(
    "mp-1",
    "demo",
    "Perhekahvila Kallio",
    MeetingPlaceKind.FAMILY_CAFE,
    Point(60.184, 24.95),
    schedules=(
        Schedule((Weekday.TU, Weekday.TH), datetime.time(9, 30), datetime.time(12), None, datetime.date(2027, 5, 31)),
        Schedule((Weekday.TU,), datetime.time(9, 30), datetime.time(12), datetime.date(2027, 8, 9), None),
    ),
)


def rel(type_: str, start: object, end: object, **properties: object) -> Relationship:
    return Relationship(type_, NodeRef.of(start), NodeRef.of(end), "test", properties)  # type: ignore[arg-type]


SMALL = Dataset(
    nodes=[HELSINKI, ESPOO, CITY, UUSIMAA, CAFE],
    relationships=[
        rel("IN_WELFARE_AREA", HELSINKI, CITY),
        rel("LOCATED_IN", CAFE, HELSINKI),
        rel("HAS_AGREEMENT", UUSIMAA, HELSINKI, since=datetime.date(2024, 1, 1), kind="COOPERATION"),
    ],
)


async def test_loading_twice_changes_nothing(new_store: GraphStore) -> None:
    first = await new_store.load(SMALL)
    assert (first.total("created"), first.total("updated"), first.total("unchanged")) == (8, 0, 0)
    second = await new_store.load(SMALL)
    assert (second.total("created"), second.total("updated"), second.total("unchanged")) == (0, 0, 8)
    assert second.changes["Municipality"]["unchanged"] == 2 and second.changes["HAS_AGREEMENT"]["unchanged"] == 1
    page = await new_store.find("Municipality", NodeQuery(first=None))
    assert [m.key for m in page.items] == ["049", "091"]
    links = await new_store.traverse_many([NodeRef.of(HELSINKI)], (Hop("LOCATED_IN", Direction.IN, "MeetingPlace"),))
    assert [link.node for link in links[0]] == [CAFE]
    assert len(await new_store.agreements(None)) == 1


async def test_a_reload_replaces_relationship_properties_whole(new_store: GraphStore) -> None:
    await new_store.load(SMALL)
    ended = rel(
        "HAS_AGREEMENT",
        UUSIMAA,
        HELSINKI,
        since=datetime.date(2024, 1, 1),
        until=datetime.date(2024, 12, 31),
        kind="COOPERATION",
    )
    summary = await new_store.load(Dataset(nodes=[], relationships=[ended]))
    assert summary.changes["HAS_AGREEMENT"]["updated"] == 1
    (agreement,) = await new_store.agreements(None)
    assert agreement.until == datetime.date(2024, 12, 31)
    await new_store.load(SMALL)
    (agreement,) = await new_store.agreements(None)
    assert agreement.until is None


async def test_successive_agreements_between_the_same_pair_are_kept_apart(new_store: GraphStore) -> None:
    earlier = rel(
        "HAS_AGREEMENT",
        UUSIMAA,
        HELSINKI,
        since=datetime.date(2019, 1, 1),
        until=datetime.date(2022, 12, 31),
        kind="MUNICIPAL",
    )
    await new_store.load(Dataset(nodes=SMALL.nodes, relationships=[*SMALL.relationships, earlier]))
    assert [a.since.year for a in await new_store.agreements(None)] == [2019, 2024]
    assert [a.kind for a in await new_store.agreements(2020, [NodeRef.of(HELSINKI)])] == ["MUNICIPAL"]
    assert await new_store.agreements(2023, [NodeRef.of(UUSIMAA)]) == []


async def test_a_dangling_relationship_writes_nothing(new_store: GraphStore) -> None:
    broken = Dataset(nodes=[ESPOO], relationships=[rel("IN_WELFARE_AREA", ESPOO, CITY)])
    with pytest.raises(DataError, match="WelfareArea:HKI"):
        await new_store.load(broken)
    assert await new_store.get_many([NodeRef.of(ESPOO)]) == [None]


async def test_get_many_keeps_order_and_gives_none_for_unknown(new_store: GraphStore) -> None:
    await new_store.load(SMALL)
    refs = [NodeRef.of(CITY), NodeRef("Municipality", "999"), NodeRef.of(HELSINKI)]
    assert await new_store.get_many(refs) == [CITY, None, HELSINKI]


async def test_traverse_carries_relationship_properties_and_any_label(new_store: GraphStore) -> None:
    await new_store.load(SMALL)
    (links,) = await new_store.traverse_many([NodeRef.of(UUSIMAA)], (Hop("HAS_AGREEMENT", Direction.OUT, None),))
    assert [link.node for link in links] == [HELSINKI]
    assert links[0].properties["since"] == datetime.date(2024, 1, 1)
    empty = await new_store.traverse_many([NodeRef("District", "none")], (Hop("COVERS", Direction.OUT, None),))
    assert empty == [[]]


async def test_find_pages_after_a_key(new_store: GraphStore) -> None:
    await new_store.load(SMALL)
    first = await new_store.find("Municipality", NodeQuery(first=1))
    assert [m.key for m in first.items] == ["049"] and first.has_next_page and first.total_count == 2
    rest = await new_store.find("Municipality", NodeQuery(first=1, after="049"))
    assert [m.key for m in rest.items] == ["091"] and not rest.has_next_page and rest.total_count == 2


async def test_an_empty_store_answers_empty(new_store: GraphStore) -> None:
    assert await new_store.nearby(Point(60, 24), 100, 10) == []
    assert (await new_store.find("MeetingPlace", NodeQuery(first=10))).items == []
    assert await new_store.agreements(2023) == []


async def test_memory_stores_are_independent() -> None:
    one, two = MemoryStore(), MemoryStore()
    await one.load(SMALL)
    assert await two.get_many([NodeRef.of(HELSINKI)]) == [None]


async def test_relationships_of_gives_each_way_with_both_end_nodes(new_store: GraphStore) -> None:
    await new_store.load(SMALL)
    edges = await new_store.relationships_of([NodeRef.of(HELSINKI)])
    assert [(edge.type, edge.start, edge.end) for edge in edges] == [
        ("HAS_AGREEMENT", UUSIMAA, HELSINKI),
        ("IN_WELFARE_AREA", HELSINKI, CITY),
        ("LOCATED_IN", CAFE, HELSINKI),
    ]
    assert edges[0].properties == {"since": datetime.date(2024, 1, 1), "kind": "COOPERATION", "source": "test"}


async def test_relationships_of_lists_a_relationship_between_two_asked_nodes_once(new_store: GraphStore) -> None:
    await new_store.load(SMALL)
    edges = await new_store.relationships_of([NodeRef.of(CITY), NodeRef.of(HELSINKI), NodeRef("District", "none")])
    assert [edge.type for edge in edges] == ["HAS_AGREEMENT", "IN_WELFARE_AREA", "LOCATED_IN"]


async def test_relationships_of_keeps_the_types_asked(new_store: GraphStore) -> None:
    await new_store.load(SMALL)
    helsinki = [NodeRef.of(HELSINKI)]
    edges = await new_store.relationships_of(helsinki, frozenset({"LOCATED_IN", "COVERS"}))
    assert [(edge.type, edge.start) for edge in edges] == [("LOCATED_IN", CAFE)]
    assert await new_store.relationships_of(helsinki, frozenset()) == []
    assert await new_store.relationships_of([]) == []


async def test_relationships_of_orders_successive_agreements_and_leaves_out_unset_properties(
    new_store: GraphStore,
) -> None:
    earlier = rel(
        "HAS_AGREEMENT", UUSIMAA, HELSINKI, since=datetime.date(2019, 1, 1), until=datetime.date(2022, 12, 31), kind="M"
    )
    later = rel("HAS_AGREEMENT", UUSIMAA, HELSINKI, since=datetime.date(2024, 1, 1), until=None, kind="COOPERATION")
    await new_store.load(Dataset(nodes=SMALL.nodes, relationships=[later, earlier]))
    edges = await new_store.relationships_of([NodeRef.of(UUSIMAA)])
    assert [edge.properties["since"] for edge in edges] == [datetime.date(2019, 1, 1), datetime.date(2024, 1, 1)]
    assert edges[0].properties["until"] == datetime.date(2022, 12, 31) and "until" not in edges[1].properties


OPEN_OR_NOT = [
    (datetime.datetime(2026, 12, 3, 10, 0), True),  # a Thursday morning
    (datetime.datetime(2026, 12, 3, 12, 0), False),  # closing time
    (datetime.datetime(2027, 8, 12, 10, 0), False),  # a Thursday after the summer break: Tuesdays only
    (datetime.datetime(2027, 8, 10, 10, 0, tzinfo=datetime.UTC), False),  # 13:00 EEST on a Tuesday
    (datetime.datetime(2027, 8, 10, 7, 0, tzinfo=datetime.UTC), True),  # 10:00 EEST on that Tuesday
]


async def test_open_at_keeps_a_place_only_while_its_schedules_have_it_open(new_store: GraphStore) -> None:
    """One load for all the moments: a fresh Neo4j store costs a reload of the seeds."""
    await new_store.load(SMALL)
    for moment, open_ in OPEN_OR_NOT:
        expected = [CAFE] if open_ else []
        places = PlaceFilter(open_at=moment)
        assert [hit.place for hit in await new_store.nearby(CAFE.location, 1, 10, places)] == expected, moment
        inside = await new_store.in_bounds(Bounds(60, 24, 61, 25), 10, places)
        assert (inside.places, inside.total_count) == (expected, len(expected)), moment
        page = await new_store.find("MeetingPlace", NodeQuery(first=10, places=places))
        assert (page.items, page.total_count) == (expected, len(expected)), moment
    only_open = NodeQuery(first=10, places=PlaceFilter(open_at=OPEN_OR_NOT[0][0]))
    assert (await new_store.find("Municipality", only_open)).items == []


async def test_open_at_and_reads_honour_a_place_s_closures(new_store: GraphStore) -> None:
    """The café closed over the summer break's last week and one Tuesday: it reads back with its closures, and
    `open_at` leaves it out on those dates only."""
    closures = (
        Closure(datetime.date(2027, 8, 3), datetime.date(2027, 8, 10), "Kesätauko"),
        Closure(datetime.date(2026, 12, 1), datetime.date(2026, 12, 1)),
    )
    closed = dataclasses.replace(CAFE, closures=closures)
    await new_store.load(dataclasses.replace(SMALL, nodes=[*SMALL.nodes[:-1], closed]))
    assert await new_store.get_many([NodeRef.of(CAFE)]) == [closed]
    for moment, open_ in [
        (datetime.datetime(2027, 8, 10, 7, 0, tzinfo=datetime.UTC), False),  # the Tuesday OPEN_OR_NOT has open
        (datetime.datetime(2027, 8, 17, 7, 0, tzinfo=datetime.UTC), True),
        (datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC), False),
        (datetime.datetime(2026, 12, 3, 8, 0, tzinfo=datetime.UTC), True),
    ]:
        expected = [closed] if open_ else []
        places = PlaceFilter(open_at=moment)
        assert [hit.place for hit in await new_store.nearby(CAFE.location, 1, 10, places)] == expected, moment
        inside = await new_store.in_bounds(Bounds(60, 24, 61, 25), 10, places)
        assert (inside.places, inside.total_count) == (expected, len(expected)), moment
        page = await new_store.find("MeetingPlace", NodeQuery(first=10, places=places))
        assert (page.items, page.total_count) == (expected, len(expected)), moment


CAFES = Activity("cafes", "test", "Perhekahvilat", None, "Family cafés", ActivityChannel.LOCAL)
GROUPS = Activity("groups", "test", "Vanhempainryhmät", None, "Parents' groups", ActivityChannel.LOCAL)
CLUBS = Activity("clubs", "test", "Kerhot", None, "Clubs", ActivityChannel.LOCAL)
PEERS = FamilyCentreTask("1", "test", "Vertaistuki", None, "Peer support")
PARENTHOOD = FamilyCentreTask("2", "test", "Vanhemmuus", None, "Parenthood")
HEALTH = FamilyCentreTask("4", "test", "Terveys", None, "Health")
GROUP = MeetingPlace("mp-2", "test", "Kohtaamispaikka Kallio", MeetingPlaceKind.MEETING_PLACE, Point(60.189, 24.95))
CLUB = MeetingPlace("mp-3", "test", "Perhekahvila Sörnäinen", MeetingPlaceKind.FAMILY_CAFE, Point(60.194, 24.95))
BARE = MeetingPlace("mp-4", "test", "Avoin päiväkoti Vallila", MeetingPlaceKind.OPEN_DAYCARE, Point(60.199, 24.95))
OFFERED = Dataset(
    nodes=[*SMALL.nodes, GROUP, CLUB, BARE, CAFES, GROUPS, CLUBS, PEERS, PARENTHOOD, HEALTH],
    relationships=[
        *SMALL.relationships,
        rel("OFFERS", CAFE, CAFES),
        rel("OFFERS", CAFE, GROUPS),
        rel("OFFERS", GROUP, GROUPS),
        rel("OFFERS", CLUB, CLUBS),
        rel("SERVES_TASK", CAFES, PEERS),
        rel("SERVES_TASK", CAFES, PARENTHOOD),
        rel("SERVES_TASK", GROUPS, PARENTHOOD),
    ],
)
"""Four places 0.55 km apart northwards from the café, in key order: the café offers family cafés (serving peer
support and parenthood) and parents' groups (parenthood), the meeting place parents' groups, the second café clubs
(which serve no task), the open day-care nothing; no activity serves health."""
THURSDAY_MORNING, CLOSING_TIME = OPEN_OR_NOT[0][0], OPEN_OR_NOT[1][0]


def offering(
    *,
    kinds: Iterable[MeetingPlaceKind] | None = None,
    activities: Iterable[str] | None = None,
    tasks: Iterable[str] | None = None,
    open_at: datetime.datetime | None = None,
) -> PlaceFilter:
    """A `PlaceFilter` written briefly."""
    return PlaceFilter(
        kinds=None if kinds is None else frozenset(kinds),
        activities=None if activities is None else frozenset(activities),
        tasks=None if tasks is None else frozenset(tasks),
        open_at=open_at,
    )


KEPT = [
    # (what the filter asks, the places it keeps): OR within a field, AND across fields, by place
    (offering(activities={"cafes"}), [CAFE]),
    (offering(activities={"groups"}), [CAFE, GROUP]),
    (offering(activities={"cafes", "clubs"}), [CAFE, CLUB]),
    (offering(tasks={"1"}), [CAFE]),
    (offering(tasks={"2"}), [CAFE, GROUP]),
    (offering(tasks={"1", "2"}), [CAFE, GROUP]),
    (offering(tasks={"4"}), []),
    (offering(activities={"clubs"}, tasks={"2"}), []),
    (offering(activities={"groups"}, tasks={"1"}), [CAFE]),  # its groups serve no peer support, its cafés do
    (offering(kinds={MeetingPlaceKind.MEETING_PLACE}, activities={"groups"}), [GROUP]),
    (offering(kinds={MeetingPlaceKind.FAMILY_CAFE}, tasks={"2"}), [CAFE]),
    (offering(kinds={MeetingPlaceKind.FAMILY_CAFE, MeetingPlaceKind.OPEN_DAYCARE}), [CAFE, CLUB, BARE]),
    (offering(tasks={"2"}, open_at=THURSDAY_MORNING), [CAFE]),  # the meeting place has no opening hours
    (offering(activities={"groups"}, open_at=CLOSING_TIME), []),
    (EVERY_PLACE, [CAFE, GROUP, CLUB, BARE]),
]


async def kept_by_every_read(store: GraphStore, places: PlaceFilter) -> dict[str, object]:
    """The places `nearby`, `in_bounds` and `find` keep (the last two also a page of one), as one comparable map."""
    near = await store.nearby(CAFE.location, 5, 10, places)
    inside = await store.in_bounds(Bounds(60, 24, 61, 25), 10, places)
    one_inside = await store.in_bounds(Bounds(60, 24, 61, 25), 1, places)
    found = await store.find("MeetingPlace", NodeQuery(first=None, places=places))
    first = await store.find("MeetingPlace", NodeQuery(first=1, places=places))
    rest = await store.find("MeetingPlace", NodeQuery(first=10, after=CAFE.key, places=places))
    return {
        "nearby": [hit.place for hit in near],
        "in_bounds": (inside.places, inside.total_count),
        "in_bounds, one": (one_inside.places, one_inside.total_count),
        "find": (found.items, found.total_count, found.has_next_page),
        "find, first page of one": (first.items, first.total_count, first.has_next_page),
        "find, after the café": (rest.items, rest.total_count),
    }


def kept_everywhere(expected: list[MeetingPlace]) -> dict[str, object]:
    """What `kept_by_every_read` gives when the filter keeps these places (nearest first is key order)."""
    return {
        "nearby": expected,
        "in_bounds": (expected, len(expected)),
        "in_bounds, one": (expected[:1], len(expected)),
        "find": (expected, len(expected), False),
        "find, first page of one": (expected[:1], len(expected), len(expected) > 1),
        "find, after the café": ([place for place in expected if place is not CAFE], len(expected)),
    }


async def test_a_place_filter_keeps_places_by_kind_offer_task_and_hours_in_every_read(new_store: GraphStore) -> None:
    """One load for every filter: a fresh Neo4j store costs a reload of the seeds."""
    await new_store.load(OFFERED)
    for places, expected in KEPT:
        assert await kept_by_every_read(new_store, places) == kept_everywhere(expected), places
        if places.restricts:
            others = await new_store.find("Municipality", NodeQuery(first=10, places=places))
            assert (others.items, others.total_count) == ([], 0), f"a filter of places keeps no municipality: {places}"


async def test_a_place_filter_follows_a_reload_of_what_places_offer_and_what_activities_serve(
    new_store: GraphStore,
) -> None:
    await new_store.load(OFFERED)
    assert await kept_by_every_read(new_store, offering(activities={"clubs"})) == kept_everywhere([CLUB])
    # the second café offers family cafés now, and no longer clubs
    await new_store.load(
        Dataset(
            nodes=[], relationships=[rel("OFFERS", CLUB, CAFES)], replaces=frozenset({(NodeRef.of(CLUB), "OFFERS")})
        )
    )
    assert await kept_by_every_read(new_store, offering(activities={"clubs"})) == kept_everywhere([])
    assert await kept_by_every_read(new_store, offering(tasks={"1"})) == kept_everywhere([CAFE, CLUB])
    # family cafés serve parenthood only now, and parents' groups peer support too
    await new_store.load(
        Dataset(
            nodes=[],
            relationships=[rel("SERVES_TASK", CAFES, PARENTHOOD), rel("SERVES_TASK", GROUPS, PEERS)],
            replaces=frozenset({(NodeRef.of(CAFES), "SERVES_TASK")}),
        )
    )
    assert await kept_by_every_read(new_store, offering(tasks={"1"})) == kept_everywhere([CAFE, GROUP])
    assert await kept_by_every_read(new_store, offering(activities={"cafes"}, tasks={"2"})) == kept_everywhere(
        [CAFE, CLUB]
    )
    # a new place offering parents' groups
    late = MeetingPlace("mp-5", "test", "Perhetalo Vallila", MeetingPlaceKind.FAMILY_HOUSE, Point(60.204, 24.95))
    await new_store.load(Dataset(nodes=[late], relationships=[rel("OFFERS", late, GROUPS)]))
    assert await kept_by_every_read(new_store, offering(tasks={"1"})) == kept_everywhere([CAFE, GROUP, late])
