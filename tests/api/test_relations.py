"""Every relation can be followed both ways, and the two ways agree."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio


async def test_node_resolves_global_ids_of_every_type(gql: GraphQLClient) -> None:
    ids = [
        "Region:FI1B1",
        "WelfareArea:HKI",
        "Municipality:091",
        "District:uusimaa",
        "Organization:mll",
        "Activity:family-cafes",
        "FamilyCentreTask:1",
        "LocalAssociation:la-091-1",
        "FamilyCentre:fc-hki",
        "MeetingPlace:mp-091-1",
    ]
    data = await gql.data("query ($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }", ids=ids)
    assert [node["id"] for node in data["nodes"]] == ids
    assert [node["__typename"] for node in data["nodes"]] == [i.split(":")[0] for i in ids]


async def test_unknown_id_gives_null(gql: GraphQLClient) -> None:
    data = await gql.data('{ node(id: "Municipality:999") { id } }')
    assert data["node"] is None


async def test_municipality_relations(gql: GraphQLClient) -> None:
    data = await gql.data("""{ node(id: "Municipality:837") { ... on Municipality {
        nameFi nameSv population populationYear areaKm2 location { lat lon } isDemo source
        welfareArea { id } region { id } districts { id }
        meetingPlaces { id municipality { id } } localAssociations { id district { id } } } } }""")
    tampere = data["node"]
    assert (tampere["nameFi"], tampere["nameSv"]) == ("Tampere", "Tammerfors")
    assert tampere["population"] == 241009 and tampere["populationYear"] == 2020
    assert tampere["isDemo"] is False and tampere["source"] == "yle"
    assert tampere["welfareArea"]["id"] == "WelfareArea:PI"
    assert tampere["region"]["id"] == "Region:FI197"
    assert tampere["districts"] == [{"id": "District:hame"}]
    assert tampere["meetingPlaces"]
    assert all(p["municipality"]["id"] == "Municipality:837" for p in tampere["meetingPlaces"])
    assert all(a["district"]["id"] == "District:hame" for a in tampere["localAssociations"])
    assert 61.3 < tampere["location"]["lat"] < 61.7 and 23.4 < tampere["location"]["lon"] < 24.2


async def test_aland_has_no_county_and_no_district(gql: GraphQLClient) -> None:
    data = await gql.data(
        '{ node(id: "Municipality:478") { ... on Municipality { nameSv welfareArea { id } '
        "region { id } districts { id } } } }"
    )
    assert data["node"] == {
        "nameSv": "Mariehamn",
        "welfareArea": None,
        "region": {"id": "Region:FI200"},
        "districts": [],
    }


async def test_areas_and_their_municipalities_agree_both_ways(gql: GraphQLClient) -> None:
    data = await gql.data("""{ welfareAreas { id population municipalities { population welfareArea { id } } }
        regions { id population municipalities { region { id } } } }""")
    for area in data["welfareAreas"]:
        assert area["municipalities"]
        assert {m["welfareArea"]["id"] for m in area["municipalities"]} == {area["id"]}
        assert area["population"] == sum(m["population"] for m in area["municipalities"])
    assert sum(len(a["municipalities"]) for a in data["welfareAreas"]) == 309 - 16
    for region in data["regions"]:
        assert {m["region"]["id"] for m in region["municipalities"]} == {region["id"]}
    assert sum(len(r["municipalities"]) for r in data["regions"]) == 309
    assert sum(r["population"] for r in data["regions"]) == 5_533_793


async def test_district_relations(gql: GraphQLClient) -> None:
    data = await gql.data("""{ node(id: "District:hame") { ... on District {
        regions { id districts { id } } municipalities { id districts { id } }
        localAssociations { district { id } } agreements { party { ... on WelfareArea { id } } } } } }""")
    hame = data["node"]
    assert [r["id"] for r in hame["regions"]] == ["Region:FI197", "Region:FI1C2", "Region:FI1C3"]
    assert all({"id": "District:hame"} in r["districts"] for r in hame["regions"])
    assert len(hame["municipalities"]) == 23 + 11 + 10
    assert all({"id": "District:hame"} in m["districts"] for m in hame["municipalities"])
    assert hame["localAssociations"] and all(a["district"]["id"] == "District:hame" for a in hame["localAssociations"])


async def test_meeting_place_relations(gql: GraphQLClient) -> None:
    data = await gql.data("""{ meetingPlaces(first: 100, filter: {kinds: [MEETING_PLACE]}) { edges { node {
        id isDemo source municipality { id } familyCentre { id meetingPlaces { id } }
        runBy { role organiser { __typename ... on District { meetingPlaces: localAssociations { id } }
          ... on FamilyCentre { meetingPlaces { id } } } }
        activities { id meetingPlaces { id } } } } } }""")
    for edge in data["meetingPlaces"]["edges"]:
        place = edge["node"]
        assert place["isDemo"] and place["source"] == "demo"
        assert {"id": place["id"]} in place["familyCentre"]["meetingPlaces"]
        assert place["runBy"][0]["role"] == "COORDINATOR"
        assert all({"id": place["id"]} in activity["meetingPlaces"] for activity in place["activities"])
        assert "Activity:meeting-places" in [a["id"] for a in place["activities"]]


async def test_family_cafes_are_run_by_a_local_association_of_their_municipality(gql: GraphQLClient) -> None:
    data = await gql.data("""{ meetingPlaces(first: 100, filter: {kinds: [FAMILY_CAFE]}) { edges { node {
        municipality { id } runBy { role isDemo organiser { ... on LocalAssociation { id municipalities { id }
          meetingPlaces { id } } } } id } } } }""")
    for edge in data["meetingPlaces"]["edges"]:
        place = edge["node"]
        (run,) = place["runBy"]
        assert run["role"] == "COORDINATOR" and run["isDemo"] is True
        assert place["municipality"] in run["organiser"]["municipalities"]
        assert {"id": place["id"]} in run["organiser"]["meetingPlaces"]


async def test_family_centres_serve_areas(gql: GraphQLClient) -> None:
    data = await gql.data("{ welfareAreas { id familyCentres { serves { __typename ... on WelfareArea { id } } } } }")
    for area in data["welfareAreas"]:
        assert {"__typename": "WelfareArea", "id": area["id"]} in [
            served for centre in area["familyCentres"] for served in centre["serves"]
        ]


async def test_activities_and_tasks_follow_the_source_document(gql: GraphQLClient) -> None:
    data = await gql.data("""{ familyCentreTasks { number activities { id tasks { number } } } }""")
    by_task = {task["number"]: {a["id"] for a in task["activities"]} for task in data["familyCentreTasks"]}
    assert {"Activity:family-cafes", "Activity:meeting-places", "Activity:peer-students"} <= by_task[1]
    assert {"Activity:family-cafes", "Activity:parents-helpline", "Activity:vanhempainnetti"} <= by_task[2]
    assert {"Activity:support-persons", "Activity:youth-crisis-line"} <= by_task[3]
    assert by_task[4] == {"Activity:peer-students", "Activity:nuortennetti", "Activity:vanhempainnetti"}
    for task in data["familyCentreTasks"]:
        assert all({"number": task["number"]} in activity["tasks"] for activity in task["activities"])
