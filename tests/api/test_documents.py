"""A document is parsed and validated once by its text (graph_api.schema.documents): asked again with other
variables it answers for those, and what it was refused for it is refused for again."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

NEARBY = """query Nearby($lat: Float!, $lon: Float!) {
    nearby(near: {lat: $lat, lon: $lon}, radiusKm: 30, limit: 3) { place { id } } }"""
LITERAL = "{ nearby(near: {lat: %s, lon: %s}, radiusKm: 30, limit: 3) { place { id } } }"
HELSINKI, OULU = (60.1699, 24.9384), (65.0121, 25.4651)


def ids(data: dict[str, list[dict[str, dict[str, str]]]]) -> list[str]:
    return [hit["place"]["id"] for hit in data["nearby"]]


async def test_documents_asked_again_answer_for_their_variables(gql: GraphQLClient) -> None:
    answers = {}
    for lat, lon in (HELSINKI, OULU, HELSINKI):
        answers[lat, lon] = ids(await gql.data(NEARBY, lat=lat, lon=lon))
        assert answers[lat, lon] == ids(await gql.data(LITERAL % (lat, lon)))  # a document of its own, parsed anew
    assert answers[HELSINKI] and answers[OULU] and not set(answers[HELSINKI]) & set(answers[OULU])


async def test_documents_asked_again_refuse_variables_that_do_not_fit(gql: GraphQLClient) -> None:
    await gql.data(NEARBY, lat=HELSINKI[0], lon=HELSINKI[1])
    error = await gql.error(NEARBY, lat="north", lon=HELSINKI[1])
    assert "$lat" in error["message"]


@pytest.mark.parametrize(
    ("query", "refusal"),
    [
        ("query ($n: Int!) { regions { id shoeSize(first: $n) } }", "Cannot query field 'shoeSize'"),
        (
            "query ($id: ID!) { node(id: $id) { ... on Municipality { "
            + "districts { municipalities { " * 6
            + "id"
            + " } }" * 6
            + " } } }",
            "exceeds maximum operation depth",
        ),
        (
            "query ($n: Int!) { a0: municipalities(first: $n) { totalCount } "
            + " ".join(f"a{i}: regions {{ id }}" for i in range(1, 31))
            + " }",
            "aliases",
        ),
        ("query ($n: Int!) { regions { " + "id " * 5000 + "} }", "more than 5000 tokens"),
    ],
    ids=["unknown field", "too deep", "too many aliases", "too many tokens"],
)
async def test_documents_refused_are_refused_again_whatever_the_variables(
    gql: GraphQLClient, query: str, refusal: str
) -> None:
    first = await gql.error(query, n=1, id="Municipality:091")
    again = await gql.error(query, n=2, id="Municipality:092")
    assert refusal in first["message"] and again == first
