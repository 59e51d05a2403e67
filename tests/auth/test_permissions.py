"""Who may write what, judged on the shipped seeds in each backend.

An organisation edits the places it coordinates; a district also those its local associations coordinate, its
associations and its agreements; a family centre the places in its network; `admin` everything. A partner's
role (RUN_BY role PARTNER) gives no right.
"""

from __future__ import annotations

import pytest

from graph_api.auth.caller import ADMIN, AGREEMENTS_WRITE, PLACES_WRITE, Caller
from graph_api.auth.permissions import (
    place_parties,
    require_agreement,
    require_association,
    require_audit,
    require_place,
    require_scope,
)
from graph_api.errors import Forbidden
from graph_api.models import NodeRef
from graph_api.store.base import GraphStore

pytestmark = pytest.mark.anyio

UUSIMAA = NodeRef("District", "uusimaa")
VARSINAIS_SUOMI = NodeRef("District", "varsinais-suomi")
LA_018 = NodeRef("LocalAssociation", "la-018-1")  # a member of Uusimaa
LA_049 = NodeRef("LocalAssociation", "la-049-1")  # another member of Uusimaa
MLL = NodeRef("Organization", "mll")

BY_UUSIMAA_ASSOCIATION = NodeRef("MeetingPlace", "mp-018-1")  # coordinated by la-018-1
BY_UUSIMAA = NodeRef("MeetingPlace", "mp-078-2")  # coordinated by the district, MLL a partner; part of fc-lu
IN_FC_VS = NodeRef("MeetingPlace", "mp-019-1")  # coordinated by la-019-1 (Varsinais-Suomi), part of fc-vs
UUSIMAA_PARTNER_ONLY = NodeRef("MeetingPlace", "mp-049-1")  # coordinated by fc-049, Uusimaa only a partner


def key(organisation: NodeRef, *scopes: str) -> Caller:
    return Caller("k1", organisation, frozenset(scopes or (PLACES_WRITE,)), key_id="k1")


async def may_edit(store: GraphStore, caller: Caller, place: NodeRef) -> bool:
    coordinators, family_centre = await place_parties(store, place)
    try:
        await require_place(store, caller, place, coordinators, family_centre)
    except Forbidden:
        return False
    return True


async def test_place_parties_are_the_coordinators_and_the_family_centre(store: GraphStore) -> None:
    assert await place_parties(store, BY_UUSIMAA) == ([UUSIMAA], NodeRef("FamilyCentre", "fc-lu"))
    assert await place_parties(store, BY_UUSIMAA_ASSOCIATION) == ([LA_018], None)


@pytest.mark.parametrize(
    ("organisation", "place", "allowed"),
    [
        pytest.param(UUSIMAA, BY_UUSIMAA, True, id="district-its-own-place"),
        pytest.param(UUSIMAA, BY_UUSIMAA_ASSOCIATION, True, id="district-its-association's-place"),
        pytest.param(UUSIMAA, UUSIMAA_PARTNER_ONLY, False, id="district-as-partner-only"),
        pytest.param(UUSIMAA, IN_FC_VS, False, id="district-another-district's-association's-place"),
        pytest.param(VARSINAIS_SUOMI, BY_UUSIMAA_ASSOCIATION, False, id="district-another-district's-place"),
        pytest.param(LA_018, BY_UUSIMAA_ASSOCIATION, True, id="association-its-own-place"),
        pytest.param(LA_049, BY_UUSIMAA_ASSOCIATION, False, id="association-a-sibling's-place"),
        pytest.param(LA_018, BY_UUSIMAA, False, id="association-its-district's-place"),
        pytest.param(NodeRef("FamilyCentre", "fc-vs"), IN_FC_VS, True, id="family-centre-a-place-in-its-network"),
        pytest.param(NodeRef("FamilyCentre", "fc-vs"), BY_UUSIMAA, False, id="family-centre-another-network"),
        pytest.param(MLL, BY_UUSIMAA, False, id="unrelated-organisation-even-as-partner"),
    ],
)
async def test_who_may_edit_a_place(store: GraphStore, organisation: NodeRef, place: NodeRef, allowed: bool) -> None:
    assert await may_edit(store, key(organisation), place) is allowed


@pytest.mark.parametrize("place", [BY_UUSIMAA, BY_UUSIMAA_ASSOCIATION, IN_FC_VS, UUSIMAA_PARTNER_ONLY])
async def test_admin_may_edit_every_place(store: GraphStore, place: NodeRef) -> None:
    assert await may_edit(store, key(MLL, ADMIN), place)


async def test_a_refusal_names_the_place_the_caller_and_who_runs_it(store: GraphStore) -> None:
    with pytest.raises(Forbidden) as refusal:
        await require_place(
            store, key(UUSIMAA), UUSIMAA_PARTNER_ONLY, *await place_parties(store, UUSIMAA_PARTNER_ONLY)
        )
    assert str(refusal.value) == (
        "Key k1 of District:uusimaa may not edit MeetingPlace:mp-049-1: it is run by FamilyCentre:fc-049 and part "
        "of FamilyCentre:fc-049, none of them District:uusimaa or one of its local associations"
    )
    assert refusal.value.extensions == {"code": "FORBIDDEN", "node": "MeetingPlace:mp-049-1"}


async def test_a_place_may_not_be_handed_to_someone_the_caller_does_not_answer_for(store: GraphStore) -> None:
    """The mutation layer asks for the place as it will be, too: la-018-1 may not give its place to la-049-1."""
    as_it_will_be = ([LA_049], None)
    with pytest.raises(Forbidden, match="may not edit MeetingPlace:mp-018-1: it is run by LocalAssociation:la-049-1"):
        await require_place(store, key(LA_018), BY_UUSIMAA_ASSOCIATION, *as_it_will_be)
    await require_place(store, key(UUSIMAA), BY_UUSIMAA_ASSOCIATION, *as_it_will_be)  # both are Uusimaa's


async def test_editing_a_place_needs_the_places_scope(store: GraphStore) -> None:
    with pytest.raises(Forbidden, match=r"Key k1 of District:uusimaa lacks the scope places:write \(it has: agree"):
        await require_place(store, key(UUSIMAA, AGREEMENTS_WRITE), BY_UUSIMAA, [UUSIMAA], None)


def test_require_scope_passes_with_the_scope_or_admin_and_else_names_the_node() -> None:
    require_scope(key(UUSIMAA, PLACES_WRITE), PLACES_WRITE, BY_UUSIMAA)
    require_scope(key(UUSIMAA, ADMIN), AGREEMENTS_WRITE, UUSIMAA)
    with pytest.raises(Forbidden) as refusal:
        require_scope(Caller("alice", UUSIMAA, frozenset()), AGREEMENTS_WRITE, UUSIMAA)
    assert str(refusal.value) == (
        "Token subject 'alice' of District:uusimaa lacks the scope agreements:write (it has: none) "
        "to edit District:uusimaa"
    )
    assert refusal.value.node == str(UUSIMAA)


async def test_a_district_and_admin_may_edit_its_associations(store: GraphStore) -> None:
    await require_association(store, key(UUSIMAA), LA_018, UUSIMAA)
    await require_association(store, key(MLL, ADMIN), LA_018, UUSIMAA)
    for other in (VARSINAIS_SUOMI, LA_018, MLL):
        with pytest.raises(Forbidden, match=f"may not edit {LA_018}: only its district {UUSIMAA} may") as refusal:
            await require_association(store, key(other), LA_018, UUSIMAA)
        assert refusal.value.node == str(LA_018)


def test_a_district_and_admin_may_make_its_agreements_with_the_agreements_scope() -> None:
    require_agreement(key(UUSIMAA, AGREEMENTS_WRITE), UUSIMAA)
    require_agreement(key(MLL, ADMIN), UUSIMAA)
    with pytest.raises(Forbidden, match="may not make or end the agreements of District:uusimaa") as refusal:
        require_agreement(key(VARSINAIS_SUOMI, AGREEMENTS_WRITE), UUSIMAA)
    assert refusal.value.node == "District:uusimaa"
    with pytest.raises(Forbidden, match="lacks the scope agreements:write"):
        require_agreement(key(UUSIMAA, PLACES_WRITE), UUSIMAA)


def test_an_organisation_lists_its_own_changes_and_admin_anyones() -> None:
    assert require_audit(key(UUSIMAA), None) == "District:uusimaa"
    assert require_audit(key(UUSIMAA), "District:uusimaa") == "District:uusimaa"
    assert require_audit(key(MLL, ADMIN), None) is None
    assert require_audit(key(MLL, ADMIN), "District:uusimaa") == "District:uusimaa"
    with pytest.raises(Forbidden, match="may list only its own changes, not those of District:lappi") as refusal:
        require_audit(key(UUSIMAA), "District:lappi")
    assert refusal.value.node == "District:lappi"
