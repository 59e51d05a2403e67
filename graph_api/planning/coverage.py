"""How far people live from a meeting place, municipality by municipality, and the totals of an area.

Pure: it takes domain objects gathered from a store and the residents of `population.py`, and returns
frozen figures, so both backends give the same answers. A distance is the geodesic to the nearest meeting
place that counts (by kind, activity, task) wherever it is, across municipal borders, so every resident has a
distance, and `weighted_distance_km` is defined, whenever any such place exists at all. All the residents are
measured at once: one kd-tree query gives each its nearest candidates, and one call measures the geodesics of only
those that can be nearest.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from graph_api.cancellation import checkpoint
from graph_api.geo.distance import geodesic_km_pairs
from graph_api.geo.index import PointIndex, longest_geodesic_km
from graph_api.models import (
    POPULATION_YEAR,
    Activity,
    Agreement,
    FamilyCentreTask,
    MeetingPlaceKind,
    Municipality,
    Node,
    NodeRef,
    Point,
)
from graph_api.observability.caches import register_cache
from graph_api.planning.population import Settlements
from graph_api.store.base import PlaceFilter, PlaceSpread

PER_INHABITANTS = 10_000
FIRST_CANDIDATES = 4
"""Candidates asked for each resident at first; those whose candidates could all be nearest ask for 4 times more."""
CANDIDATE_GROWTH = 4
MAX_INDEXED_PLACES = 2_000_000
"""Places the kd-trees kept between requests may hold in all (some 70 MB a million): the trees of a million places
each take a second to build, so they are kept, but not one per filter a planner ever tried."""


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

    `counties` maps a municipality's code to its WelfareArea's key (None on Åland); `places` are every meeting
    place of the chosen kinds in the country, with how many are located in each municipality, and `agreements`
    those in force in the year.
    """

    municipalities: Sequence[Municipality]
    counties: Mapping[str, str | None]
    places: PlaceSpread
    agreements: Sequence[Agreement]

    @property
    def is_demo(self) -> bool:
        """Whether the figures rest on generated demo data: the places counted or the agreements."""
        return self.places.is_demo or any(a.is_demo for a in self.agreements)


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


def coordinates(points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
    """The latitudes and longitudes of the points, as arrays."""
    count = len(points)
    return np.fromiter((p.lat for p in points), float, count), np.fromiter((p.lon for p in points), float, count)


class NearestPlace:
    """Geodesic km from points to the nearest of the places, for many points at once.

    The kd-tree gives every point its nearest candidates by chord through the Earth in one query. No geodesic is
    shorter than its chord, and the nearest candidate's is no longer than `longest_geodesic_km` of its chord, so the
    nearest by geodesic is among the candidates whose chord is within that; only those are measured, in one call.
    A point whose candidates all lie that close asks for more candidates, until some lies farther or there are no
    more places.
    """

    def __init__(self, index: PointIndex) -> None:
        self._index = index
        self._lats, self._lons = index.lats, index.lons

    def __len__(self) -> int:
        return len(self._lats)

    def km(self, points: Sequence[Point]) -> np.ndarray:
        """The km from each point to its nearest place, in the points' order; infinite when there are no places."""
        lats, lons = coordinates(points)
        nearest = np.full(len(points), np.inf)
        pending = np.arange(len(points) if len(self) else 0)
        k = FIRST_CANDIDATES
        while pending.size:
            checkpoint()
            k = min(k, len(self))
            chords, found = self._index.nearest_candidates([points[i] for i in pending], k)
            may_be_nearest = (chords <= longest_geodesic_km(chords[:, :1])) & (found < len(self))
            settled = ~may_be_nearest[:, -1] | (k == len(self))
            rows, columns = np.nonzero(may_be_nearest & settled[:, None])
            measured, places = pending[rows], found[rows, columns]
            km = geodesic_km_pairs(lats[measured], lons[measured], self._lats[places], self._lons[places])
            np.minimum.at(nearest, measured, km)
            pending, k = pending[~settled], k * CANDIDATE_GROWTH
        return nearest


class PlaceSets:
    """The `NearestPlace` of each set of places asked lately, by a digest of its coordinates, the most recent
    kept while they hold at most `MAX_INDEXED_PLACES` places in all: a set of a million places is worth keeping
    (its kd-tree takes 1-2 s to build), and a digest of its coordinates is found in some 0.1 s, where hashing its
    points as a tuple took 0.4 s."""

    def __init__(self) -> None:
        self._sets: OrderedDict[bytes, NearestPlace] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, lats: np.ndarray, lons: np.ndarray) -> NearestPlace:
        """The places at these coordinates."""
        digest = hashlib.blake2b(lats.tobytes(), digest_size=16)
        digest.update(lons.tobytes())
        key = digest.digest()
        with self._lock:
            found = self._sets.get(key)
        if found is None:
            found = NearestPlace(PointIndex(lats, lons))
        with self._lock:
            self._sets[key] = found
            self._sets.move_to_end(key)
            while len(self._sets) > 1 and sum(map(len, self._sets.values())) > MAX_INDEXED_PLACES:
                self._sets.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._sets)

    def cache_clear(self) -> None:
        """Forget every set, as in a fresh process."""
        with self._lock:
            self._sets.clear()


nearest_place = PlaceSets()
"""The one `PlaceSets` of this process."""
register_cache("coverage_place_sets", nearest_place)


def measure(inputs: CoverageInputs, settlements: Settlements, within_km: float) -> list[MunicipalityCoverage]:
    """The figures of each municipality of the inputs, in their order."""
    residents = [settlements.residents(municipality) for municipality in inputs.municipalities]
    points = [resident.location for living in residents for resident in living]
    places = inputs.places
    nearest = NearestPlace(places.index) if places.index is not None else nearest_place(places.lats, places.lons)
    distances = iter(nearest.km(points).tolist())
    parties = {NodeRef.of(agreement.party) for agreement in inputs.agreements}
    is_demo = inputs.is_demo
    figures = []
    for municipality, living in zip(inputs.municipalities, residents, strict=True):
        checkpoint()
        people_km = [(resident.people, next(distances)) for resident in living]
        within = round(sum(people for people, km in people_km if km <= within_km))
        measured = len(inputs.places) > 0 and municipality.population > 0
        weighted = sum(people * km for people, km in people_km) / municipality.population if measured else None
        figures.append(
            MunicipalityCoverage(
                municipality=municipality,
                places=inputs.places.located.get(municipality.key, 0),
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
