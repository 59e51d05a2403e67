"""Agreements by year: the source document's 2023 totals, and the history around them."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

AGREEMENTS = """query ($year: Int) { agreements(year: $year) {
  district { id } since until kind isDemo
  party { __typename ... on WelfareArea { id kind municipalities { id } } ... on Municipality { id } } } }"""


def covered(agreements: list[dict]) -> tuple[set[str], set[str]]:
    counties = {a["party"]["id"] for a in agreements if a["party"]["__typename"] == "WelfareArea"}
    municipalities = {
        m["id"] for a in agreements if a["party"]["__typename"] == "WelfareArea" for m in a["party"]["municipalities"]
    }
    municipalities |= {a["party"]["id"] for a in agreements if a["party"]["__typename"] == "Municipality"}
    return counties, municipalities


async def test_2023_covers_18_counties_and_243_municipalities(gql: GraphQLClient) -> None:
    agreements = (await gql.data(AGREEMENTS, year=2023))["agreements"]
    counties, municipalities = covered(agreements)
    assert len(counties) == 18
    assert len(municipalities) == 243
    assert all(
        a["party"]["kind"] == "WELLBEING_SERVICES_COUNTY"
        for a in agreements
        if a["party"]["__typename"] == "WelfareArea"
    )
    for agreement in agreements:
        assert agreement["isDemo"] is True
        assert agreement["since"] <= "2023-12-31"
        assert agreement["until"] is None or agreement["until"] >= "2023-01-01"


async def test_agreements_are_held_by_the_district_of_the_party(gql: GraphQLClient) -> None:
    data = await gql.data("""{ agreements { district { id municipalities { id } }
        party { ... on WelfareArea { municipalities { id } } ... on Municipality { id } } } }""")
    for agreement in data["agreements"]:
        district_municipalities = {m["id"] for m in agreement["district"]["municipalities"]}
        party = agreement["party"]
        assert {m["id"] for m in party.get("municipalities", [party])} <= district_municipalities


async def test_years_before_and_after_differ(gql: GraphQLClient) -> None:
    every = (await gql.data(AGREEMENTS))["agreements"]
    by_year = {year: (await gql.data(AGREEMENTS, year=year))["agreements"] for year in (2021, 2023, 2025)}
    assert by_year[2021] and all(a["kind"] == "MUNICIPAL" for a in by_year[2021])
    assert len(covered(by_year[2025])[0]) == 19
    assert len(every) > len(by_year[2023])
    ids = [(a["district"]["id"], a["party"]["id"], a["since"]) for a in every]
    assert ids == sorted(ids, key=lambda i: (i[0], i[1].split(":")[0], i[1], i[2]))


async def test_each_party_sees_its_own_agreements(gql: GraphQLClient) -> None:
    data = await gql.data("""{ agreements(year: 2023) { district { id } party { ... on WelfareArea { id } } } 
        welfareAreas { id agreements(year: 2023) { district { id } party { ... on WelfareArea { id } } } }
        districts { id agreements(year: 2023) { district { id } party { ... on WelfareArea { id } } } } }""")
    national = sorted((a["district"]["id"], a["party"]["id"]) for a in data["agreements"])
    from_areas = sorted((a["district"]["id"], a["party"]["id"]) for w in data["welfareAreas"] for a in w["agreements"])
    from_districts = sorted((a["district"]["id"], a["party"]["id"]) for d in data["districts"] for a in d["agreements"])
    assert national == from_areas == from_districts


async def test_a_municipality_agreement_shows_on_the_municipality(gql: GraphQLClient) -> None:
    data = await gql.data("""{ node(id: "Municipality:091") { ... on Municipality {
        agreements { district { id } since until } now: agreements(year: 2024) { since } } } }""")
    assert {"district": {"id": "District:uusimaa"}, "since": "2024-01-01", "until": None} in data["node"]["agreements"]
    assert data["node"]["now"] == [{"since": "2024-01-01"}]
