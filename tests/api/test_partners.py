"""`partners` and `agreementHistory`: who works with whom and through what, checked against the seed files."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from graph_api.models import Dataset
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

PARTNERS = """query ($id: ID!) { partners(id: $id) {
  partner { __typename id } ties meetingPlaces { id } agreements { district { id } since until } } }"""
HISTORY = """query ($id: ID!) { agreementHistory(id: $id) {
  district { id } party { ... on WelfareArea { id } ... on Municipality { id } } since until kind isDemo } }"""


def partners_in_seeds(dataset: Dataset, party: str) -> list[dict[str, Any]]:
    """The partners of `party` by the rules in the README, read straight from the seed files."""
    places = {str(r.start) for r in dataset.relationships if r.type in ("RUN_BY", "PART_OF") and str(r.end) == party}
    found: dict[str, dict[str, Any]] = defaultdict(lambda: {"ties": set(), "places": set(), "since": []})
    for r in dataset.relationships:
        start, end = str(r.start), str(r.end)
        if r.type in ("RUN_BY", "PART_OF") and start in places and end != party:
            found[end]["places"].add(start)
        if r.type in ("HAS_AGREEMENT", "SERVES", "MEMBER_OF") and party in (start, end):
            other = end if start == party else start
            found[other]["ties"].add(r.type)
            if r.type == "HAS_AGREEMENT":
                found[other]["since"].append(str(r.properties["since"]))
    return [
        {"id": ref, "ties": sorted(f["ties"]), "places": sorted(f["places"]), "since": sorted(f["since"])}
        for ref, f in sorted(found.items())
    ]


def summary(partners: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "id": p["partner"]["id"],
            "ties": p["ties"],
            "places": [place["id"] for place in p["meetingPlaces"]],
            "since": [agreement["since"] for agreement in p["agreements"]],
        }
        for p in partners
    ]


@pytest.mark.parametrize(
    "party",
    [
        "District:hame",
        "LocalAssociation:la-010-1",
        "FamilyCentre:fc-ka",
        "WelfareArea:PI",
        "Municipality:091",
        "Organization:mll",
    ],
)
async def test_partners_follow_the_rules_on_the_seed_files(gql: GraphQLClient, dataset: Dataset, party: str) -> None:
    found = (await gql.data(PARTNERS, id=party))["partners"]
    assert summary(found) == partners_in_seeds(dataset, party)
    assert found, "every one of these has partners"


async def test_a_county_works_with_the_district_it_has_an_agreement_with_and_its_family_centre(
    gql: GraphQLClient,
) -> None:
    found = (await gql.data(PARTNERS, id="WelfareArea:PI"))["partners"]
    assert found == [
        {
            "partner": {"__typename": "District", "id": "District:hame"},
            "ties": ["HAS_AGREEMENT"],
            "meetingPlaces": [],
            "agreements": [{"district": {"id": "District:hame"}, "since": "2023-09-01", "until": None}],
        },
        {
            "partner": {"__typename": "FamilyCentre", "id": "FamilyCentre:fc-pi"},
            "ties": ["SERVES"],
            "meetingPlaces": [],
            "agreements": [],
        },
    ]


async def test_an_association_works_with_its_district_and_those_it_shares_a_place_with(gql: GraphQLClient) -> None:
    found = summary((await gql.data(PARTNERS, id="LocalAssociation:la-010-1"))["partners"])
    assert found == [
        {"id": "District:pohjanmaa", "ties": ["MEMBER_OF"], "places": ["MeetingPlace:mp-010-2"], "since": []},
        {"id": "FamilyCentre:fc-ep", "ties": [], "places": ["MeetingPlace:mp-010-2"], "since": []},
    ]


async def test_a_district_and_a_municipality_see_their_successive_agreements(gql: GraphQLClient) -> None:
    found = summary((await gql.data(PARTNERS, id="District:hame"))["partners"])
    tampere = next(p for p in found if p["id"] == "FamilyCentre:fc-837")
    assert tampere["ties"] == [] and len(tampere["places"]) > 1
    assert next(p for p in found if p["id"] == "Municipality:291") == {
        "id": "Municipality:291",
        "ties": ["HAS_AGREEMENT"],
        "places": [],
        "since": ["2019-01-01"],
    }


async def test_agreement_history_runs_oldest_first_ended_ones_included(gql: GraphQLClient, dataset: Dataset) -> None:
    found = (await gql.data(HISTORY, id="District:hame"))["agreementHistory"]
    assert [(a["party"]["id"], a["since"], a["until"]) for a in found] == [
        ("Municipality:291", "2019-01-01", "2022-12-31"),
        ("Municipality:111", "2021-01-01", "2022-12-31"),
        ("WelfareArea:PH", "2023-01-01", None),
        ("WelfareArea:KH", "2023-03-01", None),
        ("WelfareArea:PI", "2023-09-01", None),
    ]
    in_seeds = [r for r in dataset.relationships if r.type == "HAS_AGREEMENT" and str(r.start) == "District:hame"]
    assert len(found) == len(in_seeds)
    assert all(a["district"]["id"] == "District:hame" and a["isDemo"] for a in found)


@pytest.mark.parametrize(
    ("party", "agreements"),
    [
        ("WelfareArea:KS", [("District:jarvi-suomi", "2024-09-01")]),
        ("Municipality:091", [("District:uusimaa", "2024-01-01")]),
        ("WelfareArea:KY", []),
    ],
)
async def test_agreement_history_of_a_party(gql: GraphQLClient, party: str, agreements: list[tuple[str, str]]) -> None:
    found = (await gql.data(HISTORY, id=party))["agreementHistory"]
    assert [(a["district"]["id"], a["since"]) for a in found] == agreements
    assert all(a["party"]["id"] == party for a in found)


@pytest.mark.parametrize(
    ("query", "value", "reason"),
    [
        pytest.param(PARTNERS, "District:nowhere", "no District has the id District:nowhere", id="partners-unknown"),
        pytest.param(
            PARTNERS,
            "Region:FI1B1",
            "expected the id of a District or FamilyCentre or LocalAssociation or Municipality or Organization "
            "or WelfareArea",
            id="partners-region",
        ),
        pytest.param(PARTNERS, "hame", "not a global id", id="partners-malformed"),
        pytest.param(HISTORY, "WelfareArea:XX", "no WelfareArea has the id WelfareArea:XX", id="history-unknown"),
        pytest.param(
            HISTORY,
            "LocalAssociation:la-010-1",
            "expected the id of a District or Municipality or WelfareArea",
            id="history-association",
        ),
    ],
)
async def test_bad_ids_name_the_argument(gql: GraphQLClient, query: str, value: str, reason: str) -> None:
    error = await gql.error(query, id=value)
    assert error["message"].startswith("id: ") and reason in error["message"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}
