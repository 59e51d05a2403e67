"""Both backends give the same answers to the same queries: same ids, same order, distances within 1 m."""

from __future__ import annotations

from typing import Any

import pytest

from graph_api.store.memory import MemoryStore
from graph_api.store.neo4j import Neo4jStore
from tests.conftest import GraphQLClient, client_for

pytestmark = pytest.mark.anyio

OFFERS = "$activityIds: [ID!], $taskIds: [ID!]"
OFFERED = "activityIds: $activityIds, taskIds: $taskIds"
NEARBY = f"""query ($lat: Float!, $lon: Float!, $r: Float!, $n: Int!, $kinds: [MeetingPlaceKind!], $openAt: DateTime,
  {OFFERS}) {{ nearby(near: {{lat: $lat, lon: $lon}}, radiusKm: $r, limit: $n, kinds: $kinds, openAt: $openAt,
  {OFFERED}) {{ distanceKm place {{ id kind }} }} }}"""
IN_BOUNDS = f"""query ($b: BoundsInput!, $kinds: [MeetingPlaceKind!], $openAt: DateTime, {OFFERS}) {{
  inBounds(bounds: $b, kinds: $kinds, limit: 1000, openAt: $openAt, {OFFERED}) {{
    totalCount places {{ id location {{ lat lon }} }} }} }}"""
WEDNESDAY_MORNING = "2026-12-02T10:00:00+02:00"
SUMMER_BREAK = "2027-07-06T10:00"
CLUSTERS = f"""query ($b: BoundsInput!, $zoom: Int!, {OFFERS}) {{ clusters(bounds: $b, zoom: $zoom, {OFFERED}) {{
  totalCount clusters {{ count location {{ lat lon }} bounds {{ south west north east }} tile {{ z x y }}
  kinds {{ kind count }} isDemo place {{ id }} }} }} }}"""
MEETING_PLACES = f"""query ($kinds: [MeetingPlaceKind!], $openAt: DateTime, {OFFERS}) {{
  meetingPlaces(first: 100, filter: {{kinds: $kinds, {OFFERED}}}, openAt: $openAt) {{ totalCount
  edges {{ node {{ id }} }} }}
  meetingPlacesGeoJson(kinds: $kinds, {OFFERED}) }}"""
GEOCODED = """query ($address: String!) { geocode(address: $address, limit: 10) {
  results { lat lon label precision municipality { id welfareArea { id } } } reason }
  nearby(near: {address: $address}, radiusKm: 20, limit: 10) { distanceKm place { id } } }"""
AGREEMENTS = """query ($year: Int) { agreements(year: $year) { district { id }
  party { __typename ... on WelfareArea { id } ... on Municipality { id } } since until kind isDemo } }"""
RELATIONS = """query ($id: ID!, $depth: Int, $types: [RelationshipType!]) { relations(id: $id, depth: $depth,
  types: $types) { nodes { id type label isDemo node { id } } edges { source target type properties isDemo } } }"""
PATH = """query ($from: ID!, $to: ID!, $types: [RelationshipType!]) { path(from: $from, to: $to, types: $types) {
  length reason nodes { id type label isDemo } edges { source target type properties isDemo } } }"""
PARTNERS = """fragment partners on Partner { partner { id } ties meetingPlaces { id }
  agreements { district { id } party { ... on Node { id } } since until kind isDemo } }
{ a: partners(id: "District:hame") { ...partners } b: partners(id: "LocalAssociation:la-010-1") { ...partners }
  c: partners(id: "FamilyCentre:fc-ka") { ...partners } d: partners(id: "WelfareArea:HKI") { ...partners }
  e: partners(id: "Municipality:091") { ...partners } f: partners(id: "Organization:mll") { ...partners }
  g: agreementHistory(id: "District:uusimaa") { party { ... on Node { id } } since until }
  h: agreementHistory(id: "WelfareArea:KS") { district { id } since } }"""
NETWORK = """query ($area: ID!, $year: Int) { network(areaId: $area, year: $year) { area { id } year partnerCount
  counts { type count } nodes { id type label isDemo } edges { source target type properties isDemo }
  byDegree(top: 100) { node { id } degree betweenness } byBetweenness(top: 100) { node { id } degree betweenness }
  unconnected { id } } }"""
COOPERATION = ["LOCATED_IN", "RUN_BY", "PART_OF", "MEMBER_OF", "SERVES", "HAS_AGREEMENT"]
FIGURES = """population populationYear places placesPer10k weightedDistanceKm shareWithin populationBeyond isDemo"""
TERMS = "terms { withinKm kinds year activityIds taskIds }"
COVERAGE = f"""query ($area: ID!, $km: Float, $kinds: [MeetingPlaceKind!], $year: Int, {OFFERS}) {{
  coverage(areaId: $area, withinKm: $km, kinds: $kinds, year: $year, {OFFERED}) {{ area {{ id }} {TERMS}
  {FIGURES} municipalityCount municipalitiesUnderAgreement populationUnderAgreement
  municipalities {{ municipality {{ id }} {FIGURES} underAgreement }} }} }}"""
COVERAGE_GAPS = f"""query ($km: Float, $kinds: [MeetingPlaceKind!], $area: ID, $year: Int, $share: Float,
  {OFFERS}) {{ coverageGaps(withinKm: $km, kinds: $kinds, areaId: $area, year: $year, minShareBeyond: $share,
  limit: 500, {OFFERED}) {{ {TERMS} minShareBeyond totalCount populationYear isDemo
  municipalities {{ municipality {{ id }} {FIGURES} underAgreement }} }} }}"""

FINLAND = {"south": 59.0, "west": 19.0, "north": 71.0, "east": 32.0}
TASKS_1_AND_3 = ["FamilyCentreTask:1", "FamilyCentreTask:3"]
OFFERED_QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    # places by what they offer, with kinds and opening hours: Cypher filters on Neo4j, Python in memory
    ("nearby-a-task", NEARBY, {"lat": 60.1699, "lon": 24.9384, "r": 100, "n": 50, "taskIds": ["FamilyCentreTask:3"]}),
    (
        "nearby-all-terms",
        NEARBY,
        {
            "lat": 61.4978,
            "lon": 23.761,
            "r": 300,
            "n": 30,
            "kinds": ["FAMILY_CAFE", "MEETING_PLACE"],
            "openAt": WEDNESDAY_MORNING,
            "activityIds": ["Activity:family-events", "Activity:clubs"],
            "taskIds": ["FamilyCentreTask:1"],
        },
    ),
    (
        "in-bounds-all-terms",
        IN_BOUNDS,
        {
            "b": FINLAND,
            "kinds": ["OPEN_DAYCARE", "FAMILY_HOUSE"],
            "openAt": WEDNESDAY_MORNING,
            "activityIds": ["Activity:play-day", "Activity:parents-helpline"],
            "taskIds": TASKS_1_AND_3,
        },
    ),
    ("clusters", CLUSTERS, {"b": FINLAND, "zoom": 6, "activityIds": ["Activity:support-persons"]}),
    (
        "meeting-places",
        MEETING_PLACES,
        {"kinds": ["FAMILY_CAFE"], "activityIds": ["Activity:childcare-help"], "taskIds": ["FamilyCentreTask:2"]},
    ),
    ("meeting-places-open", MEETING_PLACES, {"openAt": SUMMER_BREAK, "taskIds": TASKS_1_AND_3}),
    (
        "coverage",
        COVERAGE,
        {"area": "WelfareArea:KY", "km": 10, "year": 2024, "activityIds": ["Activity:parents-groups"]},
    ),
    (
        "coverage-tasks",
        COVERAGE,
        {"area": "District:lappi", "km": 25, "kinds": ["MEETING_PLACE"], "taskIds": TASKS_1_AND_3},
    ),
    ("coverage-nothing-serves", COVERAGE, {"area": "Region:FI1D1", "taskIds": ["FamilyCentreTask:4"]}),
    (
        "coverage-gaps",
        COVERAGE_GAPS,
        {"km": 5, "activityIds": ["Activity:family-cafes", "Activity:vanhempainnetti"], "taskIds": TASKS_1_AND_3},
    ),
]

QUERIES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "counts",
        "{ regions { id } welfareAreas { id } districts { id } activities { id } familyCentreTasks { id } "
        "municipalities(first: 0) { totalCount } meetingPlaces(first: 0) { totalCount } }",
        {},
    ),
    (
        "municipality-relations",
        """{ municipalities(first: 100, filter: {areaIds: ["Region:FI1B1"]}) { totalCount
       edges { cursor node { id nameFi nameSv population areaKm2 location { lat lon } welfareArea { id }
       region { id } districts { id } meetingPlaces { id } localAssociations { id } } }
       pageInfo { hasNextPage endCursor } } }""",
        {},
    ),
    (
        "district-relations",
        """{ districts { id regions { id } municipalities { id } localAssociations { id }
       agreements { party { ... on WelfareArea { id } ... on Municipality { id } } since } } }""",
        {},
    ),
    (
        "area-relations",
        "{ welfareAreas { id population municipalities { id } familyCentres { id serves "
        "{ ... on WelfareArea { id } ... on Municipality { id } } } agreements(year: 2023) { district { id } } } }",
        {},
    ),
    (
        "meeting-place-relations",
        """{ meetingPlaces(first: 100, after: "TWVldGluZ1BsYWNlOm1wLTI5Ny0x") { edges { node {
       id name kind isDemo municipality { id } familyCentre { id } activities { id tasks { id } }
       runBy { role isDemo organiser { __typename ... on Node { id } } } } } pageInfo { endCursor } } }""",
        {},
    ),
    (
        "search",
        """{ a: municipalities(filter: {search: "jyvaskyla"}) { edges { node { id } } }
       b: municipalities(filter: {search: "ABO"}) { edges { node { id } } }
       c: meetingPlaces(first: 100, filter: {search: "perhetalo", kinds: [FAMILY_HOUSE]}) { totalCount
          edges { node { id } } } }""",
        {},
    ),
    (
        "node",
        '{ nodes(ids: ["Municipality:091", "District:lappi", "MeetingPlace:mp-698-1", "Region:XX"]) '
        "{ id __typename } }",
        {},
    ),
    (
        "opening-hours",
        """{ meetingPlaces(first: 100, after: "TWVldGluZ1BsYWNlOm1wLTI5Ny0x", openAt: "2026-12-02T10:00")
       { totalCount edges { node { id openingHours { weekdays opensAt closesAt validFrom validTo timezone }
       isOpen(at: "2027-07-06T10:00Z") nextOpening(after: "2027-07-06T10:00Z") { opens closes } } } } }""",
        {},
    ),
    (
        "nearby-open",
        NEARBY,
        {"lat": 61.4978, "lon": 23.761, "r": 200, "n": 7, "kinds": ["FAMILY_CAFE"], "openAt": WEDNESDAY_MORNING},
    ),
    ("in-bounds-open", IN_BOUNDS, {"b": {"south": 59, "west": 19, "north": 71, "east": 32}, "openAt": SUMMER_BREAK}),
    *[(f"offers-{name}", query, variables) for name, query, variables in OFFERED_QUERIES],
    *[
        (f"nearby-{lat}-{lon}-{r}-{n}", NEARBY, {"lat": lat, "lon": lon, "r": r, "n": n, "kinds": kinds})
        for lat, lon, r, n, kinds in [
            (60.1699, 24.9384, 1, 20, None),
            (60.1699, 24.9384, 5, 100, None),
            (61.4978, 23.761, 20, 10, ["FAMILY_CAFE"]),
            (66.5039, 25.7294, 100, 5, None),
            (62.6, 29.76, 1000, 100, ["FAMILY_HOUSE", "OPEN_DAYCARE"]),
            (65.0, 25.47, 250, 1, None),
            (59.0, 20.0, 30, 20, None),
        ]
    ],
    *[
        (f"in-bounds-{i}", IN_BOUNDS, {"b": bounds, "kinds": kinds})
        for i, (bounds, kinds) in enumerate(
            [
                ({"south": 60.1, "west": 24.8, "north": 60.3, "east": 25.2}, None),
                ({"south": 59.0, "west": 19.0, "north": 71.0, "east": 32.0}, ["MEETING_PLACE"]),
                ({"south": 59.0, "west": 25.0, "north": 71.0, "east": -170.0}, None),
            ]
        )
    ],
    *[(f"clusters-{zoom}", CLUSTERS, {"b": FINLAND, "zoom": zoom}) for zoom in (4, 9)],
    *[(f"agreements-{year}", AGREEMENTS, {"year": year}) for year in (None, 2021, 2023, 2024, 2025)],
    *[
        (f"relations-{centre}-{depth}", RELATIONS, {"id": centre, "depth": depth, "types": types})
        for centre, depth, types in [
            ("Municipality:091", 1, None),
            ("Organization:mll", 2, None),
            ("District:uusimaa", 2, None),
            ("Region:FI1B1", 3, ["IN_WELFARE_AREA", "IN_REGION", "COVERS"]),
        ]
    ],
    *[
        (f"path-{start}-{end}", PATH, {"from": start, "to": end, "types": types})
        for start, end, types in [
            ("MeetingPlace:mp-091-1", "District:lappi", None),
            ("Region:FI1D7", "Region:FI1B1", None),
            ("FamilyCentre:fc-ka", "WelfareArea:VS", COOPERATION),
            ("Municipality:478", "Municipality:091", None),
            ("Municipality:018", "Municipality:071", COOPERATION),
        ]
    ],
    ("partners-and-agreement-history", PARTNERS, {}),
    *[
        (f"network-{area}-{year}", NETWORK, {"area": area, "year": year})
        for area, year in [("WelfareArea:VS", None), ("WelfareArea:KS", 2023), ("District:hame", 2025)]
    ],
    *[
        (f"geocoded-{address}", GEOCODED, {"address": address})
        for address in ("Pirkkakatu 2, Rovaniemi", "00100", "Borgå", "Peltola", "Hämenlinna")
    ],
    *[
        (f"coverage-{area}-{km}", COVERAGE, {"area": area, "km": km, "kinds": kinds, "year": year})
        for area, km, kinds, year in [
            ("Municipality:091", 10, None, 2024),
            ("WelfareArea:KY", 5, ["FAMILY_CAFE"], 2023),
            ("Region:FI1D1", 2.5, ["MEETING_PLACE", "FAMILY_HOUSE"], 2022),
            ("District:lappi", 25, ["OPEN_DAYCARE"], 2021),
            ("Region:FI200", 10, None, None),
        ]
    ],
    *[
        (f"coverage-gaps-{i}", COVERAGE_GAPS, {"km": km, "kinds": kinds, "area": area, "year": year, "share": share})
        for i, (km, kinds, area, year, share) in enumerate(
            [
                (10, ["FAMILY_CAFE"], None, None, 0.5),
                (1000, None, None, 2023, None),
                (3, ["MEETING_PLACE", "OPEN_DAYCARE"], "District:uusimaa", 2025, 0.1),
            ]
        )
    ],
]


def same(left: Any, right: Any, path: str = "") -> None:
    """Equal, but for distances in km, which may differ by a metre."""
    if isinstance(left, dict) and isinstance(right, dict):
        assert left.keys() == right.keys(), path
        for key in left:
            if key == "distanceKm":
                assert left[key] == pytest.approx(right[key], abs=0.001), f"{path}.{key}"
            else:
                same(left[key], right[key], f"{path}.{key}")
    elif isinstance(left, list) and isinstance(right, list):
        assert len(left) == len(right), path
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            same(a, b, f"{path}[{i}]")
    else:
        assert left == right, path


@pytest.mark.parametrize(("query", "variables"), [pytest.param(q, v, id=name) for name, q, v in QUERIES])
async def test_both_backends_answer_alike(
    memory_store: MemoryStore, neo4j_store: Neo4jStore, query: str, variables: dict[str, Any]
) -> None:
    answers = []
    for store in (memory_store, neo4j_store):
        async with client_for(store) as http:
            answers.append(await GraphQLClient(http).data(query, **variables))
    same(*answers)
    assert answers[0], "the query must find something"
