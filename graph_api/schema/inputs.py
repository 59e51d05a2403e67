"""Input types and the checks that turn a client's arguments into domain values or an `InputError`."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

from graph_api.errors import InputError
from graph_api.geo.geocoding import MAX_ADDRESS_LENGTH, normalise_address
from graph_api.hours import helsinki_time
from graph_api.models import Bounds, Point
from graph_api.offers import Asked, check_count, place_filter
from graph_api.response_cache import not_cacheable
from graph_api.restrictions import restriction
from graph_api.schema.enums import MeetingPlaceKind
from graph_api.schema.ids import parse_global_id
from graph_api.store.base import GraphStore, PlaceFilter

MAX_SEARCH_LENGTH = 100
YEARS = (1900, 2100)
MOMENT = (
    "An ISO 8601 date and time such as `2026-03-30T09:30:00+03:00`. Without an offset it is Helsinki wall time; "
    "in the hour that happens twice when summer time ends, the first of the two."
)

OpenAt = Annotated[
    datetime.datetime | None,
    strawberry.argument(description=f"Keep only the places open at this moment, by their opening hours. {MOMENT}"),
]
AtMoment = Annotated[datetime.datetime | None, strawberry.argument(description=f"Defaults to now. {MOMENT}")]
ActivityIds = Annotated[
    list[strawberry.ID] | None,
    strawberry.argument(
        description="Keep the places offering any of these Activity ids; naming only national activities (phone "
        "lines, chats, websites), which no place offers, is an error."
    ),
]
TaskIds = Annotated[
    list[strawberry.ID] | None,
    strawberry.argument(
        description="Keep the places offering an activity that serves any of these FamilyCentreTask ids (THL's four "
        "family-centre tasks, `FamilyCentreTask:1` to `:4`)."
    ),
]
FILTERS = (
    "Arguments combine by AND, the values of one by OR: a place is kept when it is of one of the `kinds`, offers one "
    "of the `activityIds` and offers an activity serving one of the `taskIds`; a list left out keeps all."
)
IncludeWithdrawn = Annotated[
    bool,
    strawberry.argument(
        description="Also list what its source no longer lists (`withdrawnAt` set), which is left out by default."
    ),
]


@strawberry.input(description="Where to search from: `lat` and `lon`, or an `address` to geocode.")
class NearInput:
    lat: float | None = None
    lon: float | None = None
    address: str | None = strawberry.field(
        default=None, description="An address or place to geocode; the search starts from `geocode`'s first result."
    )


@strawberry.input(description="A map view in WGS-84 degrees; `west > east` crosses the antimeridian.")
class BoundsInput:
    south: float
    west: float
    north: float
    east: float


@strawberry.input(description="Narrows a list of municipalities.")
class MunicipalityFilter:
    area_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Keep municipalities in any of these Municipality, Region, WelfareArea or District ids.",
    )
    search: str | None = strawberry.field(
        default=None, description="Part of the Finnish or Swedish name; case and diacritics do not matter."
    )


@strawberry.input(description="Narrows a list of meeting places.")
class MeetingPlaceFilter:
    area_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Keep places in any of these Municipality, Region, WelfareArea or District ids."
    )
    kinds: list[MeetingPlaceKind] | None = None
    activity_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Keep places offering any of these Activity ids (local ones)."
    )
    task_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Keep places offering an activity that serves any of these FamilyCentreTask ids."
    )
    search: str | None = strawberry.field(
        default=None, description="Part of the name; case and diacritics do not matter."
    )


def check_latitude(value: float, argument: str) -> float:
    if not -90 <= value <= 90:
        raise InputError(argument, f"latitude {value} is outside [-90, 90]")
    return value


def check_longitude(value: float, argument: str) -> float:
    if not -180 <= value <= 180:
        raise InputError(argument, f"longitude {value} is outside [-180, 180]")
    return value


def check_range(value: float, low: float, high: float, argument: str, *, low_open: bool = False) -> float:
    too_low = value <= low if low_open else value < low
    if too_low or value > high:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise InputError(argument, f"{value:g} is outside {interval}")
    return value


def near_point(near: NearInput) -> Point | str:
    """The point to search from, or the checked address to geocode for it."""
    if near.address is not None:
        if near.lat is not None or near.lon is not None:
            raise InputError("near", "give lat and lon, or an address, not both")
        return check_address(near.address, "near.address")
    if near.lat is None or near.lon is None:
        raise InputError("near", "give both lat and lon, or an address")
    return Point(check_latitude(near.lat, "near.lat"), check_longitude(near.lon, "near.lon"))


def check_address(address: str, argument: str) -> str:
    text = normalise_address(address)
    if not text:
        raise InputError(argument, "the address is empty")
    if len(text) > MAX_ADDRESS_LENGTH:
        raise InputError(argument, f"the address is {len(text)} characters long; at most {MAX_ADDRESS_LENGTH}")
    return text


def bounds_of(bounds: BoundsInput) -> Bounds:
    south = check_latitude(bounds.south, "bounds.south")
    north = check_latitude(bounds.north, "bounds.north")
    if south > north:
        raise InputError("bounds", f"south ({south}) is north of north ({north})")
    return Bounds(
        south=south,
        west=check_longitude(bounds.west, "bounds.west"),
        north=north,
        east=check_longitude(bounds.east, "bounds.east"),
    )


def kinds_of(kinds: list[MeetingPlaceKind] | None, argument: str = "kinds") -> frozenset[MeetingPlaceKind] | None:
    return restriction(kinds, argument, "kind of meeting place")


async def places_asked(
    store: GraphStore,
    kinds: list[MeetingPlaceKind] | None,
    activity_ids: list[strawberry.ID] | None,
    task_ids: list[strawberry.ID] | None,
    open_at: datetime.datetime | None = None,
    prefix: str = "",
) -> PlaceFilter:
    """The places the arguments keep (see `FILTERS`); `prefix` is the input object's path for errors."""
    return await place_filter(
        store,
        kinds_of(kinds, f"{prefix}kinds"),
        _asked(activity_ids, f"{prefix}activityIds", "Activity"),
        _asked(task_ids, f"{prefix}taskIds", "FamilyCentreTask"),
        open_at,
    )


def _asked(ids: list[strawberry.ID] | None, argument: str, label: str) -> Asked:
    check_count(ids, argument)
    refs = None if ids is None else [parse_global_id(id_, argument, frozenset({label})) for id_ in ids]
    return Asked.of(refs, argument, label)


def search_text(search: str | None, argument: str) -> str | None:
    if search is None or not search.strip():
        return None
    if len(search) > MAX_SEARCH_LENGTH:
        raise InputError(argument, f"is longer than {MAX_SEARCH_LENGTH} characters")
    return search.strip()


def check_moment(moment: datetime.datetime | None, argument: str) -> datetime.datetime | None:
    """The moment in Helsinki time (see `graph_api.hours.helsinki_time`), or None if none was given."""
    if moment is None:
        return None
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise InputError(argument, f"year {moment.year} is outside [{YEARS[0]}, {YEARS[1]}]")
    return helsinki_time(moment)


def moment_or_now(moment: datetime.datetime | None, argument: str) -> datetime.datetime:
    """The moment given, or now: then the answer is only as good as the clock (`not_cacheable`)."""
    checked = check_moment(moment, argument)
    if checked is not None:
        return checked
    not_cacheable()
    return datetime.datetime.now(datetime.UTC)


def check_year(year: int | None) -> int | None:
    return None if year is None else int(check_range(year, *YEARS, "year"))
