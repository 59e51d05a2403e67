"""Bad input gets one GraphQL error naming the argument and the reason; never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

NEARBY = "query ($near: NearInput!, $r: Float, $n: Int) { nearby(near: $near, radiusKm: $r, limit: $n) { distanceKm } }"
GEOCODE = "query ($a: String!, $n: Int) { geocode(address: $a, limit: $n) { results { label } } }"
BOUNDS = "query ($b: BoundsInput!, $n: Int) { inBounds(bounds: $b, limit: $n) { totalCount } }"
MUNICIPALITIES = """query ($first: Int, $after: String, $filter: MunicipalityFilter) {
  municipalities(first: $first, after: $after, filter: $filter) { totalCount } }"""
PLACES = "query ($filter: MeetingPlaceFilter) { meetingPlaces(filter: $filter) { totalCount } }"
HELSINKI = {"lat": 60.17, "lon": 24.94}
BOX = {"south": 60.0, "west": 24.0, "north": 61.0, "east": 25.0}


@pytest.mark.parametrize(
    ("query", "variables", "argument", "reason"),
    [
        pytest.param(NEARBY, {"near": {"lat": 90.5, "lon": 24.9}}, "near.lat", "outside [-90, 90]", id="lat-high"),
        pytest.param(NEARBY, {"near": {"lat": -91, "lon": 24.9}}, "near.lat", "outside [-90, 90]", id="lat-low"),
        pytest.param(NEARBY, {"near": {"lat": 60, "lon": 180.1}}, "near.lon", "outside [-180, 180]", id="lon-high"),
        pytest.param(NEARBY, {"near": {"lat": 60, "lon": -200}}, "near.lon", "outside [-180, 180]", id="lon-low"),
        pytest.param(NEARBY, {"near": {"lat": 60}}, "near", "give both lat and lon", id="lon-missing"),
        pytest.param(NEARBY, {"near": {}}, "near", "or an address", id="near-empty"),
        pytest.param(NEARBY, {"near": {**HELSINKI, "address": "Åbo"}}, "near", "not both", id="address-and-point"),
        pytest.param(NEARBY, {"near": {"address": " \t "}}, "near.address", "the address is empty", id="address-blank"),
        pytest.param(
            NEARBY, {"near": {"address": "a" * 201}}, "near.address", "201 characters long", id="address-too-long"
        ),
        pytest.param(
            NEARBY, {"near": {"address": "Xyzzyplugh"}}, "near.address", "found nothing", id="address-unknown"
        ),
        pytest.param(NEARBY, {"near": {"address": "00001"}}, "near.address", "no postal code 00001", id="postal-code"),
        pytest.param(GEOCODE, {"a": ""}, "address", "the address is empty", id="geocode-empty"),
        pytest.param(GEOCODE, {"a": "Tie " * 60}, "address", "at most 200", id="geocode-too-long"),
        pytest.param(GEOCODE, {"a": "Åbo", "n": 0}, "limit", "outside [1, 10]", id="geocode-limit-zero"),
        pytest.param(GEOCODE, {"a": "Åbo", "n": 11}, "limit", "outside [1, 10]", id="geocode-limit-large"),
        pytest.param(NEARBY, {"near": HELSINKI, "r": 0}, "radiusKm", "outside (0, 1000]", id="radius-zero"),
        pytest.param(NEARBY, {"near": HELSINKI, "r": -5}, "radiusKm", "outside (0, 1000]", id="radius-negative"),
        pytest.param(NEARBY, {"near": HELSINKI, "r": 1000.5}, "radiusKm", "outside (0, 1000]", id="radius-too-large"),
        pytest.param(NEARBY, {"near": HELSINKI, "n": 0}, "limit", "outside [1, 100]", id="nearby-limit-zero"),
        pytest.param(NEARBY, {"near": HELSINKI, "n": 101}, "limit", "outside [1, 100]", id="nearby-limit-large"),
        pytest.param(BOUNDS, {"b": {**BOX, "south": -95}}, "bounds.south", "outside [-90, 90]", id="bounds-south"),
        pytest.param(BOUNDS, {"b": {**BOX, "east": 181}}, "bounds.east", "outside [-180, 180]", id="bounds-east"),
        pytest.param(BOUNDS, {"b": {**BOX, "south": 62}}, "bounds", "is north of north", id="bounds-upside-down"),
        pytest.param(BOUNDS, {"b": BOX, "n": 1001}, "limit", "outside [1, 1000]", id="bounds-limit"),
        pytest.param(MUNICIPALITIES, {"first": 101}, "first", "maximum page size", id="page-too-large"),
        pytest.param(MUNICIPALITIES, {"first": -1}, "first", "maximum page size", id="page-negative"),
        pytest.param(MUNICIPALITIES, {"after": "junk!"}, "after", "not a cursor of this list", id="cursor-junk"),
        pytest.param(
            MUNICIPALITIES,
            {"after": "TWVldGluZ1BsYWNlOm1wLTA5MS0x"},
            "after",
            "not a cursor of this list",
            id="cursor-of-another-list",
        ),
        pytest.param(
            MUNICIPALITIES,
            {"filter": {"areaIds": ["WelfareArea:XX"]}},
            "filter.areaIds",
            "no WelfareArea has the id WelfareArea:XX",
            id="unknown-area",
        ),
        pytest.param(
            MUNICIPALITIES,
            {"filter": {"areaIds": ["nonsense"]}},
            "filter.areaIds",
            "not a global id of the form Type:key",
            id="malformed-area-id",
        ),
        pytest.param(
            MUNICIPALITIES,
            {"filter": {"areaIds": ["MeetingPlace:mp-091-1"]}},
            "filter.areaIds",
            "expected the id of a District or Municipality or Region or WelfareArea",
            id="wrong-area-type",
        ),
        pytest.param(
            MUNICIPALITIES, {"filter": {"search": "x" * 101}}, "filter.search", "longer than 100", id="search-too-long"
        ),
        pytest.param(
            PLACES,
            {"filter": {"areaIds": ["District:nowhere"]}},
            "filter.areaIds",
            "no District has the id District:nowhere",
            id="unknown-district",
        ),
        pytest.param('{ node(id: "Municipality") { id } }', {}, "id", "not a global id", id="id-without-key"),
        pytest.param('{ node(id: "Planet:3") { id } }', {}, "id", "not a global id", id="id-of-unknown-type"),
        pytest.param("{ agreements(year: 20230) { since } }", {}, "year", "outside [1900, 2100]", id="year"),
    ],
)
async def test_bad_input_names_the_argument_and_the_reason(
    gql: GraphQLClient, query: str, variables: dict, argument: str, reason: str
) -> None:
    error = await gql.error(query, **variables)
    assert error["message"].startswith(f"{argument}: ")
    assert reason in error["message"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}


async def test_a_bad_argument_leaves_the_rest_of_the_answer(gql: GraphQLClient) -> None:
    body = await gql.execute('{ good: node(id: "Municipality:091") { id } bad: node(id: "x") { id } }')
    assert body["data"] == {"good": {"id": "Municipality:091"}, "bad": None}
    assert [error["path"] for error in body["errors"]] == [["bad"]]


async def test_queries_too_deep_are_refused_before_they_run(gql: GraphQLClient) -> None:
    nested = "region { municipalities { " * 6 + "id" + " } }" * 6
    deep = '{ node(id: "Municipality:091") { ... on Municipality { ' + nested + " } } }"
    error = await gql.error(deep)
    assert "exceeds maximum operation depth" in error["message"]


async def test_too_many_aliases_are_refused(gql: GraphQLClient) -> None:
    query = "{ " + " ".join(f"a{i}: regions {{ id }}" for i in range(31)) + " }"
    error = await gql.error(query)
    assert "aliases" in error["message"]


async def test_huge_documents_are_refused_unparsed(gql: GraphQLClient) -> None:
    query = "{ regions { " + "id " * 5000 + "} }"
    error = await gql.error(query)
    assert "more than 5000 tokens" in error["message"]


async def test_unexpected_errors_are_masked(gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(gql_store(gql), "agreements", broken)
    error = await gql.error("{ agreements { since } }")
    assert error["message"] == "Unexpected error."


def gql_store(gql: GraphQLClient):  # type: ignore[no-untyped-def]
    return gql.http._transport.app.routes[0].endpoint.store  # type: ignore[attr-defined]


async def test_malformed_requests_get_400_not_500(gql: GraphQLClient) -> None:
    response = await gql.http.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    response = await gql.http.post("/graphql", json={"query": "{ nosuchfield }"})
    assert response.status_code == 200 and "Cannot query field" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        pytest.param({"near": {"lat": "north", "lon": 24.9}}, ["$near", "lat", "Float"], id="string-for-float"),
        pytest.param({"near": None}, ["$near", "null"], id="null-for-required"),
        pytest.param({"near": {"lat": 60, "lon": 24, "height": 3}}, ["$near", "height"], id="unknown-field"),
        pytest.param({"near": HELSINKI, "r": "far"}, ["$r", "Float"], id="string-for-radius"),
    ],
)
async def test_wrongly_typed_variables_say_which_and_why(gql: GraphQLClient, variables: dict, words: list[str]) -> None:
    error = await gql.error(NEARBY, **variables)
    assert all(word in error["message"] for word in words), error["message"]


async def test_nested_year_arguments_are_checked_too(gql: GraphQLClient) -> None:
    error = await gql.error("{ districts { agreements(year: 3000) { since } } }")
    assert error["message"].startswith("year: ") and error["extensions"]["argument"] == "year"


@pytest.mark.parametrize("body", [b'"a string"', b"null", b"42"], ids=["string", "null", "number"])
async def test_a_json_body_that_is_no_object_gets_400(gql: GraphQLClient, body: bytes) -> None:
    response = await gql.http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400


async def test_depth_counts_through_fragments(gql: GraphQLClient) -> None:
    fragments = " ".join(
        f"fragment f{i} on Region {{ municipalities {{ region {{ ...f{i + 1} }} }} }}" for i in range(5)
    )
    error = await gql.error("{ regions { ...f0 } } " + fragments + " fragment f5 on Region { id }")
    assert "exceeds maximum operation depth of 10" in error["message"]


async def test_aliases_count_each_time_their_fragment_is_used(gql: GraphQLClient) -> None:
    fragment = "fragment many on Query { " + " ".join(f"a{i}: regions {{ id }}" for i in range(16)) + " }"
    assert "errors" not in await gql.execute("{ ...many } " + fragment)
    error = await gql.error("{ ...many ... on Query { ...many } } " + fragment)
    assert error["message"] == "32 aliases found. Allowed: 30"
