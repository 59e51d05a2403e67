"""Lists, counts, pagination, filters and search."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

PAGE = """
query ($first: Int, $after: String, $filter: MunicipalityFilter) {
  municipalities(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id code nameFi nameSv } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_counts_match_the_reference_data(gql: GraphQLClient) -> None:
    data = await gql.data(
        "{ regions { id } welfareAreas { id kind } districts { id } municipalities(first: 0) { totalCount } }"
    )
    assert len(data["regions"]) == 19
    assert len(data["welfareAreas"]) == 22
    assert [a["id"] for a in data["welfareAreas"] if a["kind"] == "CITY"] == ["WelfareArea:HKI"]
    assert len(data["districts"]) == 10
    assert data["municipalities"]["totalCount"] == 309


async def test_municipalities_paginate_to_the_end_in_code_order(gql: GraphQLClient) -> None:
    seen, after, pages = [], None, 0
    while True:
        page = (await gql.data(PAGE, first=100, after=after))["municipalities"]
        assert page["totalCount"] == 309
        seen += [edge["node"]["code"] for edge in page["edges"]]
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert pages == 4
    assert len(seen) == 309 == len(set(seen))
    assert seen == sorted(seen)
    assert all(len(code) == 3 and code.isdigit() for code in seen)


async def test_meeting_places_paginate_to_the_end(gql: GraphQLClient) -> None:
    query = """query ($after: String) { meetingPlaces(first: 100, after: $after) {
        totalCount edges { node { id isDemo } } pageInfo { hasNextPage endCursor } } }"""
    ids, after = [], None
    while True:
        page = (await gql.data(query, after=after))["meetingPlaces"]
        ids += [edge["node"]["id"] for edge in page["edges"]]
        assert all(edge["node"]["isDemo"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(ids) == len(set(ids)) == page["totalCount"]
    assert 550 <= len(ids) <= 600


async def test_an_empty_page_has_no_end_cursor(gql: GraphQLClient) -> None:
    page = (await gql.data(PAGE, first=0))["municipalities"]
    assert page["edges"] == []
    assert page["pageInfo"] == {"hasNextPage": True, "endCursor": None}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        pytest.param("jyvaskyla", ["Jyväskylä"], id="diacritics-ignored"),
        pytest.param("JYVÄSKYLÄ", ["Jyväskylä"], id="case-ignored"),
        pytest.param("vasa", ["Vaasa"], id="swedish-name"),
        pytest.param("helsingfors", ["Helsinki"], id="swedish-name-of-helsinki"),
        pytest.param("Borgå", ["Porvoo"], id="swedish-name-of-porvoo"),
        pytest.param("BORGA", ["Porvoo"], id="swedish-name-without-its-ring"),
        pytest.param("abo", ["Oulu", "Turku"], id="part-of-swedish-names-uleaborg-and-abo"),
        pytest.param("mantta", ["Mänttä-Vilppula"], id="part-of-a-name"),
        pytest.param("no such place", [], id="nothing"),
    ],
)
async def test_municipality_search_ignores_case_and_diacritics(
    gql: GraphQLClient, search: str, expected: list[str]
) -> None:
    page = (await gql.data(PAGE, first=100, filter={"search": search}))["municipalities"]
    assert [edge["node"]["nameFi"] for edge in page["edges"]] == expected
    assert page["totalCount"] == len(expected)


async def test_municipality_filter_by_areas(gql: GraphQLClient) -> None:
    county = await gql.data(PAGE, first=100, filter={"areaIds": ["WelfareArea:KA"]})
    names = {edge["node"]["nameFi"] for edge in county["municipalities"]["edges"]}
    assert "Kajaani" in names and county["municipalities"]["totalCount"] == 8
    both = await gql.data(PAGE, first=100, filter={"areaIds": ["WelfareArea:KA", "Region:FI200"]})
    assert both["municipalities"]["totalCount"] == 8 + 16
    district = await gql.data(PAGE, first=100, filter={"areaIds": ["District:hame"], "search": "tampere"})
    assert [e["node"]["id"] for e in district["municipalities"]["edges"]] == ["Municipality:837"]


async def test_meeting_places_filter_by_area_kind_and_search(gql: GraphQLClient) -> None:
    query = """query ($filter: MeetingPlaceFilter) { meetingPlaces(first: 100, filter: $filter) {
        totalCount edges { node { name kind municipality { id welfareArea { id } } } } } }"""
    cafes = (await gql.data(query, filter={"areaIds": ["WelfareArea:PI"], "kinds": ["FAMILY_CAFE"]}))["meetingPlaces"]
    assert cafes["totalCount"] > 0
    for edge in cafes["edges"]:
        assert edge["node"]["kind"] == "FAMILY_CAFE"
        assert edge["node"]["municipality"]["welfareArea"]["id"] == "WelfareArea:PI"
    in_helsinki = await gql.data(query, filter={"areaIds": ["Municipality:091"], "search": "PERHEKAHVILA"})
    for edge in in_helsinki["meetingPlaces"]["edges"]:
        assert edge["node"]["municipality"]["id"] == "Municipality:091"
        assert edge["node"]["name"].startswith("Perhekahvila")


async def test_small_lists(gql: GraphQLClient) -> None:
    data = await gql.data("{ activities { id channel } familyCentreTasks { number nameEn } }")
    assert [task["number"] for task in data["familyCentreTasks"]] == [1, 2, 3, 4]
    assert {"Activity:family-cafes", "Activity:youth-crisis-line"} <= {a["id"] for a in data["activities"]}
