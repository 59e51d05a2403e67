"""GraphQL types and resolvers of the planners' coverage figures (`graph_api.planning`).

The figures are the planning module's frozen dataclasses, shown field by field; resolvers check the
arguments and hand over to `graph_api.planning.planner`.
"""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graph_api.models import POPULATION_YEAR, NodeRef
from graph_api.planning import coverage, planner
from graph_api.schema.context import Context
from graph_api.schema.enums import MeetingPlaceKind
from graph_api.schema.ids import parse_global_id
from graph_api.schema.inputs import FILTERS, ActivityIds, TaskIds, check_range, check_year, places_asked
from graph_api.schema.types import Activity, Backed, FamilyCentreTask, Municipality, Node

DEFAULT_GAPS = 20
MAX_GAPS = 500
"""More than there are municipalities: every one fits in one answer."""

IS_DEMO = "True when the meeting places or agreements the figures rest on include generated demo data."
POPULATION_YEAR_OF = "The year of the population figures, which every share and distance is weighted by."


@strawberry.type(description="What the figures measure against.")
class CoverageTerms:
    within_km: float = strawberry.field(description="The distance that counts as within reach, in km.")
    year: int = strawberry.field(description="The year whose agreements count for `underAgreement`.")

    @strawberry.field(description="The kinds of meeting place counted, in the enum's order: all when none were asked.")
    def kinds(self, root: strawberry.Parent[coverage.CoverageTerms]) -> list[MeetingPlaceKind]:
        return root.kind_list

    @strawberry.field(description="The Activity ids asked, sorted; null when places count whatever they offer.")
    def activity_ids(self, root: strawberry.Parent[coverage.CoverageTerms]) -> list[strawberry.ID] | None:
        return _ids("Activity", root.activity_keys)

    @strawberry.field(description="The FamilyCentreTask ids asked, sorted; null when none were asked.")
    def task_ids(self, root: strawberry.Parent[coverage.CoverageTerms]) -> list[strawberry.ID] | None:
        return _ids("FamilyCentreTask", root.task_keys)


def _ids(label: str, keys: list[str] | None) -> list[strawberry.ID] | None:
    return None if keys is None else [strawberry.ID(str(NodeRef(label, key))) for key in keys]


@strawberry.interface(description="The figures a municipality and an area both have.")
class CoverageFigures:
    population: int = strawberry.field(description=f"Inhabitants at the end of {POPULATION_YEAR}.")
    population_year: int = strawberry.field(description=POPULATION_YEAR_OF)
    places: int = strawberry.field(
        description="Meeting places that count (of the kinds, activities and tasks asked) located in it."
    )
    places_per_10k: float = strawberry.field(description="Those places per 10,000 inhabitants.")
    weighted_distance_km: float | None = strawberry.field(
        description="The mean geodesic distance in km from where its people live to the nearest meeting place that "
        "counts (anywhere, across borders), weighted by population; null when there is no such place at all."
    )
    share_within: float = strawberry.field(
        description="The share of its population (0 to 1) that lives within `withinKm` of such a place."
    )
    is_demo: bool = strawberry.field(description=IS_DEMO)


@strawberry.type(description="How near one municipality's people live to a meeting place that counts.")
class MunicipalityCoverage(CoverageFigures, Backed):
    model = coverage.MunicipalityCoverage
    municipality: Municipality
    population_beyond: int = strawberry.field(
        description="Inhabitants living farther than `withinKm` from any such place, to the nearest person."
    )
    under_agreement: bool = strawberry.field(
        description="Whether an agreement in force in the year covers it: one with the municipality or its county."
    )


@strawberry.type(
    description="How near an area's people live to a meeting place: its totals, and each of its municipalities."
)
class AreaCoverage(CoverageFigures, Backed):
    model = coverage.AreaCoverage
    area: Node = strawberry.field(description="The Municipality, WelfareArea, Region or District asked about.")
    terms: CoverageTerms
    population_beyond: int = strawberry.field(description="The sum of its municipalities' `populationBeyond`.")
    municipality_count: int = strawberry.field(description="How many municipalities the area has.")
    municipalities_under_agreement: int = strawberry.field(description="How many of them an agreement covers.")
    population_under_agreement: int = strawberry.field(description="The population of those municipalities.")
    municipalities: list[MunicipalityCoverage] = strawberry.field(description="In code order.")


@strawberry.type(description="Municipalities ranked by how many of their people live beyond reach of a meeting place.")
class CoverageGaps:
    terms: CoverageTerms
    min_share_beyond: float | None = strawberry.field(
        description="Only municipalities with at least this share of their population beyond `withinKm` are ranked."
    )
    total_count: int = strawberry.field(description="How many municipalities are ranked, also those past `limit`.")
    population_year: int = strawberry.field(description=POPULATION_YEAR_OF)
    is_demo: bool = strawberry.field(description=IS_DEMO)
    municipalities: list[MunicipalityCoverage] = strawberry.field(
        description="Most `populationBeyond` first, then by municipality code; at most `limit`."
    )


@strawberry.type(description="How near an area's people live to a meeting place serving one family-centre task.")
class TaskReach:
    task: FamilyCentreTask
    share_within: float = strawberry.field(
        description="The share of the area's population (0 to 1) that lives within `withinKm` of a meeting place "
        "offering an activity that serves the task."
    )
    population_within: int = strawberry.field(description="Those inhabitants, to the nearest person.")
    places: int = strawberry.field(description="Meeting places offering such an activity located in the area.")
    weighted_distance_km: float | None = strawberry.field(
        description="The mean geodesic distance in km from where the area's people live to the nearest such place "
        "(anywhere, across borders), weighted by population; null when no place anywhere serves the task."
    )
    municipalities_with_nobody_within: list[Municipality] = strawberry.field(
        description="The area's populated municipalities none of whose people lives within `withinKm` of such a "
        "place, in code order."
    )
    national_activities: list[Activity] = strawberry.field(
        description="The NATIONAL activities serving the task (phone lines, chats, websites), in key order: they "
        "reach everyone, at no place, so no figure counts them."
    )
    coverage: AreaCoverage = strawberry.field(
        description="The area's full figures for the task, as `coverage` with `taskIds` naming it alone answers."
    )
    is_demo: bool = strawberry.field(description=IS_DEMO)


@strawberry.type(description="How near an area's people live to a meeting place serving each family-centre task.")
class TaskCoverage:
    area: Node = strawberry.field(description="The Municipality, WelfareArea, Region or District asked about.")
    within_km: float = strawberry.field(description="The distance that counts as within reach, in km.")
    population: int = strawberry.field(description=f"The area's inhabitants at the end of {POPULATION_YEAR}.")
    population_year: int = strawberry.field(description=POPULATION_YEAR_OF)
    is_demo: bool = strawberry.field(description=IS_DEMO)
    tasks: list[TaskReach] = strawberry.field(description="Every FamilyCentreTask, in key order.")
    weakest: TaskReach | None = strawberry.field(
        description="The task with the smallest `shareWithin`, the first in key order among equals; null when there "
        "are no tasks."
    )


async def _terms(
    info: Info[Context, None],
    within_km: float,
    kinds: list[MeetingPlaceKind] | None,
    activity_ids: list[strawberry.ID] | None,
    task_ids: list[strawberry.ID] | None,
    year: int | None,
) -> coverage.CoverageTerms:
    places = await places_asked(info.context.store, kinds, activity_ids, task_ids)
    return planner.coverage_terms(within_km, places, check_year(year))


async def resolve_coverage(
    info: Info[Context, None],
    area_id: strawberry.ID,
    within_km: float = planner.DEFAULT_WITHIN_KM,
    kinds: list[MeetingPlaceKind] | None = None,
    year: int | None = None,
    activity_ids: ActivityIds = None,
    task_ids: TaskIds = None,
) -> AreaCoverage:
    area = parse_global_id(area_id, "areaId", planner.AREA_LABELS)
    terms = await _terms(info, within_km, kinds, activity_ids, task_ids, year)
    settlements = await info.context.seeded.settlements.get()
    return await planner.area_coverage(info.context.store, settlements, area, terms)  # type: ignore[return-value]


async def resolve_coverage_gaps(
    info: Info[Context, None],
    within_km: float = planner.DEFAULT_WITHIN_KM,
    kinds: list[MeetingPlaceKind] | None = None,
    area_id: strawberry.ID | None = None,
    year: int | None = None,
    min_share_beyond: float | None = None,
    limit: int = DEFAULT_GAPS,
    activity_ids: ActivityIds = None,
    task_ids: TaskIds = None,
) -> CoverageGaps:
    area = None if area_id is None else parse_global_id(area_id, "areaId", planner.AREA_LABELS)
    terms = await _terms(info, within_km, kinds, activity_ids, task_ids, year)
    if min_share_beyond is not None:
        check_range(min_share_beyond, 0, 1, "minShareBeyond")
    check_range(limit, 1, MAX_GAPS, "limit")
    settlements = await info.context.seeded.settlements.get()
    gaps = planner.coverage_gaps(info.context.store, settlements, terms, area, min_share_beyond, limit)
    return await gaps  # type: ignore[return-value]


async def resolve_task_coverage(
    info: Info[Context, None],
    area_id: strawberry.ID,
    within_km: float = planner.DEFAULT_WITHIN_KM,
    year: int | None = None,
) -> TaskCoverage:
    area = parse_global_id(area_id, "areaId", planner.AREA_LABELS)
    settlements = await info.context.seeded.settlements.get()
    reach = planner.task_coverage(info.context.store, settlements, area, within_km, check_year(year))
    return await reach  # type: ignore[return-value]


coverage_field = strawberry.field(
    resolver=resolve_coverage,
    description="How near the people of an area (a Municipality, WelfareArea, Region or District) and of each of its "
    f"municipalities live to a meeting place that counts, within `withinKm` (in (0, {planner.MAX_WITHIN_KM:g}]), "
    f"with agreements in force in `year` (by default the current year in Finland). Places count by `kinds`, "
    f"`activityIds` and `taskIds`: {FILTERS} People live at GeoNames' populated places and the rest at the "
    f"municipality's point; populations of {POPULATION_YEAR}.",
)
coverage_gaps_field = strawberry.field(
    resolver=resolve_coverage_gaps,
    description="Municipalities (of `areaId` when given, else all) ranked by their population farther than `withinKm` "
    "from any meeting place that counts (as in `coverage`), most first, with the figures that explain the rank; "
    f"`minShareBeyond` keeps those with at least that share beyond (0 to 1); `limit` 1 to {MAX_GAPS}.",
)
task_coverage_field = strawberry.field(
    resolver=resolve_task_coverage,
    description="For an area (a Municipality, WelfareArea, Region or District), each of THL's four family-centre "
    "tasks with how near the area's people live to a meeting place offering an activity that serves it, within "
    f"`withinKm` (in (0, {planner.MAX_WITHIN_KM:g}]), and the national activities that serve it; `weakest` names the "
    "task least within reach. Each task's figures are `coverage`'s with `taskIds` naming that task alone, with "
    "agreements in force in `year` (by default the current year in Finland).",
)
