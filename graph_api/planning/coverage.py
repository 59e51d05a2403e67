"""How far people live from a meeting place, municipality by municipality, and the totals of an area.

Pure: it takes domain objects gathered from a store and the residents of `population.py`, and returns
frozen figures, so both backends give the same answers. A distance is the geodesic to the nearest meeting
place that counts (by kind, activity, task) wherever it is, across municipal borders. The kd-tree's candidates
are searched in a radius that grows (5, 20, 80, ... km, up to the whole Earth) until one is found, so every resident
has a distance, and `weighted_distance_km` is defined, whenever any such place exists at all.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graph_api.cancellation import checkpoint
from graph_api.geo.index import FIRST_SEARCH_KM, PointIndex, nearest
from graph_api.models import (
    POPULATION_YEAR,
    Activity,
    Agreement,
    FamilyCentreTask,
    MeetingPlace,
    MeetingPlaceKind,
    Municipality,
    Node,
    NodeRef,
    Point,
)
from graph_api.observability.caches import register_cache
from graph_api.planning.population import Settlements
from graph_api.store.base import PlaceFilter

SEARCH_GROWTH = 4.0
WHOLE_EARTH_KM = 20_100.0
"""Farther than any two points on Earth (half the equator is 20,038 km), so the last search finds every place."""
PER_INHABITANTS = 10_000


@dataclass(frozen=True, slots=True)
class CoverageTerms:
    """What the figures measure against: a distance, the meeting places that count (by kind, activity and
    task; never by opening hours), an agreement year."""

    within_km: float
    places: PlaceFilter
    year: int

    @property
    def kind_list(self) -> list[MeetingPlaceKind]:
        """The kinds counted, in the enum's order."""
        return [kind for kind in MeetingPlaceKind if self.places.kinds is None or kind in self.places.kinds]

    @property
    def activity_keys(self) -> list[str] | None:
        """The keys of the activities asked, sorted; None when any place counts whatever it offers."""
        return None if self.places.activities is None else sorted(self.places.activities)

    @property
    def task_keys(self) -> list[str] | None:
        """The keys of the family-centre tasks asked, sorted; None when none were asked."""
        return None if self.places.tasks is None else sorted(self.places.tasks)


@dataclass(frozen=True, slots=True)
class CoverageInputs:
    """What the store says about the municipalities to measure.

    `counties` maps a municipality's code to its WelfareArea's key (None on Åland), `places_in` to the number
    of meeting places of the chosen kinds located in it; `places` are every such place in the country, and
    `agreements` those in force in the year.
    """

    municipalities: Sequence[Municipality]
    counties: Mapping[str, str | None]
    places_in: Mapping[str, int]
    places: Sequence[MeetingPlace]
    agreements: Sequence[Agreement]

    @property
    def is_demo(self) -> bool:
        """Whether the figures rest on generated demo data: the places counted or the agreements."""
        return any(place.is_demo for place in self.places) or any(a.is_demo for a in self.agreements)


@dataclass(frozen=True, slots=True)
class MunicipalityCoverage:
    """One municipality's figures.

    Residents may be fractional (see `population.py`), so the people within are rounded to whole people
    once, in `measure`; every other count and share derives from that integer, so `share_within` stays in
    [0, 1] and `population_beyond` is exactly `population - population_within`.
    """

    municipality: Municipality
    places: int
    weighted_distance_km: float | None
    population_within: int
    under_agreement: bool
    is_demo: bool

    @property
    def population(self) -> int:
        return self.municipality.population

    @property
    def population_year(self) -> int:
        return POPULATION_YEAR

    @property
    def places_per_10k(self) -> float:
        return _ratio(self.places * PER_INHABITANTS, self.population)

    @property
    def share_within(self) -> float:
        return _ratio(self.population_within, self.population)

    @property
    def share_beyond(self) -> float:
        return _ratio(self.population_beyond, self.population)

    @property
    def population_beyond(self) -> int:
        return self.population - self.population_within


@dataclass(frozen=True, slots=True)
class AreaCoverage:
    """An area's figures: sums of its municipalities', and their averages weighted by population."""

    area: Node
    terms: CoverageTerms
    municipalities: tuple[MunicipalityCoverage, ...]

    @property
    def population(self) -> int:
        return sum(m.population for m in self.municipalities)

    @property
    def population_year(self) -> int:
        return POPULATION_YEAR

    @property
    def places(self) -> int:
        return sum(m.places for m in self.municipalities)

    @property
    def places_per_10k(self) -> float:
        return _ratio(self.places * PER_INHABITANTS, self.population)

    @property
    def weighted_distance_km(self) -> float | None:
        """None when a populated municipality has none: there are no places of the kinds."""
        weighted = [(m.population, m.weighted_distance_km) for m in self.municipalities if m.population]
        if not weighted or any(km is None for _, km in weighted):
            return None
        return sum(people * (km or 0.0) for people, km in weighted) / self.population

    @property
    def share_within(self) -> float:
        return _ratio(sum(m.population_within for m in self.municipalities), self.population)

    @property
    def population_beyond(self) -> int:
        return sum(m.population_beyond for m in self.municipalities)

    @property
    def municipality_count(self) -> int:
        return len(self.municipalities)

    @property
    def municipalities_under_agreement(self) -> int:
        return sum(m.under_agreement for m in self.municipalities)

    @property
    def population_under_agreement(self) -> int:
        return sum(m.population for m in self.municipalities if m.under_agreement)

    @property
    def is_demo(self) -> bool:
        return any(m.is_demo for m in self.municipalities)


@dataclass(frozen=True, slots=True)
class CoverageGaps:
    """Municipalities ranked by their population beyond `terms.within_km`: most first, then by code.

    `total_count` is how many qualify, also those past the limit.
    """

    terms: CoverageTerms
    min_share_beyond: float | None
    total_count: int
    municipalities: tuple[MunicipalityCoverage, ...]
    is_demo: bool

    @property
    def population_year(self) -> int:
        return POPULATION_YEAR


@dataclass(frozen=True, slots=True)
class TaskReach:
    """An area's figures for the places serving one family-centre task, and the national activities serving it,
    which reach everyone at no place and so count in no figure."""

    task: FamilyCentreTask
    coverage: AreaCoverage
    national_activities: tuple[Activity, ...]

    @property
    def share_within(self) -> float:
        return self.coverage.share_within

    @property
    def population_within(self) -> int:
        return self.coverage.population - self.coverage.population_beyond

    @property
    def places(self) -> int:
        return self.coverage.places

    @property
    def weighted_distance_km(self) -> float | None:
        return self.coverage.weighted_distance_km

    @property
    def municipalities_with_nobody_within(self) -> list[Municipality]:
        """The populated municipalities none of whose people (to the nearest person) lives within reach."""
        return [m.municipality for m in self.coverage.municipalities if m.population and not m.population_within]

    @property
    def is_demo(self) -> bool:
        return self.coverage.is_demo


@dataclass(frozen=True, slots=True)
class TaskCoverage:
    """An area's figures by family-centre task, in task key order, for a planner to see the weakest task there."""

    area: Node
    within_km: float
    municipalities: tuple[Municipality, ...]
    tasks: tuple[TaskReach, ...]

    @property
    def population(self) -> int:
        return sum(m.population for m in self.municipalities)

    @property
    def population_year(self) -> int:
        return POPULATION_YEAR

    @property
    def weakest(self) -> TaskReach | None:
        """The task with the smallest share within reach; of equal shares the first in key order."""
        return min(self.tasks, key=lambda reach: reach.share_within, default=None)

    @property
    def is_demo(self) -> bool:
        return any(reach.is_demo for reach in self.tasks)


class NearestPlace:
    """Geodesic km from a point to the nearest of the places, remembered per point.

    Many residents share a point (a municipality's rest lives at its largest place), and `nearest_place`
    keeps one per set of places, so that other distances, areas or years measure no point twice.
    """

    def __init__(self, places: Sequence[Point]) -> None:
        self._index = PointIndex(places)
        self._known: dict[Point, float | None] = {}

    def km(self, point: Point) -> float | None:
        """None when there are no places at all."""
        if point not in self._known:
            self._known[point] = self._search(point)
        return self._known[point]

    def _search(self, point: Point) -> float | None:
        if not self._index.points:
            return None
        radius = FIRST_SEARCH_KM
        while True:
            candidates = ((km, self._index.points[i]) for km, i in self._index.candidates(point, radius))
            hits = nearest(point, candidates, _itself, radius, 1)
            if hits or radius >= WHOLE_EARTH_KM:
                return hits[0][0] if hits else None
            radius = min(radius * SEARCH_GROWTH, WHOLE_EARTH_KM)


@functools.lru_cache(maxsize=64)
def nearest_place(places: tuple[Point, ...]) -> NearestPlace:
    """The one `NearestPlace` of these places in this process: room for one per set of kinds, every task alone,
    and the activities planners ask by most."""
    return NearestPlace(places)


register_cache("coverage_place_sets", nearest_place)


def _itself(point: Point) -> Point:
    return point


def measure(inputs: CoverageInputs, settlements: Settlements, within_km: float) -> list[MunicipalityCoverage]:
    """The figures of each municipality of the inputs, in their order."""
    nearest_km = nearest_place(tuple(place.location for place in inputs.places)).km
    parties = {NodeRef.of(agreement.party) for agreement in inputs.agreements}
    is_demo = inputs.is_demo
    figures = []
    for municipality in inputs.municipalities:
        checkpoint()
        people_km = [(r.people, nearest_km(r.location)) for r in settlements.residents(municipality)]
        within = round(sum(people for people, km in people_km if km is not None and km <= within_km))
        measured = bool(inputs.places) and municipality.population > 0
        weighted = sum(people * (km or 0.0) for people, km in people_km) / municipality.population if measured else None
        figures.append(
            MunicipalityCoverage(
                municipality=municipality,
                places=inputs.places_in.get(municipality.key, 0),
                weighted_distance_km=weighted,
                population_within=within,
                under_agreement=_under_agreement(municipality, inputs.counties.get(municipality.key), parties),
                is_demo=is_demo,
            )
        )
    return figures


def _under_agreement(municipality: Municipality, county: str | None, parties: set[NodeRef]) -> bool:
    """An agreement with the municipality itself, or with the county (or the City of Helsinki) it belongs to."""
    return NodeRef.of(municipality) in parties or (county is not None and NodeRef("WelfareArea", county) in parties)


def ranked_gaps(figures: Sequence[MunicipalityCoverage], min_share_beyond: float | None) -> list[MunicipalityCoverage]:
    """The municipalities with at least `min_share_beyond` of their people beyond, most people beyond first."""
    kept = [f for f in figures if min_share_beyond is None or f.share_beyond >= min_share_beyond]
    return sorted(kept, key=lambda f: (-f.population_beyond, f.municipality.key))


def _ratio(part: float, whole: float) -> float:
    """A share of nobody is 0."""
    return part / whole if whole else 0.0
