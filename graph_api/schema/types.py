"""GraphQL object types. Resolvers receive the store's domain objects (`graph_api.models`) as `root`."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from graph_api import hours, models, relations
from graph_api.geo import areas, geocoding
from graph_api.geo import clusters as geo_clusters
from graph_api.models import POPULATION_YEAR, NodeRef
from graph_api.relations import Path
from graph_api.schema.context import Context
from graph_api.schema.enums import (
    ActivityChannel,
    GeocoderProvider,
    MeetingPlaceKind,
    OrganiserRole,
    Precision,
    Weekday,
    WelfareAreaKind,
)
from graph_api.schema.inputs import AtMoment, IncludeWithdrawn, check_year, moment_or_now


class Backed:
    """Lets GraphQL tell which type a domain object is, for interfaces and unions."""

    model: ClassVar[type]

    @classmethod
    def is_type_of(cls, obj: object, info: Any) -> bool:
        return isinstance(obj, cls.model)


def ctx(info: Info[Context, None]) -> Context:
    return info.context


PATH_METADATA = "path"
"""A list field's metadata key for the path it follows: the cost limit sizes the list by the data along it."""


WITHDRAWABLE = frozenset({"MeetingPlace", "FamilyCentre"})
"""The node types whose lists take `includeWithdrawn`: the places and family centres imports bring in and
withdraw. (An HSDS import can withdraw an organisation too; it is then found by id only.)"""


def current(nodes: list[models.Node], include_withdrawn: bool) -> list[models.Node]:
    return nodes if include_withdrawn else [node for node in nodes if not node.is_withdrawn]


def related(path: Path, description: str | None = None) -> Any:
    """A field listing the nodes at the end of `path`, withdrawn ones left out as in every list; its GraphQL type
    is the field's annotation. A list of a type imports withdraw can have them back, with `includeWithdrawn`."""

    # No return annotation: strawberry then takes the GraphQL type from the field's annotation.
    async def resolve(root: strawberry.Parent[models.Node], info: Info[Context, None]):  # type: ignore[no-untyped-def]
        return current(await ctx(info).related(root, path), False)

    async def resolve_withdrawable(  # type: ignore[no-untyped-def]
        root: strawberry.Parent[models.Node], info: Info[Context, None], include_withdrawn: IncludeWithdrawn = False
    ):
        return current(await ctx(info).related(root, path), include_withdrawn)

    chosen = resolve_withdrawable if path[-1].label in WITHDRAWABLE else resolve
    return strawberry.field(resolver=chosen, description=description, metadata={PATH_METADATA: path})


def related_one(path: Path, description: str | None = None) -> Any:
    """A field with the first node at the end of `path`, or null."""

    async def resolve(root: strawberry.Parent[models.Node], info: Info[Context, None]):  # type: ignore[no-untyped-def]
        return await ctx(info).related_one(root, path)

    return strawberry.field(resolver=resolve, description=description)


@strawberry.type(name="Location", description="A WGS-84 position in decimal degrees.")
class Location:
    lat: float
    lon: float


@strawberry.interface(description="Anything with a global id of the form `Type:key`, e.g. `Municipality:091`.")
class Node:
    @strawberry.field
    def id(self, root: strawberry.Parent[models.Node]) -> strawberry.ID:
        return strawberry.ID(str(NodeRef.of(root)))

    @strawberry.field(description="True for generated demo data, which is not the real register.")
    def is_demo(self, root: strawberry.Parent[models.Node]) -> bool:
        return root.is_demo

    @strawberry.field(description="The dataset the node comes from; `demo` for generated demo data.")
    def source(self, root: strawberry.Parent[models.Node]) -> str:
        return root.source

    @strawberry.field(
        description="The id its source gives it (a PTV service channel's id, a row's id in a partner's file); null "
        "for data that was not imported."
    )
    def source_id(self, root: strawberry.Parent[models.Node]) -> str | None:
        return root.source_id

    @strawberry.field(
        description="1 when first written, one more at each change an edit or an import makes. An edit says the "
        "version it read (`expectedVersion`), and is refused (CONFLICT) if the node has changed since."
    )
    def version(self, root: strawberry.Parent[models.Node]) -> int:
        return root.version

    @strawberry.field(description="When an import first brought it in; null for data that was not imported.")
    def imported_at(self, root: strawberry.Parent[models.Node]) -> datetime.datetime | None:
        return root.imported_at

    @strawberry.field(
        description="When an import or a partner's edit last changed it (or withdrew it); null for the shipped data "
        "as it came."
    )
    def updated_at(self, root: strawberry.Parent[models.Node]) -> datetime.datetime | None:
        return root.updated_at

    @strawberry.field(
        description="When its source itself last changed it (a PTV service channel's `modified`); null where the "
        "source does not say."
    )
    def source_updated_at(self, root: strawberry.Parent[models.Node]) -> datetime.datetime | None:
        return root.source_updated_at

    @strawberry.field(
        description="When its source stopped listing it, or its partner withdrew it; null while it is current. A "
        "withdrawn node is kept and found by "
        "id, but left out of lists (unless `includeWithdrawn`), `nearby`, `inBounds`, the maps and coverage."
    )
    def withdrawn_at(self, root: strawberry.Parent[models.Node]) -> datetime.datetime | None:
        return root.withdrawn_at


@strawberry.interface(description="A node with a Finnish and, where there is one, a Swedish name.")
class Named(Node):
    name_fi: str
    name_sv: str | None


async def _population(info: Info[Context, None], root: models.Node, path: Path) -> int:
    return sum(m.population for m in await ctx(info).related(root, path))


@strawberry.type(description="A region (maakunta); the key is its NUTS-3 code.")
class Region(Named, Backed):
    model = models.Region

    @strawberry.field
    def code(self, root: strawberry.Parent[models.Region]) -> str:
        return root.key

    @strawberry.field(description=f"Inhabitants at the end of {POPULATION_YEAR}.")
    async def population(self, root: strawberry.Parent[models.Region], info: Info[Context, None]) -> int:
        return await _population(info, root, relations.REGION_MUNICIPALITIES)

    municipalities: list[Municipality] = related(relations.REGION_MUNICIPALITIES)
    districts: list[District] = related(relations.REGION_DISTRICTS, "The MLL districts that work in the region.")


@strawberry.type(
    description="An organiser of health and social services: a wellbeing services county or the City of Helsinki."
)
class WelfareArea(Named, Backed):
    model = models.WelfareArea
    kind: WelfareAreaKind

    @strawberry.field
    def code(self, root: strawberry.Parent[models.WelfareArea]) -> str:
        return root.key

    @strawberry.field(description=f"Inhabitants at the end of {POPULATION_YEAR}.")
    async def population(self, root: strawberry.Parent[models.WelfareArea], info: Info[Context, None]) -> int:
        return await _population(info, root, relations.WELFARE_AREA_MUNICIPALITIES)

    municipalities: list[Municipality] = related(relations.WELFARE_AREA_MUNICIPALITIES)
    family_centres: list[FamilyCentre] = related(relations.SERVED_BY_FAMILY_CENTRES)

    @strawberry.field(description="Agreements with MLL districts; only those in force in `year` when given.")
    async def agreements(
        self, root: strawberry.Parent[models.WelfareArea], info: Info[Context, None], year: int | None = None
    ) -> list[Agreement]:
        return await agreements_of(info, root, year)


@strawberry.type(description="A municipality; the key is its three-digit code.")
class Municipality(Named, Backed):
    model = models.Municipality
    location: Location = strawberry.field(description="A point inside the municipality: its largest populated place.")
    area_km2: float = strawberry.field(
        description="Area in km² inside the generalised (1:4.5M) boundary: inland waters in, the sea out."
    )

    @strawberry.field
    def code(self, root: strawberry.Parent[models.Municipality]) -> str:
        return root.key

    @strawberry.field(description=f"Inhabitants at the end of {POPULATION_YEAR}.")
    def population(self, root: strawberry.Parent[models.Municipality]) -> int:
        return root.population

    @strawberry.field(description="The year of `population`.")
    def population_year(self) -> int:
        return POPULATION_YEAR

    welfare_area: WelfareArea | None = related_one(
        relations.MUNICIPALITY_WELFARE_AREA, "Null for Åland's municipalities, which lie outside the counties."
    )
    region: Region = related_one(relations.MUNICIPALITY_REGION)
    districts: list[District] = related(
        relations.MUNICIPALITY_DISTRICTS, "The MLL districts that work in the municipality's region."
    )
    meeting_places: list[MeetingPlace] = related(relations.MUNICIPALITY_MEETING_PLACES)
    local_associations: list[LocalAssociation] = related(relations.MUNICIPALITY_LOCAL_ASSOCIATIONS)

    @strawberry.field(description="Agreements made with the municipality itself (not through its county).")
    async def agreements(
        self, root: strawberry.Parent[models.Municipality], info: Info[Context, None], year: int | None = None
    ) -> list[Agreement]:
        return await agreements_of(info, root, year)


@strawberry.type(description="An MLL district organisation (piiri).")
class District(Named, Backed):
    model = models.District
    website: str | None

    regions: list[Region] = related(relations.DISTRICT_REGIONS)
    municipalities: list[Municipality] = related(relations.DISTRICT_MUNICIPALITIES)
    local_associations: list[LocalAssociation] = related(relations.DISTRICT_LOCAL_ASSOCIATIONS)

    @strawberry.field(description="The district's agreements; only those in force in `year` when given.")
    async def agreements(
        self, root: strawberry.Parent[models.District], info: Info[Context, None], year: int | None = None
    ) -> list[Agreement]:
        return await agreements_of(info, root, year)


@strawberry.type(description="An MLL local association (paikallisyhdistys).")
class LocalAssociation(Named, Backed):
    model = models.LocalAssociation

    district: District = related_one(relations.LOCAL_ASSOCIATION_DISTRICT)
    municipalities: list[Municipality] = related(relations.LOCAL_ASSOCIATION_MUNICIPALITIES)
    meeting_places: list[MeetingPlace] = related(
        relations.RUNS_MEETING_PLACES, "Meeting places the association runs or partners in."
    )


@strawberry.type(description="MLL's central organisation or another partner.")
class Organization(Named, Backed):
    model = models.Organization

    meeting_places: list[MeetingPlace] = related(
        relations.RUNS_MEETING_PLACES, "Meeting places the organisation runs or partners in."
    )


ServiceArea = Annotated[
    WelfareArea | Municipality, strawberry.union("ServiceArea", description="A county or a municipality.")
]


@strawberry.type(description="A family centre (perhekeskus).")
class FamilyCentre(Named, Backed):
    model = models.FamilyCentre
    street_address: str | None = strawberry.field(description="Where it has a service location of its own.")
    postal_code: str | None
    location: Location | None = strawberry.field(description="Its service location; null when it has none known.")

    serves: list[ServiceArea] = related(relations.FAMILY_CENTRE_SERVES, "The county or municipality the centre serves.")
    meeting_places: list[MeetingPlace] = related(
        relations.FAMILY_CENTRE_MEETING_PLACES, "Meeting places that are part of the centre's network."
    )


Organiser = Annotated[
    District | LocalAssociation | Organization | FamilyCentre,
    strawberry.union("Organiser", description="Who runs a meeting place or partners in it."),
]


@strawberry.type(description="One organiser of a meeting place and its role there.")
class RunBy:
    role: OrganiserRole
    organiser: Organiser
    is_demo: bool = strawberry.field(description="True for generated demo data, which is not the real register.")


@strawberry.type(
    description="One weekly opening time: an Open Referral HSDS schedule row (freq WEEKLY) in Helsinki wall time."
)
class OpeningHours:
    @strawberry.field(description="The days of the week it applies to.")
    def weekdays(self, root: strawberry.Parent[hours.Schedule]) -> list[Weekday]:
        return list(root.byday)

    opens_at: datetime.time
    closes_at: datetime.time = strawberry.field(description="Later than `opensAt` on the same day.")
    valid_from: datetime.date | None = strawberry.field(description="The first date it applies on; null: no start.")
    valid_to: datetime.date | None = strawberry.field(
        description="The last date it applies on; null: until further notice."
    )

    @strawberry.field(description=f"The IANA time zone of the times: always {hours.TIMEZONE}.")
    def timezone(self) -> str:
        return hours.TIMEZONE


@strawberry.type(
    description="An exceptional closure: closed all day on every Helsinki date from `from` to `to`, both included, "
    "whatever the opening hours say."
)
class Closure:
    starts: datetime.date = strawberry.field(name="from", description="The first closed date.")
    ends: datetime.date = strawberry.field(name="to", description="The last closed date: `from` for a single day.")
    reason: str | None = strawberry.field(
        description=f"Why it is closed, as the partner put it (at most {hours.REASON_MAX_CHARS} characters)."
    )


@strawberry.type(description="A time a place is open: from `opens` until just before `closes`, at Helsinki's offset.")
class OpeningPeriod:
    opens: datetime.datetime
    closes: datetime.datetime


@strawberry.type(description="A meeting place, family café, family house or open day-care.")
class MeetingPlace(Node, Backed):
    model = models.MeetingPlace
    name: str
    name_sv: str | None = strawberry.field(description="Its Swedish name, where the source gives one.")
    kind: MeetingPlaceKind
    location: Location
    street_address: str | None = strawberry.field(description="As the source gives it, e.g. `Mannerheimintie 1 A`.")
    postal_code: str | None

    municipality: Municipality = related_one(relations.MEETING_PLACE_MUNICIPALITY)

    @strawberry.field(
        description="Coordinators first, then partners.", metadata={PATH_METADATA: relations.MEETING_PLACE_RUN_BY}
    )
    async def run_by(self, root: strawberry.Parent[models.MeetingPlace], info: Info[Context, None]) -> list[RunBy]:
        links = await ctx(info).links(root, relations.MEETING_PLACE_RUN_BY)
        runs = [
            RunBy(
                role=OrganiserRole(link.properties["role"]),
                organiser=link.node,
                is_demo=link.properties["source"] == models.DEMO_SOURCE,
            )
            for link in links
        ]
        return sorted(runs, key=lambda run: list(OrganiserRole).index(run.role))

    activities: list[Activity] = related(relations.MEETING_PLACE_ACTIVITIES)
    family_centre: FamilyCentre | None = related_one(
        relations.MEETING_PLACE_FAMILY_CENTRE, "The family centre whose network the place is part of, if any."
    )

    @strawberry.field(description="Its weekly opening times; empty when they are not known.")
    def opening_hours(self, root: strawberry.Parent[models.MeetingPlace]) -> list[OpeningHours]:
        return list(root.schedules)  # type: ignore[arg-type]

    @strawberry.field(description="The dates it is closed all day whatever its opening hours say; may be empty.")
    def closures(self, root: strawberry.Parent[models.MeetingPlace]) -> list[Closure]:
        return list(root.closures)  # type: ignore[arg-type]

    @strawberry.field(description="Whether its opening hours have it open at `at`, on a date no closure covers.")
    def is_open(self, root: strawberry.Parent[models.MeetingPlace], at: AtMoment = None) -> bool:
        return hours.is_open(root.schedules, moment_or_now(at, "at"), closures=root.closures)

    @strawberry.field(
        description="The opening under way at `after`, or else the next to begin, skipping closed dates; null when "
        f"none begins within {hours.HORIZON_DAYS} days."
    )
    def next_opening(
        self, root: strawberry.Parent[models.MeetingPlace], after: AtMoment = None
    ) -> OpeningPeriod | None:
        moment = moment_or_now(after, "after")
        return hours.next_opening(root.schedules, moment, closures=root.closures)  # type: ignore[return-value]


@strawberry.type(description="An MLL activity type.")
class Activity(Named, Backed):
    model = models.Activity
    name_en: str
    channel: ActivityChannel

    tasks: list[FamilyCentreTask] = related(
        relations.ACTIVITY_TASKS, "The THL family-centre tasks the activity serves, as the source document maps them."
    )
    meeting_places: list[MeetingPlace] = related(relations.ACTIVITY_MEETING_PLACES)


@strawberry.type(description="One of THL's four family-centre tasks.")
class FamilyCentreTask(Named, Backed):
    model = models.FamilyCentreTask
    name_en: str

    @strawberry.field
    def number(self, root: strawberry.Parent[models.FamilyCentreTask]) -> int:
        return int(root.key)

    activities: list[Activity] = related(relations.TASK_ACTIVITIES)


@strawberry.type(description="A cooperation agreement of an MLL district with a county or a municipality.")
class Agreement:
    district: District
    party: ServiceArea
    since: datetime.date
    until: datetime.date | None = strawberry.field(description="Null while the agreement runs on.")
    kind: str

    @strawberry.field(description="True for generated demo data, which is not the real register.")
    def is_demo(self, root: strawberry.Parent[models.Agreement]) -> bool:
        return root.is_demo


async def agreements_of(info: Info[Context, None], node: models.Node, year: int | None) -> list[models.Agreement]:
    return await ctx(info).agreements(node, check_year(year))


@strawberry.type(description="A meeting place and its geodesic distance from the point asked about.")
class NearbyHit:
    distance_km: float
    place: MeetingPlace


@strawberry.type(description="The meeting places inside a map view.")
class PlacesInBounds:
    total_count: int = strawberry.field(description="How many places are inside, also those past `limit`.")
    places: list[MeetingPlace]


@strawberry.type(description="A box in WGS-84 degrees.")
class Bounds:
    south: float
    west: float
    north: float
    east: float


@strawberry.type(description="A slippy-map tile, as in a tile URL `{z}/{x}/{y}`: columns east from 180°W, rows south.")
class Tile:
    z: int
    x: int
    y: int


@strawberry.type(description="How many places of one kind.")
class KindCount:
    kind: MeetingPlaceKind
    count: int


@strawberry.type(description="The meeting places in one cell of the grid: one marker on a zoomed-out map.")
class Cluster:
    count: int
    location: Location = strawberry.field(
        description="The mean position of the places, where to draw the marker: among them, inside the cell."
    )
    bounds: Bounds = strawberry.field(description="The whole cell, which may reach outside the view.")
    tile: Tile = strawberry.field(description="The cell as a tile: the one at the map's zoom + 2.")
    is_demo: bool = strawberry.field(description="True when any of the places is generated demo data.")
    place: MeetingPlace | None = strawberry.field(
        description="The place itself when `count` is 1, so that the map can draw it as a marker; else null."
    )

    @strawberry.field(description="How many places of each kind, in the enum's order; kinds with none left out.")
    def kinds(self, root: strawberry.Parent[geo_clusters.Cluster]) -> list[KindCount]:
        return [KindCount(kind=kind, count=count) for kind, count in root.kinds.items()]


@strawberry.type(description="The meeting places in a map view, counted per cell of a grid.")
class Clusters:
    total_count: int = strawberry.field(description="How many places are inside the view: the counts' sum.")
    clusters: list[Cluster] = strawberry.field(
        description="North to south, then west to east; cells without places left out."
    )


@strawberry.type(description="A postal code area: Statistics Finland's Paavo boundaries, simplified.")
class PostalCodeArea:
    postal_code: str

    @strawberry.field(description="The municipality Statistics Finland counts the area in.")
    async def municipality(
        self, root: strawberry.Parent[areas.PostalCodeArea], info: Info[Context, None]
    ) -> Municipality:
        return await ctx(info).node(NodeRef("Municipality", root.municipality))  # type: ignore[return-value]


@strawberry.type(description="The areas a point lies in; `reason` says why one is missing.")
class WhereIs:
    location: Location
    municipality: Municipality | None
    welfare_area: WelfareArea | None = strawberry.field(description="Null on Åland, which has no county.")
    region: Region | None
    districts: list[District] = strawberry.field(description="The MLL districts that work in the region.")
    postal_code_area: PostalCodeArea | None = strawberry.field(
        description="Null at sea and outside Finland. Its boundaries are finer than the municipalities' (1:4.5M), "
        "so within a few hundred metres of a border or the coast the two may disagree."
    )
    reason: str | None = strawberry.field(description="Why the municipality or the county is null, if one is.")


async def where_is(info: Info[Context, None], point: models.Point) -> WhereIs:
    locator = await ctx(info).seeded.locator.get()
    code = locator.locate(point)
    municipality = None if code is None else await ctx(info).node(NodeRef("Municipality", code))
    area = (await ctx(info).seeded.postal_areas.get()).area_at(point)
    if municipality is None:
        reason = locator.why_nowhere(point)
        return WhereIs(
            location=point,  # type: ignore[arg-type]
            municipality=None,
            welfare_area=None,
            region=None,
            districts=[],
            postal_code_area=area,  # type: ignore[arg-type]
            reason=reason,
        )
    welfare_area = await ctx(info).related_one(municipality, relations.MUNICIPALITY_WELFARE_AREA)
    return WhereIs(
        location=point,  # type: ignore[arg-type]
        municipality=municipality,  # type: ignore[arg-type]
        postal_code_area=area,  # type: ignore[arg-type]
        welfare_area=welfare_area,  # type: ignore[arg-type]
        region=await ctx(info).related_one(municipality, relations.MUNICIPALITY_REGION),  # type: ignore[arg-type]
        districts=await ctx(info).related(municipality, relations.MUNICIPALITY_DISTRICTS),  # type: ignore[arg-type]
        reason=None if welfare_area else "Åland's municipalities belong to no wellbeing services county",
    )


@strawberry.type(description="One place an address may mean.")
class GeocodeResult:
    label: str
    precision: Precision
    provider: GeocoderProvider
    postal_code: str | None = strawberry.field(description="The postal code the result stands for, if it is one.")
    note: str | None = strawberry.field(description="What in the address the result could not place, and why.")

    @strawberry.field
    def lat(self, root: strawberry.Parent[geocoding.GeocodeResult]) -> float:
        return root.location.lat

    @strawberry.field
    def lon(self, root: strawberry.Parent[geocoding.GeocodeResult]) -> float:
        return root.location.lon

    @strawberry.field(description="The municipality the point lies in; null at sea or outside Finland.")
    async def municipality(
        self, root: strawberry.Parent[geocoding.GeocodeResult], info: Info[Context, None]
    ) -> Municipality | None:
        if root.municipality is None:
            return None
        return await ctx(info).node(NodeRef("Municipality", root.municipality))  # type: ignore[return-value]


@strawberry.type(description="The places an address may mean, best first.")
class Geocoding:
    address: str = strawberry.field(description="The address as it was looked up, whitespace tidied.")
    results: list[GeocodeResult]
    reason: str | None = strawberry.field(
        description="Why there are no results, or why the offline gazetteer answered instead of the provider."
    )


ALL_NODE_TYPES = (
    Region,
    WelfareArea,
    Municipality,
    District,
    LocalAssociation,
    Organization,
    FamilyCentre,
    MeetingPlace,
    Activity,
    FamilyCentreTask,
)
