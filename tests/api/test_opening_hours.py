"""`openAt`, `openingHours`, `isOpen` and `nextOpening` say what the shipped schedules say, on both backends.

The expected answers come from `seeds/demo/schedules.csv` read here with the standard library alone, by
comparing Helsinki wall clocks, not from `graph_api.hours`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from graph_api.models import Dataset
from loaders.csvfiles import read_rows
from tests.api.test_proximity import brute_force_nearby
from tests.conftest import SEEDS, GraphQLClient

pytestmark = pytest.mark.anyio

HELSINKI = ZoneInfo("Europe/Helsinki")
CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
ROWS = list(read_rows(SEEDS / "demo/schedules.csv"))
FINLAND = {"south": 59.0, "west": 19.0, "north": 71.0, "east": 32.0}

MOMENTS = [
    pytest.param("2026-03-23T06:45:00Z", id="monday 08:45 EET, before spring forward"),
    pytest.param("2026-03-30T06:30:00Z", id="monday 09:30 EEST, after spring forward"),
    pytest.param("2026-10-26T07:15:00Z", id="monday 09:15 EET, after fall back"),
    pytest.param("2026-12-02T10:00:00+02:00", id="a wednesday morning"),
    pytest.param("2026-12-02T17:30:00+02:00", id="a wednesday evening"),
    pytest.param("2026-12-05T11:00:00+02:00", id="a saturday"),
    pytest.param("2027-07-06T10:00:00+03:00", id="a tuesday in the summer break"),
    pytest.param("2027-08-09T09:45:00", id="naive: monday after the summer break"),
]


def moment_of(text: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=HELSINKI)


def applies(row: dict[str, str], day: datetime.date) -> bool:
    return (
        CODES[day.weekday()] in row["byday"].split(",")
        and (not row["valid_from"] or datetime.date.fromisoformat(row["valid_from"]) <= day)
        and (not row["valid_to"] or day <= datetime.date.fromisoformat(row["valid_to"]))
    )


def open_ids(text: str) -> set[str]:
    local = moment_of(text).astimezone(HELSINKI)
    wall = local.time().replace(tzinfo=None)
    return {
        row["location_id"]
        for row in ROWS
        if applies(row, local.date())
        and datetime.time.fromisoformat(row["opens_at"]) <= wall < datetime.time.fromisoformat(row["closes_at"])
    }


def next_openings(text: str) -> dict[str, tuple[datetime.datetime, datetime.datetime]]:
    """Each place's period under way at the moment, or else its next one (no demo rows touch or overlap)."""
    after = moment_of(text)
    found: dict[str, tuple[datetime.datetime, datetime.datetime]] = {}
    for offset in range(120):
        day = after.astimezone(HELSINKI).date() + datetime.timedelta(days=offset)
        for row in ROWS:
            opens, closes = (
                datetime.datetime.combine(day, datetime.time.fromisoformat(row[column]), HELSINKI)
                for column in ("opens_at", "closes_at")
            )
            if applies(row, day) and closes > after and row["location_id"] not in found:
                found[row["location_id"]] = (opens, closes)
    return found


async def all_places(gql: GraphQLClient, fields: str, **variables: Any) -> list[dict[str, Any]]:
    """Every page of `meetingPlaces`; `fields` may use `$at`, given with the other variables."""
    at = ", $at: DateTime" if "$at" in fields else ""
    query = (
        f"query ($after: String, $openAt: DateTime{at}) {{ meetingPlaces(first: 100, after: $after, "
        f"openAt: $openAt) {{ totalCount edges {{ node {{ id {fields} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    )
    nodes, cursor = [], None
    while True:
        page = (await gql.data(query, after=cursor, **variables))["meetingPlaces"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            assert page["totalCount"] == len(nodes)
            return nodes
        cursor = page["pageInfo"]["endCursor"]


@pytest.mark.parametrize("moment", MOMENTS)
async def test_meeting_places_open_at_pages_over_exactly_the_open_places(gql: GraphQLClient, moment: str) -> None:
    query = """query ($openAt: DateTime, $after: String) {
      meetingPlaces(first: 40, after: $after, openAt: $openAt) {
        totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }"""
    expected = sorted(open_ids(moment))
    ids, cursor = [], None
    while True:
        page = (await gql.data(query, openAt=moment, after=cursor))["meetingPlaces"]
        assert page["totalCount"] == len(expected)
        ids += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    assert ids == expected


@pytest.mark.parametrize("moment", MOMENTS)
async def test_in_bounds_open_at_counts_and_lists_only_the_open_places(gql: GraphQLClient, moment: str) -> None:
    query = """query ($bounds: BoundsInput!, $limit: Int, $openAt: DateTime) {
      inBounds(bounds: $bounds, limit: $limit, openAt: $openAt) { totalCount places { id } } }"""
    expected = sorted(open_ids(moment))
    everything = (await gql.data(query, bounds=FINLAND, limit=1000, openAt=moment))["inBounds"]
    assert [place["id"] for place in everything["places"]] == expected
    assert everything["totalCount"] == len(expected)
    first_ten = (await gql.data(query, bounds=FINLAND, limit=10, openAt=moment))["inBounds"]
    assert [place["id"] for place in first_ten["places"]] == expected[:10]
    assert first_ten["totalCount"] == len(expected)


@pytest.mark.parametrize(
    ("lat", "lon", "radius", "limit"),
    [
        pytest.param(60.1699, 24.9384, 30, 100, id="helsinki-all"),
        pytest.param(61.4978, 23.761, 300, 5, id="tampere-five-in-a-wide-radius"),
        pytest.param(66.5039, 25.7294, 1000, 20, id="rovaniemi-far"),
    ],
)
@pytest.mark.parametrize("moment", MOMENTS)
async def test_nearby_open_at_keeps_the_nearest_open_places(
    gql: GraphQLClient, dataset: Dataset, moment: str, lat: float, lon: float, radius: float, limit: int
) -> None:
    query = """query ($lat: Float, $lon: Float, $radius: Float!, $limit: Int!, $openAt: DateTime) {
      nearby(near: {lat: $lat, lon: $lon}, radiusKm: $radius, limit: $limit, openAt: $openAt) {
        distanceKm place { id isOpen(at: $openAt) } } }"""
    hits = (await gql.data(query, lat=lat, lon=lon, radius=radius, limit=limit, openAt=moment))["nearby"]
    open_now = open_ids(moment)
    expected = [ref for ref, _ in brute_force_nearby(dataset, lat, lon, radius, 1000) if ref in open_now][:limit]
    assert [hit["place"]["id"] for hit in hits] == expected
    assert all(hit["place"]["isOpen"] for hit in hits)


def test_the_moments_tell_open_places_from_closed_ones() -> None:
    """Guards the tests above: each moment opens some places and not others."""
    everywhere = {row["location_id"] for row in ROWS}
    assert all(0 < len(open_ids(param.values[0])) < len(everywhere) for param in MOMENTS)
    assert len(open_ids("2026-12-06T11:00:00+02:00")) == 0, "nothing opens on Sundays"


async def test_opening_hours_are_the_seeded_rows_and_every_demo_place_has_some(gql: GraphQLClient) -> None:
    fields = "isDemo openingHours { weekdays opensAt closesAt validFrom validTo timezone }"
    places = await all_places(gql, fields)
    seeded: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in ROWS:
        seeded[row["location_id"]].append(
            {
                "weekdays": row["byday"].split(","),
                "opensAt": row["opens_at"],
                "closesAt": row["closes_at"],
                "validFrom": row["valid_from"] or None,
                "validTo": row["valid_to"] or None,
                "timezone": row["timezone"],
            }
        )
    assert len(places) == len(seeded) > 550
    for place in places:
        assert place["isDemo"] and place["openingHours"] == seeded[place["id"]], place["id"]


@pytest.mark.parametrize(
    "after",
    [
        pytest.param("2026-12-04T12:00:00+02:00", id="friday noon"),
        pytest.param("2026-03-27T12:00:00Z", id="friday before spring forward"),
        pytest.param("2027-06-15T12:00:00+03:00", id="in the summer break"),
        pytest.param("2026-12-02T10:00:00", id="naive, while many are open"),
    ],
)
async def test_next_opening_and_is_open_of_every_place(gql: GraphQLClient, after: str) -> None:
    places = await all_places(gql, "isOpen(at: $at) nextOpening(after: $at) { opens closes }", at=after)
    expected = next_openings(after)
    open_now = open_ids(after)
    assert len(places) == len(expected)
    for place in places:
        opens, closes = expected[place["id"]]
        period = place["nextOpening"]
        got = datetime.datetime.fromisoformat(period["opens"]), datetime.datetime.fromisoformat(period["closes"])
        assert got == (opens, closes), place["id"]
        assert [t.utcoffset() for t in got] == [opens.utcoffset(), closes.utcoffset()], "at Helsinki's offset"
        assert place["isOpen"] == (place["id"] in open_now) == (opens <= moment_of(after)), place["id"]


async def test_next_opening_and_is_open_default_to_now(gql: GraphQLClient) -> None:
    query = '{ node(id: "MeetingPlace:mp-091-1") { ... on MeetingPlace { isOpen nextOpening { opens closes } } } }'
    before = datetime.datetime.now(datetime.UTC)
    place = (await gql.data(query))["node"]
    after = datetime.datetime.now(datetime.UTC)
    opens, closes = (datetime.datetime.fromisoformat(place["nextOpening"][end]) for end in ("opens", "closes"))
    assert closes > before
    assert opens <= after if place["isOpen"] else opens > before


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        pytest.param('{ meetingPlaces(openAt: "3000-01-01T00:00") { totalCount } }', "openAt", id="meetingPlaces"),
        pytest.param(
            '{ nearby(near: {lat: 60.17, lon: 24.94}, openAt: "1800-06-01T10:00Z") { distanceKm } }',
            "openAt",
            id="nearby",
        ),
        pytest.param(
            '{ inBounds(bounds: {south: 60, west: 24, north: 61, east: 25}, openAt: "2200-06-01T10:00") '
            "{ totalCount } }",
            "openAt",
            id="inBounds",
        ),
        pytest.param(
            '{ node(id: "MeetingPlace:mp-091-1") { ... on MeetingPlace { nextOpening(after: "9999-12-31T23:00") '
            "{ opens } } } }",
            "after",
            id="nextOpening",
        ),
        pytest.param(
            '{ node(id: "MeetingPlace:mp-091-1") { ... on MeetingPlace { isOpen(at: "0001-01-01T00:00") } } }',
            "at",
            id="isOpen",
        ),
    ],
)
async def test_a_moment_out_of_range_is_refused_naming_the_argument(
    gql: GraphQLClient, query: str, argument: str
) -> None:
    error = await gql.error(query)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert error["message"].startswith(f"{argument}: year ")
