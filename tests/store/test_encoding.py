"""Nodes as the data folder keeps them: JSON that reads back to the very same node."""

from __future__ import annotations

import datetime

import pytest

from graph_api.hours import Schedule, Weekday
from graph_api.models import FamilyCentre, MeetingPlace, MeetingPlaceKind, Node, Point
from graph_api.store.encoding import node_from_json, node_to_json

AT = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "node",
    [
        pytest.param(
            MeetingPlace(
                "mp-1",
                "ptv:x",
                "Perhekahvila",
                MeetingPlaceKind.FAMILY_CAFE,
                Point(60.17, 24.94),
                (
                    Schedule(
                        (Weekday.MO, Weekday.WE), datetime.time(9), datetime.time(12), None, datetime.date(2026, 5, 31)
                    ),
                ),
                postal_code="00100",
                imported_at=AT,
            ),
            id="meeting-place-with-opening-hours",
        ),
        pytest.param(
            FamilyCentre("fc-1", "ptv:x", "Perhekeskus", None, location=Point(61.5, 23.76)), id="family-centre"
        ),
    ],
)
def test_encoding_node_reads_back_equal(node: Node) -> None:
    assert node_from_json(node_to_json(node)) == node
