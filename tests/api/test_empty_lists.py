"""One rule for every list argument and list URL parameter that restricts an answer: left out (or null) means
no restriction, and an explicitly empty list is an error naming the argument, never an empty (or full) answer.

A list a mutation writes is a value, not a restriction: empty means none (a place offering no activity, open
no hours), as tests/api/test_mutations.py shows for each."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNamedType, GraphQLNonNull, GraphQLType

from graph_api.schema import build_schema
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

BOX = "{south: 60.0, west: 24.0, north: 61.0, east: 25.0}"
KINDS = "[MeetingPlaceKind!]"
PLACE_QUESTIONS = {
    "nearby": "nearby(near: {lat: 60.17, lon: 24.94}, ARGUMENT) { distanceKm }",
    "inBounds": f"inBounds(bounds: {BOX}, ARGUMENT) {{ totalCount }}",
    "clusters": f"clusters(bounds: {BOX}, zoom: 5, ARGUMENT) {{ totalCount }}",
    "meetingPlacesGeoJson": f"meetingPlacesGeoJson(bounds: {BOX}, ARGUMENT)",
    "coverage": 'coverage(areaId: "WelfareArea:KY", ARGUMENT) { population }',
    "coverageGaps": 'coverageGaps(areaId: "WelfareArea:KY", ARGUMENT) { totalCount }',
}
"""The questions about places that take `activityIds` and `taskIds`, with the argument's place marked."""
LIST_ARGUMENTS = {
    # the list's path in the schema: (its GraphQL type, a field that passes it as $list)
    "nodes.ids": ("[ID!]!", "nodes(ids: $list) { id }"),
    "municipalities.filter.areaIds": ("[ID!]", "municipalities(filter: {areaIds: $list}) { totalCount }"),
    "meetingPlaces.filter.areaIds": ("[ID!]", "meetingPlaces(filter: {areaIds: $list}) { totalCount }"),
    "meetingPlaces.filter.kinds": (KINDS, "meetingPlaces(filter: {kinds: $list}) { totalCount }"),
    "nearby.kinds": (KINDS, "nearby(near: {lat: 60.17, lon: 24.94}, kinds: $list) { distanceKm }"),
    "inBounds.kinds": (KINDS, f"inBounds(bounds: {BOX}, kinds: $list) {{ totalCount }}"),
    "clusters.kinds": (KINDS, f"clusters(bounds: {BOX}, zoom: 5, kinds: $list) {{ totalCount }}"),
    "meetingPlacesGeoJson.kinds": (KINDS, f"meetingPlacesGeoJson(bounds: {BOX}, kinds: $list)"),
    "coverage.kinds": (KINDS, 'coverage(areaId: "WelfareArea:KY", kinds: $list) { population }'),
    "coverageGaps.kinds": (KINDS, 'coverageGaps(areaId: "WelfareArea:KY", kinds: $list) { totalCount }'),
    **{
        f"{field}.{name}": ("[ID!]", call.replace("ARGUMENT", f"{name}: $list"))
        for name in ("activityIds", "taskIds")
        for field, call in PLACE_QUESTIONS.items()
    },
    "meetingPlaces.filter.activityIds": ("[ID!]", "meetingPlaces(filter: {activityIds: $list}) { totalCount }"),
    "meetingPlaces.filter.taskIds": ("[ID!]", "meetingPlaces(filter: {taskIds: $list}) { totalCount }"),
    "relations.types": ("[RelationshipType!]", 'relations(id: "District:hame", types: $list) { nodes { id } }'),
    "path.types": (
        "[RelationshipType!]",
        'path(from: "District:hame", to: "Municipality:091", types: $list) { length }',
    ),
}

VALUE_LISTS = {
    "Mutation.createMeetingPlace.input.activityIds",
    "Mutation.updateMeetingPlace.input.activityIds",
    "Mutation.setOpeningHours.input.hours",
    "Mutation.setOpeningHours.input.closures",
    "Mutation.createLocalAssociation.input.municipalityIds",
    "Mutation.updateLocalAssociation.input.municipalityIds",
}
SUBSCRIPTION_LISTS = {"Subscription.placesChanged.kinds"}
"""Read by `kinds_of`, as `nearby.kinds` is; a subscription runs over a websocket only."""


def query_of(list_type: str, field: str) -> str:
    return f"query ($list: {list_type}) {{ {field} }}"


def argument_of(path: str) -> str:
    """What the error names: the path below the field, e.g. `filter.kinds` for `meetingPlaces.filter.kinds`."""
    return path.split(".", 1)[1]


def list_paths(prefix: str, arguments: dict[str, Any]) -> set[str]:
    """The paths of every list among these arguments, inside input objects too."""
    found: set[str] = set()
    for name, argument in arguments.items():
        kind: GraphQLType = argument.type
        kind = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
        if isinstance(kind, GraphQLList):
            found.add(f"{prefix}.{name}")
        elif isinstance(kind, GraphQLInputObjectType):
            found |= list_paths(f"{prefix}.{name}", kind.fields)
    return found


def test_every_list_argument_of_the_schema_is_under_the_rule() -> None:
    """A new list argument must join `LIST_ARGUMENTS`, so the tests below check it too."""
    schema = build_schema()._schema
    found: set[str] = set()
    for named in schema.type_map.values():
        fields = getattr(named, "fields", {}) if isinstance(named, GraphQLNamedType) else {}
        if named.name.startswith("__") or isinstance(named, GraphQLInputObjectType):
            continue
        for field_name, field in fields.items():
            prefix = field_name if named is schema.query_type else f"{named.name}.{field_name}"
            found |= list_paths(prefix, field.args)
    assert found == set(LIST_ARGUMENTS) | VALUE_LISTS | SUBSCRIPTION_LISTS


@pytest.mark.parametrize("path", LIST_ARGUMENTS)
async def test_an_empty_list_is_an_error_naming_the_argument(gql: GraphQLClient, path: str) -> None:
    list_type, field = LIST_ARGUMENTS[path]
    error = await gql.error(query_of(list_type, field), list=[])
    argument = argument_of(path)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert error["message"].startswith(f"{argument}: is empty: name at least one ")


OPTIONAL_LISTS = [path for path, (list_type, _) in LIST_ARGUMENTS.items() if not list_type.endswith("!")]


@pytest.mark.parametrize("path", OPTIONAL_LISTS)
async def test_a_list_left_null_restricts_nothing(gql: GraphQLClient, path: str) -> None:
    list_type, field = LIST_ARGUMENTS[path]
    left_out = re.sub(r"\w+: \$list", "", field)
    assert await gql.data(query_of(list_type, field), list=None) == await gql.data(f"{{ {left_out} }}")


async def test_the_empty_list_messages_say_what_to_name_and_how_to_ask_for_all(gql: GraphQLClient) -> None:
    kinds = await gql.error(query_of(KINDS, LIST_ARGUMENTS["nearby.kinds"][1]), list=[])
    assert kinds["message"] == "kinds: is empty: name at least one kind of meeting place, or leave it out for all"
    ids = await gql.error(query_of("[ID!]!", LIST_ARGUMENTS["nodes.ids"][1]), list=[])
    assert ids["message"] == "ids: is empty: name at least one id"


URL_LISTS = {"kinds": "kind of meeting place", "activities": "activity", "tasks": "family-centre task"}


@pytest.mark.parametrize("parameter", URL_LISTS)
@pytest.mark.parametrize("value", ["", ",", " , "])
async def test_an_empty_list_url_parameter_is_a_bad_request(
    http: httpx.AsyncClient, parameter: str, value: str
) -> None:
    response = await http.get("/geojson/meeting-places", params={parameter: value})
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter
    assert f"name at least one {URL_LISTS[parameter]}," in response.json()["error"]["message"]


async def test_a_kinds_url_parameter_left_out_restricts_nothing(http: httpx.AsyncClient) -> None:
    every_kind = "FAMILY_CAFE,MEETING_PLACE,FAMILY_HOUSE,OPEN_DAYCARE"
    left_out = await http.get("/geojson/meeting-places")
    assert left_out.status_code == 200
    assert left_out.json() == (await http.get("/geojson/meeting-places", params={"kinds": every_kind})).json()
