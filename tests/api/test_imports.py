"""Where the data came from, in the API: the imports applied, each node's provenance, and withdrawn places
kept (found by id) but left out of lists, proximity, maps and coverage unless asked for."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import AsyncIterator
from typing import Any

import pytest

from graph_api.models import (
    IMPORT_COUNTS,
    Dataset,
    FamilyCentre,
    ImportRecord,
    MeetingPlace,
    MeetingPlaceKind,
    NodeRef,
    Point,
    Relationship,
)
from graph_api.store.base import GraphStore
from tests.conftest import GraphQLClient, client_for

pytestmark = pytest.mark.anyio

IMPORTED = datetime.datetime(2026, 1, 5, 8, 0, tzinfo=datetime.UTC)
UPDATED = datetime.datetime(2026, 2, 9, 12, 30, tzinfo=datetime.UTC)
WITHDRAWN = datetime.datetime(2026, 3, 2, 7, 15, tzinfo=datetime.UTC)

CURRENT_AT = Point(60.16, 24.70)
"""In Espoo's sea-side woods, where the seeds have no meeting place; the withdrawn one is 50 m north."""
WITHDRAWN_AT = Point(60.16045, 24.70)
ESPOO = NodeRef("Municipality", "049")
CENTRE = FamilyCentre(
    "ptv-fc-1",
    "ptv",
    "Espoon perhekeskus",
    "Esbo familjecenter",
    source_id="fc-1",
    street_address="Kamreerintie 2",
    postal_code="02770",
    location=Point(60.2055, 24.6559),
    imported_at=IMPORTED,
    updated_at=UPDATED,
)


def place(key: str, at: Point, withdrawn_at: datetime.datetime | None = None) -> MeetingPlace:
    return MeetingPlace(
        key,
        "ptv",
        f"Perhekahvila {key}",
        MeetingPlaceKind.FAMILY_CAFE,
        at,
        name_sv=f"Familjekafé {key}",
        street_address="Rantatie 1",
        postal_code="02360",
        source_id=f"id-{key}",
        imported_at=IMPORTED,
        updated_at=withdrawn_at or UPDATED,
        withdrawn_at=withdrawn_at,
    )


STAMP = {"imported_at": IMPORTED, "updated_at": UPDATED}
"""The provenance an import writes on a relationship (a seed's has none)."""


def ties(key: str) -> list[Relationship]:
    """The place in Espoo, in the centre's network, run by MLL, offering family cafés."""
    ref = NodeRef("MeetingPlace", key)
    return [
        Relationship("LOCATED_IN", ref, ESPOO, "ptv", STAMP),
        Relationship("PART_OF", ref, NodeRef.of(CENTRE), "ptv", STAMP),
        Relationship("RUN_BY", ref, NodeRef("Organization", "mll"), "ptv", {"role": "COORDINATOR", **STAMP}),
        Relationship("OFFERS", ref, NodeRef("Activity", "family-cafes"), "ptv", STAMP),
    ]


@pytest.fixture
async def seeded(new_store: GraphStore, dataset: Dataset) -> GraphStore:
    await new_store.load(dataset)
    return new_store


@pytest.fixture
async def gql(seeded: GraphStore) -> AsyncIterator[GraphQLClient]:
    async with client_for(seeded) as http:
        yield GraphQLClient(http)


async def import_places(store: GraphStore) -> None:
    """A current place and, 50 m from it, one its source no longer lists."""
    current, withdrawn = place("ptv-now", CURRENT_AT), place("ptv-gone", WITHDRAWN_AT, WITHDRAWN)
    await store.load(Dataset([CENTRE, current, withdrawn], [*ties("ptv-now"), *ties("ptv-gone")]))


IMPORTS = """query ($first: Int!, $after: String) { imports(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { number at source by created updated unchanged withdrawn rejected warnings } } } }"""


async def test_imports_list_newest_first_a_page_at_a_time_with_their_counts(
    seeded: GraphStore, gql: GraphQLClient
) -> None:
    for number, source in enumerate(["ptv", "hsds", "ptv"], start=1):
        summary = {name: number * 10 + i for i, name in enumerate(IMPORT_COUNTS)}
        at = IMPORTED + datetime.timedelta(days=number)
        record = ImportRecord(at=at, source=source, by=f"operator {number}", summary={**summary, "skipped": 4})
        await seeded.load(Dataset([place(f"ptv-{number}", CURRENT_AT)], []), record=record)

    first = (await gql.data(IMPORTS, first=2))["imports"]
    assert first["totalCount"] == 3
    assert first["pageInfo"] == {"hasNextPage": True, "endCursor": first["edges"][-1]["cursor"]}
    assert [edge["node"] for edge in first["edges"]] == [
        {
            "number": 3,
            "at": "2026-01-08T08:00:00+00:00",
            "source": "ptv",
            "by": "operator 3",
            **{name: 30 + i for i, name in enumerate(IMPORT_COUNTS)},
        },
        {
            "number": 2,
            "at": "2026-01-07T08:00:00+00:00",
            "source": "hsds",
            "by": "operator 2",
            **{name: 20 + i for i, name in enumerate(IMPORT_COUNTS)},
        },
    ]
    rest = (await gql.data(IMPORTS, first=2, after=first["pageInfo"]["endCursor"]))["imports"]
    assert [edge["node"]["number"] for edge in rest["edges"]] == [1]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_a_store_without_imports_lists_none(gql: GraphQLClient) -> None:
    assert (await gql.data(IMPORTS, first=20))["imports"] == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


@pytest.mark.parametrize(
    ("after", "why"),
    [
        pytest.param("TWVldGluZ1BsYWNlOm1wLTA5MS0x", "is not a cursor of this list", id="another-lists-cursor"),
        pytest.param("SW1wb3J0OnRocmVl", "is not a cursor of this list", id="not-a-number"),
        pytest.param("not base64!", "is not a cursor of this list", id="garbage"),
    ],
)
async def test_imports_refuse_a_cursor_that_is_not_theirs(gql: GraphQLClient, after: str, why: str) -> None:
    error = await gql.error(IMPORTS, first=5, after=after)
    assert error["extensions"]["argument"] == "after"
    assert why in error["message"]


async def test_imports_page_size_is_bounded(gql: GraphQLClient) -> None:
    error = await gql.error(IMPORTS, first=101)
    assert error["extensions"]["argument"] == "first"


PROVENANCE = "sourceId importedAt updatedAt withdrawnAt"


async def test_imported_nodes_show_their_provenance_and_address(seeded: GraphStore, gql: GraphQLClient) -> None:
    await import_places(seeded)
    query = f"""{{
      place: node(id: "MeetingPlace:ptv-gone") {{
        ... on MeetingPlace {{ source {PROVENANCE} name nameSv streetAddress postalCode }} }}
      centre: node(id: "FamilyCentre:ptv-fc-1") {{
        ... on FamilyCentre {{ {PROVENANCE} streetAddress postalCode location {{ lat lon }} }} }}
      seeded: node(id: "Municipality:049") {{ {PROVENANCE} }}
    }}"""
    data = await gql.data(query)
    assert data["place"] == {
        "source": "ptv",
        "sourceId": "id-ptv-gone",
        "importedAt": "2026-01-05T08:00:00+00:00",
        "updatedAt": "2026-03-02T07:15:00+00:00",
        "withdrawnAt": "2026-03-02T07:15:00+00:00",
        "name": "Perhekahvila ptv-gone",
        "nameSv": "Familjekafé ptv-gone",
        "streetAddress": "Rantatie 1",
        "postalCode": "02360",
    }
    assert data["centre"] == {
        "sourceId": "fc-1",
        "importedAt": "2026-01-05T08:00:00+00:00",
        "updatedAt": "2026-02-09T12:30:00+00:00",
        "withdrawnAt": None,
        "streetAddress": "Kamreerintie 2",
        "postalCode": "02770",
        "location": {"lat": 60.2055, "lon": 24.6559},
    }
    assert data["seeded"] == {"sourceId": None, "importedAt": None, "updatedAt": None, "withdrawnAt": None}


async def test_a_family_centre_without_a_service_location_has_none(gql: GraphQLClient) -> None:
    query = '{ node(id: "FamilyCentre:fc-ek") { ... on FamilyCentre { streetAddress postalCode location { lat } } } }'
    assert (await gql.data(query))["node"] == {"streetAddress": None, "postalCode": None, "location": None}


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


RELATED = """query ($all: Boolean!) {
  espoo: node(id: "Municipality:049") { ... on Municipality { meetingPlaces(includeWithdrawn: $all) { id } } }
  centre: node(id: "FamilyCentre:ptv-fc-1") { ... on FamilyCentre { meetingPlaces(includeWithdrawn: $all) { id } } }
  mll: node(id: "Organization:mll") { ... on Organization { meetingPlaces(includeWithdrawn: $all) { id } } }
  cafes: node(id: "Activity:family-cafes") { ... on Activity { meetingPlaces(includeWithdrawn: $all) { id } } }
}"""


@pytest.mark.parametrize("field", ["espoo", "centre", "mll", "cafes"])
async def test_lists_of_places_reached_from_a_node_leave_withdrawn_ones_out_unless_asked(
    seeded: GraphStore, gql: GraphQLClient, field: str
) -> None:
    await import_places(seeded)
    by_default = ids((await gql.data(RELATED, all=False))[field]["meetingPlaces"])
    asked = ids((await gql.data(RELATED, all=True))[field]["meetingPlaces"])
    assert "MeetingPlace:ptv-now" in by_default
    assert "MeetingPlace:ptv-gone" not in by_default
    assert sorted(asked) == sorted([*by_default, "MeetingPlace:ptv-gone"])


async def test_a_countys_family_centres_leave_withdrawn_ones_out_unless_asked(
    seeded: GraphStore, gql: GraphQLClient
) -> None:
    closed = dataclasses.replace(CENTRE, key="ptv-fc-closed", withdrawn_at=WITHDRAWN)
    county = NodeRef("WelfareArea", "LU")
    serves = [Relationship("SERVES", NodeRef.of(centre), county, "ptv", STAMP) for centre in (CENTRE, closed)]
    await seeded.load(Dataset([CENTRE, closed], serves))
    query = """query ($all: Boolean!) { node(id: "WelfareArea:LU") {
        ... on WelfareArea { familyCentres(includeWithdrawn: $all) { id } } } }"""
    by_default = ids((await gql.data(query, all=False))["node"]["familyCentres"])
    asked = ids((await gql.data(query, all=True))["node"]["familyCentres"])
    assert "FamilyCentre:ptv-fc-1" in by_default
    assert sorted(asked) == sorted([*by_default, "FamilyCentre:ptv-fc-closed"])


async def test_meeting_places_leave_withdrawn_ones_out_unless_asked(seeded: GraphStore, gql: GraphQLClient) -> None:
    await import_places(seeded)
    query = """query ($all: Boolean!) { meetingPlaces(filter: {search: "perhekahvila ptv"}, includeWithdrawn: $all) {
        totalCount edges { node { id withdrawnAt } } } }"""
    current = (await gql.data(query, all=False))["meetingPlaces"]
    assert [edge["node"]["id"] for edge in current["edges"]] == ["MeetingPlace:ptv-now"]
    assert current["totalCount"] == 1
    every = (await gql.data(query, all=True))["meetingPlaces"]
    assert [edge["node"] for edge in every["edges"]] == [
        {"id": "MeetingPlace:ptv-gone", "withdrawnAt": "2026-03-02T07:15:00+00:00"},
        {"id": "MeetingPlace:ptv-now", "withdrawnAt": None},
    ]


async def test_a_withdrawn_place_is_still_found_by_id(seeded: GraphStore, gql: GraphQLClient) -> None:
    await import_places(seeded)
    data = await gql.data('{ nodes(ids: ["MeetingPlace:ptv-gone"]) { id } node(id: "MeetingPlace:ptv-gone") { id } }')
    assert data == {"nodes": [{"id": "MeetingPlace:ptv-gone"}], "node": {"id": "MeetingPlace:ptv-gone"}}


MAP = """query ($lat: Float!, $lon: Float!) {
  nearby(near: {lat: $lat, lon: $lon}, radiusKm: 0.2) { place { id } }
  inBounds(bounds: {south: 60.159, west: 24.699, north: 60.161, east: 24.701}) { totalCount places { id } }
  clusters(bounds: {south: 60.159, west: 24.699, north: 60.161, east: 24.701}, zoom: 18) {
    totalCount clusters { place { id } } }
  meetingPlacesGeoJson(bounds: {south: 60.159, west: 24.699, north: 60.161, east: 24.701})
  coverage(areaId: "Municipality:049") { places }
}"""


async def test_proximity_maps_and_coverage_leave_withdrawn_places_out(seeded: GraphStore, gql: GraphQLClient) -> None:
    before = await gql.data(MAP, lat=WITHDRAWN_AT.lat, lon=WITHDRAWN_AT.lon)
    await import_places(seeded)
    data = await gql.data(MAP, lat=WITHDRAWN_AT.lat, lon=WITHDRAWN_AT.lon)
    current = [{"id": "MeetingPlace:ptv-now"}]
    assert [hit["place"] for hit in data["nearby"]] == current
    assert data["inBounds"] == {"totalCount": 1, "places": current}
    assert data["clusters"] == {"totalCount": 1, "clusters": [{"place": current[0]}]}
    features = data["meetingPlacesGeoJson"]["features"]
    assert [feature["id"] for feature in features] == ["MeetingPlace:ptv-now"]
    assert data["coverage"]["places"] == before["coverage"]["places"] + 1
