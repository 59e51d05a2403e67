"""Who may write what: each rule passes, or raises `Forbidden` naming the node and why (a missing scope, or whose
the node is).

`admin` may do everything. Otherwise an organisation may edit the meeting places it coordinates; a district
also those its local associations coordinate, its local associations and its agreements; a family centre the
places in its network (PART_OF it). Relationships are read through the store, so both backends judge alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from graph_api.auth.caller import AGREEMENTS_WRITE, PLACES_WRITE, Caller
from graph_api.errors import Forbidden
from graph_api.models import NodeRef
from graph_api.relations import LOCAL_ASSOCIATION_DISTRICT, MEETING_PLACE_FAMILY_CENTRE, MEETING_PLACE_RUN_BY
from graph_api.store.base import GraphStore

COORDINATOR = "COORDINATOR"


def require_scope(caller: Caller, scope: str, node: NodeRef) -> None:
    """The caller's token carries the scope (`admin` carries them all) to write the node."""
    if scope not in caller.scopes and not caller.is_admin:
        have = ", ".join(sorted(caller.scopes)) or "none"
        raise Forbidden(f"{caller} lacks the scope {scope} (it has: {have}) to edit {node}", node=str(node))


async def require_place(
    store: GraphStore,
    caller: Caller,
    place: NodeRef,
    coordinators: Sequence[NodeRef],
    family_centre: NodeRef | None,
) -> None:
    """The caller may edit the place with these coordinators and family centre (scope places:write).

    The mutation layer asks for the place as it is and as it will be, so nobody moves a place out of another's
    hands or into their own.
    """
    require_scope(caller, PLACES_WRITE, place)
    own = caller.organisation
    if caller.is_admin or own in coordinators or own == family_centre:
        return
    if own.label == "District" and own in await districts_of(store, coordinators):
        return
    parties = f"it is run by {', '.join(map(str, coordinators)) or 'no coordinator'}"
    if family_centre is not None:
        parties += f" and part of {family_centre}"
    if own.label == "District":
        parties += f", none of them {own} or one of its local associations"
    raise Forbidden(f"{caller} may not edit {place}: {parties}", node=str(place))


async def require_association(
    store: GraphStore, caller: Caller, association: NodeRef, district: NodeRef | None
) -> None:
    """The caller may create or edit the local association, a member of `district` (None: of none, so admin's
    alone) (scope places:write).

    `store` is for the rules to come (an association editing itself); today the district decides.
    """
    require_scope(caller, PLACES_WRITE, association)
    if caller.is_admin or caller.organisation == district:
        return
    only = (
        "it is a member of no district, so only admin may" if district is None else f"only its district {district} may"
    )
    raise Forbidden(f"{caller} may not edit {association}: {only}", node=str(association))


def require_agreement(caller: Caller, district: NodeRef) -> None:
    """The caller may make or end the district's agreements (scope agreements:write)."""
    require_scope(caller, AGREEMENTS_WRITE, district)
    if caller.is_admin or caller.organisation == district:
        return
    raise Forbidden(f"{caller} may not make or end the agreements of {district}", node=str(district))


def require_audit(caller: Caller, organisation: str | None) -> str | None:
    """Whose changes the caller may list: `admin` anyone's (None: everyone's), others only their own."""
    if caller.is_admin:
        return organisation
    own = str(caller.organisation)
    if organisation is not None and organisation != own:
        raise Forbidden(f"{caller} may list only its own changes, not those of {organisation}", node=organisation)
    return own


async def districts_of(store: GraphStore, organisations: Sequence[NodeRef]) -> set[NodeRef]:
    """The districts the local associations among the organisations are members of."""
    associations = [ref for ref in organisations if ref.label == "LocalAssociation"]
    if not associations:
        return set()
    links = await store.traverse_many(associations, LOCAL_ASSOCIATION_DISTRICT)
    return {NodeRef.of(link.node) for found in links for link in found}


async def place_parties(store: GraphStore, place: NodeRef) -> tuple[list[NodeRef], NodeRef | None]:
    """A stored place's coordinators (RUN_BY, role COORDINATOR) and family centre (PART_OF), as `require_place`
    takes them for the place as it is."""
    [run_by] = await store.traverse_many([place], MEETING_PLACE_RUN_BY)
    [part_of] = await store.traverse_many([place], MEETING_PLACE_FAMILY_CENTRE)
    coordinators = [NodeRef.of(link.node) for link in run_by if link.properties.get("role") == COORDINATOR]
    return coordinators, next((NodeRef.of(link.node) for link in part_of), None)
