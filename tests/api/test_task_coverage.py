"""taskCoverage: each of THL's four family-centre tasks' reach in an area, beside the national activities serving it.

The hand computations read which places serve a task from the seed files (OFFERS, SERVES_TASK) and measure with
tests/api/test_coverage.py's helpers, knowing nothing of `graph_api.planning`.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_coverage import KYMENLAAKSO, hand_figures, members, rows
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio

COVERAGE_FIGURES = """fragment Coverage on AreaCoverage { area { id } terms { withinKm kinds activityIds taskIds year }
  population populationYear places placesPer10k weightedDistanceKm shareWithin populationBeyond municipalityCount
  municipalitiesUnderAgreement populationUnderAgreement isDemo
  municipalities { municipality { code } population populationYear places placesPer10k weightedDistanceKm
    shareWithin populationBeyond underAgreement isDemo } }"""
TASK_COVERAGE = (
    """query ($area: ID!, $km: Float, $year: Int) { taskCoverage(areaId: $area, withinKm: $km, year: $year) {
    area { id } withinKm population populationYear isDemo tasks { ...Reach } weakest { ...Reach } } }
  fragment Reach on TaskReach { task { id } shareWithin populationWithin places weightedDistanceKm
    municipalitiesWithNobodyWithin { code } nationalActivities { id channel } isDemo coverage { ...Coverage } }"""
    + COVERAGE_FIGURES
)
COVERAGE = (
    """query ($area: ID!, $km: Float, $year: Int, $tasks: [ID!]) {
    coverage(areaId: $area, withinKm: $km, year: $year, taskIds: $tasks) { ...Coverage } }"""
    + COVERAGE_FIGURES
)
SHARES = """query ($area: ID!, $km: Float) { taskCoverage(areaId: $area, withinKm: $km) {
  tasks { task { id } shareWithin } weakest { task { id } shareWithin } } }"""

AREAS = ["WelfareArea:KY", "Region:FI1B1", "District:hame", "Municipality:091"]


def task_ids() -> list[str]:
    """Every FamilyCentreTask, in key order."""
    return [f"FamilyCentreTask:{key}" for key in sorted(r["key"] for r in rows("reference/nodes/FamilyCentreTask.csv"))]


def activities_serving(task: str) -> set[str]:
    return {r["from"] for r in rows("reference/relationships/SERVES_TASK.csv") if r["to"] == task}


def places_serving(task: str) -> frozenset[str]:
    """The keys of the meeting places offering an activity that serves the task."""
    serving = activities_serving(task)
    return frozenset(
        r["from"].removeprefix("MeetingPlace:") for r in rows("demo/relationships/OFFERS.csv") if r["to"] in serving
    )


def national_serving(task: str) -> list[str]:
    national = {f"Activity:{r['key']}" for r in rows("reference/nodes/Activity.csv") if r["channel"] == "NATIONAL"}
    return sorted(activities_serving(task) & national)


def hand_reach(county: str, task: str, within_km: float) -> dict[str, Any]:
    """A task's figures for the county, summed from its municipalities' hand-computed ones."""
    figures = hand_figures(county, places_serving(task), within_km)
    population = sum(f["population"] for f in figures.values())
    within = sum(f["population"] - f["populationBeyond"] for f in figures.values())
    nobody = [code for code in sorted(figures) if figures[code]["populationBeyond"] == figures[code]["population"] > 0]
    return {
        "shareWithin": within / population,
        "populationWithin": within,
        "places": sum(f["places"] for f in figures.values()),
        "weightedDistanceKm": (
            sum(f["population"] * f["weightedDistanceKm"] for f in figures.values()) / population
            if places_serving(task)
            else None
        ),
        "municipalitiesWithNobodyWithin": [{"code": code} for code in nobody],
        "nationalActivities": [{"id": id_, "channel": "NATIONAL"} for id_ in national_serving(task)],
    }


@pytest.mark.parametrize("within_km", [5.0, 10.0])
async def test_each_task_s_figures_in_a_county_match_a_hand_computation(gql: GraphQLClient, within_km: float) -> None:
    answer = (await gql.data(TASK_COVERAGE, area=KYMENLAAKSO, km=within_km))["taskCoverage"]
    assert [reach["task"]["id"] for reach in answer["tasks"]] == task_ids()
    for reach in answer["tasks"]:
        for name, value in hand_reach(KYMENLAAKSO, reach["task"]["id"], within_km).items():
            expected = pytest.approx(value, rel=1e-9) if isinstance(value, float) else value
            assert reach[name] == expected, (reach["task"], name)


def test_the_hand_computed_county_has_tasks_that_reach_everyone_some_and_no_one() -> None:
    """At 10 km in Kymenlaakso: task 3 leaves no municipality unreached, tasks 1 and 2 some (Miehikkälä, and
    Pyhtää for task 2), task 4 all."""
    unreached = {task: hand_reach(KYMENLAAKSO, task, 10.0)["municipalitiesWithNobodyWithin"] for task in task_ids()}
    codes = {task: {m["code"] for m in listed} for task, listed in unreached.items()}
    assert codes == {
        "FamilyCentreTask:1": {"489"},
        "FamilyCentreTask:2": {"489", "624"},
        "FamilyCentreTask:3": set(),
        "FamilyCentreTask:4": {m["key"] for m in members(KYMENLAAKSO)},
    }
    assert [hand_reach(KYMENLAAKSO, task, 10.0)["places"] for task in task_ids()] == [13, 10, 6, 0]


@pytest.mark.parametrize("area", AREAS)
async def test_each_task_s_figures_are_coverage_s_for_that_task_alone(gql: GraphQLClient, area: str) -> None:
    answer = (await gql.data(TASK_COVERAGE, area=area, km=15.0, year=2023))["taskCoverage"]
    for reach in answer["tasks"]:
        task = reach["task"]["id"]
        alone = (await gql.data(COVERAGE, area=area, km=15.0, year=2023, tasks=[task]))["coverage"]
        assert reach["coverage"] == alone
        assert alone["terms"]["taskIds"] == [task] and alone["terms"]["activityIds"] is None
        assert (reach["shareWithin"], reach["places"], reach["weightedDistanceKm"], reach["isDemo"]) == (
            alone["shareWithin"],
            alone["places"],
            alone["weightedDistanceKm"],
            alone["isDemo"],
        )
        assert reach["populationWithin"] == alone["population"] - alone["populationBeyond"]
        unreached = [m["municipality"] for m in alone["municipalities"] if m["population"] and not m["shareWithin"]]
        assert reach["municipalitiesWithNobodyWithin"] == unreached
    assert answer["population"] == answer["tasks"][0]["coverage"]["population"]
    assert (answer["area"]["id"], answer["withinKm"], answer["populationYear"]) == (area, 15.0, 2020)


@pytest.mark.parametrize("area", AREAS)
async def test_the_weakest_task_has_the_lowest_share_within(gql: GraphQLClient, area: str) -> None:
    answer = (await gql.data(SHARES, area=area, km=10.0))["taskCoverage"]
    assert [reach["task"]["id"] for reach in answer["tasks"]] == task_ids()
    assert answer["weakest"] == min(answer["tasks"], key=lambda reach: reach["shareWithin"])


async def test_of_tasks_equally_weakest_the_first_in_key_order_is_named(gql: GraphQLClient) -> None:
    """Nobody in Miehikkälä lives within 10 km of a place serving task 1 or 2, and no place serves task 4."""
    answer = (await gql.data(SHARES, area="Municipality:489", km=10.0))["taskCoverage"]
    shares = {reach["task"]["id"]: reach["shareWithin"] for reach in answer["tasks"]}
    assert [task for task, share in shares.items() if share == 0] == [f"FamilyCentreTask:{n}" for n in (1, 2, 4)]
    assert answer["weakest"] == {"task": {"id": "FamilyCentreTask:1"}, "shareWithin": 0.0}


async def test_a_task_no_place_serves_reaches_nobody_and_lists_its_national_activities(gql: GraphQLClient) -> None:
    """Task 4 is served by national activities and by peer-students, which no place offers."""
    task = "FamilyCentreTask:4"
    assert not places_serving(task) and activities_serving(task) - set(national_serving(task))
    answer = (await gql.data(TASK_COVERAGE, area="Region:FI1B1", km=50.0))["taskCoverage"]
    reach = answer["tasks"][3]
    assert reach["task"]["id"] == task
    figures = {name: reach[name] for name in ("shareWithin", "populationWithin", "places", "weightedDistanceKm")}
    assert figures == {"shareWithin": 0.0, "populationWithin": 0, "places": 0, "weightedDistanceKm": None}
    populated = [m["municipality"] for m in reach["coverage"]["municipalities"] if m["population"]]
    assert reach["municipalitiesWithNobodyWithin"] == populated and len(populated) == 26
    assert [a["id"] for a in reach["nationalActivities"]] == ["Activity:nuortennetti", "Activity:vanhempainnetti"]
    assert answer["weakest"]["task"]["id"] == task


@pytest.mark.parametrize("task", task_ids())
async def test_each_task_lists_the_national_activities_serving_it(gql: GraphQLClient, task: str) -> None:
    answer = (await gql.data(TASK_COVERAGE, area="Municipality:091"))["taskCoverage"]
    (reach,) = [reach for reach in answer["tasks"] if reach["task"]["id"] == task]
    assert [a["id"] for a in reach["nationalActivities"]] == national_serving(task)
    assert {a["channel"] for a in reach["nationalActivities"]} == {"NATIONAL"}


async def test_the_answer_says_it_rests_on_demo_data(gql: GraphQLClient) -> None:
    answer = (await gql.data(TASK_COVERAGE, area=KYMENLAAKSO))["taskCoverage"]
    assert answer["isDemo"] is True
    assert all(reach["isDemo"] and reach["coverage"]["isDemo"] for reach in answer["tasks"])


ONLY = """query ($area: ID!, $km: Float, $year: Int) {
  taskCoverage(areaId: $area, withinKm: $km, year: $year) { population } }"""


@pytest.mark.parametrize(
    ("variables", "argument", "reason"),
    [
        pytest.param({"area": "WelfareArea:XX"}, "areaId", "no WelfareArea has the id WelfareArea:XX", id="unknown"),
        pytest.param(
            {"area": "Activity:clubs"},
            "areaId",
            "expected the id of a District or Municipality or Region or WelfareArea",
            id="wrong-type",
        ),
        pytest.param({"area": "Kymenlaakso"}, "areaId", "not a global id", id="malformed"),
        pytest.param({"area": KYMENLAAKSO, "km": 0}, "withinKm", "outside (0, 1000]", id="zero-km"),
        pytest.param({"area": KYMENLAAKSO, "km": -1}, "withinKm", "outside (0, 1000]", id="negative-km"),
        pytest.param({"area": KYMENLAAKSO, "km": 1000.5}, "withinKm", "outside (0, 1000]", id="too-far"),
        pytest.param({"area": KYMENLAAKSO, "year": 1800}, "year", "outside [1900, 2100]", id="year"),
    ],
)
async def test_bad_input_names_the_argument_and_the_reason(
    gql: GraphQLClient, variables: dict[str, Any], argument: str, reason: str
) -> None:
    error = await gql.error(ONLY, **variables)
    assert error["message"].startswith(f"{argument}: ")
    assert reason in error["message"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}
