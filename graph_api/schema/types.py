"""GraphQL object types. Resolvers receive the store's domain objects (`graph_api.models`) as `root`."""

from __future__ import annotations

import datetime
import enum
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry.types import Info

from graph_api import models, relations
from graph_api.models import POPULATION_YEAR, NodeRef
from graph_api.relations import Path
from graph_api.schema.context import Context

MeetingPlaceKind = strawberry.enum(models.MeetingPlaceKind, description="What kind of place families meet in.")
WelfareAreaKind = strawberry.enum(models.WelfareAreaKind)
ActivityChannel = strawberry.enum(
    models.ActivityChannel,
    description="LOCAL activities happen at places; NATIONAL ones are phone lines, chats and sites.",
)


@strawberry.enum
class OrganiserRole(enum.Enum):
    COORDINATOR = "COORDINATOR"
    PARTNER = "PARTNER"


class Backed:
    """Lets GraphQL tell which type a domain object is, for interfaces and unions."""

    model: ClassVar[type]

    @classmethod
    def is_type_of(cls, obj: object, info: Any) -> bool:
        return isinstance(obj, cls.model)


def ctx(info: Info[Context, None]) -> Context:
    return info.context


async def _related(info: Info[Context, None], root: models.Node, path: Path) -> list[Any]:
    return await ctx(info).related(root, path)


async def _related_one(info: Info[Context, None], root: models.Node, path: Path) -> Any:
    return await ctx(info).related_one(root, path)


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


@strawberry.interface(description="A node with a Finnish and, where there is one, a Swedish name.")
class Named(Node):
    name_fi: str
    name_sv: str | None


async def _population(info: Info[Context, None], root: models.Node, path: Path) -> int:
    return sum(m.population for m in await _related(info, root, path))


@strawberry.type(description="A region (maakunta); the key is its NUTS-3 code.")
class Region(Named, Backed):
    model = models.Region

    @strawberry.field
    def code(self, root: strawberry.Parent[models.Region]) -> str:
        return root.key

    @strawberry.field(description=f"Inhabitants at the end of {POPULATION_YEAR}.")
    async def population(self, root: strawberry.Parent[models.Region], info: Info[Context, None]) -> int:
        return await _population(info, root, relations.REGION_MUNICIPALITIES)

    @strawberry.field
    async def municipalities(
        self, root: strawberry.Parent[models.Region], info: Info[Context, None]
    ) -> list[Municipality]:
        return await _related(info, root, relations.REGION_MUNICIPALITIES)

    @strawberry.field(description="The MLL districts that work in the region.")
    async def districts(self, root: strawberry.Parent[models.Region], info: Info[Context, None]) -> list[District]:
        return await _related(info, root, relations.REGION_DISTRICTS)


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

    @strawberry.field
    async def municipalities(
        self, root: strawberry.Parent[models.WelfareArea], info: Info[Context, None]
    ) -> list[Municipality]:
        return await _related(info, root, relations.WELFARE_AREA_MUNICIPALITIES)

    @strawberry.field
    async def family_centres(
        self, root: strawberry.Parent[models.WelfareArea], info: Info[Context, None]
    ) -> list[FamilyCentre]:
        return await _related(info, root, relations.SERVED_BY_FAMILY_CENTRES)

    @strawberry.field(description="Agreements with MLL districts; only those in force in `year` when given.")
    async def agreements(
        self, root: strawberry.Parent[models.WelfareArea], info: Info[Context, None], year: int | None = None
    ) -> list[Agreement]:
        return await party_agreements(info, root, year)


@strawberry.type(description="A municipality; the key is its three-digit code.")
class Municipality(Named, Backed):
    model = models.Municipality
    location: Location = strawberry.field(description="A point inside the municipality: its largest populated place.")
    area_km2: float = strawberry.field(description="Area in km², inland waters included (1:4.5M boundaries).")

    @strawberry.field
    def code(self, root: strawberry.Parent[models.Municipality]) -> str:
        return root.key

    @strawberry.field(description=f"Inhabitants at the end of {POPULATION_YEAR}.")
    def population(self, root: strawberry.Parent[models.Municipality]) -> int:
        return root.population

    @strawberry.field(description="The year of `population`.")
    def population_year(self) -> int:
        return POPULATION_YEAR

    @strawberry.field(description="Null for Åland's municipalities, which lie outside the counties.")
    async def welfare_area(
        self, root: strawberry.Parent[models.Municipality], info: Info[Context, None]
    ) -> WelfareArea | None:
        return await _related_one(info, root, relations.MUNICIPALITY_WELFARE_AREA)

    @strawberry.field
    async def region(self, root: strawberry.Parent[models.Municipality], info: Info[Context, None]) -> Region:
        return await _related_one(info, root, relations.MUNICIPALITY_REGION)

    @strawberry.field(description="The MLL districts that work in the municipality's region.")
    async def districts(
        self, root: strawberry.Parent[models.Municipality], info: Info[Context, None]
    ) -> list[District]:
        return await _related(info, root, relations.MUNICIPALITY_DISTRICTS)

    @strawberry.field
    async def meeting_places(
        self, root: strawberry.Parent[models.Municipality], info: Info[Context, None]
    ) -> list[MeetingPlace]:
        return await _related(info, root, relations.MUNICIPALITY_MEETING_PLACES)

    @strawberry.field
    async def local_associations(
        self, root: strawberry.Parent[models.Municipality], info: Info[Context, None]
    ) -> list[LocalAssociation]:
        return await _related(info, root, relations.MUNICIPALITY_LOCAL_ASSOCIATIONS)

    @strawberry.field(description="Agreements made with the municipality itself (not through its county).")
    async def agreements(
        self, root: strawberry.Parent[models.Municipality], info: Info[Context, None], year: int | None = None
    ) -> list[Agreement]:
        return await party_agreements(info, root, year)


@strawberry.type(description="An MLL district organisation (piiri).")
class District(Named, Backed):
    model = models.District
    website: str | None

    @strawberry.field
    async def regions(self, root: strawberry.Parent[models.District], info: Info[Context, None]) -> list[Region]:
        return await _related(info, root, relations.DISTRICT_REGIONS)

    @strawberry.field
    async def municipalities(
        self, root: strawberry.Parent[models.District], info: Info[Context, None]
    ) -> list[Municipality]:
        return await _related(info, root, relations.DISTRICT_MUNICIPALITIES)

    @strawberry.field
    async def local_associations(
        self, root: strawberry.Parent[models.District], info: Info[Context, None]
    ) -> list[LocalAssociation]:
        return await _related(info, root, relations.DISTRICT_LOCAL_ASSOCIATIONS)

    @strawberry.field(description="The district's agreements; only those in force in `year` when given.")
    async def agreements(
        self, root: strawberry.Parent[models.District], info: Info[Context, None], year: int | None = None
    ) -> list[Agreement]:
        links = await ctx(info).links(root, relations.DISTRICT_AGREEMENTS)
        return in_force([agreement_of(root, link.node, link.properties) for link in links], year)


@strawberry.type(description="An MLL local association (paikallisyhdistys).")
class LocalAssociation(Named, Backed):
    model = models.LocalAssociation

    @strawberry.field
    async def district(self, root: strawberry.Parent[models.LocalAssociation], info: Info[Context, None]) -> District:
        return await _related_one(info, root, relations.LOCAL_ASSOCIATION_DISTRICT)

    @strawberry.field
    async def municipalities(
        self, root: strawberry.Parent[models.LocalAssociation], info: Info[Context, None]
    ) -> list[Municipality]:
        return await _related(info, root, relations.LOCAL_ASSOCIATION_MUNICIPALITIES)

    @strawberry.field(description="Meeting places the association runs or partners in.")
    async def meeting_places(
        self, root: strawberry.Parent[models.LocalAssociation], info: Info[Context, None]
    ) -> list[MeetingPlace]:
        return await _related(info, root, relations.RUNS_MEETING_PLACES)


@strawberry.type(description="MLL's central organisation or another partner.")
class Organization(Named, Backed):
    model = models.Organization

    @strawberry.field(description="Meeting places the organisation runs or partners in.")
    async def meeting_places(
        self, root: strawberry.Parent[models.Organization], info: Info[Context, None]
    ) -> list[MeetingPlace]:
        return await _related(info, root, relations.RUNS_MEETING_PLACES)


ServiceArea = Annotated[
    WelfareArea | Municipality, strawberry.union("ServiceArea", description="A county or a municipality.")
]


@strawberry.type(description="A family centre (perhekeskus).")
class FamilyCentre(Named, Backed):
    model = models.FamilyCentre

    @strawberry.field(description="The county or municipality the centre serves.")
    async def serves(
        self, root: strawberry.Parent[models.FamilyCentre], info: Info[Context, None]
    ) -> list[ServiceArea]:
        return await _related(info, root, relations.FAMILY_CENTRE_SERVES)

    @strawberry.field(description="Meeting places that are part of the centre's network.")
    async def meeting_places(
        self, root: strawberry.Parent[models.FamilyCentre], info: Info[Context, None]
    ) -> list[MeetingPlace]:
        return await _related(info, root, relations.FAMILY_CENTRE_MEETING_PLACES)


Organiser = Annotated[
    District | LocalAssociation | Organization | FamilyCentre,
    strawberry.union("Organiser", description="Who runs a meeting place or partners in it."),
]


@strawberry.type(description="One organiser of a meeting place and its role there.")
class RunBy:
    role: OrganiserRole
    organiser: Organiser
    is_demo: bool = strawberry.field(description="True for generated demo data, which is not the real register.")


@strawberry.type(description="A meeting place, family café, family house or open day-care.")
class MeetingPlace(Node, Backed):
    model = models.MeetingPlace
    name: str
    kind: MeetingPlaceKind
    location: Location

    @strawberry.field
    async def municipality(
        self, root: strawberry.Parent[models.MeetingPlace], info: Info[Context, None]
    ) -> Municipality:
        return await _related_one(info, root, relations.MEETING_PLACE_MUNICIPALITY)

    @strawberry.field(description="Coordinators first, then partners.")
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
        return sorted(runs, key=lambda run: run.role.value)

    @strawberry.field
    async def activities(
        self, root: strawberry.Parent[models.MeetingPlace], info: Info[Context, None]
    ) -> list[Activity]:
        return await _related(info, root, relations.MEETING_PLACE_ACTIVITIES)

    @strawberry.field(description="The family centre whose network the place is part of, if any.")
    async def family_centre(
        self, root: strawberry.Parent[models.MeetingPlace], info: Info[Context, None]
    ) -> FamilyCentre | None:
        return await _related_one(info, root, relations.MEETING_PLACE_FAMILY_CENTRE)


@strawberry.type(description="An MLL activity type.")
class Activity(Named, Backed):
    model = models.Activity
    name_en: str
    channel: ActivityChannel

    @strawberry.field(description="The THL family-centre tasks the activity serves, as the source document maps them.")
    async def tasks(
        self, root: strawberry.Parent[models.Activity], info: Info[Context, None]
    ) -> list[FamilyCentreTask]:
        return await _related(info, root, relations.ACTIVITY_TASKS)

    @strawberry.field
    async def meeting_places(
        self, root: strawberry.Parent[models.Activity], info: Info[Context, None]
    ) -> list[MeetingPlace]:
        return await _related(info, root, relations.ACTIVITY_MEETING_PLACES)


@strawberry.type(description="One of THL's four family-centre tasks.")
class FamilyCentreTask(Named, Backed):
    model = models.FamilyCentreTask
    name_en: str

    @strawberry.field
    def number(self, root: strawberry.Parent[models.FamilyCentreTask]) -> int:
        return int(root.key)

    @strawberry.field
    async def activities(
        self, root: strawberry.Parent[models.FamilyCentreTask], info: Info[Context, None]
    ) -> list[Activity]:
        return await _related(info, root, relations.TASK_ACTIVITIES)


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


def agreement_of(district: models.Node, party: models.Node, properties: dict[str, object]) -> models.Agreement:
    return models.Agreement(
        district=district,  # type: ignore[arg-type]
        party=party,  # type: ignore[arg-type]
        since=properties["since"],  # type: ignore[arg-type]
        until=properties.get("until"),  # type: ignore[arg-type]
        kind=str(properties["kind"]),
        source=str(properties["source"]),
    )


def in_force(agreements: list[models.Agreement], year: int | None) -> list[models.Agreement]:
    return [a for a in agreements if year is None or a.in_force(year)]


async def party_agreements(info: Info[Context, None], party: models.Node, year: int | None) -> list[models.Agreement]:
    links = await ctx(info).links(party, relations.PARTY_AGREEMENTS)
    return in_force([agreement_of(link.node, party, link.properties) for link in links], year)


@strawberry.type(description="A meeting place and its geodesic distance from the point asked about.")
class NearbyHit:
    distance_km: float
    place: MeetingPlace


@strawberry.type(description="The meeting places inside a map view.")
class PlacesInBounds:
    total_count: int = strawberry.field(description="How many places are inside, also those past `limit`.")
    places: list[MeetingPlace]


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
