"""Nodes as the data folder keeps them: JSON that reads back as the very same node."""

from __future__ import annotations

import datetime

from graph_api.hours import Closure, Schedule, Weekday
from graph_api.models import FamilyCentre, MeetingPlace, MeetingPlaceKind, Point
from graph_api.store.encoding import node_from_json, node_to_json

T0 = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)


def test_nodes_with_opening_hours_closures_addresses_and_provenance_read_back_exactly() -> None:
    hours = Schedule((Weekday.TU, Weekday.TH), datetime.time(9, 30), datetime.time(12), datetime.date(2026, 1, 1))
    place = MeetingPlace(
        "mp-1",
        "hsds:partner",
        "Perhekahvila Pikkupöllö",
        MeetingPlaceKind.FAMILY_CAFE,
        Point(60.1756, 24.805),
        (hours,),
        name_sv="Familjecafé Lillugglan",
        street_address="Tapiontori 3",
        source_id="5a0e7c1e",
        imported_at=T0,
        closures=(
            Closure(datetime.date(2026, 12, 21), datetime.date(2027, 1, 6), 'Joulutauko "<b>" \' OR 1=1 --'),
            Closure(datetime.date(2027, 6, 19), datetime.date(2027, 6, 19)),
        ),
    )
    centre = FamilyCentre("fc-1", "ptv", "Perhekeskus", None, location=Point(61.5, 23.76), updated_at=T0)
    assert [node_from_json(node_to_json(node)) for node in (place, centre)] == [place, centre]


def test_closures_are_kept_in_their_json_form_and_none_as_an_empty_list() -> None:
    closure = Closure(datetime.date(2026, 12, 24), datetime.date(2026, 12, 26), "Joulu")
    place = MeetingPlace(
        "mp-1", "test", "Kahvila", MeetingPlaceKind.FAMILY_CAFE, Point(60.2, 24.9), closures=(closure,)
    )
    assert node_to_json(place)["closures"] == [{"from": "2026-12-24", "to": "2026-12-26", "reason": "Joulu"}]
    plain = MeetingPlace("mp-2", "test", "Kerho", MeetingPlaceKind.MEETING_PLACE, Point(60, 25))
    assert node_to_json(plain)["closures"] == []
    assert node_from_json({k: v for k, v in node_to_json(plain).items() if k != "closures"}) == plain, (
        "a place written before closures existed reads back without any"
    )
