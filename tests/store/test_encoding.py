"""Nodes as the data folder keeps them: JSON that reads back as the very same node."""

from __future__ import annotations

import datetime

from graph_api.hours import Schedule, Weekday
from graph_api.models import FamilyCentre, MeetingPlace, MeetingPlaceKind, Point
from graph_api.store.encoding import node_from_json, node_to_json

T0 = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)


def test_nodes_with_opening_hours_addresses_and_provenance_read_back_exactly() -> None:
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
    )
    centre = FamilyCentre("fc-1", "ptv", "Perhekeskus", None, location=Point(61.5, 23.76), updated_at=T0)
    assert [node_from_json(node_to_json(node)) for node in (place, centre)] == [place, centre]
