"""Generate the demo network (`seeds/demo/`) deterministically from the reference seeds.

No public register lists MLL's agreements, associations, family centres or meeting places, so the
service ships made-up ones, consistent with the published totals: 18 counties and 243 municipalities
under agreement in 2023 and 550-600 meeting places, with plausible opening hours. Every generated row has
`source = demo`. The same seed number always writes the same files (`graph-api seeds generate-demo`).
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import json
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from geopy.distance import geodesic

from graph_api.geo.distance import geodesic_km
from graph_api.hours import Schedule, Weekday
from graph_api.models import DEMO_SOURCE, Dataset, Municipality, Point, WelfareArea, WelfareAreaKind
from loaders.csvfiles import EDGE_COLUMNS, read_rows, write_rows
from loaders.seeds import SCHEDULE_COLUMNS, SCHEDULES_FILE, read_dataset

DEFAULT_SEED = 2023
MEETING_PLACES = 575
LOCAL_ASSOCIATIONS = 550
AGREEMENT_COUNTIES_2023 = 18
AGREEMENT_MUNICIPALITIES_2023 = 243
OWN_FAMILY_CENTRE_POPULATION = 100_000
MIN_SEPARATION_KM = 0.05

KIND_WEIGHTS = {"FAMILY_CAFE": 50, "MEETING_PLACE": 30, "FAMILY_HOUSE": 10, "OPEN_DAYCARE": 10}
KIND_NAMES = {
    "FAMILY_CAFE": "Perhekahvila",
    "MEETING_PLACE": "Kohtaamispaikka",
    "FAMILY_HOUSE": "Perhetalo",
    "OPEN_DAYCARE": "Avoin päiväkoti",
}
CORE_ACTIVITY = {
    "FAMILY_CAFE": "family-cafes",
    "MEETING_PLACE": "meeting-places",
    "FAMILY_HOUSE": "meeting-places",
    "OPEN_DAYCARE": "clubs",
}
EXTRA_ACTIVITIES = ("parents-groups", "play-day", "family-events", "clubs", "support-persons", "childcare-help")


@dataclass(frozen=True)
class OpeningPattern:
    """How a kind of place tends to open: on one of `days_a_week` weekdays, from one of `opens` for one of
    `hours`; and the shares of places that add an evening, add a Saturday, or close for the summer."""

    days_a_week: tuple[int, ...]
    opens: tuple[datetime.time, ...]
    hours: tuple[float, ...]
    evening: float = 0.0
    saturday: float = 0.0
    summer_break: float = 0.0


OPENING_PATTERNS = {
    "FAMILY_CAFE": OpeningPattern(
        (1, 1, 2), (datetime.time(9), datetime.time(9, 30), datetime.time(10)), (2, 2.5, 3), summer_break=0.5
    ),
    "MEETING_PLACE": OpeningPattern(
        (2, 3, 4), (datetime.time(9), datetime.time(9, 30), datetime.time(10)), (3, 4, 5), evening=0.3, summer_break=0.3
    ),
    "FAMILY_HOUSE": OpeningPattern(
        (4, 5, 5), (datetime.time(8, 30), datetime.time(9)), (6, 7), evening=0.4, saturday=0.3, summer_break=0.2
    ),
    "OPEN_DAYCARE": OpeningPattern(
        (3, 4, 5), (datetime.time(8, 30), datetime.time(9), datetime.time(9, 30)), (3, 3.5), summer_break=0.4
    ),
}
EVENING = (datetime.time(17), 2.0)
SATURDAY = (datetime.time(10), 4.0)
SUMMER_BREAK = (datetime.date(2027, 5, 31), datetime.date(2027, 8, 9))
"""The last day open before the summer and the first day open after it."""


@dataclass(frozen=True)
class Town:
    """A populated GeoNames place, placed in the municipality whose boundary contains it."""

    name: str
    point: Point
    population: int


class Generator:
    """Builds the demo rows; one instance, one seed, one output."""

    def __init__(self, seeds_dir: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.reference = read_dataset_part(seeds_dir)
        self.boundaries = _boundaries(seeds_dir / "reference/boundaries/municipalities.geojson")
        self.municipalities = sorted(
            (n for n in self.reference.nodes if isinstance(n, Municipality)), key=lambda m: m.key
        )
        self.areas = {n.key: n for n in self.reference.nodes if isinstance(n, WelfareArea)}
        links = {(r.type, r.start.key): r.end.key for r in self.reference.relationships}
        self.region_of = {m.key: links[("IN_REGION", m.key)] for m in self.municipalities}
        self.area_of = {m.key: links.get(("IN_WELFARE_AREA", m.key)) for m in self.municipalities}
        district_of_region = {r.end.key: r.start.key for r in self.reference.relationships if r.type == "COVERS"}
        self.district_of = {code: district_of_region.get(region) for code, region in self.region_of.items()}
        self.served = [m for m in self.municipalities if self.district_of[m.key] and self.area_of[m.key]]
        self.towns = _towns(seeds_dir / "reference/gazetteer/places.csv", self.boundaries)
        self.nodes: dict[str, list[dict[str, object]]] = defaultdict(list)
        self.edges: dict[str, list[dict[str, object]]] = defaultdict(list)
        self.schedules: list[dict[str, object]] = []
        # Its own stream, so that adding opening hours left every earlier demo file as it was.
        self.hours_rng = random.Random(f"opening-hours-{seed}")

    def run(self) -> None:
        associations = self._local_associations()
        centres = self._family_centres()
        self._agreements()
        self._meeting_places(associations, centres)
        self._opening_hours()

    def _named_node(self, label: str, key: str, name_fi: str) -> str:
        self.nodes[label].append({"key": key, "source": DEMO_SOURCE, "name_fi": name_fi, "name_sv": None})
        return f"{label}:{key}"

    def _edge(self, type_: str, start: str, end: str, **properties: object) -> None:
        self.edges[type_].append({"from": start, "to": end, "source": DEMO_SOURCE, **properties})

    def _local_associations(self) -> dict[str, list[str]]:
        """One association in every served municipality, the rest shared out by population."""
        counts = _apportion({m.key: m.population for m in self.served}, LOCAL_ASSOCIATIONS, minimum=1)
        by_municipality: dict[str, list[str]] = {}
        for municipality in self.served:
            names = [municipality.name_fi] + [
                t.name for t in self.towns[municipality.key] if t.name != municipality.name_fi
            ]
            keys = []
            for n in range(counts[municipality.key]):
                key = f"la-{municipality.key}-{n + 1}"
                place = names[n] if n < len(names) else f"{municipality.name_fi} {n + 1}"
                ref = self._named_node("LocalAssociation", key, f"MLL:n paikallisyhdistys {place}")
                self._edge("MEMBER_OF", ref, f"District:{self.district_of[municipality.key]}")
                self._edge("ACTIVE_IN", ref, f"Municipality:{municipality.key}")
                keys.append(key)
            by_municipality[municipality.key] = keys
        return by_municipality

    def _family_centres(self) -> dict[str, str]:
        """A family centre for each area, and one of their own for the largest cities; municipality → centre."""
        centre_of_area = {}
        for area in sorted(self.areas.values(), key=lambda a: a.key):
            key = f"fc-{area.key.lower()}"
            name = area.name_fi.replace("hyvinvointialue", "hyvinvointialueen").replace("kaupunki", "kaupungin")
            ref = self._named_node("FamilyCentre", key, f"{name} perhekeskus")
            self._edge("SERVES", ref, f"WelfareArea:{area.key}")
            centre_of_area[area.key] = key
        centre_of = {}
        for municipality in self.served:
            area_key = self.area_of[municipality.key]
            own = self.areas[area_key].kind is WelfareAreaKind.WELLBEING_SERVICES_COUNTY
            if own and municipality.population >= OWN_FAMILY_CENTRE_POPULATION:
                key = f"fc-{municipality.key}"
                ref = self._named_node("FamilyCentre", key, f"Perhekeskus {municipality.name_fi}")
                self._edge("SERVES", ref, f"Municipality:{municipality.key}")
                centre_of[municipality.key] = key
            else:
                centre_of[municipality.key] = centre_of_area[area_key]
        return centre_of

    def _agreements(self) -> None:
        """18 counties with exactly 243 municipalities in 2023, and a plausible history around them."""
        members = Counter(self.area_of[m.key] for m in self.served)
        counties = sorted(k for k, area in self.areas.items() if area.kind is WelfareAreaKind.WELLBEING_SERVICES_COUNTY)
        excluded_size = sum(members[c] for c in counties) - AGREEMENT_MUNICIPALITIES_2023
        choices = [
            combo
            for combo in itertools.combinations(counties, len(counties) - AGREEMENT_COUNTIES_2023)
            if sum(members[c] for c in combo) == excluded_size
        ]
        excluded = self.rng.choice(choices)
        district_of_area = {self.area_of[m.key]: self.district_of[m.key] for m in self.served}
        for county in counties:
            district = f"District:{district_of_area[county]}"
            if county in excluded:
                continue
            month = self.rng.choice((1, 1, 1, 2, 3, 5, 9))
            self._edge(
                "HAS_AGREEMENT",
                district,
                f"WelfareArea:{county}",
                since=f"2023-{month:02d}-01",
                until=None,
                kind="COOPERATION",
            )
        late_county = excluded[0]
        self._edge(
            "HAS_AGREEMENT",
            f"District:{district_of_area[late_county]}",
            f"WelfareArea:{late_county}",
            since="2024-09-01",
            until=None,
            kind="COOPERATION",
        )
        self._edge(
            "HAS_AGREEMENT", "District:uusimaa", "Municipality:091", since="2024-01-01", until=None, kind="COOPERATION"
        )
        for municipality in self.rng.sample([m for m in self.served if m.key != "091"], 12):
            self._edge(
                "HAS_AGREEMENT",
                f"District:{self.district_of[municipality.key]}",
                f"Municipality:{municipality.key}",
                since=f"{self.rng.choice((2019, 2020, 2021))}-01-01",
                until="2022-12-31",
                kind="MUNICIPAL",
            )

    def _meeting_places(self, associations: dict[str, list[str]], centres: dict[str, str]) -> None:
        hosts = [m for m in self.served if self.towns[m.key]]
        counts = _apportion({m.key: m.population for m in hosts}, MEETING_PLACES, minimum=1)
        placed: list[Point] = []
        for municipality in hosts:
            names: Counter[str] = Counter()
            for n in range(counts[municipality.key]):
                kind = self.rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
                town = self.rng.choices(
                    self.towns[municipality.key], weights=[max(t.population, 500) for t in self.towns[municipality.key]]
                )[0]
                point = self._spot_near(town, municipality.key, placed)
                placed.append(point)
                name = f"{KIND_NAMES[kind]} {town.name}"
                names[name] += 1
                key = f"mp-{municipality.key}-{n + 1}"
                self.nodes["MeetingPlace"].append(
                    {
                        "key": key,
                        "source": DEMO_SOURCE,
                        "name": name if names[name] == 1 else f"{name} {names[name]}",
                        "kind": kind,
                        "lat": point.lat,
                        "lon": point.lon,
                    }
                )
                self._link_meeting_place(f"MeetingPlace:{key}", kind, municipality.key, associations, centres)

    def _spot_near(self, town: Town, code: str, placed: Sequence[Point]) -> Point:
        """A point a short walk or drive from the town, inside the municipality and apart from the others."""
        boundary = self.boundaries[code]
        reach_km = 0.5 + min(town.population, 200_000) / 40_000
        while True:
            step = geodesic(kilometers=self.rng.uniform(0.1, reach_km)).destination(
                (town.point.lat, town.point.lon), self.rng.uniform(0, 360)
            )
            point = Point(round(step.latitude, 5), round(step.longitude, 5))
            if boundary.contains(shapely.Point(point.lon, point.lat)) and all(
                geodesic_km(point, other) >= MIN_SEPARATION_KM for other in placed if abs(other.lat - point.lat) < 0.01
            ):
                return point

    def _link_meeting_place(
        self, ref: str, kind: str, code: str, associations: dict[str, list[str]], centres: dict[str, str]
    ) -> None:
        association = f"LocalAssociation:{self.rng.choice(associations[code])}"
        centre = f"FamilyCentre:{centres[code]}"
        district = f"District:{self.district_of[code]}"
        self._edge("LOCATED_IN", ref, f"Municipality:{code}")
        if kind == "FAMILY_CAFE":
            self._edge("RUN_BY", ref, association, role="COORDINATOR")
            if self.rng.random() < 0.4:
                self._edge("PART_OF", ref, centre)
        else:
            self._edge("PART_OF", ref, centre)
            coordinator = district if kind == "FAMILY_HOUSE" else centre
            self._edge("RUN_BY", ref, coordinator, role="COORDINATOR")
            self._edge("RUN_BY", ref, district if kind != "FAMILY_HOUSE" else "Organization:mll", role="PARTNER")
            if self.rng.random() < 0.5:
                self._edge("RUN_BY", ref, association, role="PARTNER")
        extras = self.rng.sample(EXTRA_ACTIVITIES, self.rng.randint(0, 3))
        for activity in dict.fromkeys([CORE_ACTIVITY[kind], *extras]):
            self._edge("OFFERS", ref, f"Activity:{activity}")

    def _opening_hours(self) -> None:
        """Weekly hours for every meeting place, as its kind tends to open: family cafés a few morning hours
        once or twice a week, family houses most weekdays; some close for the summer."""
        rng = self.hours_rng
        for place in self.nodes["MeetingPlace"]:
            pattern = OPENING_PATTERNS[str(place["kind"])]
            weekdays = sorted(rng.sample(range(5), rng.choice(pattern.days_a_week)))
            schedules = [_schedule(weekdays, rng.choice(pattern.opens), rng.choice(pattern.hours))]
            if rng.random() < pattern.evening:
                schedules.append(_schedule([rng.randrange(5)], *EVENING))
            if rng.random() < pattern.saturday:
                schedules.append(_schedule([Weekday.SA.value], *SATURDAY))
            if rng.random() < pattern.summer_break:
                before, after = SUMMER_BREAK
                schedules = [dataclasses.replace(s, valid_to=before) for s in schedules] + [
                    dataclasses.replace(s, valid_from=after) for s in schedules
                ]
            ref = f"MeetingPlace:{place['key']}"
            self.schedules += [{"location_id": ref, **s.to_hsds(), "source": DEMO_SOURCE} for s in schedules]

    def write(self, out: Path) -> dict[str, int]:
        counts = {}
        for label, rows in sorted(self.nodes.items()):
            columns = list(dict.fromkeys(itertools.chain.from_iterable(rows)))
            counts[label] = write_rows(out / "nodes" / f"{label}.csv", columns, rows)
        for type_, rows in sorted(self.edges.items()):
            columns = list(dict.fromkeys(itertools.chain(EDGE_COLUMNS, *rows)))
            counts[type_] = write_rows(out / "relationships" / f"{type_}.csv", columns, rows)
        counts["schedules"] = write_rows(out / SCHEDULES_FILE, SCHEDULE_COLUMNS, self.schedules)
        return counts


def generate_demo(seeds_dir: Path, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write `seeds/demo/` anew and return the row count of each file."""
    generator = Generator(seeds_dir, seed)
    generator.run()
    out = seeds_dir / DEMO_SOURCE
    for old in out.glob("*/*.csv"):
        old.unlink()
    return generator.write(out)


def read_dataset_part(seeds_dir: Path) -> Dataset:
    """The reference part alone: the demo is generated from it, never from an earlier demo."""
    full = read_dataset(seeds_dir)
    return Dataset(
        nodes=[n for n in full.nodes if not n.is_demo],
        relationships=[r for r in full.relationships if r.source != DEMO_SOURCE],
    )


def _schedule(weekdays: Sequence[int], opens: datetime.time, hours: float) -> Schedule:
    closes = datetime.datetime.combine(datetime.date.min, opens) + datetime.timedelta(hours=hours)
    return Schedule(tuple(Weekday(day) for day in weekdays), opens, closes.time())


def _boundaries(path: Path) -> dict[str, shapely.Geometry]:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    shapes = {f["id"]: shapely.geometry.shape(f["geometry"]) for f in features}
    for geometry in shapes.values():
        shapely.prepare(geometry)
    return shapes


def _towns(path: Path, boundaries: dict[str, shapely.Geometry]) -> dict[str, list[Town]]:
    rows = list(read_rows(path))
    lons = np.array([float(r["longitude"]) for r in rows])
    lats = np.array([float(r["latitude"]) for r in rows])
    towns: dict[str, list[Town]] = {code: [] for code in boundaries}
    for code, boundary in boundaries.items():
        for index in np.flatnonzero(shapely.contains_xy(boundary, lons, lats)):
            row = rows[index]
            towns[code].append(
                Town(row["name"], Point(float(row["latitude"]), float(row["longitude"])), int(row["population"]))
            )
    return towns


def _apportion(weights: dict[str, int], total: int, minimum: int) -> dict[str, int]:
    """Share `total` out in proportion to the weights (largest remainder), each at least `minimum`."""
    spare = total - minimum * len(weights)
    whole = sum(weights.values())
    shares = {key: spare * weight / whole for key, weight in weights.items()}
    counts = {key: minimum + int(share) for key, share in shares.items()}
    leftover = total - sum(counts.values())
    for key in sorted(shares, key=lambda k: (int(shares[k]) - shares[k], k))[:leftover]:
        counts[key] += 1
    return counts
