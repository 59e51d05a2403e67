"""The root mutation: partners keep their own data. Each needs `Authorization: Bearer TOKEN` (an API key or an
OpenID Connect token; `graph_api.auth`), and each returns what it wrote, at its new `version`.

The work is done in `graph_api.editing`; here are the GraphQL inputs and payloads. Errors carry
`extensions.code`: UNAUTHENTICATED, FORBIDDEN (naming the node), CONFLICT (with `currentVersion`), or
BAD_USER_INPUT (with `argument`, the input field at fault).
"""

from __future__ import annotations

import datetime

import strawberry
from strawberry import UNSET
from strawberry.types import Info

from graph_api.editing import organisations, places
from graph_api.schema.context import Context
from graph_api.schema.enums import MeetingPlaceKind, OrganiserRole, Weekday
from graph_api.schema.types import Agreement, LocalAssociation, MeetingPlace

EXPECTED_VERSION = "The `version` the client last read: if the node has changed since, nothing is written (CONFLICT)."


@strawberry.input(description="A WGS-84 position in decimal degrees.")
class LocationInput:
    lat: float
    lon: float


@strawberry.input(description="A new meeting place. Give `location` or an `address` to geocode, not both.")
class CreateMeetingPlaceInput:
    name: str
    kind: MeetingPlaceKind
    organiser_id: strawberry.ID = strawberry.field(description="Who runs it: a district, association, ...")
    role: OrganiserRole = strawberry.field(default=OrganiserRole.COORDINATOR, description="The organiser's role.")
    location: LocationInput | None = None
    address: str | None = strawberry.field(
        default=None,
        description="Geocoded; must be placed at least on its street or in its postal code area. Kept as "
        "`streetAddress` unless that is given.",
    )
    name_sv: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    activity_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="Local activities only.")
    family_centre_id: strawberry.ID | None = None


@strawberry.input(description="Changes to a meeting place: a field left out keeps its value; null clears it.")
class UpdateMeetingPlaceInput:
    id: strawberry.ID
    expected_version: int = strawberry.field(description=EXPECTED_VERSION)
    name: str | None = UNSET
    kind: MeetingPlaceKind | None = UNSET
    location: LocationInput | None = UNSET
    address: str | None = UNSET
    name_sv: str | None = UNSET
    street_address: str | None = UNSET
    postal_code: str | None = UNSET
    organiser_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Replaces the place's organisers with this one, in `role`."
    )
    role: OrganiserRole | None = UNSET
    activity_ids: list[strawberry.ID] | None = strawberry.field(default=UNSET, description="Replaces its activities.")
    family_centre_id: strawberry.ID | None = UNSET


@strawberry.input
class WithdrawMeetingPlaceInput:
    id: strawberry.ID
    expected_version: int = strawberry.field(description=EXPECTED_VERSION)


@strawberry.input(description="One weekly opening time, in Helsinki wall time.")
class OpeningHoursInput:
    weekdays: list[Weekday]
    opens_at: datetime.time
    closes_at: datetime.time = strawberry.field(description="Later than `opensAt` on the same day.")
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None


@strawberry.input(description="Closed all day on every date from `from` to `to` (Helsinki dates, both included).")
class ClosureInput:
    starts: datetime.date = strawberry.field(name="from")
    ends: datetime.date = strawberry.field(name="to")
    reason: str | None = None


@strawberry.input(description="A place's weekly hours and exceptional closures, each list replacing what it has.")
class SetOpeningHoursInput:
    place_id: strawberry.ID
    expected_version: int = strawberry.field(description=EXPECTED_VERSION)
    hours: list[OpeningHoursInput]
    closures: list[ClosureInput] = strawberry.field(default_factory=list)


@strawberry.input(description="A new agreement of a district with a county or a municipality.")
class CreateAgreementInput:
    district_id: strawberry.ID
    party_id: strawberry.ID = strawberry.field(description="A WelfareArea or a Municipality.")
    since: datetime.date
    until: datetime.date | None = None
    kind: str


@strawberry.input(description="The end date of an agreement, found by its district, party and start.")
class EndAgreementInput:
    district_id: strawberry.ID
    party_id: strawberry.ID
    since: datetime.date
    until: datetime.date


@strawberry.input
class CreateLocalAssociationInput:
    district_id: strawberry.ID
    name_fi: str
    name_sv: str | None = None
    municipality_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Where it is active: municipalities where its district works."
    )


@strawberry.input(description="Changes to a local association: a field left out keeps its value.")
class UpdateLocalAssociationInput:
    id: strawberry.ID
    expected_version: int = strawberry.field(description=EXPECTED_VERSION)
    name_fi: str | None = UNSET
    name_sv: str | None = UNSET
    municipality_ids: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="Replaces the municipalities it is active in."
    )


@strawberry.type
class MeetingPlacePayload:
    place: MeetingPlace


@strawberry.type
class AgreementPayload:
    agreement: Agreement


@strawberry.type
class LocalAssociationPayload:
    local_association: LocalAssociation


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a meeting place; its municipality is where its point lies.")
    async def create_meeting_place(
        self, info: Info[Context, None], input: CreateMeetingPlaceInput
    ) -> MeetingPlacePayload:
        place = await places.create_place(info.context, await info.context.writer(), input)
        return MeetingPlacePayload(place=place)  # type: ignore[arg-type]

    @strawberry.mutation(description="Change a meeting place.")
    async def update_meeting_place(
        self, info: Info[Context, None], input: UpdateMeetingPlaceInput
    ) -> MeetingPlacePayload:
        place = await places.update_place(info.context, await info.context.writer(), input)
        return MeetingPlacePayload(place=place)  # type: ignore[arg-type]

    @strawberry.mutation(description="Withdraw a meeting place: it leaves the maps, and is kept (found by id).")
    async def withdraw_meeting_place(
        self, info: Info[Context, None], input: WithdrawMeetingPlaceInput
    ) -> MeetingPlacePayload:
        place = await places.withdraw_place(info.context, await info.context.writer(), input)
        return MeetingPlacePayload(place=place)  # type: ignore[arg-type]

    @strawberry.mutation(description="Replace a meeting place's weekly opening hours and exceptional closures.")
    async def set_opening_hours(self, info: Info[Context, None], input: SetOpeningHoursInput) -> MeetingPlacePayload:
        return MeetingPlacePayload(
            place=await places.set_opening_hours(info.context, await info.context.writer(), input)
        )  # type: ignore[arg-type]

    @strawberry.mutation(description="Make an agreement of a district with a county or a municipality.")
    async def create_agreement(self, info: Info[Context, None], input: CreateAgreementInput) -> AgreementPayload:
        return AgreementPayload(
            agreement=await organisations.create_agreement(info.context, await info.context.writer(), input)
        )  # type: ignore[arg-type]

    @strawberry.mutation(description="Set the end date of an agreement.")
    async def end_agreement(self, info: Info[Context, None], input: EndAgreementInput) -> AgreementPayload:
        return AgreementPayload(
            agreement=await organisations.end_agreement(info.context, await info.context.writer(), input)
        )  # type: ignore[arg-type]

    @strawberry.mutation(description="Create a local association of a district.")
    async def create_local_association(
        self, info: Info[Context, None], input: CreateLocalAssociationInput
    ) -> LocalAssociationPayload:
        association = await organisations.create_association(info.context, await info.context.writer(), input)
        return LocalAssociationPayload(local_association=association)  # type: ignore[arg-type]

    @strawberry.mutation(description="Change a local association's names or the municipalities it is active in.")
    async def update_local_association(
        self, info: Info[Context, None], input: UpdateLocalAssociationInput
    ) -> LocalAssociationPayload:
        association = await organisations.update_association(info.context, await info.context.writer(), input)
        return LocalAssociationPayload(local_association=association)  # type: ignore[arg-type]
