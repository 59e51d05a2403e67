"""GraphQL enums, most of them the domain's own enums exposed as they are."""

from __future__ import annotations

import enum

import strawberry

from graph_api import hours, models
from graph_api.geo import geocoding

MeetingPlaceKind = strawberry.enum(models.MeetingPlaceKind, description="What kind of place families meet in.")
WelfareAreaKind = strawberry.enum(models.WelfareAreaKind)
ActivityChannel = strawberry.enum(
    models.ActivityChannel,
    description="LOCAL activities happen at places; NATIONAL ones are phone lines, chats and sites.",
)

Precision = strawberry.enum(geocoding.Precision, description="What a geocoded point stands for, most precise first.")
GeocoderProvider = strawberry.enum(
    geocoding.Provider, description="Who answered: OFFLINE is the shipped gazetteer, the others online services."
)


@strawberry.enum
class OrganiserRole(enum.Enum):
    COORDINATOR = "COORDINATOR"
    PARTNER = "PARTNER"


Weekday = strawberry.enum(hours.Weekday, description="A day of the week by its HSDS (iCalendar) code.")
