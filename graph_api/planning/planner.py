"""The planners' questions answered from a store: an area's coverage, the municipalities ranked by gaps, and an
area's coverage by each family-centre task.

The inputs are gathered through `GraphStore` alone (`get_many`, `place_spread`, `traverse_many`, `agreements`), so
both backends give the same figures; the arguments that GraphQL and the command line share are checked here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
from collections.abc import Sequence

from graph_api.cancellation import in_worker
from graph_api.errors import InputError
from graph_api.hours import HELSINKI
from graph_api.models import FamilyCentreTask, Municipality, Node, NodeRef
from graph_api.offers import national
from graph_api.planning.coverage import (
    AreaCoverage,
    CoverageGaps,
    CoverageInputs,
    CoverageTerms,
    MunicipalityCoverage,
    TaskCoverage,
    TaskReach,
    measure,
    ranked_gaps,
)
from graph_api.planning.population import Settlements
from graph_api.relations import (
    MUNICIPALITIES_OF_AREA,
    MUNICIPALITY_WELFARE_AREA,
    TASK_ACTIVITIES,
)
from graph_api.response_cache import not_cacheable
from graph_api.store.base import EVERY_PLACE, GraphStore, PlaceFilter

AREA_LABELS = frozenset(MUNICIPALITIES_OF_AREA)
DEFAULT_WITHIN_KM = 10.0
MAX_WITHIN_KM = 1000.0


def current_year() -> int:
    """The year now in Finland, where the agreements run: the default year for `underAgreement` (an answer by
    it changes at new year: `not_cacheable`)."""
    not_cacheable()
    return datetime.datetime.now(HELSINKI).year


def coverage_terms(within_km: float, places: PlaceFilter, year: int | None) -> CoverageTerms:
    """Checked terms; no year means the current one."""
    if not 0 < within_km <= MAX_WITHIN_KM:
        raise InputError("withinKm", f"{within_km:g} is outside (0, {MAX_WITHIN_KM:g}] km")
    return CoverageTerms(within_km, places, current_year() if year is None else year)


async def area_coverage(
    store: GraphStore, settlements: Settlements, area: NodeRef, terms: CoverageTerms, argument: str = "areaId"
) -> AreaCoverage:
    """The figures of an area (its label one of `AREA_LABELS`) and of each of its municipalities."""
    node, municipalities = await _area(store, area, argument)
    inputs = await _inputs(store, municipalities, terms)
    return AreaCoverage(node, terms, tuple(await _measured(inputs, settlements, terms)))


async def coverage_gaps(
    store: GraphStore,
    settlements: Settlements,
    terms: CoverageTerms,
    area: NodeRef | None,
    min_share_beyond: float | None,
    limit: int | None,
    argument: str = "areaId",
) -> CoverageGaps:
    """The municipalities of the area (all of them when None) ranked by their population beyond reach."""
    if area is None:
        found = await store.every("Municipality")
        municipalities = [m for m in found if isinstance(m, Municipality)]
    else:
        _, municipalities = await _area(store, area, argument)
    inputs = await _inputs(store, municipalities, terms)
    ranked = ranked_gaps(await _measured(inputs, settlements, terms), min_share_beyond)
    return CoverageGaps(terms, min_share_beyond, len(ranked), tuple(ranked[:limit]), inputs.is_demo)


async def task_coverage(
    store: GraphStore,
    settlements: Settlements,
    area: NodeRef,
    within_km: float,
    year: int | None,
    argument: str = "areaId",
) -> TaskCoverage:
    """The area's figures for each family-centre task alone, in task key order, beside the national activities
    serving the task; the area, its municipalities and their agreements are read once for all the tasks."""
    shared = coverage_terms(within_km, EVERY_PLACE, year)
    (node, municipalities), found = await asyncio.gather(_area(store, area, argument), store.every("FamilyCentreTask"))
    tasks = [task for task in found if isinstance(task, FamilyCentreTask)]
    terms = [dataclasses.replace(shared, places=PlaceFilter(tasks=frozenset({task.key}))) for task in tasks]
    inputs, activities = await asyncio.gather(
        _inputs_each(store, municipalities, shared.year, [t.places for t in terms]),
        store.traverse_many([NodeRef.of(task) for task in tasks], TASK_ACTIVITIES),
    )
    measured = await asyncio.gather(*(_measured(i, settlements, t) for i, t in zip(inputs, terms, strict=True)))
    reaches = (
        TaskReach(task, AreaCoverage(node, t, tuple(figures)), tuple(national(link.node for link in links)))
        for task, t, figures, links in zip(tasks, terms, measured, activities, strict=True)
    )
    return TaskCoverage(node, shared.within_km, tuple(municipalities), tuple(reaches))


async def _measured(
    inputs: CoverageInputs, settlements: Settlements, terms: CoverageTerms
) -> list[MunicipalityCoverage]:
    """Measured in a worker thread: a national measure takes some 10 ms over the seeds' places, but building the
    kd-tree of a million places takes a second or two, which would stall the event loop and every other request."""
    return await in_worker(measure, inputs, settlements, terms.within_km)


async def _area(store: GraphStore, ref: NodeRef, argument: str) -> tuple[Node, list[Municipality]]:
    (node,) = await store.get_many([ref])
    if node is None:
        raise InputError(argument, f"no {ref.label} has the id {ref}")
    (links,) = await store.traverse_many([ref], MUNICIPALITIES_OF_AREA[ref.label])
    return node, [link.node for link in links if isinstance(link.node, Municipality)]


async def _inputs(store: GraphStore, municipalities: Sequence[Municipality], terms: CoverageTerms) -> CoverageInputs:
    (inputs,) = await _inputs_each(store, municipalities, terms.year, [terms.places])
    return inputs


async def _inputs_each(
    store: GraphStore, municipalities: Sequence[Municipality], year: int, filters: Sequence[PlaceFilter]
) -> list[CoverageInputs]:
    """The inputs for each set of places, read at once: on Neo4j each read is a round trip of its own, and what
    the municipalities are (their counties and agreements) is read once for all the sets, and the places come as
    arrays (`place_spread`), not as a million objects."""
    refs = [NodeRef.of(m) for m in municipalities]
    shared = asyncio.gather(store.traverse_many(refs, MUNICIPALITY_WELFARE_AREA), store.agreements(year))
    spreads = asyncio.gather(*(store.place_spread(places) for places in filters))
    (counties, agreements), found = await asyncio.gather(shared, spreads)
    county_of = {m.key: ls[0].node.key if ls else None for m, ls in zip(municipalities, counties, strict=True)}
    return [CoverageInputs(tuple(municipalities), county_of, spread, tuple(agreements)) for spread in found]
