"""The mutations, as a partner uses them: what each one writes, what it refuses (naming the input field), the
versions that keep an update from being lost, and the audit each one leaves; on both backends.

Who may make them is `test_write_access`; here the district of Uusimaa writes (its key may do both
`places:write` and `agreements:write`), and `admin` where the rules are not the point.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from graph_api.models import Dataset, MeetingPlace, MeetingPlaceKind, NodeRef, Point, Relationship
from graph_api.store.base import GraphStore
from loaders.importing import Found, Reading, apply, plan
from tests.api.edits import (
    CREATE_AGREEMENT,
    CREATE_ASSOCIATION,
    CREATE_PLACE,
    END_AGREEMENT,
    ESPOO,
    HELSINKI,
    SET_OPENING_HOURS,
    SETTINGS,
    UPDATE_ASSOCIATION,
    UPDATE_PLACE,
    WITHDRAW_PLACE,
    Editor,
    Setup,
    bearer,
    key_id,
    newest_change,
    token_for,
)
from tests.conftest import client_for

pytestmark = pytest.mark.anyio

UUSIMAA = "District:uusimaa"
ITS_ASSOCIATION = "LocalAssociation:la-049-1"
"""A local association of Uusimaa's, active in Espoo."""
ESPOO_CENTRE = "FamilyCentre:fc-049"


@dataclass(frozen=True)
class Keys:
    """The module's API keys: the district of Uusimaa (both write scopes), Espoo's family centre, and admin."""

    district: str
    family_centre: str
    admin: str


@pytest.fixture(scope="module")
async def keys(editable_store: GraphStore) -> Keys:
    return Keys(
        district=await token_for(editable_store, UUSIMAA, "places:write", "agreements:write"),
        family_centre=await token_for(editable_store, ESPOO_CENTRE, "places:write"),
        admin=await token_for(editable_store, "Organization:mll", "admin"),
    )


FULL = {
    "family_centre": ESPOO_CENTRE,
    "coordinator": ITS_ASSOCIATION,
    "activities": ("Activity:family-cafes",),
    "name_sv": "Familjekafé",
    "street_address": "Kamreerintie 2",
    "postal_code": "02770",
}
"""A place with every field set, for an update to change one of them."""


@pytest.fixture(scope="module")
async def made(editable_store: GraphStore) -> dict[str, str]:
    """The nodes the tests change, by name, made before the module's tests in one load: a place of the district's
    (`place-...`), one with every field set (`full-...`), at version 2 (`v2-...`), withdrawn (`withdrawn-...`);
    local associations (`association-...`), one a member of no district."""
    setup, ids = Setup(), {}
    for name in ["moved", "versions", "nothing", "refusals", "hours", "open", "paging", "audit-withdraw"]:
        ids[f"place-{name}"] = setup.place(f"place-{name}")
    ids["place-audit-hours"] = setup.place("place-audit-hours")
    ids["place-audit-update"] = setup.place("place-audit-update", family_centre=ESPOO_CENTRE, name="Kahvila")
    ids["place-network"] = setup.place("place-network", family_centre=ESPOO_CENTRE)
    ids["place-offers"] = setup.place("place-offers", activities=("Activity:clubs",))
    for name in [param.id for param in UPDATES]:
        ids[f"full-{name}"] = setup.place(f"full-{name}", **FULL)  # type: ignore[arg-type]
    for name in ["updateMeetingPlace", "withdrawMeetingPlace", "setOpeningHours"]:
        ids[f"v2-{name}"] = setup.place(f"v2-{name}", version=2)
        ids[f"withdrawn-{name}"] = setup.place(f"withdrawn-{name}", version=2, withdrawn=True)
    for name in ["stale", "update", "audit-update"]:
        ids[f"association-{name}"] = setup.association(f"association-{name}", version=2 if name == "stale" else 1)
    ids["association-of-no-district"] = setup.association("association-of-no-district", district=None)
    setup.agreement(UUSIMAA, "Municipality:186", datetime.date(2026, 1, 1))
    setup.agreement(UUSIMAA, "Municipality:235", datetime.date(2026, 1, 1))
    setup.agreement(UUSIMAA, "Municipality:407", datetime.date(2026, 2, 1))
    await editable_store.load(setup.dataset)
    return ids


@pytest.fixture
async def http(editable_store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(editable_store, SETTINGS) as client:
        yield client


@pytest.fixture
def district(http: httpx.AsyncClient, keys: Keys) -> Editor:
    return Editor(http, bearer(keys.district))


@pytest.fixture
def admin(http: httpx.AsyncClient, keys: Keys) -> Editor:
    return Editor(http, bearer(keys.admin))


def editable(place: dict[str, Any]) -> dict[str, Any]:
    """A place's data as an edit may leave it alone: all but its version and when it changed."""
    return {name: value for name, value in place.items() if name not in {"version", "updatedAt"}}


async def refusal(editor: Editor, store: GraphStore, document: str, **variables: Any) -> dict[str, Any]:
    """The one error of a refused mutation, which wrote nothing: the audit has no change since."""
    before = await newest_change(store)
    error = await editor.error(document, **variables)
    assert await newest_change(store) == before
    return error


def argument(error: dict[str, Any]) -> tuple[str, str]:
    return error["extensions"]["code"], error["extensions"].get("argument")


# createMeetingPlace


async def test_create_meeting_place_at_a_location_writes_version_1_of_an_api_place(district: Editor) -> None:
    place = await district.place(
        name="Perhekahvila Kivenlahti",
        nameSv="Familjekafé Stensvik",
        kind="MEETING_PLACE",
        location=ESPOO,
        streetAddress="Kamreerintie 2",
        postalCode="02770",
        organiserId=ITS_ASSOCIATION,
        role="COORDINATOR",
        activityIds=["Activity:family-cafes", "Activity:clubs"],
        familyCentreId=ESPOO_CENTRE,
    )
    assert place["id"].startswith("MeetingPlace:")
    assert editable(place) == {
        "id": place["id"],
        "source": "api",
        "isDemo": False,
        "name": "Perhekahvila Kivenlahti",
        "nameSv": "Familjekafé Stensvik",
        "kind": "MEETING_PLACE",
        "streetAddress": "Kamreerintie 2",
        "postalCode": "02770",
        "withdrawnAt": None,
        "location": ESPOO,
        "municipality": {"id": "Municipality:049"},
        "runBy": [{"role": "COORDINATOR", "organiser": {"id": ITS_ASSOCIATION}}],
        "activities": [{"id": "Activity:clubs"}, {"id": "Activity:family-cafes"}],
        "familyCentre": {"id": ESPOO_CENTRE},
        "openingHours": [],
        "closures": [],
    }
    assert place["version"] == 1
    assert place["updatedAt"] is not None
    assert await district.node(place["id"]) == place


async def test_create_meeting_place_by_address_is_geocoded_to_its_postal_code_area(district: Editor) -> None:
    place = await district.place(location=None, address="00100 Helsinki")
    assert place["municipality"] == {"id": "Municipality:091"}
    assert (place["streetAddress"], place["postalCode"]) == ("00100 Helsinki", "00100")
    assert place["location"]["lat"] == pytest.approx(60.17, abs=0.02)
    assert place["location"]["lon"] == pytest.approx(24.93, abs=0.03)


@pytest.mark.parametrize("address", ["Helsinki", "Espoo"])
async def test_create_meeting_place_refuses_an_address_placed_only_at_a_locality(
    district: Editor, editable_store: GraphStore, address: str
) -> None:
    given = {"name": "Perhekahvila", "kind": "FAMILY_CAFE", "organiserId": UUSIMAA, "address": address}
    error = await refusal(district, editable_store, CREATE_PLACE, input=given)
    assert argument(error) == ("BAD_USER_INPUT", "input.address")
    assert "locality" in error["message"]


@pytest.mark.parametrize(
    "where",
    [
        pytest.param({"location": ESPOO, "address": "00100 Helsinki"}, id="both"),
        pytest.param({}, id="neither"),
    ],
)
async def test_create_meeting_place_needs_a_location_or_an_address_not_both(
    district: Editor, editable_store: GraphStore, where: dict[str, Any]
) -> None:
    given = {"name": "Perhekahvila", "kind": "FAMILY_CAFE", "organiserId": UUSIMAA} | where
    error = await refusal(district, editable_store, CREATE_PLACE, input=given)
    assert argument(error) == ("BAD_USER_INPUT", "input.location")


@pytest.mark.parametrize(
    "point",
    [
        pytest.param({"lat": 59.75, "lon": 24.5}, id="gulf-of-finland"),
        pytest.param({"lat": 59.437, "lon": 24.7536}, id="tallinn"),
        pytest.param({"lat": 59.3293, "lon": 18.0686}, id="stockholm"),
    ],
)
async def test_create_meeting_place_refuses_a_point_in_no_finnish_municipality(
    district: Editor, editable_store: GraphStore, point: dict[str, float]
) -> None:
    given = {"name": "Perhekahvila", "kind": "FAMILY_CAFE", "organiserId": UUSIMAA, "location": point}
    error = await refusal(district, editable_store, CREATE_PLACE, input=given)
    assert argument(error) == ("BAD_USER_INPUT", "input.location")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"activityIds": ["Activity:parents-helpline"]}, "input.activityIds", id="national-activity"),
        pytest.param({"activityIds": ["Activity:no-such"]}, "input.activityIds", id="unknown-activity"),
        pytest.param({"organiserId": "District:no-such"}, "input.organiserId", id="unknown-organiser"),
        pytest.param({"organiserId": "Municipality:049"}, "input.organiserId", id="organiser-not-an-organisation"),
        pytest.param({"familyCentreId": "FamilyCentre:no-such"}, "input.familyCentreId", id="unknown-centre"),
        pytest.param({"postalCode": "2770"}, "input.postalCode", id="postal-code-of-four-digits"),
        pytest.param({"name": "  "}, "input.name", id="blank-name"),
    ],
)
async def test_create_meeting_place_refuses_what_the_importers_refuse(
    district: Editor, editable_store: GraphStore, fields: dict[str, Any], field: str
) -> None:
    given = {"name": "Perhekahvila", "kind": "FAMILY_CAFE", "organiserId": UUSIMAA, "location": ESPOO} | fields
    error = await refusal(district, editable_store, CREATE_PLACE, input=given)
    assert argument(error) == ("BAD_USER_INPUT", field)


# updateMeetingPlace


async def update(editor: Editor, place: dict[str, Any], **fields: Any) -> dict[str, Any]:
    given = {"id": place["id"], "expectedVersion": place["version"]} | fields
    updated: dict[str, Any] = (await editor.data(UPDATE_PLACE, input=given))["updateMeetingPlace"]["place"]
    return updated


def named(name: str, *values: object) -> Any:
    """A case whose name also picks the node made for it."""
    return pytest.param(name, *values, id=name)


UPDATES = [
    named("name", {"name": "Kohtaamispaikka Tapiola"}, {"name": "Kohtaamispaikka Tapiola"}),
    named("nameSv", {"nameSv": "Mötesplats Hagalund"}, {"nameSv": "Mötesplats Hagalund"}),
    named("kind", {"kind": "OPEN_DAYCARE"}, {"kind": "OPEN_DAYCARE"}),
    named("streetAddress", {"streetAddress": "Tapionaukio 3"}, {"streetAddress": "Tapionaukio 3"}),
    named("postalCode", {"postalCode": "02100"}, {"postalCode": "02100"}),
    named(
        "activityIds",
        {"activityIds": ["Activity:clubs", "Activity:play-day"]},
        {"activities": [{"id": "Activity:clubs"}, {"id": "Activity:play-day"}]},
    ),
    named("familyCentreId-null-clears", {"familyCentreId": None}, {"familyCentre": None}),
    named("nameSv-null-clears", {"nameSv": None}, {"nameSv": None}),
    named(
        "organiserId-replaces-the-organisers",
        {"organiserId": "LocalAssociation:la-049-2", "role": "COORDINATOR"},
        {"runBy": [{"role": "COORDINATOR", "organiser": {"id": "LocalAssociation:la-049-2"}}]},
    ),
]


@pytest.mark.parametrize(("name", "fields", "shown"), UPDATES)
async def test_update_meeting_place_changes_the_fields_given_and_keeps_the_rest(
    district: Editor, made: dict[str, str], name: str, fields: dict[str, Any], shown: Any
) -> None:
    place = await district.node(made[f"full-{name}"])
    updated = await update(district, place, **fields)
    assert editable(updated) == editable(place) | shown
    assert updated["version"] == 2
    assert await district.node(place["id"]) == updated


async def test_update_meeting_place_moved_is_in_the_municipality_of_its_new_point(
    district: Editor, made: dict[str, str]
) -> None:
    place = await district.node(made["place-moved"])
    moved = await update(district, place, location=HELSINKI)
    assert (moved["location"], moved["municipality"]) == (HELSINKI, {"id": "Municipality:091"})
    back = await update(district, moved, address="02770 Espoo")
    assert (back["municipality"], back["postalCode"], back["streetAddress"]) == (
        {"id": "Municipality:049"},
        "02770",
        "02770 Espoo",
    )


async def test_update_meeting_place_role_without_an_organiser_is_refused(
    district: Editor, editable_store: GraphStore, made: dict[str, str]
) -> None:
    place = await district.node(made["place-refusals"])
    given = {"id": place["id"], "expectedVersion": 1, "role": "PARTNER"}
    error = await refusal(district, editable_store, UPDATE_PLACE, input=given)
    assert argument(error) == ("BAD_USER_INPUT", "input.role")
    assert await district.node(place["id"]) == place


async def test_update_meeting_place_moves_the_version_on_by_one_each_time(
    district: Editor, made: dict[str, str]
) -> None:
    place = await district.node(made["place-versions"])
    versions = []
    for name in ["Perhekahvila 1", "Perhekahvila 2", "Perhekahvila 3"]:
        place = await update(district, place, name=name)
        versions.append(place["version"])
    assert versions == [2, 3, 4]


async def test_update_meeting_place_changing_nothing_still_moves_the_version_on(
    district: Editor, made: dict[str, str]
) -> None:
    place = await district.node(made["place-nothing"])
    assert (await update(district, place))["version"] == 2


async def test_a_seed_place_run_by_several_organisers_keeps_them_and_its_source(
    http: httpx.AsyncClient, keys: Keys
) -> None:
    centre = Editor(http, bearer(keys.family_centre))
    place = await centre.node("MeetingPlace:mp-049-3")
    assert len(place["runBy"]) == 3
    updated = await update(centre, place, name="Kohtaamispaikka Leppävaara, korjattu")
    assert editable(updated) == editable(place) | {"name": "Kohtaamispaikka Leppävaara, korjattu"}
    assert (updated["source"], updated["isDemo"], updated["version"]) == ("demo", True, 2)


# versions: a stale expectedVersion is a CONFLICT, and nothing is written

STALE = [  # a version behind the place's, or ahead of it
    named("updateMeetingPlace", UPDATE_PLACE, "id", {"name": "Vanhentunut"}, 1),
    named("withdrawMeetingPlace", WITHDRAW_PLACE, "id", {}, 3),
    named("setOpeningHours", SET_OPENING_HOURS, "placeId", {"hours": []}, 1),
]


@pytest.mark.parametrize(("name", "document", "id_field", "fields", "expected"), STALE)
async def test_a_stale_expected_version_is_a_conflict_with_the_current_version_and_writes_nothing(
    district: Editor,
    editable_store: GraphStore,
    made: dict[str, str],
    name: str,
    document: str,
    id_field: str,
    fields: dict[str, Any],
    expected: int,
) -> None:
    place = await district.node(made[f"v2-{name}"])
    assert place["version"] == 2
    given = {id_field: place["id"], "expectedVersion": expected} | fields
    error = await refusal(district, editable_store, document, input=given)
    assert error["extensions"] == {"code": "CONFLICT", "node": place["id"], "currentVersion": 2}
    assert await district.node(place["id"]) == place


async def test_update_local_association_with_a_stale_version_is_a_conflict(
    district: Editor, editable_store: GraphStore, made: dict[str, str]
) -> None:
    association = await district.node(made["association-stale"])
    given = {"id": association["id"], "expectedVersion": 1, "nameFi": "Vanhentunut"}
    error = await refusal(district, editable_store, UPDATE_ASSOCIATION, input=given)
    assert error["extensions"] == {"code": "CONFLICT", "node": association["id"], "currentVersion": 2}
    assert await district.node(association["id"]) == association


OFFERING = """query($lat: Float!, $lon: Float!, $activityIds: [ID!], $taskIds: [ID!]) {
    nearby(near: {lat: $lat, lon: $lon}, radiusKm: 0.05, limit: 100, activityIds: $activityIds, taskIds: $taskIds) {
        place { id } } }"""


async def test_update_meeting_place_activities_are_what_places_are_asked_by_at_once(
    district: Editor, made: dict[str, str]
) -> None:
    """Clubs serve no family-centre task; support persons serve early support (task 3)."""
    place = await district.node(made["place-offers"])

    async def offers() -> dict[str, bool]:
        asked = {
            "clubs": {"activityIds": ["Activity:clubs"]},
            "support persons": {"activityIds": ["Activity:support-persons", "Activity:play-day"]},
            "early support": {"taskIds": ["FamilyCentreTask:3"]},
        }
        found = {name: await district.data(OFFERING, **place["location"], **given) for name, given in asked.items()}
        return {name: {"id": place["id"]} in [hit["place"] for hit in near["nearby"]] for name, near in found.items()}

    assert await offers() == {"clubs": True, "support persons": False, "early support": False}
    updated = await update(district, place, activityIds=["Activity:support-persons"])
    assert await offers() == {"clubs": False, "support persons": True, "early support": True}
    await update(district, updated, activityIds=["Activity:clubs", "Activity:play-day"])
    assert await offers() == {"clubs": True, "support persons": True, "early support": False}


# withdrawMeetingPlace

NEARBY = """query($lat: Float!, $lon: Float!) { nearby(near: {lat: $lat, lon: $lon}, radiusKm: 0.05, limit: 50) {
    place { id } } }"""
LISTED = """query($search: String!, $includeWithdrawn: Boolean!) {
    meetingPlaces(filter: {search: $search}, includeWithdrawn: $includeWithdrawn) { edges { node { id } } } }"""


async def listed(editor: Editor, place: dict[str, Any], include_withdrawn: bool = False) -> dict[str, bool]:
    """Whether `nearby` (around its point) and `meetingPlaces` (searching its name) list the place."""
    near = await editor.data(NEARBY, **place["location"])
    found = await editor.data(LISTED, search=place["name"], includeWithdrawn=include_withdrawn)
    return {
        "nearby": {"id": place["id"]} in [hit["place"] for hit in near["nearby"]],
        "meetingPlaces": {"id": place["id"]} in [edge["node"] for edge in found["meetingPlaces"]["edges"]],
    }


async def test_withdraw_meeting_place_leaves_the_lists_and_is_still_found_by_id(district: Editor) -> None:
    place = await district.place(
        name=f"Perhekahvila Lähtevä {uuid.uuid4().hex[:6]}", location={"lat": 60.18, "lon": 24.6}
    )
    assert await listed(district, place) == {"nearby": True, "meetingPlaces": True}
    given = {"id": place["id"], "expectedVersion": 1}
    withdrawn = (await district.data(WITHDRAW_PLACE, input=given))["withdrawMeetingPlace"]["place"]
    assert withdrawn["withdrawnAt"] is not None
    assert editable(withdrawn) == editable(place) | {"withdrawnAt": withdrawn["withdrawnAt"]}
    assert withdrawn["version"] == 2
    assert await listed(district, place) == {"nearby": False, "meetingPlaces": False}
    assert (await listed(district, place, include_withdrawn=True))["meetingPlaces"]
    assert await district.node(place["id"]) == withdrawn


@pytest.mark.parametrize(
    ("name", "document", "id_field", "fields"),
    [
        named("updateMeetingPlace", UPDATE_PLACE, "id", {"name": "Takaisin"}),
        named("withdrawMeetingPlace", WITHDRAW_PLACE, "id", {}),
        named("setOpeningHours", SET_OPENING_HOURS, "placeId", {"hours": []}),
    ],
)
async def test_a_withdrawn_place_cannot_be_edited(
    district: Editor,
    editable_store: GraphStore,
    made: dict[str, str],
    name: str,
    document: str,
    id_field: str,
    fields: dict[str, Any],
) -> None:
    withdrawn = await district.node(made[f"withdrawn-{name}"])
    given = {id_field: withdrawn["id"], "expectedVersion": 2} | fields
    error = await refusal(district, editable_store, document, input=given)
    assert argument(error) == ("BAD_USER_INPUT", f"input.{id_field}")
    assert "withdrawn" in error["message"]
    assert await district.node(withdrawn["id"]) == withdrawn


# setOpeningHours

MONDAYS_AND_WEDNESDAYS = [{"weekdays": ["MO", "WE"], "opensAt": "09:00:00", "closesAt": "12:00:00"}]
CHRISTMAS = {"from": "2026-12-21", "to": "2027-01-06", "reason": "Joulutauko"}
OPEN_AT = """query($id: ID!, $at: DateTime!) { node(id: $id) { ... on MeetingPlace {
    isOpen(at: $at) nextOpening(after: $at) { opens closes } } } }"""


async def set_hours(editor: Editor, place: dict[str, Any], hours: list[Any], closures: list[Any]) -> dict[str, Any]:
    given = {"placeId": place["id"], "expectedVersion": place["version"], "hours": hours, "closures": closures}
    found: dict[str, Any] = (await editor.data(SET_OPENING_HOURS, input=given))["setOpeningHours"]["place"]
    return found


async def test_set_opening_hours_replaces_the_hours_and_closures(district: Editor, made: dict[str, str]) -> None:
    place = await district.node(made["place-hours"])
    first = await set_hours(district, place, MONDAYS_AND_WEDNESDAYS, [CHRISTMAS])
    assert first["openingHours"] == [
        {"weekdays": ["MO", "WE"], "opensAt": "09:00:00", "closesAt": "12:00:00", "validFrom": None, "validTo": None}
    ]
    assert (first["closures"], first["version"]) == ([CHRISTMAS], 2)
    fridays = {"weekdays": ["FR"], "opensAt": "17:00:00", "closesAt": "19:30:00", "validFrom": "2026-01-01"}
    second = await set_hours(district, first, [fridays], [])
    assert second["openingHours"] == [fridays | {"validTo": None}]
    assert (second["closures"], second["version"]) == ([], 3)
    assert editable(second) == editable(place) | {"openingHours": second["openingHours"]}


async def test_set_opening_hours_is_honoured_by_is_open_and_next_opening(
    district: Editor, made: dict[str, str]
) -> None:
    place = await set_hours(district, await district.node(made["place-open"]), MONDAYS_AND_WEDNESDAYS, [CHRISTMAS])
    monday = await district.data(OPEN_AT, id=place["id"], at="2026-12-14T10:00:00+02:00")
    assert monday["node"]["isOpen"] is True
    closed_monday = await district.data(OPEN_AT, id=place["id"], at="2026-12-21T10:00:00+02:00")
    assert closed_monday["node"]["isOpen"] is False
    assert closed_monday["node"]["nextOpening"] == {
        "opens": "2027-01-11T09:00:00+02:00",
        "closes": "2027-01-11T12:00:00+02:00",
    }


@pytest.mark.parametrize(
    ("hours", "closures", "field"),
    [
        pytest.param(
            [*MONDAYS_AND_WEDNESDAYS, {"weekdays": ["TU"], "opensAt": "12:00:00", "closesAt": "09:00:00"}],
            [],
            "input.hours[1]",
            id="closing-before-opening",
        ),
        pytest.param(
            [*MONDAYS_AND_WEDNESDAYS, {"weekdays": ["TU"], "opensAt": "12:00:00", "closesAt": "12:00:00"}],
            [],
            "input.hours[1]",
            id="closing-as-it-opens",
        ),
        pytest.param(
            [
                {"weekdays": ["TU"], "opensAt": "09:00:00", "closesAt": "12:00:00", "validFrom": "2026-06-01"}
                | {"validTo": "2026-05-01"}
            ],
            [],
            "input.hours[0]",
            id="valid-to-before-valid-from",
        ),
        pytest.param(
            MONDAYS_AND_WEDNESDAYS,
            [CHRISTMAS, {"from": "2026-08-10", "to": "2026-08-01", "reason": None}],
            "input.closures[1]",
            id="closure-ending-before-it-starts",
        ),
        pytest.param(
            MONDAYS_AND_WEDNESDAYS,
            [CHRISTMAS | {"reason": "x" * 501}],
            "input.closures[0].reason",
            id="closure-reason-too-long",
        ),
    ],
)
async def test_set_opening_hours_refuses_a_row_that_cannot_be(
    district: Editor,
    editable_store: GraphStore,
    made: dict[str, str],
    hours: list[Any],
    closures: list[Any],
    field: str,
) -> None:
    place = await district.node(made["place-refusals"])
    given = {"placeId": place["id"], "expectedVersion": 1, "hours": hours, "closures": closures}
    error = await refusal(district, editable_store, SET_OPENING_HOURS, input=given)
    assert argument(error) == ("BAD_USER_INPUT", field)
    assert await district.node(place["id"]) == place


# createAgreement, endAgreement

AGREEMENTS = """query($year: Int) { agreements(year: $year) { district { id } party { ... on Node { id } } since until
    kind isDemo } }"""


async def version_of(editor: Editor, id_: str) -> int:
    return int((await editor.node(id_))["version"])


async def test_create_agreement_is_listed_and_moves_the_district_on(district: Editor) -> None:
    before = await version_of(district, UUSIMAA)
    made = await district.agreement(UUSIMAA, "Municipality:049", datetime.date(2026, 3, 1), kind="MUNICIPAL")
    assert made == {
        "district": {"id": UUSIMAA, "version": before + 1},
        "party": {"id": "Municipality:049"},
        "since": "2026-03-01",
        "until": None,
        "kind": "MUNICIPAL",
        "isDemo": False,
    }
    listed = (await district.data(AGREEMENTS, year=2026))["agreements"]
    assert made | {"district": {"id": UUSIMAA}} in listed
    assert made in (await district.node(UUSIMAA))["agreements"]


async def test_create_agreement_with_an_end_is_in_force_until_it(district: Editor) -> None:
    made = await district.agreement(UUSIMAA, "Municipality:090", datetime.date(2026, 3, 1), until="2027-02-28")
    assert (made["since"], made["until"], made["isDemo"]) == ("2026-03-01", "2027-02-28", False)
    assert made in (await district.node(UUSIMAA))["agreements"]
    for year, listed in [(2026, True), (2027, True), (2028, False)]:
        in_force = (await district.data(AGREEMENTS, year=year))["agreements"]
        assert (made | {"district": {"id": UUSIMAA}} in in_force) == listed, year


async def test_create_agreement_refuses_a_second_from_the_same_start(
    district: Editor, editable_store: GraphStore
) -> None:
    await district.agreement(UUSIMAA, "Municipality:092", datetime.date(2026, 4, 1))
    again = {"districtId": UUSIMAA, "partyId": "Municipality:092", "since": "2026-04-01", "kind": "OTHER"}
    error = await refusal(district, editable_store, CREATE_AGREEMENT, input=again)
    assert argument(error) == ("BAD_USER_INPUT", "input.since")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"until": "2026-04-30"}, "input.until", id="until-before-since"),
        pytest.param({"partyId": "District:hame"}, "input.partyId", id="party-not-a-county-or-municipality"),
        pytest.param({"partyId": "Municipality:999"}, "input.partyId", id="unknown-party"),
        pytest.param({"districtId": "District:no-such"}, "input.districtId", id="unknown-district"),
        pytest.param({"kind": ""}, "input.kind", id="empty-kind"),
    ],
)
async def test_create_agreement_refuses_what_cannot_be(
    district: Editor, editable_store: GraphStore, fields: dict[str, Any], field: str
) -> None:
    given = {"districtId": UUSIMAA, "partyId": "Municipality:106", "since": "2026-05-01", "kind": "COOPERATION"}
    error = await refusal(district, editable_store, CREATE_AGREEMENT, input=given | fields)
    assert argument(error) == ("BAD_USER_INPUT", field)


async def test_end_agreement_sets_its_end_and_moves_the_district_on(district: Editor) -> None:
    agreements = (await district.node(UUSIMAA))["agreements"]
    made = next(a for a in agreements if a["party"] == {"id": "Municipality:186"} and a["since"] == "2026-01-01")
    given = {"districtId": UUSIMAA, "partyId": "Municipality:186", "since": "2026-01-01", "until": "2026-06-30"}
    ended = (await district.data(END_AGREEMENT, input=given))["endAgreement"]["agreement"]
    version = made["district"]["version"] + 1
    assert ended == made | {"until": "2026-06-30", "district": {"id": UUSIMAA, "version": version}}
    assert ended in (await district.node(UUSIMAA))["agreements"]
    in_2027 = (await district.data(AGREEMENTS, year=2027))["agreements"]
    assert [a for a in in_2027 if a["party"] == {"id": "Municipality:186"}] == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"since": "2025-01-01"}, "input.since", id="no-agreement-from-that-start"),
        pytest.param({"partyId": "Municipality:257"}, "input.since", id="no-agreement-with-that-party"),
        pytest.param({"until": "2025-12-31"}, "input.until", id="until-before-since"),
    ],
)
async def test_end_agreement_refuses_what_cannot_be(
    district: Editor, editable_store: GraphStore, fields: dict[str, Any], field: str
) -> None:
    given = {"districtId": UUSIMAA, "partyId": "Municipality:235", "since": "2026-01-01", "until": "2026-12-31"}
    error = await refusal(district, editable_store, END_AGREEMENT, input=given | fields)
    assert argument(error) == ("BAD_USER_INPUT", field)


async def test_end_agreement_keeps_a_demo_agreement_demo(admin: Editor) -> None:
    given = {"districtId": "District:jarvi-suomi", "partyId": "WelfareArea:ES", "since": "2023-09-01"}
    ended = (await admin.data(END_AGREEMENT, input=given | {"until": "2026-12-31"}))["endAgreement"]["agreement"]
    assert (ended["until"], ended["kind"], ended["isDemo"]) == ("2026-12-31", "COOPERATION", True)


# createLocalAssociation, updateLocalAssociation


async def test_create_local_association_is_a_member_of_its_district_where_it_works(district: Editor) -> None:
    made = await district.association(
        nameFi="MLL:n Leppävaaran yhdistys",
        nameSv="MLL:s förening i Alberga",
        municipalityIds=["Municipality:091", "Municipality:049", "Municipality:049"],
    )
    assert made == {
        "id": made["id"],
        "version": 1,
        "source": "api",
        "isDemo": False,
        "nameFi": "MLL:n Leppävaaran yhdistys",
        "nameSv": "MLL:s förening i Alberga",
        "district": {"id": UUSIMAA},
        "municipalities": [{"id": "Municipality:049"}, {"id": "Municipality:091"}],
    }
    assert await district.node(made["id"]) == made
    members = await district.data('{ node(id: "District:uusimaa") { ... on District { localAssociations { id } } } }')
    assert {"id": made["id"]} in members["node"]["localAssociations"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param(
            {"municipalityIds": ["Municipality:049", "Municipality:837"]}, "input.municipalityIds", id="tampere"
        ),
        pytest.param({"municipalityIds": ["Region:FI1B1"]}, "input.municipalityIds", id="not-a-municipality"),
        pytest.param({"districtId": "Municipality:049"}, "input.districtId", id="not-a-district"),
        pytest.param({"nameFi": ""}, "input.nameFi", id="empty-name"),
    ],
)
async def test_create_local_association_refuses_what_cannot_be(
    district: Editor, editable_store: GraphStore, fields: dict[str, Any], field: str
) -> None:
    given = {"districtId": UUSIMAA, "nameFi": "Yhdistys", "municipalityIds": ["Municipality:049"]} | fields
    error = await refusal(district, editable_store, CREATE_ASSOCIATION, input=given)
    assert argument(error) == ("BAD_USER_INPUT", field)


async def test_update_local_association_replaces_its_names_and_municipalities(
    district: Editor, editable_store: GraphStore, made: dict[str, str]
) -> None:
    association = await district.node(made["association-update"])
    given = {"id": association["id"], "expectedVersion": 1, "municipalityIds": ["Municipality:091", "Municipality:092"]}
    moved = (await district.data(UPDATE_ASSOCIATION, input=given))["updateLocalAssociation"]["localAssociation"]
    assert moved == association | {
        "version": 2,
        "municipalities": [{"id": "Municipality:091"}, {"id": "Municipality:092"}],
    }
    given = {"id": association["id"], "expectedVersion": 2, "nameFi": "Uusi yhdistys", "nameSv": "Nya föreningen"}
    renamed = (await district.data(UPDATE_ASSOCIATION, input=given))["updateLocalAssociation"]["localAssociation"]
    assert renamed == moved | {"version": 3, "nameFi": "Uusi yhdistys", "nameSv": "Nya föreningen"}
    outside = {"id": association["id"], "expectedVersion": 3, "municipalityIds": ["Municipality:837"]}
    error = await refusal(district, editable_store, UPDATE_ASSOCIATION, input=outside)
    assert argument(error) == ("BAD_USER_INPUT", "input.municipalityIds")
    assert await district.node(association["id"]) == renamed


NAMES_OF_ASSOCIATION = """mutation($input: UpdateLocalAssociationInput!) {
    updateLocalAssociation(input: $input) { localAssociation { id version nameFi municipalities { id } } } }"""
"""`UPDATE_ASSOCIATION` but its district, which an association of no district has not."""


async def test_update_local_association_of_no_district_is_for_admin_alone(
    district: Editor, admin: Editor, editable_store: GraphStore, made: dict[str, str]
) -> None:
    orphan = made["association-of-no-district"]
    given = {"id": orphan, "expectedVersion": 1, "nameFi": "MLL:n yhdistys vailla piiriä"}
    error = await refusal(district, editable_store, NAMES_OF_ASSOCIATION, input=given)
    assert error["extensions"] == {"code": "FORBIDDEN", "node": orphan}
    assert "a member of no district, so only admin may" in error["message"]
    renamed = (await admin.data(NAMES_OF_ASSOCIATION, input=given))["updateLocalAssociation"]["localAssociation"]
    assert renamed == {
        "id": orphan,
        "version": 2,
        "nameFi": given["nameFi"],
        "municipalities": [{"id": "Municipality:049"}],
    }
    moved = {"id": orphan, "expectedVersion": 2, "municipalityIds": ["Municipality:091"]}
    error = await refusal(admin, editable_store, NAMES_OF_ASSOCIATION, input=moved)
    assert argument(error) == ("BAD_USER_INPUT", "input.municipalityIds"), "no district's regions to be active in"


# the audit


@dataclass(frozen=True)
class Audited:
    """A mutation made by the district, and the change the audit must keep of it."""

    operation: str
    node: str
    version: int
    fields: dict[str, tuple[Any, Any]]
    """Each field the change names: (before, after); `...` where only that it changed is the point."""


async def audited_create_place(district: Editor, made: dict[str, str]) -> Audited:
    data = await district.data(
        CREATE_PLACE, input={"name": "Kahvila", "kind": "FAMILY_CAFE", "location": ESPOO} | {"organiserId": UUSIMAA}
    )
    place = data["createMeetingPlace"]["place"]
    fields = {
        "name": (None, "Kahvila"),
        "kind": (None, "FAMILY_CAFE"),
        "location": (None, [ESPOO["lat"], ESPOO["lon"]]),
        "municipality": (None, "Municipality:049"),
        "organisers": (None, [f"{UUSIMAA} COORDINATOR"]),
    }
    return Audited("createMeetingPlace", place["id"], 1, fields)


async def audited_update_place(district: Editor, made: dict[str, str]) -> Audited:
    place = await district.node(made["place-audit-update"])
    await update(district, place, name="Kohtaamispaikka", familyCentreId=None, location=HELSINKI)
    fields = {
        "name": ("Kahvila", "Kohtaamispaikka"),
        "familyCentre": (ESPOO_CENTRE, None),
        "location": ([ESPOO["lat"], ESPOO["lon"]], [HELSINKI["lat"], HELSINKI["lon"]]),
        "municipality": ("Municipality:049", "Municipality:091"),
    }
    return Audited("updateMeetingPlace", place["id"], 2, fields)


async def audited_withdraw_place(district: Editor, made: dict[str, str]) -> Audited:
    place = await district.node(made["place-audit-withdraw"])
    await district.data(WITHDRAW_PLACE, input={"id": place["id"], "expectedVersion": 1})
    return Audited("withdrawMeetingPlace", place["id"], 2, {"withdrawnAt": (None, ...)})


async def audited_set_opening_hours(district: Editor, made: dict[str, str]) -> Audited:
    place = await district.node(made["place-audit-hours"])
    await set_hours(district, place, MONDAYS_AND_WEDNESDAYS, [CHRISTMAS])
    return Audited("setOpeningHours", place["id"], 2, {"openingHours": ([], ...), "closures": ([], [CHRISTMAS])})


async def audited_create_agreement(district: Editor, made: dict[str, str]) -> Audited:
    agreement = await district.agreement(UUSIMAA, "Municipality:245", datetime.date(2026, 2, 1), kind="MUNICIPAL")
    after = {"since": "2026-02-01", "until": None, "kind": "MUNICIPAL"}
    field = "agreement with Municipality:245 since 2026-02-01"
    return Audited("createAgreement", UUSIMAA, agreement["district"]["version"], {field: (None, after)})


async def audited_end_agreement(district: Editor, made: dict[str, str]) -> Audited:
    given = {"districtId": UUSIMAA, "partyId": "Municipality:407", "since": "2026-02-01", "until": "2026-12-31"}
    ended = (await district.data(END_AGREEMENT, input=given))["endAgreement"]["agreement"]
    before = {"since": "2026-02-01", "until": None, "kind": "COOPERATION"}
    field = "agreement with Municipality:407 since 2026-02-01"
    return Audited(
        "endAgreement", UUSIMAA, ended["district"]["version"], {field: (before, before | {"until": "2026-12-31"})}
    )


async def audited_create_association(district: Editor, made: dict[str, str]) -> Audited:
    association = await district.association(nameFi="Yhdistys", municipalityIds=["Municipality:049"])
    fields = {"nameFi": (None, "Yhdistys"), "district": (None, UUSIMAA), "municipalities": (None, ["Municipality:049"])}
    return Audited("createLocalAssociation", association["id"], 1, fields)


async def audited_update_association(district: Editor, made: dict[str, str]) -> Audited:
    association = made["association-audit-update"]
    given = {"id": association, "expectedVersion": 1, "nameFi": "Yhdistys ry", "municipalityIds": ["Municipality:091"]}
    await district.data(UPDATE_ASSOCIATION, input=given)
    before = "MLL:n yhdistys association-audit-update"
    fields = {"nameFi": (before, "Yhdistys ry"), "municipalities": (["Municipality:049"], ["Municipality:091"])}
    return Audited("updateLocalAssociation", association, 2, fields)


@pytest.mark.parametrize(
    "mutation",
    [
        audited_create_place,
        audited_update_place,
        audited_withdraw_place,
        audited_set_opening_hours,
        audited_create_agreement,
        audited_end_agreement,
        audited_create_association,
        audited_update_association,
    ],
    ids=lambda mutation: mutation.__name__.removeprefix("audited_"),
)
async def test_each_mutation_leaves_one_change_of_each_node_it_wrote(
    http: httpx.AsyncClient, keys: Keys, editable_store: GraphStore, made: dict[str, str], mutation: Any
) -> None:
    request_id = f"spec-{uuid.uuid4().hex}"
    admin, district = Editor(http, bearer(keys.admin)), Editor(http, bearer(keys.district), request_id)
    start = await newest_change(editable_store)
    expected = await mutation(district, made)
    found = [change for change in await admin.changes(first=100) if change["number"] > start]
    ours = [change for change in found if change["requestId"] == request_id]
    assert len(ours) == 1, found
    (change,) = ours
    assert {name: change[name] for name in ["actor", "organisationId", "operation", "nodeId", "version"]} == {
        "actor": f"key:{key_id(keys.district)}",
        "organisationId": UUSIMAA,
        "operation": expected.operation,
        "nodeId": expected.node,
        "version": expected.version,
    }
    fields = {field["name"]: (field["before"], field["after"]) for field in change["fields"]}
    assert fields.keys() == expected.fields.keys()
    for name, (before, after) in expected.fields.items():
        assert fields[name][0] == before, name
        assert fields[name][1] is not None if after is ... else fields[name][1] == after, name
    assert await admin.changes(nodeId=expected.node, first=1) == [change]


async def test_changes_filters_by_node_organisation_and_time_newest_first(
    district: Editor, admin: Editor, http: httpx.AsyncClient, keys: Keys, made: dict[str, str]
) -> None:
    centre = Editor(http, bearer(keys.family_centre))
    place = await district.node(made["place-network"])
    renamed = await update(centre, place, name="Perhekeskuksen kahvila")
    since = (await admin.changes(nodeId=place["id"], first=1))[0]["at"]
    await update(district, renamed, name="Piirin kahvila")
    of_place = await admin.changes(nodeId=place["id"])
    assert [(c["operation"], c["organisationId"], c["version"]) for c in of_place] == [
        ("updateMeetingPlace", UUSIMAA, 3),
        ("updateMeetingPlace", ESPOO_CENTRE, 2),
    ]
    numbers = [change["number"] for change in of_place]
    assert numbers == sorted(numbers, reverse=True)
    assert [c["version"] for c in await admin.changes(nodeId=place["id"], since=since)] == [3, 2]
    by_centre = await admin.changes(organisationId=ESPOO_CENTRE, first=100)
    assert {c["organisationId"] for c in by_centre} == {ESPOO_CENTRE}
    assert of_place[1] in by_centre
    assert of_place[0] not in by_centre


async def test_changes_come_a_page_at_a_time(district: Editor, admin: Editor, made: dict[str, str]) -> None:
    place = await district.node(made["place-paging"])
    for name in ["Kahvila 2", "Kahvila 3", "Kahvila 4"]:
        place = await update(district, place, name=name)
    pages, after = [], None
    while True:
        body = await admin.data(
            "query($id: ID!, $after: String) { changes(nodeId: $id, first: 2, after: $after) { totalCount "
            "pageInfo { hasNextPage endCursor } edges { node { version } } } }",
            id=place["id"],
            after=after,
        )
        page = body["changes"]
        pages.append([edge["node"]["version"] for edge in page["edges"]])
        assert page["totalCount"] == 3
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == [[4, 3], [2]]


async def test_an_organisation_sees_only_its_own_changes(
    district: Editor, admin: Editor, http: httpx.AsyncClient, keys: Keys
) -> None:
    centre = Editor(http, bearer(keys.family_centre))
    place = await centre.place(organiserId=ESPOO_CENTRE, familyCentreId=ESPOO_CENTRE)
    await update(admin, place, name="Ylläpidon nimeämä")  # a change made for admin's organisation
    own = await centre.changes(first=100)
    assert own and {change["organisationId"] for change in own} == {ESPOO_CENTRE}
    assert [c["operation"] for c in await centre.changes(nodeId=place["id"])] == ["createMeetingPlace"]
    assert await centre.changes(organisationId=ESPOO_CENTRE, first=100) == own
    error = await centre.error(CHANGES_OF, organisationId=UUSIMAA)
    assert error["extensions"] == {"code": "FORBIDDEN", "node": UUSIMAA}
    assert [c["operation"] for c in await admin.changes(nodeId=place["id"])] == [
        "updateMeetingPlace",
        "createMeetingPlace",
    ]


CHANGES_OF = "query($organisationId: ID) { changes(organisationId: $organisationId) { totalCount } }"


@pytest.mark.parametrize("authorization", [None, "Bearer gak_000000000000_nope", "Basic dXNlcjpwYXNz"])
async def test_changes_need_a_token(http: httpx.AsyncClient, authorization: str | None) -> None:
    error = await Editor(http, authorization).error(CHANGES_OF, organisationId=None)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


def reading(key: str, name: str) -> Reading:
    """A family café in Helsinki run by a local association of the seeds, as a spreadsheet would give it."""
    source = "spreadsheet:audit.csv"
    node = MeetingPlace(key, source, name, MeetingPlaceKind.FAMILY_CAFE, Point(60.1841, 24.952), source_id=key)
    rels = (
        Relationship("LOCATED_IN", NodeRef.of(node), NodeRef("Municipality", "091"), source, {}),
        Relationship(
            "RUN_BY", NodeRef.of(node), NodeRef("LocalAssociation", "la-091-27"), source, {"role": "COORDINATOR"}
        ),
    )
    return Reading(source, frozenset({"MeetingPlace"}), [Found(f"audit.csv:{key}", node, rels, frozenset())])


async def test_an_import_appears_in_the_audit(editable_store: GraphStore, admin: Editor) -> None:
    key = f"audit-{uuid.uuid4().hex[:8]}"
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    first = await plan(editable_store, reading(key, "Perhekahvila Tuotu"), now)
    await apply(editable_store, first, "importer@mll.fi", now)
    later = now + datetime.timedelta(minutes=1)
    second = await plan(editable_store, reading(key, "Perhekahvila Tuotu uudestaan"), later)
    await apply(editable_store, second, "importer@mll.fi", later)
    changes = await admin.changes(nodeId=f"MeetingPlace:{key}")
    assert [(c["operation"], c["actor"], c["organisationId"], c["version"]) for c in changes] == [
        ("import", "importer@mll.fi", None, 2),
        ("import", "importer@mll.fi", None, 1),
    ]
    renamed = {field["name"]: (field["before"], field["after"]) for field in changes[0]["fields"]}
    assert renamed == {"name": ("Perhekahvila Tuotu", "Perhekahvila Tuotu uudestaan")}
    assert ("name", None, "Perhekahvila Tuotu") in [(f["name"], f["before"], f["after"]) for f in changes[1]["fields"]]


# the seeds loaded again

EDITED_SEED_PLACE = "MeetingPlace:mp-049-1"
EDITED_SEED_ASSOCIATION = "LocalAssociation:la-049-3"


@pytest.fixture(scope="module")
async def reloaded(editable_store: GraphStore, dataset: Dataset, keys: Keys) -> dict[str, dict[str, Any]]:
    """Seed nodes a partner edited, read after the seeds were loaded again (as a restart does)."""
    async with client_for(editable_store, SETTINGS) as http:
        admin = Editor(http, bearer(keys.admin))
        place = await admin.node(EDITED_SEED_PLACE)
        edited_place = await update(admin, place, name="Korjattu nimi", location={"lat": 60.21, "lon": 24.66})
        association = await admin.node(EDITED_SEED_ASSOCIATION)
        given = {"id": association["id"], "expectedVersion": association["version"], "nameFi": "Korjattu yhdistys"}
        renamed = await admin.data(UPDATE_ASSOCIATION, input=given)
        edited_association = renamed["updateLocalAssociation"]["localAssociation"]
        ending = {"districtId": "District:kaakkois-suomi", "partyId": "WelfareArea:EK", "since": "2023-05-01"}
        ended = (await admin.data(END_AGREEMENT, input=ending | {"until": "2026-06-30"}))["endAgreement"]
        await editable_store.load(dataset)
        return {
            "place": {"edited": edited_place, "reloaded": await admin.node(EDITED_SEED_PLACE)},
            "association": {"edited": edited_association, "reloaded": await admin.node(EDITED_SEED_ASSOCIATION)},
            "agreement": {
                "edited": ended["agreement"],
                "reloaded": next(
                    a
                    for a in (await admin.node("District:kaakkois-suomi"))["agreements"]
                    if a["party"] == {"id": "WelfareArea:EK"} and a["since"] == "2023-05-01"
                ),
            },
        }


@pytest.mark.parametrize("what", ["place", "association", "agreement"])
async def test_the_seeds_loaded_again_keep_what_a_partner_edited(reloaded: dict[str, Any], what: str) -> None:
    assert reloaded[what]["reloaded"] == reloaded[what]["edited"]
