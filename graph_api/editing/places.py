"""Meeting places as partners edit them: create, update, withdraw, and set their opening hours.

Each function reads what it needs, checks the input by the importers' rules (`loaders.importing`: names, the
point and its municipality, organisers), asks `graph_api.auth.permissions` whether the caller may (for the
place as it is and as it will be), and hands the result to the `Writer`. An input field left out keeps what
the place has; `familyCentreId: null` or `nameSv: null` clears it.

The municipality is always where the point lies; an address is geocoded, and must be placed at least on its
street or in its postal code area. `organiserId` (with `role`) replaces the place's organisers with that one;
`activityIds` replaces its activities. Opening hours and closures are replaced whole by `setOpeningHours`.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strawberry import UNSET

from graph_api import offers, relations
from graph_api.auth.permissions import require_place
from graph_api.editing.checks import address_text, optional_text, postal_code, text
from graph_api.editing.writer import EDIT_SOURCE, NodeEdit, Writer
from graph_api.errors import InputError, VersionConflict
from graph_api.geo.geocoding import Precision
from graph_api.hours import REASON_MAX_CHARS, Closure, Schedule
from graph_api.models import (
    MeetingPlace,
    MeetingPlaceKind,
    Node,
    NodeRef,
    Point,
    Relationship,
)
from graph_api.schema.context import Context
from graph_api.schema.inputs import check_latitude, check_longitude
from loaders.importing import ORGANISER_LABELS, ROLES, municipality_at

PLACED_ENOUGH = frozenset({Precision.ADDRESS, Precision.STREET, Precision.POSTAL_CODE})
"""How precisely a geocoded address must be placed for a meeting place: at least its street or postal code."""
MAX_ACTIVITIES = 50
MAX_HOURS = 50
MAX_CLOSURES = 200
OWNED = ("LOCATED_IN", "RUN_BY", "OFFERS", "PART_OF")
"""The relationships of a place an edit gives in full when it gives them."""


@dataclass(frozen=True, slots=True)
class Parties:
    """A place's relationships that edits change: its organisers with their roles, activities, family centre."""

    organisers: tuple[tuple[NodeRef, str], ...]
    activities: tuple[NodeRef, ...]
    family_centre: NodeRef | None
    municipality: NodeRef | None

    @property
    def coordinators(self) -> list[NodeRef]:
        return [ref for ref, role in self.organisers if role == ROLES[0]]

    def fields(self) -> dict[str, object]:
        """As the audit shows them."""
        return {
            "organisers": [f"{ref} {role}" for ref, role in self.organisers] or None,
            "activities": sorted(map(str, self.activities)) or None,
            "familyCentre": None if self.family_centre is None else str(self.family_centre),
            "municipality": None if self.municipality is None else str(self.municipality),
        }

    def changes_from(self, before: Parties | None) -> dict[str, tuple[object, object]]:
        old = {} if before is None else before.fields()
        return {name: (old.get(name), value) for name, value in self.fields().items() if old.get(name) != value}


NO_PARTIES = Parties((), (), None, None)


def is_given(value: object) -> bool:
    return value is not UNSET


async def located(ctx: Context, location: Any, address: str | None) -> tuple[Point, str | None]:
    """The point given, or the one the address is geocoded to (with the postal code the geocoder found)."""
    if (location is None) == (address is None):
        raise InputError("input.location", "give location {lat, lon} or an address to geocode: one of them")
    if location is not None:
        return Point(
            check_latitude(location.lat, "input.location.lat"), check_longitude(location.lon, "input.location.lon")
        ), None
    found = await ctx.geocode(address_text(address, "input.address"))
    for result in found.results:
        if result.precision in PLACED_ENOUGH:
            return result.location, result.postal_code
    best = f"only {found.results[0].label} ({found.results[0].precision.value.lower()})" if found.results else "nothing"
    raise InputError(
        "input.address",
        f"the geocoder found {best} for {address!r}: a meeting place needs its street or postal code; or give location",
    )


async def municipality(ctx: Context, point: Point) -> NodeRef:
    locator = await ctx.seeded.locator.get()
    try:
        return NodeRef("Municipality", municipality_at(locator, point))
    except ValueError as exc:
        raise InputError("input.location", str(exc)) from None


async def activities(ctx: Context, ids: Sequence[str]) -> tuple[NodeRef, ...]:
    """The activities named, each a local one: national ones (phone lines, chats) are offered at no place."""
    if len(ids) > MAX_ACTIVITIES:
        raise InputError("input.activityIds", f"{len(ids)} activities; at most {MAX_ACTIVITIES}")
    found = [await ctx.existing(id_, "input.activityIds", frozenset({"Activity"})) for id_ in dict.fromkeys(ids)]
    national = [str(NodeRef.of(activity)) for activity in offers.national(found)]
    if national:
        raise InputError(
            "input.activityIds",
            f"{', '.join(national)} is national (a phone line, chat or web) and offered at no place",
        )
    return tuple(sorted((NodeRef.of(a) for a in found), key=str))


async def organiser(ctx: Context, organiser_id: str | None, role: Any) -> tuple[tuple[NodeRef, str], ...]:
    if organiser_id is None:
        raise InputError("input.organiserId", "cannot be null: a meeting place needs an organiser")
    node = await ctx.existing(organiser_id, "input.organiserId", frozenset(ORGANISER_LABELS))
    return ((NodeRef.of(node), ROLES[0] if role is None or role is UNSET else role.value),)


async def family_centre(ctx: Context, family_centre_id: str | None) -> NodeRef | None:
    if family_centre_id is None:
        return None
    return NodeRef.of(await ctx.existing(family_centre_id, "input.familyCentreId", frozenset({"FamilyCentre"})))


async def parties_of(ctx: Context, place: NodeRef) -> Parties:
    """What the store holds for the place now (read afresh, not from the request's cache)."""
    run_by, offers, part_of, located_in = (
        links
        for (links,) in [
            await ctx.store.traverse_many([place], path)
            for path in (
                relations.MEETING_PLACE_RUN_BY,
                relations.MEETING_PLACE_ACTIVITIES,
                relations.MEETING_PLACE_FAMILY_CENTRE,
                relations.MEETING_PLACE_MUNICIPALITY,
            )
        ]
    )
    organisers = ((NodeRef.of(link.node), str(link.properties.get("role"))) for link in run_by)
    return Parties(
        # NodeRefs do not order: sorted by their ids, as the audit shows them
        organisers=tuple(sorted(organisers, key=lambda organiser: (str(organiser[0]), organiser[1]))),
        activities=tuple(sorted((NodeRef.of(link.node) for link in offers), key=str)),
        family_centre=next((NodeRef.of(link.node) for link in part_of), None),
        municipality=next((NodeRef.of(link.node) for link in located_in), None),
    )


def relationships(
    writer: Writer, place: Node, parties: Parties, before: Parties | None
) -> tuple[list[Relationship], list[tuple[NodeRef, str]]]:
    """The relationships of the kinds that changed (all for a new place), each type given in full."""
    wanted = {
        "LOCATED_IN": [(parties.municipality, {})] if parties.municipality else [],
        "RUN_BY": [(ref, {"role": role}) for ref, role in parties.organisers],
        "OFFERS": [(ref, {}) for ref in parties.activities],
        "PART_OF": [(parties.family_centre, {})] if parties.family_centre else [],
    }
    changed = {
        "LOCATED_IN": before is None or before.municipality != parties.municipality,
        "RUN_BY": before is None or before.organisers != parties.organisers,
        "OFFERS": before is None or before.activities != parties.activities,
        "PART_OF": before is None or before.family_centre != parties.family_centre,
    }
    return [
        writer.relationship(type_, place, end, **properties)
        for type_ in OWNED
        if changed[type_]
        for end, properties in wanted[type_]
        if end is not None
    ], [(NodeRef.of(place), type_) for type_ in OWNED if changed[type_]]


async def editable(
    ctx: Context, writer: Writer, place_id: str, expected_version: int, argument: str
) -> tuple[MeetingPlace, Parties]:
    """The place to edit: the caller's to edit as it is, at the version the client read, not withdrawn. The right
    comes first, so that a caller refused it learns nothing of the place's state (its version, its withdrawal)."""
    place = await ctx.existing(place_id, argument, frozenset({"MeetingPlace"}))
    assert isinstance(place, MeetingPlace)
    ref = NodeRef.of(place)
    parties = await parties_of(ctx, ref)
    await require_place(ctx.store, writer.caller, ref, parties.coordinators, parties.family_centre)
    if place.version != expected_version:
        raise VersionConflict(str(ref), expected_version, place.version)
    if place.is_withdrawn:
        raise InputError(argument, f"{ref} is withdrawn (since {place.withdrawn_at:%Y-%m-%d}): nothing to edit")
    return place, parties


async def create_place(ctx: Context, writer: Writer, data: Any) -> MeetingPlace:
    point, found_postal_code = await located(ctx, data.location, data.address)
    parties = Parties(
        organisers=await organiser(ctx, data.organiser_id, data.role),
        activities=await activities(ctx, data.activity_ids or []),
        family_centre=await family_centre(ctx, data.family_centre_id),
        municipality=await municipality(ctx, point),
    )
    ref = NodeRef("MeetingPlace", str(uuid.uuid4()))
    await require_place(ctx.store, writer.caller, ref, parties.coordinators, parties.family_centre)
    place = MeetingPlace(
        ref.key,
        EDIT_SOURCE,
        text(data.name, "input.name"),
        MeetingPlaceKind(data.kind.value),
        point,
        name_sv=optional_text(data.name_sv, "input.nameSv"),
        street_address=street_address(data.street_address, data.address),
        postal_code=postal_code(data.postal_code, "input.postalCode") or found_postal_code,
    )
    place = writer.stamped(place, None)
    rels, replaces = relationships(writer, place, parties, None)
    await writer.commit("createMeetingPlace", [NodeEdit(None, place, parties.changes_from(None))], rels, replaces)
    return place  # type: ignore[return-value]


def street_address(given: str | None, address: str | None) -> str | None:
    """The street address given, or else the address geocoded (a partner types the place's address there)."""
    value = given if given is not None else address
    return (
        None if value is None else address_text(value, "input.streetAddress" if given is not None else "input.address")
    )


async def update_place(ctx: Context, writer: Writer, data: Any) -> MeetingPlace:
    place, before = await editable(ctx, writer, data.id, data.expected_version, "input.id")
    ref = NodeRef.of(place)
    changes: dict[str, Any] = {}
    after = before
    if is_given(data.location) or is_given(data.address):
        location = data.location if is_given(data.location) else None
        address = data.address if is_given(data.address) else None
        point, found_postal_code = await located(ctx, location, address)
        changes["location"] = point
        after = dataclasses.replace(after, municipality=await municipality(ctx, point))
        if address is not None:
            changes["street_address"] = street_address(None, address)
            changes["postal_code"] = found_postal_code
    if is_given(data.name):
        changes["name"] = text(data.name, "input.name")
    if is_given(data.name_sv):
        changes["name_sv"] = optional_text(data.name_sv, "input.nameSv")
    if is_given(data.kind):
        if data.kind is None:
            raise InputError("input.kind", "cannot be null: it is required")
        changes["kind"] = MeetingPlaceKind(data.kind.value)
    if is_given(data.street_address):
        changes["street_address"] = street_address(data.street_address, None)
    if is_given(data.postal_code):
        changes["postal_code"] = postal_code(data.postal_code, "input.postalCode")
    if is_given(data.role) and not is_given(data.organiser_id):
        raise InputError("input.role", "a role is the organiser's: give organiserId with it")
    if is_given(data.organiser_id):
        after = dataclasses.replace(after, organisers=await organiser(ctx, data.organiser_id, data.role))
    if is_given(data.activity_ids):
        after = dataclasses.replace(after, activities=await activities(ctx, data.activity_ids or []))
    if is_given(data.family_centre_id):
        after = dataclasses.replace(after, family_centre=await family_centre(ctx, data.family_centre_id))
    if after != before:
        await require_place(ctx.store, writer.caller, ref, after.coordinators, after.family_centre)
    updated = writer.stamped(dataclasses.replace(place, **changes), place)
    rels, replaces = relationships(writer, updated, after, before)
    await writer.commit("updateMeetingPlace", [NodeEdit(place, updated, after.changes_from(before))], rels, replaces)
    return updated  # type: ignore[return-value]


async def withdraw_place(ctx: Context, writer: Writer, data: Any) -> MeetingPlace:
    place, _ = await editable(ctx, writer, data.id, data.expected_version, "input.id")
    withdrawn = writer.stamped(dataclasses.replace(place, withdrawn_at=writer.now), place)
    await writer.commit("withdrawMeetingPlace", [NodeEdit(place, withdrawn)])
    return withdrawn  # type: ignore[return-value]


async def set_opening_hours(ctx: Context, writer: Writer, data: Any) -> MeetingPlace:
    place, _ = await editable(ctx, writer, data.place_id, data.expected_version, "input.placeId")
    if len(data.hours) > MAX_HOURS:
        raise InputError("input.hours", f"{len(data.hours)} rows; at most {MAX_HOURS}")
    if len(data.closures) > MAX_CLOSURES:
        raise InputError("input.closures", f"{len(data.closures)} closures; at most {MAX_CLOSURES}")
    schedules = tuple(schedule(row, f"input.hours[{i}]") for i, row in enumerate(data.hours))
    closures = tuple(closure(row, f"input.closures[{i}]") for i, row in enumerate(data.closures))
    updated = writer.stamped(dataclasses.replace(place, schedules=schedules, closures=closures), place)
    await writer.commit("setOpeningHours", [NodeEdit(place, updated)])
    return updated  # type: ignore[return-value]


def schedule(row: Any, argument: str) -> Schedule:
    try:
        return Schedule(
            byday=tuple(row.weekdays),
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
        )
    except ValueError as exc:
        raise InputError(argument, str(exc)) from None


def closure(row: Any, argument: str) -> Closure:
    try:
        reason = optional_text(row.reason, f"{argument}.reason", REASON_MAX_CHARS)
        return Closure(starts=row.starts, ends=row.ends, reason=reason)
    except ValueError as exc:
        raise InputError(argument, str(exc)) from None
