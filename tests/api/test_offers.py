"""Places by what they offer: `activityIds` and `taskIds` on every question about places (`activities` and `tasks` on
the GeoJSON URL) keep the places a computation from the seed files keeps, with `kinds` and `openAt` by AND across
arguments and OR within one; coverage echoes them in its terms; ids that name nothing, name the wrong type, are
malformed, too many, or only national activities are refused, naming the argument. On both backends.

The hand computation reads the seeds' places, what each offers (OFFERS), which tasks each activity serves
(SERVES_TASK), where each place lies (LOCATED_IN, IN_REGION) and its opening hours, knowing nothing of the service.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import functools
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from geopy.distance import geodesic

from tests.api.test_coverage import KYMENLAAKSO, hand_figures
from tests.api.test_empty_lists import PLACE_QUESTIONS
from tests.conftest import SEEDS, GraphQLClient

pytestmark = pytest.mark.anyio

HELSINKI_TIME = ZoneInfo("Europe/Helsinki")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
KINDS = ["FAMILY_CAFE", "MEETING_PLACE", "FAMILY_HOUSE", "OPEN_DAYCARE"]
"""The kinds in the enum's order, as coverage's terms echo them."""


def rows(path: str) -> list[dict[str, str]]:
    with (SEEDS / path).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def key_of(global_id: str) -> str:
    return global_id.partition(":")[2]


@dataclass(frozen=True)
class Seeded:
    """A meeting place of the seeds, as the hand computation sees it."""

    id: str
    kind: str
    lat: float
    lon: float
    municipality: str
    activities: frozenset[str]
    tasks: frozenset[str]
    hours: tuple[dict[str, str], ...]

    def is_open(self, moment: datetime.datetime) -> bool:
        """Weekly hours in Helsinki time, opening included and closing not, on a day within their validity."""
        local = moment.astimezone(HELSINKI_TIME)
        day, time = local.date(), local.time()
        return any(
            WEEKDAYS[day.weekday()] in row["byday"].split(",")
            and datetime.time.fromisoformat(row["opens_at"]) <= time < datetime.time.fromisoformat(row["closes_at"])
            and (not row["valid_from"] or datetime.date.fromisoformat(row["valid_from"]) <= day)
            and (not row["valid_to"] or day <= datetime.date.fromisoformat(row["valid_to"]))
            for row in self.hours
        )


@functools.cache
def seeded() -> tuple[Seeded, ...]:
    """Every meeting place of the seeds, in id (and so key) order."""
    serves: dict[str, set[str]] = defaultdict(set)
    for r in rows("reference/relationships/SERVES_TASK.csv"):
        serves[key_of(r["from"])].add(key_of(r["to"]))
    offers: dict[str, set[str]] = defaultdict(set)
    for r in rows("demo/relationships/OFFERS.csv"):
        offers[r["from"]].add(key_of(r["to"]))
    located = {r["from"]: key_of(r["to"]) for r in rows("demo/relationships/LOCATED_IN.csv")}
    hours: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows("demo/schedules.csv"):
        hours[r["location_id"]].append(r)
    places = []
    for r in rows("demo/nodes/MeetingPlace.csv"):
        id_ = f"MeetingPlace:{r['key']}"
        activities = frozenset(offers[id_])
        places.append(
            Seeded(
                id=id_,
                kind=r["kind"],
                lat=float(r["lat"]),
                lon=float(r["lon"]),
                municipality=located[id_],
                activities=activities,
                tasks=frozenset(task for activity in activities for task in serves[activity]),
                hours=tuple(hours[id_]),
            )
        )
    return tuple(sorted(places, key=lambda place: place.id))


@dataclass(frozen=True)
class Asked:
    """What a client asks places by: kinds, the keys of activities and tasks, and a moment they are open at."""

    kinds: tuple[str, ...] | None = None
    activities: tuple[str, ...] | None = None
    tasks: tuple[str, ...] | None = None
    open_at: str | None = None

    def keeps(self, place: Seeded) -> bool:
        return (
            (self.kinds is None or place.kind in self.kinds)
            and (self.activities is None or not place.activities.isdisjoint(self.activities))
            and (self.tasks is None or not place.tasks.isdisjoint(self.tasks))
            and (self.open_at is None or place.is_open(datetime.datetime.fromisoformat(self.open_at)))
        )

    def kept(self) -> list[Seeded]:
        return [place for place in seeded() if self.keeps(place)]

    @property
    def activity_ids(self) -> list[str] | None:
        return None if self.activities is None else [f"Activity:{key}" for key in self.activities]

    @property
    def task_ids(self) -> list[str] | None:
        return None if self.tasks is None else [f"FamilyCentreTask:{key}" for key in self.tasks]

    @property
    def variables(self) -> dict[str, Any]:
        """As GraphQL variables; `openAt` only when asked, as not every question takes it."""
        given = {"kinds": self.kinds, "activityIds": self.activity_ids, "taskIds": self.task_ids}
        return given | ({} if self.open_at is None else {"openAt": self.open_at})

    @property
    def parameters(self) -> dict[str, str]:
        """As the GeoJSON URL's parameters, by key."""
        given = {"kinds": self.kinds, "activities": self.activities, "tasks": self.tasks}
        return {name: ",".join(values) for name, values in given.items() if values is not None}


WEDNESDAY_MORNING = "2026-12-02T10:30:00+02:00"
ASKED = [
    pytest.param(Asked(activities=("family-cafes",)), id="an-activity"),
    pytest.param(Asked(activities=("parents-groups", "support-persons")), id="either-of-two-activities"),
    pytest.param(Asked(tasks=("3",)), id="a-task"),
    pytest.param(Asked(tasks=("1", "2")), id="either-of-two-tasks"),
    pytest.param(Asked(activities=("clubs",), tasks=("2",)), id="an-activity-and-a-task"),
    pytest.param(Asked(kinds=("MEETING_PLACE", "OPEN_DAYCARE"), tasks=("1",)), id="kinds-and-a-task"),
    pytest.param(
        Asked(kinds=("FAMILY_CAFE", "OPEN_DAYCARE"), activities=("play-day", "childcare-help"), tasks=("2", "3")),
        id="kinds-activities-and-tasks",
    ),
    pytest.param(Asked(activities=("parents-helpline", "childcare-help")), id="a-national-and-a-local-activity"),
    pytest.param(Asked(activities=("family-events",), open_at=WEDNESDAY_MORNING), id="an-activity-open-then"),
    pytest.param(
        Asked(kinds=("FAMILY_HOUSE", "MEETING_PLACE"), tasks=("2", "3"), open_at=WEDNESDAY_MORNING),
        id="a-kind-tasks-open-then",
    ),
]

TAMPERE, RADIUS_KM, NEARBY_LIMIT = (61.4978, 23.761), 150.0, 100
SOUTH = {"south": 59.7, "west": 21.0, "north": 62.0, "east": 27.0}
UUSIMAA = "Region:FI1B1"
VARIABLES = "$kinds: [MeetingPlaceKind!], $activityIds: [ID!], $taskIds: [ID!]"
ARGUMENTS = "kinds: $kinds, activityIds: $activityIds, taskIds: $taskIds"
NEARBY = f"""query ({VARIABLES}, $openAt: DateTime) {{
  nearby(near: {{lat: {TAMPERE[0]}, lon: {TAMPERE[1]}}}, radiusKm: {RADIUS_KM}, limit: {NEARBY_LIMIT}, {ARGUMENTS},
    openAt: $openAt) {{ place {{ id }} }} }}"""
IN_BOUNDS = f"""query ({VARIABLES}, $openAt: DateTime, $bounds: BoundsInput!) {{
  inBounds(bounds: $bounds, limit: 1000, {ARGUMENTS}, openAt: $openAt) {{ totalCount places {{ id }} }} }}"""
CLUSTERS = f"""query ({VARIABLES}, $bounds: BoundsInput!) {{
  clusters(bounds: $bounds, zoom: 6, {ARGUMENTS}) {{ totalCount clusters {{ count }} }} }}"""
MEETING_PLACES = f"""query ({VARIABLES}, $openAt: DateTime, $after: String) {{
  meetingPlaces(first: 100, after: $after, filter: {{{ARGUMENTS}}}, openAt: $openAt) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id }} }} }} }}"""
GEOJSON = f"""query ({VARIABLES}, $bounds: BoundsInput!) {{ meetingPlacesGeoJson(bounds: $bounds, {ARGUMENTS}) }}"""
COVERAGE = f"""query ({VARIABLES}) {{ coverage(areaId: "{UUSIMAA}", {ARGUMENTS}) {{
  places municipalities {{ municipality {{ code }} places }} }} }}"""
GAPS = f"""query ({VARIABLES}) {{ coverageGaps(limit: 500, {ARGUMENTS}) {{
  totalCount municipalities {{ municipality {{ code }} places }} }} }}"""


def within(bounds: dict[str, float], place: Seeded) -> bool:
    return bounds["south"] <= place.lat <= bounds["north"] and bounds["west"] <= place.lon <= bounds["east"]


def ids(places: list[Seeded]) -> list[str]:
    return [place.id for place in places]


def located(places: list[Seeded], codes: list[str]) -> dict[str, int]:
    """How many of the places lie in each of the municipalities."""
    counted = Counter(place.municipality for place in places)
    return {code: counted[code] for code in codes}


async def nearby(gql: GraphQLClient, asked: Asked) -> list[str]:
    return [hit["place"]["id"] for hit in (await gql.data(NEARBY, **asked.variables))["nearby"]]


def nearby_by_hand(asked: Asked) -> list[str]:
    measured = sorted((geodesic(TAMPERE, (place.lat, place.lon)).km, place.id) for place in asked.kept())
    return [id_ for km, id_ in measured if km <= RADIUS_KM][:NEARBY_LIMIT]


async def in_bounds(gql: GraphQLClient, asked: Asked) -> tuple[list[str], int]:
    found = (await gql.data(IN_BOUNDS, bounds=SOUTH, **asked.variables))["inBounds"]
    return [place["id"] for place in found["places"]], found["totalCount"]


def in_bounds_by_hand(asked: Asked) -> tuple[list[str], int]:
    inside = ids([place for place in asked.kept() if within(SOUTH, place)])
    return inside, len(inside)


async def clusters(gql: GraphQLClient, asked: Asked) -> tuple[int, int]:
    """How many places the clusters hold in all, and how many they say they hold."""
    found = (await gql.data(CLUSTERS, bounds=SOUTH, **asked.variables))["clusters"]
    return sum(cluster["count"] for cluster in found["clusters"]), found["totalCount"]


def clusters_by_hand(asked: Asked) -> tuple[int, int]:
    inside = len(in_bounds_by_hand(asked)[0])
    return inside, inside


async def meeting_places(gql: GraphQLClient, asked: Asked) -> tuple[list[str], int]:
    """Every page's places, and the total each page gives."""
    found, totals, after = [], set(), None
    while True:
        page = (await gql.data(MEETING_PLACES, after=after, **asked.variables))["meetingPlaces"]
        found += [edge["node"]["id"] for edge in page["edges"]]
        totals.add(page["totalCount"])
        if not page["pageInfo"]["hasNextPage"]:
            (total,) = totals
            return found, total
        after = page["pageInfo"]["endCursor"]


def meeting_places_by_hand(asked: Asked) -> tuple[list[str], int]:
    return ids(asked.kept()), len(asked.kept())


async def geojson(gql: GraphQLClient, asked: Asked) -> list[str]:
    found = (await gql.data(GEOJSON, bounds=SOUTH, **asked.variables))["meetingPlacesGeoJson"]
    return [feature["id"] for feature in found["features"]]


async def geojson_url(gql: GraphQLClient, asked: Asked) -> list[str]:
    response = await gql.http.get("/geojson/meeting-places", params=asked.parameters)
    assert response.status_code == 200, response.text
    return [feature["id"] for feature in response.json()["features"]]


async def coverage(gql: GraphQLClient, asked: Asked) -> tuple[dict[str, int], int]:
    found = (await gql.data(COVERAGE, **asked.variables))["coverage"]
    return {m["municipality"]["code"]: m["places"] for m in found["municipalities"]}, found["places"]


def coverage_by_hand(asked: Asked) -> tuple[dict[str, int], int]:
    codes = sorted(key_of(r["from"]) for r in rows("reference/relationships/IN_REGION.csv") if r["to"] == UUSIMAA)
    counted = located(asked.kept(), codes)
    return counted, sum(counted.values())


async def coverage_gaps(gql: GraphQLClient, asked: Asked) -> dict[str, int]:
    found = (await gql.data(GAPS, **asked.variables))["coverageGaps"]
    assert found["totalCount"] == len(found["municipalities"])
    return {m["municipality"]["code"]: m["places"] for m in found["municipalities"]}


def coverage_gaps_by_hand(asked: Asked) -> dict[str, int]:
    return located(asked.kept(), [r["key"] for r in rows("reference/nodes/Municipality.csv")])


@dataclass(frozen=True)
class Question:
    """A question about places: how to ask the service, what the hand computation expects, whether it takes a
    moment (`openAt`)."""

    ask: Callable[[GraphQLClient, Asked], Awaitable[object]]
    by_hand: Callable[[Asked], object]
    takes_open_at: bool = False


QUESTIONS = {
    "nearby": Question(nearby, nearby_by_hand, takes_open_at=True),
    "inBounds": Question(in_bounds, in_bounds_by_hand, takes_open_at=True),
    "clusters": Question(clusters, clusters_by_hand),
    "meetingPlaces": Question(meeting_places, meeting_places_by_hand, takes_open_at=True),
    "meetingPlacesGeoJson": Question(geojson, lambda asked: in_bounds_by_hand(asked)[0]),
    "geojson-url": Question(geojson_url, lambda asked: ids(asked.kept())),
    "coverage": Question(coverage, coverage_by_hand),
    "coverageGaps": Question(coverage_gaps, coverage_gaps_by_hand),
}


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        pytest.param(name, *param.values, id=f"{name}-{param.id}")
        for name, question in QUESTIONS.items()
        for param in ASKED
        if question.takes_open_at or param.values[0].open_at is None
    ],
)
async def test_each_question_keeps_the_places_a_computation_from_the_seeds_keeps(
    gql: GraphQLClient, question: str, asked: Asked
) -> None:
    assert await QUESTIONS[question].ask(gql, asked) == QUESTIONS[question].by_hand(asked)


@pytest.mark.parametrize("asked", ASKED)
def test_each_filter_keeps_places_near_tampere_and_in_the_south_and_leaves_out_some(asked: Asked) -> None:
    """So that the table above tells a filter that works from one that keeps all or nothing: each keeps places
    where the questions look, and fewer than it keeps without its activities, or without its tasks."""
    assert nearby_by_hand(asked) and in_bounds_by_hand(asked)[0]
    for fewer in (dataclasses.replace(asked, activities=None), dataclasses.replace(asked, tasks=None)):
        assert fewer == asked or len(asked.kept()) < len(fewer.kept()), fewer


COUNTY_FIGURES = f"""query ({VARIABLES}, $km: Float) {{
  coverage(areaId: "{KYMENLAAKSO}", withinKm: $km, {ARGUMENTS}) {{ municipalities {{ municipality {{ code }}
    population populationYear places placesPer10k weightedDistanceKm shareWithin populationBeyond }} }} }}"""


@pytest.mark.parametrize(
    "asked",
    [
        pytest.param(Asked(tasks=("3",)), id="a-task"),
        pytest.param(
            Asked(kinds=("MEETING_PLACE", "FAMILY_HOUSE"), activities=("clubs", "play-day"), tasks=("1",)),
            id="kinds-activities-and-a-task",
        ),
    ],
)
@pytest.mark.parametrize("within_km", [5.0, 15.0])
async def test_a_county_s_figures_by_what_places_offer_match_a_hand_computation(
    gql: GraphQLClient, asked: Asked, within_km: float
) -> None:
    """The distances too are to the nearest place kept, as `test_coverage` computes them for a kind."""
    answer = (await gql.data(COUNTY_FIGURES, km=within_km, **asked.variables))["coverage"]["municipalities"]
    expected = hand_figures(KYMENLAAKSO, frozenset(key_of(place.id) for place in asked.kept()), within_km)
    got = {m.pop("municipality")["code"]: m for m in answer}
    assert got.keys() == expected.keys()
    for code, figures in expected.items():
        assert got[code] == pytest.approx(figures, rel=1e-9), code


TERMS = f"""query ({VARIABLES}) {{
  coverage(areaId: "{UUSIMAA}", {ARGUMENTS}) {{ terms {{ kinds activityIds taskIds }} }}
  coverageGaps(limit: 1, {ARGUMENTS}) {{ terms {{ kinds activityIds taskIds }} }} }}"""


@pytest.mark.parametrize("asked", [param for param in ASKED if param.values[0].open_at is None])
async def test_coverage_terms_echo_the_kinds_activities_and_tasks_asked(gql: GraphQLClient, asked: Asked) -> None:
    terms = {
        "kinds": KINDS if asked.kinds is None else [kind for kind in KINDS if kind in asked.kinds],
        "activityIds": None if asked.activity_ids is None else sorted(asked.activity_ids),
        "taskIds": None if asked.task_ids is None else sorted(asked.task_ids),
    }
    data = await gql.data(TERMS, **asked.variables)
    assert data["coverage"]["terms"] == data["coverageGaps"]["terms"] == terms


async def test_coverage_terms_echo_nulls_when_no_activity_or_task_is_asked(gql: GraphQLClient) -> None:
    data = await gql.data(TERMS)
    assert data["coverage"]["terms"] == {"kinds": KINDS, "activityIds": None, "taskIds": None}


async def test_coverage_of_a_task_no_place_serves_is_nobody_within_reach_at_no_distance(gql: GraphQLClient) -> None:
    """No place offers an activity serving task 4 in the seeds (only national ones and peer students do)."""
    assert Asked(tasks=("4",)).kept() == []
    data = await gql.data(
        """{ coverage(areaId: "WelfareArea:KY", taskIds: ["FamilyCentreTask:4"]) {
          places shareWithin weightedDistanceKm populationBeyond population
          municipalities { places shareWithin weightedDistanceKm } }
        coverageGaps(taskIds: ["FamilyCentreTask:4"], limit: 1) { totalCount municipalities { shareWithin } } }"""
    )
    area = data["coverage"]
    assert (area["places"], area["shareWithin"], area["weightedDistanceKm"]) == (0, 0, None)
    assert area["populationBeyond"] == area["population"] > 0
    assert {(m["places"], m["shareWithin"], m["weightedDistanceKm"]) for m in area["municipalities"]} == {(0, 0, None)}
    assert data["coverageGaps"]["totalCount"] == 309
    assert data["coverageGaps"]["municipalities"] == [{"shareWithin": 0}]


QUESTIONS_ASKED_BY_ID = {
    **PLACE_QUESTIONS,
    "meetingPlaces": "meetingPlaces(filter: {ARGUMENT}) { totalCount }",
}
"""Every GraphQL question that takes `activityIds` and `taskIds`, with the argument's place marked."""
NATIONAL_ONLY = "national activities (phone lines, chats, websites) are offered at no place"
REFUSED = [
    # (the argument, the ids given, what the message says)
    pytest.param("activityIds", ["Activity:nope"], "no Activity has the id Activity:nope", id="unknown-activity"),
    pytest.param(
        "activityIds",
        ["Activity:clubs", "Municipality:091"],
        "'Municipality:091' is a Municipality; expected the id of a",
        id="a-municipality-as-an-activity",
    ),
    pytest.param("activityIds", ["clubs"], "'clubs' is not a global id", id="an-activity-s-key-alone"),
    pytest.param(
        "activityIds", [f"Activity:a{n}" for n in range(101)], "names 101 nodes; at most 100", id="101-activities"
    ),
    pytest.param(
        "activityIds", ["Activity:parents-helpline", "Activity:nuortennetti"], NATIONAL_ONLY, id="national-activities"
    ),
    pytest.param(
        "taskIds", ["FamilyCentreTask:5"], "no FamilyCentreTask has the id FamilyCentreTask:5", id="unknown-task"
    ),
    pytest.param(
        "taskIds",
        ["Activity:clubs"],
        "'Activity:clubs' is a Activity; expected the id of a FamilyCentreTask",
        id="an-activity-as-a-task",
    ),
    pytest.param("taskIds", ["1"], "'1' is not a global id", id="a-task-s-key-alone"),
    pytest.param(
        "taskIds", [f"FamilyCentreTask:{n}" for n in range(101)], "names 101 nodes; at most 100", id="101-tasks"
    ),
]


@pytest.mark.parametrize("question", QUESTIONS_ASKED_BY_ID)
@pytest.mark.parametrize(("name", "ids_given", "reason"), REFUSED)
async def test_ids_that_cannot_be_asked_by_are_refused_naming_the_argument(
    gql: GraphQLClient, question: str, name: str, ids_given: list[str], reason: str
) -> None:
    field = QUESTIONS_ASKED_BY_ID[question].replace("ARGUMENT", f"{name}: $ids")
    error = await gql.error(f"query ($ids: [ID!]) {{ {field} }}", ids=ids_given)
    argument = f"filter.{name}" if question == "meetingPlaces" else name
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
    assert error["message"].startswith(f"{argument}: ") and reason in error["message"], error["message"]


async def test_only_national_activities_are_refused_saying_why_and_where_to_look(gql: GraphQLClient) -> None:
    error = await gql.error(
        '{ coverage(areaId: "WelfareArea:KY", activityIds: ["Activity:parents-helpline"]) { places } }'
    )
    assert error["message"] == (
        "activityIds: Activity:parents-helpline: national activities (phone lines, chats, websites) are offered at no "
        "place, so no place can count; ask by a local activity or a task (taskCoverage lists the national activities "
        "serving each task)"
    )


URL_REFUSED = [
    pytest.param({"activities": "nope"}, "activities", "no Activity has the id Activity:nope", id="unknown-activity"),
    pytest.param({"tasks": "9"}, "tasks", "no FamilyCentreTask has the id FamilyCentreTask:9", id="unknown-task"),
    pytest.param(
        {"activities": "family-cafes", "tasks": "1,Activity:clubs"},
        "tasks",
        "no FamilyCentreTask has the id FamilyCentreTask:Activity:clubs",
        id="a-global-id-for-a-key",
    ),
    pytest.param({"activities": "parents-helpline,nuortennetti"}, "activities", NATIONAL_ONLY, id="national"),
    pytest.param(
        {"activities": ",".join(f"a{n}" for n in range(101))}, "activities", "names 101 nodes", id="101-activities"
    ),
]


@pytest.mark.parametrize(("parameters", "parameter", "reason"), URL_REFUSED)
async def test_the_geojson_url_refuses_keys_that_cannot_be_asked_by_naming_the_parameter(
    gql: GraphQLClient, parameters: dict[str, str], parameter: str, reason: str
) -> None:
    response = await gql.http.get("/geojson/meeting-places", params=parameters)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["parameter"] == parameter and reason in error["message"], error
